using GpuEstimation.Kernels;

namespace GpuEstimation.Engine;

/// <summary>
/// The map γ = C θ from a linear-predictor model's parameters θ to the design's coordinates γ, in which its Hessian is
/// summed (<see cref="ILinearPredictorModel{TSelf}.DesignMap"/>), and the Hessian carried from γ to θ.
/// </summary>
internal static class DesignCoordinates
{
    /// <summary>C (P×P, row-major) where the model's parameters are not the design's coordinates; else null.</summary>
    public static double[]? MapOf<TModel>(in TModel model) where TModel : unmanaged, ILinearPredictorModel<TModel>
    {
        int p = model.ParameterCount;
        var map = new double[p * p];
        return TModel.DesignMap(model, map) ? map : null;
    }

    /// <summary>
    /// <paramref name="hessian"/> (P×P, row-major, in γ) replaced by CᵀH_γC, the parameters' Hessian. Only C's non-zero
    /// entries enter the sums (a 0 times an infinite entry would be NaN), in order of the row or column of C; for the
    /// identity plus one row of means that is H[r, c] + m·H[r, 0], then the same down the columns.
    /// </summary>
    public static void ToParameters(double[] map, Span<double> hessian)
    {
        int p = (int)Math.Round(Math.Sqrt(map.Length));
        var product = new double[p * p];
        // H C, then Cᵀ (H C).
        for (int r = 0; r < p; r++)
        {
            for (int c = 0; c < p; c++)
            {
                double sum = 0;
                for (int k = 0; k < p; k++)
                {
                    if (map[k * p + c] != 0)
                        sum += hessian[r * p + k] * map[k * p + c];
                }
                product[r * p + c] = sum;
            }
        }
        for (int r = 0; r < p; r++)
        {
            for (int c = 0; c < p; c++)
            {
                double sum = 0;
                for (int k = 0; k < p; k++)
                {
                    if (map[k * p + r] != 0)
                        sum += map[k * p + r] * product[k * p + c];
                }
                hessian[r * p + c] = sum;
            }
        }
    }
}
