using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels;

/// <summary>
/// One point's terms summed over a run of rows, the way the native backend sums a chunk and a GPU thread sums its
/// point's chunk in a sweep (<see cref="LikelihoodKernels.SweepPointsKernel"/>): one order, so both give the same bits.
/// </summary>
public static class RowSums
{
    /// <summary>
    /// The terms of rows [<paramref name="begin"/>, <paramref name="end"/>) at <paramref name="arguments"/>: four rows a
    /// step into four sums (independent chains for the arithmetic units), the rows left over into the first, and every
    /// term added (s₀ + s₁) + (s₂ + s₃) at the end, then what the sums set aside for the run's rows
    /// (<see cref="ITermVector{TSelf}.FinishRows"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec FourChains<TModel, TVec, TRows>(in TModel model, in TVec arguments, in TRows data, long begin, long end)
        where TModel : unmanaged, ILikelihoodModel<TModel>
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        TVec s0 = default, s1 = default, s2 = default, s3 = default;
        long row = begin;
        for (; row + 3 < end; row += 4)
        {
            TModel.Accumulate(model, arguments, data, row, ref s0);
            TModel.Accumulate(model, arguments, data, row + 1, ref s1);
            TModel.Accumulate(model, arguments, data, row + 2, ref s2);
            TModel.Accumulate(model, arguments, data, row + 3, ref s3);
        }
        for (; row < end; row++)
            TModel.Accumulate(model, arguments, data, row, ref s0);
        for (int k = 0; k < TVec.Capacity; k++)
            s0.Set(k, (s0.Get(k) + s1.Get(k)) + (s2.Get(k) + s3.Get(k)));
        s0.FinishRows(end - begin);
        return s0;
    }
}
