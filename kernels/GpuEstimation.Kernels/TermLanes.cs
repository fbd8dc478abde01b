using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuEstimation.Kernels;

/// <summary>
/// Running sums of up to <see cref="Capacity"/> terms (log f, then the gradient entries) over row blocks, in four lanes
/// each, and a running product for a sum of log1p terms: what <see cref="ILikelihoodModel{TSelf}.AccumulateBlock"/> adds
/// to. Host side only.
/// </summary>
public struct TermLanes
{
    /// <summary>How many terms the lanes hold: a model with a row block has at most three parameters.</summary>
    public const int Capacity = 4;

    /// <summary>Term 0 (log f) in four lanes.</summary>
    public Vector256<double> Term0;

    /// <summary>Term 1 (the first gradient entry) in four lanes.</summary>
    public Vector256<double> Term1;

    /// <summary>Term 2 in four lanes.</summary>
    public Vector256<double> Term2;

    /// <summary>Term 3 in four lanes.</summary>
    public Vector256<double> Term3;

    /// <summary>
    /// Lane by lane, the product of the (1 + x) that <see cref="MultiplyLog1p"/> received since the last flush, less
    /// one (formed without adding the 1, so that small x keep their digits).
    /// </summary>
    public Vector256<double> Log1pProduct;

    /// <summary>Lane by lane, the log1p of the products flushed so far.</summary>
    public Vector256<double> Log1pFlushed;

    // Past this the running product is flushed (its log1p taken) before the next block's could overflow it.
    private const double FlushAbove = 1.157920892373162e77; // 2^256

    /// <summary>
    /// Gathers Σ log(1 + x) over a block's sixteen values x ≥ 0 without taking a log: lane by lane the running
    /// product P of the (1 + x) is updated as P − 1 ← fma(P − 1, q, (P − 1) + q) with q the block's own product less
    /// one (<see cref="VectorMath.SumOfLog1p"/>'s form), and only when P passes 2²⁵⁶ (or a value is +∞ or NaN) is its
    /// log1p taken and the block's own sum added (out of line). Every operation is on positive values with one
    /// rounding, so <see cref="Log1pTotal"/> is within a few ulps per block of the sum relative to itself: no
    /// cancellation, no bias. One log per lane per chunk instead of one per row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void MultiplyLog1p(Lanes16 x)
    {
        var low = Vector256.FusedMultiplyAdd(x.A, x.B, x.A + x.B);
        var high = Vector256.FusedMultiplyAdd(x.C, x.D, x.C + x.D);
        var q = Vector256.FusedMultiplyAdd(low, high, low + high);
        var product = Vector256.FusedMultiplyAdd(Log1pProduct, q, Log1pProduct + q);
        if (Vector256.LessThanAll(product, Vector256.Create(FlushAbove)))
        {
            Log1pProduct = product;
        }
        else
        {
            Log1pFlushed = Flushed(Log1pFlushed, Log1pProduct, x);
            Log1pProduct = Vector256<double>.Zero;
        }
    }

    /// <summary>The sum of log(1 + x) over every value <see cref="MultiplyLog1p"/> received, lane by lane.</summary>
    public readonly Vector256<double> Log1pTotal() => Log1pFlushed + VectorMath.Log1p(Log1pProduct);

    // The flushed sums plus the running product's log1p, then this block's sum by itself (the product then starts again
    // at 1). Static and out of line: an instance call would take the lanes' address, and the loop would keep them in
    // memory rather than in registers.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<double> Flushed(Vector256<double> flushed, Vector256<double> product, Lanes16 x) =>
        flushed + (VectorMath.Log1p(product) + VectorMath.SumOfLog1p(x));

    /// <summary>
    /// One term's lanes summed in a fixed order, (lane 0 + lane 1) + (lane 2 + lane 3): with the lane sums themselves
    /// added in a fixed order, the same bits for the same rows wherever they are summed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Total(Vector256<double> lanes) =>
        (lanes.GetElement(0) + lanes.GetElement(1)) + (lanes.GetElement(2) + lanes.GetElement(3));
}
