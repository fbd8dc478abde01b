using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels.Models;

/// <summary>
/// Gamma with shape α and rate β: <c>log f(x) = α log β − log Γ(α) + (α − 1) log x − βx</c>.
/// SciPy: <c>scipy.stats.gamma(a=shape, scale=1/rate)</c>; MathNet: <c>Gamma(shape, rate)</c>. Support: x &gt; 0.
/// Reads (x, log x).
/// </summary>
public readonly struct GammaModel : IDistribution<GammaModel>
{
    /// <inheritdoc/>
    public static string Name => "gamma";

    /// <inheritdoc/>
    public static string Support => "x > 0";

    /// <inheritdoc/>
    public static IReadOnlyList<ParameterInfo> Parameters { get; } =
        [new("shape", ParameterDomain.Positive), new("rate", ParameterDomain.Positive)];

    /// <inheritdoc/>
    public int ColumnCount => 2;

    /// <inheritdoc/>
    public static int ArgumentCount(in GammaModel model) => 5;

    /// <inheritdoc/>
    public static bool InSupport(double x, double trials) => x > 0;

    /// <inheritdoc/>
    public static double[][] Columns(double[] x, double[]? trials) => [x, Moments.Map(x, DeviceMath.Log)];

    /// <inheritdoc/>
    public static double[] Start(double[] x, double[]? trials)
    {
        // Moments: shape = mean²/variance, rate = mean/variance.
        double mean = Moments.Mean(x), variance = Moments.Variance(x);
        return [Moments.PositiveOr(mean * mean / variance, 1.0), Moments.PositiveOr(mean / variance, 1.0)];
    }

    /// <summary>Arguments: α, β, α log β − log Γ(α), log β − ψ(α), α/β.</summary>
    public static void Prepare(in GammaModel model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        double shape = parameters[0], rate = parameters[1];
        double logRate = DeviceMath.Log(rate);
        arguments[0] = shape;
        arguments[1] = rate;
        arguments[2] = shape * logRate - DeviceMath.LogGamma(shape);
        arguments[3] = logRate - DeviceMath.Digamma(shape);
        arguments[4] = shape / rate;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<TVec, TRows>(in GammaModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double x = data[0, row], logX = data[1, row];
        terms.Add(0, arguments.Get(2) + (arguments.Get(0) - 1.0) * logX - arguments.Get(1) * x);
        terms.Add(1, arguments.Get(3) + logX);
        terms.Add(2, arguments.Get(4) - x);
    }
}
