using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuEstimation.Kernels;

/// <summary>
/// Running sums of up to <see cref="Capacity"/> terms (log f, then the gradient entries) over blocks of four rows, one
/// row per lane: what <see cref="ILikelihoodModel{TSelf}.AccumulateBlock"/> adds to. Host side only.
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
    /// Term <paramref name="index"/> over the lanes of this and <paramref name="other"/>, in a fixed order:
    /// each lane of the two added, then (lane 0 + lane 1) + (lane 2 + lane 3).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly double Sum(int index, in TermLanes other)
    {
        var lanes = Get(index) + other.Get(index);
        return (lanes.GetElement(0) + lanes.GetElement(1)) + (lanes.GetElement(2) + lanes.GetElement(3));
    }

    private readonly Vector256<double> Get(int index) => index switch
    {
        0 => Term0,
        1 => Term1,
        2 => Term2,
        _ => Term3,
    };
}
