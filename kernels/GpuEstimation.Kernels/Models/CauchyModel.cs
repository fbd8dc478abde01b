using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuEstimation.Kernels.Models;

/// <summary>
/// Cauchy with location x₀ and scale γ: <c>log f(x) = −log π − log γ − log(1 + z²)</c>, z = (x − x₀)/γ.
/// SciPy: <c>scipy.stats.cauchy(loc, scale)</c>; MathNet: <c>Cauchy(location, scale)</c>. Support: any x.
/// </summary>
public readonly struct CauchyModel : IDistribution<CauchyModel>
{
    /// <inheritdoc/>
    public static string Name => "cauchy";

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
        // The median and half the interquartile range (the quartiles are x₀ ± γ).
        var quartiles = Moments.Quantiles(x.Span, [0.25, 0.5, 0.75]);
        return [quartiles[1], Moments.PositiveOr(0.5 * (quartiles[2] - quartiles[0]), 1.0)];
    }

    /// <summary>Arguments: x₀, 1/γ, −log π − log γ.</summary>
    public static void Prepare(in CauchyModel model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        arguments[0] = parameters[0];
        arguments[1] = 1.0 / parameters[1];
        arguments[2] = -KernelConstants.LogPi - DeviceMath.Log(parameters[1]);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<TVec, TRows>(in CauchyModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double inverseScale = arguments.Get(1);
        double z = (data[0, row] - arguments.Get(0)) * inverseScale;
        double onePlus = 1.0 + z * z;
        terms.Add(0, arguments.Get(2) - TRows.Log1p(z * z));
        terms.Add(1, 2.0 * z * inverseScale / onePlus);
        terms.Add(2, (z * z - 1.0) * inverseScale / onePlus);
    }

    /// <inheritdoc/>
    public static bool HasBlock<TVec>(in CauchyModel model, in TVec arguments) where TVec : unmanaged, ITermVector<TVec> => true;

    /// <summary>
    /// Sixteen rows of <see cref="Accumulate"/> in the lanes: one division, 1/(1 + z²), for the gradient; the sixteen
    /// log(1 + z²) into the chunk's running product (<see cref="TermLanes.MultiplyLog1p"/>), subtracted from log f in
    /// <see cref="FinishBlocks"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void AccumulateBlock<TVec>(in CauchyModel model, in TVec arguments, ReadOnlySpan<double> table, in HostRows data, long row, ref TermLanes terms)
        where TVec : unmanaged, ITermVector<TVec>
    {
        var one = Lanes16.Create(1.0);
        var inverseScale = Lanes16.Create(arguments.Get(1));
        var z = (Lanes16.Load(data.Column(0) + row) - Lanes16.Create(arguments.Get(0))) * inverseScale;
        var zz = z * z;
        var inverseOnePlus = one / (one + zz);
        var ratio = inverseScale * inverseOnePlus;
        terms.Term0 += Vector256.Create(4 * arguments.Get(2));
        terms.MultiplyLog1p(zz);
        terms.Term1 += (Lanes16.Create(2.0) * z * ratio).Sum();
        terms.Term2 += ((zz - one) * ratio).Sum();
    }

    /// <summary>log f's −Σ log(1 + z²) over the chunk's blocks, from the running product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FinishBlocks<TVec>(in CauchyModel model, in TVec arguments, ref TermLanes terms) where TVec : unmanaged, ITermVector<TVec> =>
        terms.Term0 -= terms.Log1pTotal();
}
