using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuEstimation.Kernels;

/// <summary>
/// Running sums of up to <see cref="Capacity"/> terms (log f, then the gradient entries) over row blocks, in four lanes
/// each: what <see cref="ILikelihoodModel{TSelf}.AccumulateBlock"/> adds to. Host side only.
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
    /// One term's lanes summed in a fixed order, (lane 0 + lane 1) + (lane 2 + lane 3): with the lane sums themselves
    /// added in a fixed order, the same bits for the same rows wherever they are summed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Total(Vector256<double> lanes) =>
        (lanes.GetElement(0) + lanes.GetElement(1)) + (lanes.GetElement(2) + lanes.GetElement(3));
}
