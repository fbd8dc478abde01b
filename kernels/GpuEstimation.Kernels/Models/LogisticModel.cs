using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuEstimation.Kernels.Models;

/// <summary>
/// Logistic with location μ and scale s: with z = (x − μ)/s, <c>log f(x) = −log s − |z| − 2 log(1 + e^{−|z|})</c>.
/// SciPy: <c>scipy.stats.logistic(loc, scale)</c>; MathNet: no class, the formula. Support: any x.
/// </summary>
public readonly struct LogisticModel : IDistribution<LogisticModel>
{
    /// <inheritdoc/>
    public static string Name => "logistic";

    /// <inheritdoc/>
    public static string Support => "any finite x";

    /// <inheritdoc/>
    public static IReadOnlyList<ParameterInfo> Parameters { get; } =
        [new("location"), new("scale", ParameterDomain.Positive)];

    /// <inheritdoc/>
    public static bool LocationScale => true;

    /// <inheritdoc/>
    public int ColumnCount => 1;

    /// <inheritdoc/>
    public static bool InSupport(double x, double trials) => true;

    /// <inheritdoc/>
    public static ReadOnlyMemory<double>[] Columns(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials) => [x];

    /// <inheritdoc/>
    public static double[] Start(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials)
    {
        // Moments: variance = s²π²/3.
        return [Moments.Mean(x.Span), Moments.PositiveOr(Math.Sqrt(3.0) * Moments.StandardDeviation(x.Span) / KernelConstants.Pi, 1.0)];
    }

    /// <summary>Arguments: μ, 1/s, −log s.</summary>
    public static void Prepare(in LogisticModel model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        arguments[0] = parameters[0];
        arguments[1] = 1.0 / parameters[1];
        arguments[2] = -DeviceMath.Log(parameters[1]);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<TVec, TRows>(in LogisticModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double inverseScale = arguments.Get(1);
        double z = (data[0, row] - arguments.Get(0)) * inverseScale;
        double a = Math.Abs(z);
        double e = TRows.Exp(-a);
        // tanh(z/2) = sign(z)(1 − e^{−|z|})/(1 + e^{−|z|}).
        double tanhHalf = (z >= 0 ? 1.0 : -1.0) * (1.0 - e) / (1.0 + e);
        terms.Add(0, arguments.Get(2) - a - 2.0 * TRows.Log1p(e));
        terms.Add(1, tanhHalf * inverseScale);
        terms.Add(2, (z * tanhHalf - 1.0) * inverseScale);
    }

    /// <inheritdoc/>
    public static bool HasBlock<TVec>(in LogisticModel model, in TVec arguments) where TVec : unmanaged, ITermVector<TVec> => true;

    /// <summary>
    /// Sixteen rows of <see cref="Accumulate"/> in the lanes, with <see cref="VectorMath"/>'s exp; tanh(z/2) as
    /// (1 − e)/(1 + e) (one division), and the sixteen log(1 + e), e in [0, 1], go into the chunk's running product
    /// (<see cref="TermLanes.MultiplyLog1p"/>), twice their sum subtracted from log f in <see cref="FinishBlocks"/>. The
    /// gradient's lanes sum tanh(z/2) and z·tanh(z/2) − 1; <see cref="FinishBlocks"/> multiplies them by 1/s once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void AccumulateBlock<TVec>(in LogisticModel model, in TVec arguments, ReadOnlySpan<double> table, in HostRows data, long row, ref TermLanes terms)
        where TVec : unmanaged, ITermVector<TVec>
    {
        var one = Lanes16.Create(1.0);
        var z = (Lanes16.Load(data.Column(0) + row) - Lanes16.Create(arguments.Get(0))) * Lanes16.Create(arguments.Get(1));
        var a = Lanes16.Abs(z);
        var e = VectorMath.Exp(-a);
        var magnitude = (one - e) / (one + e);
        var tanhHalf = Lanes16.ConditionalSelect(Lanes16.GreaterThanOrEqual(z, Lanes16.Create(0.0)), magnitude, -magnitude);
        terms.Term0 += (Lanes16.Create(arguments.Get(2)) - a).Sum();
        terms.Term1 += tanhHalf.Sum();
        terms.Term2 += Lanes16.FusedMultiplyAdd(z, tanhHalf, -one).Sum();
        terms.MultiplyLog1p(e);
    }

    /// <summary>
    /// log f's −2 Σ log(1 + e^{−|z|}) over the chunk's blocks, from the running product; the gradient's sums times 1/s.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FinishBlocks<TVec>(in LogisticModel model, in TVec arguments, ref TermLanes terms) where TVec : unmanaged, ITermVector<TVec>
    {
        var inverseScale = Vector256.Create(arguments.Get(1));
        terms.Term0 -= Vector256.Create(2.0) * terms.Log1pTotal();
        terms.Term1 *= inverseScale;
        terms.Term2 *= inverseScale;
    }
}
