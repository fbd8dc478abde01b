using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels.Models;

/// <summary>
/// Normal distribution over one column x, parameters (mu, sigma):
/// <c>log f(x) = −log σ − ½ log 2π − ½ ((x − μ)/σ)²</c>.
/// SciPy: <c>scipy.stats.norm(loc=mu, scale=sigma)</c>; MathNet: <c>Normal(mu, sigma)</c>.
/// Support: x real; sigma &gt; 0.
/// </summary>
public readonly struct NormalModel : IDistribution<NormalModel>
{
    private const double HalfLogTwoPi = 0.91893853320467274178032973640562;

    public static string Name => "normal";

    public static string Support => "any finite x";

    public static IReadOnlyList<ParameterInfo> Parameters { get; } =
        [new("mu"), new("sigma", ParameterDomain.Positive)];

    public static bool InSupport(double x, double trials) => true;

    public static double[][] Columns(double[] x, double[]? trials) => [x];

    /// <summary>The closed-form MLE: the mean and the standard deviation with divisor n.</summary>
    public static double[] Start(double[] x, double[]? trials) =>
        [Moments.Mean(x), Moments.PositiveOr(Math.Sqrt(Moments.Variance(x)), 1.0)];

    public int ParameterCount => 2;

    public int ColumnCount => 1;

    /// <summary>Arguments: μ, 1/σ, −log σ − ½ log 2π.</summary>
    public static void Prepare(in NormalModel model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        double sigma = parameters[1];
        arguments[0] = parameters[0];
        arguments[1] = 1.0 / sigma;
        arguments[2] = -Math.Log(sigma) - HalfLogTwoPi;
    }

    // Inlined into the native backend's loop (ILGPU inlines device calls by itself).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<TVec, TRows>(in NormalModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double inverseSigma = arguments.Get(1);
        double z = (data[0, row] - arguments.Get(0)) * inverseSigma;
        double zz = z * z;
        terms.Add(0, arguments.Get(2) - 0.5 * zz);
        terms.Add(1, z * inverseSigma);
        terms.Add(2, (zz - 1.0) * inverseSigma);
    }
}
