using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuEstimation.Kernels.Models;

/// <summary>
/// Gamma with shape α and rate β: <c>log f(x) = α log β − log Γ(α) + (α − 1) log x − βx</c>.
/// SciPy: <c>scipy.stats.gamma(a=shape, scale=1/rate)</c>; MathNet: <c>Gamma(shape, rate)</c>. Support: x &gt; 0.
/// Reads (x, log x). Also a linear-predictor model with the constant as its one design value (η = α) and the rate as
/// its own parameter, so that the engine sums its exact Hessian in the value's pass and Newton's method fits it.
/// </summary>
public readonly struct GammaModel : IDistribution<GammaModel>, ILinearPredictorModel<GammaModel>
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
    public static int ArgumentCount(in GammaModel model) => 6;

    /// <summary>
    /// The shape beyond which the log-density and its shape derivative are taken in their cancellation-free form (see
    /// <see cref="Prepare"/>): the direct form subtracts terms ~α log α from one another, and loses ~α log α ulps of a row's
    /// log-density (1e-11 at 10⁴; at 10¹⁸, data at 10⁹ ± 1, the whole of it: a log-likelihood of −114,432 for −66.2).
    /// </summary>
    public const double StableShape = 1e4;

    /// <inheritdoc/>
    public static bool InSupport(double x, double trials) => x > 0;

    /// <inheritdoc/>
    public static ReadOnlyMemory<double>[] Columns(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials) => [x, Moments.Map(x.Span, DeviceMath.Log)];

    /// <inheritdoc/>
    public static double[] Start(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials)
    {
        // Moments: shape = mean²/variance, rate = mean/variance, as ratios that stay doubles for data of any size.
        double mean = Moments.Mean(x.Span), sd = Moments.StandardDeviation(x.Span);
        double ratio = mean / sd;
        return [Moments.PositiveOr(ratio * ratio, 1.0), Moments.PositiveOr(ratio / sd, 1.0)];
    }

    /// <summary>
    /// Arguments: β, α log β − log Γ(α), log β − ψ(α), ψ′(α) (the four the Hessian pass hands <see cref="Curvature"/>),
    /// then α (the coefficient) and the mean m = α/β. Beyond <see cref="StableShape"/>, arguments 1 and 2 are instead
    /// C(α) = α log α − α − log Γ(α) and log α − ψ(α), for the form with d = (x − m)/m, βx = α(1 + d):
    /// <c>log f = C(α) + α (log(1 + d) − d) − log x</c>, <c>∂/∂α = log(1 + d) + (log α − ψ(α))</c>, each term small.
    /// </summary>
    public static void Prepare(in GammaModel model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        double shape = parameters[0], rate = parameters[1];
        double logRate = DeviceMath.Log(rate);
        bool stable = shape > StableShape;
        arguments[0] = rate;
        arguments[1] = stable ? DeviceMath.XLogXMinusXMinusLogGamma(shape) : shape * logRate - DeviceMath.LogGamma(shape);
        arguments[2] = stable ? DeviceMath.LogMinusDigamma(shape) : logRate - DeviceMath.Digamma(shape);
        arguments[3] = DeviceMath.Trigamma(shape);
        arguments[4] = shape;
        arguments[5] = shape / rate;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<TVec, TRows>(in GammaModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double x = data[0, row], logX = data[1, row], mean = arguments.Get(5);
        var (value, shapeDerivative) = Row(arguments.Get(1), arguments.Get(2), arguments.Get(4), arguments.Get(0), mean, x, logX);
        terms.Add(0, value);
        terms.Add(1, shapeDerivative);
        terms.Add(2, mean - x);
    }

    /// <summary>
    /// A row's log f and ∂/∂α from <see cref="Prepare"/>'s arguments 1 and 2 (<paramref name="constant"/>,
    /// <paramref name="digammaPart"/>): the direct form, or beyond <see cref="StableShape"/> the cancellation-free one,
    /// with log(1 + d) − d at d = x/m − 1 (<see cref="DeviceMath.Log1pMinusXOfRatio"/>) and log(1 + d) = that + d.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (double Value, double Shape) Row(double constant, double digammaPart, double shape, double rate, double mean, double x, double logX)
    {
        if (!(shape > StableShape))
            return (constant + (shape - 1.0) * logX - rate * x, digammaPart + logX);
        double ratio = DeviceMath.Log1pMinusXOfRatio(x, mean);
        return (constant + shape * ratio - logX, digammaPart + (ratio + (x - mean) / mean));
    }

    /// <summary>One design value, the constant 1: η = α.</summary>
    public int DesignWidth => 1;

    /// <summary>The rate β.</summary>
    public int ExtraParameters => 1;

    /// <inheritdoc/>
    public int DesignColumn(int j) => -1;

    /// <summary>α is argument 4.</summary>
    public int DesignArgument(int j) => 4;

    /// <summary>
    /// With η = α: ∂/∂α = log β − ψ(α) + log x, ∂/∂β = α/β − x, ∂²/∂α² = −ψ′(α), ∂²/∂α∂β = 1/β, ∂²/∂β² = −α/β².
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Curvature<TVec, TRows>(in GammaModel model, in TVec arguments, in TRows data, long row, double design, out RowCurvature curvature)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double x = data[0, row], logX = data[1, row];
        double rate = arguments.Get(0), inverseRate = 1.0 / rate;
        (curvature.Value, curvature.Eta) = Row(arguments.Get(1), arguments.Get(2), design, rate, design * inverseRate, x, logX);
        curvature.Extra = design * inverseRate - x;
        curvature.EtaEta = -arguments.Get(3);
        curvature.EtaExtra = inverseRate;
        curvature.ExtraExtra = -design * inverseRate * inverseRate;
    }

    /// <summary>
    /// <see cref="Curvature"/> for four rows at a time (the same arithmetic, so the same bits as row by row); beyond
    /// <see cref="StableShape"/> row by row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void CurvatureBlock(in GammaModel model, Vec4 own, in HostRows data, long first, int count, double* design,
        double* derivatives, int stride)
    {
        if (count > 0 && design[0] > StableShape)
        {
            RowBlocks.OneByOne(model, own, data, first, count, design, derivatives, stride);
            return;
        }
        double* x = data.Column(0) + first;
        double* logX = data.Column(1) + first;
        double rateValue = own.Get(0);
        var rate = Vector256.Create(rateValue);
        var inverseRate = Vector256.Create(1.0 / rateValue);
        var constant = Vector256.Create(own.Get(1));
        var digammaPart = Vector256.Create(own.Get(2));
        var trigamma = Vector256.Create(-own.Get(3));
        var one = Vector256<double>.One;
        int i = 0;
        for (; i + 3 < count; i += 4)
        {
            var shape = Vector256.Load(design + i);
            var xi = Vector256.Load(x + i);
            var logXi = Vector256.Load(logX + i);
            Vector256.Store(constant + (shape - one) * logXi - rate * xi, derivatives + i);
            Vector256.Store(digammaPart + logXi, derivatives + stride + i);
            Vector256.Store(shape * inverseRate - xi, derivatives + 2 * stride + i);
            Vector256.Store(trigamma, derivatives + 3 * stride + i);
            Vector256.Store(inverseRate, derivatives + 4 * stride + i);
            Vector256.Store(-shape * inverseRate * inverseRate, derivatives + 5 * stride + i);
        }
        RowBlocks.OneByOne(model, own, data, first + i, count - i, design + i, derivatives + i, stride);
    }

    /// <summary>In the direct form (a shape up to <see cref="StableShape"/>; beyond, the rows go one at a time).</summary>
    public static bool HasBlock<TVec>(in GammaModel model, in TVec arguments) where TVec : unmanaged, ITermVector<TVec> =>
        !(arguments.Get(4) > StableShape);

    /// <summary>Sixteen rows of <see cref="Accumulate"/>'s direct form in the lanes (the native backend).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void AccumulateBlock<TVec>(in GammaModel model, in TVec arguments, ReadOnlySpan<double> table, in HostRows data, long row, ref TermLanes terms)
        where TVec : unmanaged, ITermVector<TVec>
    {
        var x = Lanes16.Load(data.Column(0) + row);
        var logX = Lanes16.Load(data.Column(1) + row);
        terms.Term0 += (Lanes16.Create(arguments.Get(1)) + Lanes16.Create(arguments.Get(4) - 1.0) * logX - Lanes16.Create(arguments.Get(0)) * x).Sum();
        terms.Term1 += (Lanes16.Create(arguments.Get(2)) + logX).Sum();
        terms.Term2 += (Lanes16.Create(arguments.Get(5)) - x).Sum();
    }
}
