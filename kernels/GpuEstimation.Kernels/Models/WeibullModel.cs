using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels.Models;

/// <summary>
/// Weibull with shape k and scale λ: with t = (x/λ)^k, <c>log f(x) = log k − log λ + (k − 1)(log x − log λ) − t</c>.
/// SciPy: <c>scipy.stats.weibull_min(c=shape, scale=scale)</c>; MathNet: <c>Weibull(shape, scale)</c>. Support:
/// x &gt; 0. Reads (log x).
/// </summary>
public readonly struct WeibullModel : IDistribution<WeibullModel>
{
    /// <inheritdoc/>
    public static string Name => "weibull";

    /// <inheritdoc/>
    public static string Support => "x > 0";

    /// <inheritdoc/>
    public static IReadOnlyList<ParameterInfo> Parameters { get; } =
        [new("shape", ParameterDomain.Positive), new("scale", ParameterDomain.Positive)];

    /// <inheritdoc/>
    public int ColumnCount => 1;

    /// <inheritdoc/>
    public static int ArgumentCount(in WeibullModel model) => 4;

    /// <inheritdoc/>
    public static bool InSupport(double x, double trials) => x > 0;

    /// <inheritdoc/>
    public static ReadOnlyMemory<double>[] Columns(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials) => [Moments.Map(x.Span, DeviceMath.Log)];

    /// <inheritdoc/>
    public static double[] Start(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials)
    {
        // log x is Gumbel-distributed: sd(log x) = π/(k√6), mean(log x) = log λ − γ/k.
        double shape = Moments.PositiveOr(KernelConstants.Pi / (Math.Sqrt(6.0) * Moments.StandardDeviation(x.Span, DeviceMath.Log)), 1.0);
        return [shape, Moments.PositiveOr(Math.Exp(Moments.Mean(x.Span, DeviceMath.Log) + KernelConstants.EulerGamma / shape), 1.0)];
    }

    /// <summary>Arguments: k, log λ, log k − log λ, k/λ.</summary>
    public static void Prepare(in WeibullModel model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        double shape = parameters[0], scale = parameters[1];
        double logScale = DeviceMath.Log(scale);
        arguments[0] = shape;
        arguments[1] = logScale;
        arguments[2] = DeviceMath.Log(shape) - logScale;
        arguments[3] = shape / scale;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<TVec, TRows>(in WeibullModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double k = arguments.Get(0);
        double logRatio = data[0, row] - arguments.Get(1);
        double t = TRows.Exp(k * logRatio);
        terms.Add(0, arguments.Get(2) + (k - 1.0) * logRatio - t);
        terms.Add(1, 1.0 / k + logRatio * (1.0 - t));
        terms.Add(2, arguments.Get(3) * (t - 1.0));
    }

    /// <inheritdoc/>
    public static bool HasBlock<TVec>(in WeibullModel model, in TVec arguments) where TVec : unmanaged, ITermVector<TVec> => true;

    /// <summary>Sixteen rows of <see cref="Accumulate"/> in the lanes, with <see cref="VectorMath"/>'s exp.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void AccumulateBlock<TVec>(in WeibullModel model, in TVec arguments, ReadOnlySpan<double> table, in HostRows data, long row, ref TermLanes terms)
        where TVec : unmanaged, ITermVector<TVec>
    {
        double shape = arguments.Get(0);
        var one = Lanes16.Create(1.0);
        var logRatio = Lanes16.Load(data.Column(0) + row) - Lanes16.Create(arguments.Get(1));
        var t = VectorMath.Exp(Lanes16.Create(shape) * logRatio);
        terms.Term0 += (Lanes16.Create(arguments.Get(2)) + Lanes16.Create(shape - 1.0) * logRatio - t).Sum();
        terms.Term1 += (Lanes16.Create(1.0 / shape) + logRatio * (one - t)).Sum();
        terms.Term2 += (Lanes16.Create(arguments.Get(3)) * (t - one)).Sum();
    }
}
