using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels;

/// <summary>
/// A thread's 32 sums of one tile of <see cref="LikelihoodKernels.TileProductsKernel"/>: <see cref="Row0"/> …
/// <see cref="Row3"/> hold the products of design values a₀ … a₀ + 3 with b₀ … b₀ + 7. Updated by
/// <see cref="AddRow"/>, whose eight additions are written out with constant indices, so that on a GPU every sum stays
/// in its own register (ILGPU unrolls no loop; an index from a loop counter would be a jump table per access).
/// </summary>
public struct TileSums4x8
{
    /// <summary>Sums with design value a₀ + 0 … a₀ + 3 on the left.</summary>
    public Twice<Vec4> Row0, Row1, Row2, Row3;

    /// <summary>Sum <paramref name="k"/> = 8 i + j (left a₀ + i, right b₀ + j); for the group sums after the row loop.</summary>
    public readonly double Get(int k) => (k >> 3) switch
    {
        0 => Row0.Get(k & 7),
        1 => Row1.Get(k & 7),
        2 => Row2.Get(k & 7),
        _ => Row3.Get(k & 7),
    };

    /// <summary><paramref name="sums"/>[j] += <paramref name="left"/> · <paramref name="right"/>[j], j = 0 … 7 in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddRow(ref Twice<Vec4> sums, double left, in Twice<Vec4> right)
    {
        sums.Add(0, left * right.Get(0));
        sums.Add(1, left * right.Get(1));
        sums.Add(2, left * right.Get(2));
        sums.Add(3, left * right.Get(3));
        sums.Add(4, left * right.Get(4));
        sums.Add(5, left * right.Get(5));
        sums.Add(6, left * right.Get(6));
        sums.Add(7, left * right.Get(7));
    }
}
