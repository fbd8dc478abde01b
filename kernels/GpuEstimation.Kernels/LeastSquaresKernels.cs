using ILGPU;

namespace GpuEstimation.Kernels;

/// <summary>The kernel of nonlinear least squares: the normal equations' sums in one pass over the data.</summary>
public static class LeastSquaresKernels
{
    /// <summary>
    /// The upper triangle of the (P + 1)×(P + 1) Gram matrix of the augmented row v = (∂μ/∂θ₀, …, ∂μ/∂θ_{P−1}, r),
    /// r = y − μ(row; θ), summed over the rows: JᵀJ in entries (a, b) with a, b &lt; P, Jᵀr in column P, and the
    /// residual sum of squares rᵀr at (P, P), everything a Levenberg–Marquardt iteration needs from the data. Column 0
    /// of the data is y, the mean's predictors follow it. Entries are numbered row by row along the triangle as
    /// <see cref="UpperTriangle"/> walks it; this launch sums entries [first, first + count), the first of which is
    /// (<paramref name="firstRow"/>, <paramref name="firstColumn"/>). The same shape as
    /// <see cref="LikelihoodKernels.ScoreProductsKernel"/> (explicitly grouped, grid-stride, sums in registers, a
    /// fixed-order group sum, <c>partials[group * count + e]</c> for the host to add in group order: no atomics), with
    /// its group-size and shared-memory requirements. <typeparamref name="TVec"/> holds the mean's arguments and at
    /// least P + 1 values.
    /// </summary>
    public static void NormalEquationsKernel<TMean, TVec, TSums, TSum>(
        ArrayView<double> values, long rows, TMean mean, TVec arguments, int parameters, int firstRow, int firstColumn, int count,
        ArrayView<double> partials)
        where TMean : unmanaged, IMeanFunction<TMean>
        where TVec : unmanaged, ITermVector<TVec>
        where TSums : unmanaged, ITermVector<TSums>
        where TSum : struct, IGroupSum
    {
        var data = new DeviceRows(values, rows);
        var sums = default(TSums);
        long stride = (long)Grid.DimX * Group.DimX;
        for (long row = (long)Grid.IdxX * Group.DimX + Group.IdxX; row < rows; row += stride)
        {
            var v = default(TVec);
            double mu = TMean.Evaluate(mean, arguments, data, 1, row, ref v);
            v.Set(parameters, data[0, row] - mu);
            UpperTriangle.Add(v, 0, 1.0, parameters + 1, firstRow, firstColumn, count, ref sums);
        }

        var shared = TSum.Shared();
        for (int k = 0; k < count; k++)
        {
            double total = TSum.GroupSum(sums.Get(k), shared);
            if (Group.IsFirstThread)
                partials[(long)Grid.IdxX * count + k] = total;
        }
    }
}
