namespace GpuEstimation.Kernels.Models;

/// <summary>
/// Linear regression with Gaussian noise over columns (y, x₁ … x_K), parameters (b₀, b₁ … b_K, σ):
/// <c>log f(y | x) = −log σ − ½ log 2π − ½ ((y − b₀ − Σ bₖ xₖ)/σ)²</c>.
/// statsmodels: <c>OLS(y, add_constant(X))</c> (same coefficients; σ here is the MLE, divisor n).
/// Support: y, x real; σ &gt; 0.
/// </summary>
public readonly struct LinearModel : ILikelihoodModel<LinearModel>
{
    private const double HalfLogTwoPi = 0.91893853320467274178032973640562;

    public LinearModel(int features) => Features = features;

    /// <summary>The number of feature columns, K.</summary>
    public int Features { get; }

    public int ParameterCount => Features + 2;

    public int ColumnCount => Features + 1;

    /// <summary>Arguments: b₀ … b_K, 1/σ, −log σ − ½ log 2π.</summary>
    public static void Prepare(in LinearModel model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        int k = model.Features;
        double sigma = parameters[k + 1];
        parameters[..(k + 1)].CopyTo(arguments);
        arguments[k + 1] = 1.0 / sigma;
        arguments[k + 2] = -Math.Log(sigma) - HalfLogTwoPi;
    }

    public static void Accumulate<TVec>(in LinearModel model, in TVec arguments, in DataRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
    {
        int k = model.Features;
        double mean = arguments.Get(0);
        for (int j = 1; j <= k; j++)
            mean += arguments.Get(j) * data[j, row];
        double inverseSigma = arguments.Get(k + 1);
        double z = (data[0, row] - mean) * inverseSigma;
        double zz = z * z;
        double w = z * inverseSigma;
        terms.Add(0, arguments.Get(k + 2) - 0.5 * zz);
        terms.Add(1, w);
        for (int j = 1; j <= k; j++)
            terms.Add(1 + j, w * data[j, row]);
        terms.Add(k + 2, (zz - 1.0) * inverseSigma);
    }
}
