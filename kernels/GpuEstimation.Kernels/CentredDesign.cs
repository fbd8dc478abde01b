namespace GpuEstimation.Kernels;

/// <summary>
/// The map C of a linear-predictor model whose features are centred (<see cref="ILinearPredictorModel{TSelf}.DesignMap"/>):
/// the design's coordinates are γ₀ = b₀ + Σ bₖ mₖ and γₖ = bₖ (and the model's own parameter itself), so C is the
/// identity with the means in row 0. The GLM's and the linear model's.
/// </summary>
public static class CentredDesign
{
    /// <summary>Writes C (P×P, row-major) for <paramref name="parameters"/> parameters and <paramref name="features"/> features of means <paramref name="mean"/>.</summary>
    public static void Map(Span<double> map, int parameters, int features, Func<int, double> mean)
    {
        ArgumentNullException.ThrowIfNull(mean);
        map[..(parameters * parameters)].Clear();
        for (int k = 0; k < parameters; k++)
            map[k * parameters + k] = 1;
        for (int j = 0; j < features; j++)
            map[j + 1] = mean(j);
    }
}
