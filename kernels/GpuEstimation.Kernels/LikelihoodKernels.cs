using ILGPU;

namespace GpuEstimation.Kernels;

/// <summary>The generic kernels: one of each, for every model type.</summary>
public static class LikelihoodKernels
{
    /// <summary>
    /// Total log-likelihood and its gradient in one pass over the data. Explicitly grouped, grid-stride loop, each
    /// thread keeping its P + 1 sums in registers; each group then reduces them in a fixed order (warp shuffles, then
    /// the warps' sums in warp order) and writes one partial per term: <c>partials[group * terms + k]</c>. The host
    /// sums the partials in group order, so the same launch gives the same bits every time (no atomics). The group
    /// size must be a multiple of the warp size and the dynamic shared memory must hold one double per warp.
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
            if (Group.IsFirstThread)
                partials[(long)Grid.IdxX * terms + k] = total;
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

    /// <summary>Grid points per group of <see cref="SweepKernel"/>: the point list is padded to a multiple of it.</summary>
    public const int SweepPointsPerGroup = 4;

    /// <summary>
    /// The log-likelihood at many parameter points: a 2-D launch whose group (x, y) sums the log-densities of data
    /// chunk y (rows [y·chunkRows, (y + 1)·chunkRows)) at points 4x … 4x + 3, reduces them in the group in a fixed
    /// order and writes <c>partials[point · chunks + y]</c>; <see cref="SumChunksKernel"/> then adds each point's
    /// chunks in order. The point index varies fastest, so the groups in flight at one time share one chunk of data
    /// and read it from cache (docs/design.md, "Kernel shapes": 44x the one-thread-per-point shape on an H200), and
    /// each row read serves four points, whose independent sums keep the arithmetic units busy while loads are in
    /// flight. Pass <see cref="ValueOnly{T}"/> sums: the gradient is not needed. Same group-size and shared-memory
    /// requirements as <see cref="ValueAndGradientKernel"/>.
    /// </summary>
    public static void SweepKernel<TModel, TVec>(
        ArrayView<double> values, long rows, TModel model, ArrayView<TVec> points, long chunkRows, ArrayView<double> partials)
        where TModel : unmanaged, ILikelihoodModel<TModel>
        where TVec : unmanaged, ITermVector<TVec>
    {
        var data = new DeviceRows(values, rows);
        long first = (long)Grid.IdxX * SweepPointsPerGroup;
        var a0 = points[first];
        var a1 = points[first + 1];
        var a2 = points[first + 2];
        var a3 = points[first + 3];
        long begin = Grid.IdxY * chunkRows;
        long end = begin + chunkRows < rows ? begin + chunkRows : rows;
        var s0 = default(TVec);
        var s1 = default(TVec);
        var s2 = default(TVec);
        var s3 = default(TVec);
        for (long row = begin + Group.IdxX; row < end; row += Group.DimX)
        {
            TModel.Accumulate(model, a0, data, row, ref s0);
            TModel.Accumulate(model, a1, data, row, ref s1);
            TModel.Accumulate(model, a2, data, row, ref s2);
            TModel.Accumulate(model, a3, data, row, ref s3);
        }

        var shared = SharedMemory.GetDynamic<double>();
        long chunks = Grid.DimY, at = first * chunks + Grid.IdxY;
        double t0 = GroupSum(s0.Get(0), shared);
        double t1 = GroupSum(s1.Get(0), shared);
        double t2 = GroupSum(s2.Get(0), shared);
        double t3 = GroupSum(s3.Get(0), shared);
        if (Group.IsFirstThread)
        {
            partials[at] = t0;
            partials[at + chunks] = t1;
            partials[at + 2 * chunks] = t2;
            partials[at + 3 * chunks] = t3;
        }
    }

    /// <summary>
    /// <c>sums[point] = Σ_c partials[point · chunks + c]</c>, added in chunk order (c = 0, 1, ...) by one thread per
    /// point: the order a host loop would use, so the sweep's totals do not depend on the device, and only one number
    /// per point crosses to the host.
    /// </summary>
    public static void SumChunksKernel(Index1D point, ArrayView<double> partials, int chunks, ArrayView<double> sums)
    {
        long first = (long)point.X * chunks;
        double sum = 0;
        for (int c = 0; c < chunks; c++)
            sum += partials[first + c];
        sums[point] = sum;
    }

    /// <summary>
    /// The sum of <paramref name="value"/> over the group, in a fixed order: a shuffle tree within each warp, then the
    /// warps' sums added in warp order by thread 0 through <paramref name="shared"/> (one double per warp). Valid in
    /// thread 0. No atomics, so the same bits every run; ends with a barrier, so it may be called again at once.
    /// </summary>
    private static double GroupSum(double value, ArrayView<double> shared)
    {
        for (int offset = Warp.WarpSize >> 1; offset > 0; offset >>= 1)
            value += Warp.ShuffleDown(value, offset);
        if (Warp.IsFirstLane)
            shared[Warp.WarpIdx] = value;
        Group.Barrier();
        double total = 0;
        if (Group.IsFirstThread)
        {
            int warps = Group.DimX / Warp.WarpSize;
            for (int w = 0; w < warps; w++)
                total += shared[w];
        }
        Group.Barrier();
        return total;
    }
}
