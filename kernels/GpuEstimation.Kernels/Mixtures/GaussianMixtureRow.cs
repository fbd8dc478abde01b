using System.Runtime.CompilerServices;
using ILGPU;

namespace GpuEstimation.Kernels.Mixtures;

/// <summary>
/// One row of a Gaussian mixture's E-step in the device kernel (the native backend's vectorized pass computes the same).
/// The components' parameters are packed, component after component, <see cref="Stride"/> doubles each:
/// <c>[c, μ₁ … μ_d, F]</c> where c = log wₖ − Σ log Lᵢᵢ − (d/2) log 2π (Σ = L Lᵀ, the covariance's Cholesky factor)
/// and F is L⁻¹: its lower triangle row by row (d(d + 1)/2 values, full and tied covariances) or its diagonal
/// 1/σᵢ (d values, diagonal and spherical). Then log(wₖ φₖ(x)) = c − ½ ‖F (x − μ)‖².
/// </summary>
public static class GaussianMixtureRow
{
    /// <summary>Doubles per component in the packed parameters.</summary>
    public static int Stride(int dimensions, bool diagonal) =>
        1 + dimensions + (diagonal ? dimensions : dimensions * (dimensions + 1) / 2);

    /// <summary>
    /// Reads row <paramref name="row"/> into <paramref name="x"/> (d values), puts each component's responsibility
    /// into <paramref name="responsibilities"/> (K values) and returns the row's log-density log Σₖ wₖ φₖ(x), by the
    /// log-sum-exp (the largest term factored out, so no term overflows and the largest is exactly 1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Responsibilities<TRows, TParams>(
        TRows data, long row, TParams parameters, int dimensions, int components, bool diagonal, ArrayView<double> x, ArrayView<double> responsibilities)
        where TRows : struct, IDataRows
        where TParams : struct, IValues
    {
        for (int j = 0; j < dimensions; j++)
            x[j] = data[j, row];
        int stride = Stride(dimensions, diagonal);
        double largest = double.NegativeInfinity;
        for (int k = 0; k < components; k++)
        {
            long at = (long)k * stride;
            long factor = at + 1 + dimensions;
            double quadratic = 0;
            if (diagonal)
            {
                for (int i = 0; i < dimensions; i++)
                {
                    double z = (x[i] - parameters[at + 1 + i]) * parameters[factor + i];
                    quadratic += z * z;
                }
            }
            else
            {
                for (int i = 0; i < dimensions; i++)
                {
                    double z = 0;
                    for (int j = 0; j <= i; j++)
                        z += parameters[factor++] * (x[j] - parameters[at + 1 + j]);
                    quadratic += z * z;
                }
            }
            double log = parameters[at] - 0.5 * quadratic;
            responsibilities[k] = log;
            largest = log > largest ? log : largest;
        }
        double sum = 0;
        for (int k = 0; k < components; k++)
        {
            double term = TRows.Exp(responsibilities[k] - largest);
            responsibilities[k] = term;
            sum += term;
        }
        double inverse = 1.0 / sum;
        for (int k = 0; k < components; k++)
            responsibilities[k] *= inverse;
        // sum ≥ 1 (the largest term is exactly 1), so log(sum) = log1p(sum − 1) with sum − 1 exact.
        return largest + TRows.Log1p(sum - 1.0);
    }

    /// <summary>
    /// A statistic's code: Σ rₖ · z_a · z_b over the rows, where z is the row's values less component k's mean (the
    /// parameters the pass ran at), followed by the constant 1 (index d): (a, b) = (d, d) is Σ rₖ, (j, d) is
    /// Σ rₖ (xⱼ − μₖⱼ), (i, j) is Σ rₖ (xᵢ − μₖᵢ)(xⱼ − μₖⱼ). Centred, the M-step's covariance is no difference of sums
    /// of size |μ|², which lost digits as (|μ|/σ)².
    /// </summary>
    public static int Code(int component, int a, int b) => (component << 16) | (a << 8) | b;

    /// <summary>The component of a statistic's code.</summary>
    public static int Component(int code) => code >> 16;

    /// <summary>The first factor's index of a statistic's code.</summary>
    public static int A(int code) => (code >> 8) & 0xFF;

    /// <summary>The second factor's index of a statistic's code.</summary>
    public static int B(int code) => code & 0xFF;
}
