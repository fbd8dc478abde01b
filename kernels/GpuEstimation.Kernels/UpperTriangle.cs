using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels;

/// <summary>
/// The walk along the upper triangle of an outer product v vᵀ that the triangle kernels share
/// (<see cref="LikelihoodKernels.ScoreProductsKernel"/>, <see cref="LeastSquaresKernels.NormalEquationsKernel"/>):
/// entries numbered row by row ((0,0), (0,1), …, (0,S−1), (1,1), …), a block of them summed per launch.
/// </summary>
public static class UpperTriangle
{
    /// <summary>The number of entries of the upper triangle of an S×S matrix, S(S + 1)/2.</summary>
    public static int Entries(int size) => size * (size + 1) / 2;

    /// <summary>
    /// Adds <c>scale · v[offset + a] · v[offset + b]</c> to <c>sums[e]</c> for the <paramref name="count"/> entries
    /// (a, b) of the upper triangle of size <paramref name="size"/> from (<paramref name="firstRow"/>,
    /// <paramref name="firstColumn"/>) on, e = 0 … count − 1, reading v[offset] … v[offset + size − 1] (where the block
    /// ends after the last row, v[offset] once more, unused).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add<TVec, TSums>(in TVec v, int offset, double scale, int size, int firstRow, int firstColumn, int count, ref TSums sums)
        where TVec : unmanaged, ITermVector<TVec>
        where TSums : unmanaged, ITermVector<TSums>
    {
        int a = firstRow, b = firstColumn;
        double left = v.Get(offset + a) * scale;
        for (int e = 0; e < count; e++)
        {
            sums.Add(e, left * v.Get(offset + b));
            if (++b == size)
            {
                a++;
                b = a;
                left = v.Get(offset + (a < size ? a : 0)) * scale;
            }
        }
    }

    /// <summary>The entry (row, column) that follows <paramref name="count"/> entries after (<paramref name="row"/>, <paramref name="column"/>).</summary>
    public static (int Row, int Column) Advance(int row, int column, int size, int count)
    {
        for (int e = 0; e < count; e++)
        {
            if (++column == size)
                column = ++row;
        }
        return (row, column);
    }
}
