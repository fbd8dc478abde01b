using ILGPU;

namespace GpuEstimation.Kernels;

/// <summary>The generic kernels: one of each, for every model type.</summary>
public static class LikelihoodKernels
{
    /// <summary>
    /// Total log-likelihood and its gradient in one pass over the data. Explicitly grouped, grid-stride loop, each
    /// thread keeping its P + 1 sums in registers; each group then reduces them through shared memory in a fixed
    /// tree order and writes one partial per term: <c>partials[group * terms + k]</c>. The host sums the partials in
    /// group order, so the same launch gives the same bits every time (no atomics). The group size must be a power
    /// of two and the dynamic shared memory must hold one double per thread.
    /// </summary>
    public static void ValueAndGradientKernel<TModel, TVec>(
        ArrayView<double> values, long rows, TModel model, TVec arguments, int terms, ArrayView<double> partials)
        where TModel : unmanaged, ILikelihoodModel<TModel>
        where TVec : unmanaged, ITermVector<TVec>
    {
        var data = new DeviceRows(values, rows);
        var sums = default(TVec);
        long stride = (long)Grid.DimX * Group.DimX;
        for (long row = (long)Grid.IdxX * Group.DimX + Group.IdxX; row < rows; row += stride)
            TModel.Accumulate(model, arguments, data, row, ref sums);

        var shared = SharedMemory.GetDynamic<double>();
        for (int k = 0; k < terms; k++)
        {
            double total = GroupSum(sums.Get(k), shared);
            if (Group.IdxX == 0)
                partials[(long)Grid.IdxX * terms + k] = total;
            Group.Barrier();
        }
    }

    /// <summary>
    /// The log-density of each observation: <c>output[row] = log f(row | θ)</c>, one thread per row (for annotating
    /// points with their likelihood, and for checking models point by point).
    /// </summary>
    public static void PointwiseKernel<TModel, TVec>(Index1D row, ArrayView<double> values, long rows, TModel model, TVec arguments, ArrayView<double> output)
        where TModel : unmanaged, ILikelihoodModel<TModel>
        where TVec : unmanaged, ITermVector<TVec>
    {
        var data = new DeviceRows(values, rows);
        var terms = default(TVec);
        TModel.Accumulate(model, arguments, data, row, ref terms);
        output[row] = terms.Get(0);
    }

    /// <summary>
    /// The log-likelihood at many parameter points: a 2-D launch whose group (x, y) sums the log-densities of data
    /// chunk x (rows [x·chunkRows, (x + 1)·chunkRows)) at point y, reduces them in the group in a fixed tree order and
    /// writes <c>partials[y · chunks + x]</c>; the host adds each point's chunks in order. A chunk of data is read once
    /// per point from cache rather than once per point from memory (measurements.md: 44x the one-thread-per-point
    /// shape on an H200). Same group-size and shared-memory requirements as <see cref="ValueAndGradientKernel"/>.
    /// </summary>
    public static void SweepKernel<TModel, TVec>(
        ArrayView<double> values, long rows, TModel model, ArrayView<TVec> points, long chunkRows, ArrayView<double> partials)
        where TModel : unmanaged, ILikelihoodModel<TModel>
        where TVec : unmanaged, ITermVector<TVec>
    {
        var data = new DeviceRows(values, rows);
        var arguments = points[Grid.IdxY];
        long begin = Grid.IdxX * chunkRows;
        long end = begin + chunkRows < rows ? begin + chunkRows : rows;
        var sums = default(TVec);
        for (long row = begin + Group.IdxX; row < end; row += Group.DimX)
            TModel.Accumulate(model, arguments, data, row, ref sums);

        double total = GroupSum(sums.Get(0), SharedMemory.GetDynamic<double>());
        if (Group.IdxX == 0)
            partials[(long)Grid.IdxY * Grid.DimX + Grid.IdxX] = total;
    }

    /// <summary>
    /// The sum of <paramref name="value"/> over the group, in a fixed binary-tree order through
    /// <paramref name="shared"/> (one double per thread): valid in thread 0. No atomics, so the same bits every run.
    /// </summary>
    private static double GroupSum(double value, ArrayView<double> shared)
    {
        int thread = Group.IdxX;
        shared[thread] = value;
        Group.Barrier();
        for (int half = Group.DimX >> 1; half > 0; half >>= 1)
        {
            if (thread < half)
                shared[thread] += shared[thread + half];
            Group.Barrier();
        }
        return shared[0];
    }
}
