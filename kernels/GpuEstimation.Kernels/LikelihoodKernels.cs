using System.Runtime.CompilerServices;
using ILGPU;

namespace GpuEstimation.Kernels;

/// <summary>The generic kernels: one of each, for every model type.</summary>
public static class LikelihoodKernels
{
    /// <summary>The most threads per group of the reduction kernels (the engine's group size on a device that allows it).</summary>
    public const int MaxGroupSize = 512;

    /// <summary>
    /// Total log-likelihood and its gradient in one pass over the data. Explicitly grouped, grid-stride loop, each
    /// thread keeping its P + 1 sums in registers; each group then reduces them in a fixed order
    /// (<typeparamref name="TSum"/>: warp shuffles on CUDA, a shared-memory tree on OpenCL) and writes one partial per term: <c>partials[group * terms + k]</c>. The host
    /// sums the partials in group order, so the same launch gives the same bits every time (no atomics). The group
    /// size must be a power of two of at most <see cref="MaxGroupSize"/> and a multiple of the warp size, with the
    /// dynamic shared memory that <typeparamref name="TSum"/>, the backend's group sum, asks for
    /// (<see cref="IGroupSum.DynamicDoubles"/>).
    /// <para>
    /// One launch covers one or more row blocks (docs/design.md, "Row blocks and streaming"): <paramref name="values"/>
    /// holds them one after another, each of <paramref name="blockRows"/> rows (the last of the rest of
    /// <paramref name="rows"/>) packed column after column, <paramref name="width"/> columns. Groups
    /// b · <paramref name="groupsPerBlock"/> … (b + 1) · <paramref name="groupsPerBlock"/> − 1 walk block b alone, as a
    /// launch on that block alone would (the last block's groups are those left), so a launch over many blocks writes
    /// the bits of one launch per block, without the gap between launches.
    /// </para>
    /// </summary>
    public static void ValueAndGradientKernel<TModel, TVec, TSum>(
        ArrayView<double> values, long blockRows, long rows, int width, int groupsPerBlock, TModel model, TVec arguments, int terms,
        ArrayView<double> partials)
        where TModel : unmanaged, ILikelihoodModel<TModel>
        where TVec : unmanaged, ITermVector<TVec>
        where TSum : struct, IGroupSum
    {
        var data = BlockOfGroup(values, blockRows, rows, width, groupsPerBlock, out long row, out long stride);
        var sums = default(TVec);
        for (; row < data.Rows; row += stride)
            TModel.Accumulate(model, arguments, data, row, ref sums);
        WritePartials<TVec, TSum>(sums, terms, partials);
    }

    /// <summary>
    /// <see cref="ValueAndGradientKernel"/> taking four of a thread's rows per step, for the catalogue's families on a
    /// GPU (the engine's choice): their per-row work is light and the kernel is bound by reading memory, which a GPU
    /// does at its full rate only with several loads per thread outstanding; the four rows' loads do not depend on the
    /// sums, so they are in flight together (docs/design.md, "Kernel shapes"). The four go to the model's
    /// <see cref="ILikelihoodModel{TSelf}.AccumulateFour"/>, which by default adds them in the thread's order (the bits
    /// of <see cref="ValueAndGradientKernel"/>) and where a model says so shares work among them (Student-t's one log1p
    /// for four rows: the same sums to rounding). A separate kernel, not a
    /// branch in that one: models with heavy rows (GLMs, mixtures) would pay four more copies of their row in
    /// compile time for nothing.
    /// </summary>
    public static void ValueAndGradientFourRowsKernel<TModel, TVec, TSum>(
        ArrayView<double> values, long blockRows, long rows, int width, int groupsPerBlock, TModel model, TVec arguments, int terms,
        ArrayView<double> partials)
        where TModel : unmanaged, ILikelihoodModel<TModel>
        where TVec : unmanaged, ITermVector<TVec>
        where TSum : struct, IGroupSum
    {
        var data = BlockOfGroup(values, blockRows, rows, width, groupsPerBlock, out long row, out long stride);
        var sums = default(TVec);
        long end = data.Rows;
        for (; row + 3 * stride < end; row += 4 * stride)
            TModel.AccumulateFour(model, arguments, data, row, stride, ref sums);
        for (; row < end; row += stride)
            TModel.Accumulate(model, arguments, data, row, ref sums);
        WritePartials<TVec, TSum>(sums, terms, partials);
    }

    /// <summary>
    /// The row block this group walks in a launch over several (<see cref="ValueAndGradientKernel"/>), and the thread's
    /// first row in it and its stride: the group's place among its block's groups, as in a launch on the block alone.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static DeviceRows BlockOfGroup(ArrayView<double> values, long blockRows, long rows, int width, int groupsPerBlock,
        out long row, out long stride)
    {
        int block = Grid.IdxX / groupsPerBlock;
        int group = Grid.IdxX - block * groupsPerBlock;
        int groups = Grid.DimX - block * groupsPerBlock;
        groups = groups < groupsPerBlock ? groups : groupsPerBlock;
        long first = block * blockRows;
        long n = rows - first < blockRows ? rows - first : blockRows;
        row = (long)group * Group.DimX + Group.IdxX;
        stride = (long)groups * Group.DimX;
        return new DeviceRows(values.SubView(first * width, n * width), n);
    }

    /// <summary>The group's sums of each thread's <paramref name="sums"/>, one partial per term: <c>partials[group * terms + k]</c>.</summary>
    private static void WritePartials<TVec, TSum>(in TVec sums, int terms, ArrayView<double> partials)
        where TVec : unmanaged, ITermVector<TVec>
        where TSum : struct, IGroupSum
    {
        var shared = TSum.Shared();
        for (int k = 0; k < terms; k++)
        {
            double total = TSum.GroupSum(sums.Get(k), shared);
            if (Group.IsFirstThread)
                partials[(long)Grid.IdxX * terms + k] = total;
        }
    }

    /// <summary>
    /// The value, gradient and Hessian of a linear-predictor model (<see cref="ILinearPredictorModel{TSelf}"/>) in one
    /// pass: the same shape as <see cref="ValueAndGradientKernel"/> (explicitly grouped, grid-stride, sums in registers,
    /// a fixed-order group sum, one partial per group and sum: <c>partials[group * count + k]</c>), over the sums
    /// <c>entries[first … first + count − 1]</c> (<see cref="HessianEntry"/>: Σ derivative · z_a · z_b). Each row's
    /// derivatives come from the model once and its design values are read once into <typeparamref name="TVec"/> (with
    /// the constant 1 after them); every entry of the launch is then a multiply and an add. <paramref name="count"/> is
    /// at most the capacity of <typeparamref name="TSums"/>. Same group-size and shared-memory requirements as
    /// <see cref="ValueAndGradientKernel"/>. The engine uses it only for designs of at most one value (the catalogue's
    /// families, a one-column GLM: at most 6 sums, one launch): its indices into the term vectors come at run time from
    /// the entry list, which on a GPU costs a jump table per access (docs/design.md, "Term vectors") — little for a
    /// vector of 4 values, prohibitive for a wide design's, whose sums take the tiles (<see cref="TileProductsKernel"/>)
    /// instead; for one design value the tiles would compute 32 products per row where 1 is needed.
    /// </summary>
    public static void HessianKernel<TModel, TVec, TSums, TSum>(
        ArrayView<double> values, long rows, TModel model, TVec arguments, ArrayView<int> entries, int first, int count, ArrayView<double> partials)
        where TModel : unmanaged, ILinearPredictorModel<TModel>
        where TVec : unmanaged, ITermVector<TVec>
        where TSums : unmanaged, ITermVector<TSums>
        where TSum : struct, IGroupSum
    {
        var data = new DeviceRows(values, rows);
        int width = model.DesignWidth;
        var sums = default(TSums);
        long stride = (long)Grid.DimX * Group.DimX;
        for (long row = (long)Grid.IdxX * Group.DimX + Group.IdxX; row < rows; row += stride)
        {
            var z = default(TVec);
            double design = 0;
            for (int j = 0; j < width; j++)
            {
                int column = model.DesignColumn(j);
                double value = column < 0 ? 1.0 : data[column, row];
                z.Set(j, value);
                design += arguments.Get(model.DesignArgument(j)) * value;
            }
            z.Set(width, 1.0);
            TModel.Curvature(model, arguments, data, row, design, out var curvature);
            for (int k = 0; k < count; k++)
            {
                int entry = entries[first + k];
                sums.Add(k, HessianEntry.Derivative(HessianEntry.Kind(entry), curvature) * z.Get(HessianEntry.A(entry)) * z.Get(HessianEntry.B(entry)));
            }
        }

        var shared = TSum.Shared();
        for (int k = 0; k < count; k++)
        {
            double total = TSum.GroupSum(sums.Get(k), shared);
            if (Group.IsFirstThread)
                partials[(long)Grid.IdxX * count + k] = total;
        }
    }

    /// <summary>Sums per tile of <see cref="TileProductsKernel"/>: design values a₀ … a₀ + 3 times b₀ … b₀ + 7.</summary>
    public const int TileSums = 32;

    /// <summary>
    /// A linear-predictor model's passes, first of two kernels (docs/design.md, "Wide designs"): each row's derivatives,
    /// explicitly grouped with a grid-stride loop (the reductions' launch shape, so ILGPU's CPU accelerator emulates a
    /// few groups, not one per 4 rows; no group sum, no shared memory). η's design part Σⱼ γⱼ zⱼ, j in order, with the coefficients from device memory
    /// (<paramref name="coefficients"/>[j] = γⱼ, any number of them) and the model's own arguments in
    /// <paramref name="own"/>; then <see cref="ILinearPredictorModel{TSelf}.Curvature"/>, whose six values go to
    /// <c>derivatives[kind · rows + row]</c> (<see cref="HessianEntry"/>'s kinds). With <paramref name="scoreProducts"/>
    /// set, the second-order slots hold the score products instead (<see cref="RowCurvature.ScoreProducts"/>).
    /// </summary>
    public static void RowDerivativesKernel<TModel>(ArrayView<double> values, long rows, TModel model, Vec4 own,
        ArrayView<double> coefficients, int scoreProducts, ArrayView<double> derivatives)
        where TModel : unmanaged, ILinearPredictorModel<TModel>
    {
        var data = new DeviceRows(values, rows);
        int width = model.DesignWidth;
        long stride = (long)Grid.DimX * Group.DimX;
        for (long row = (long)Grid.IdxX * Group.DimX + Group.IdxX; row < rows; row += stride)
        {
            double design = 0;
            for (int j = 0; j < width; j++)
            {
                int column = model.DesignColumn(j);
                design += coefficients[j] * (column < 0 ? 1.0 : data[column, row]);
            }
            TModel.Curvature(model, own, data, row, design, out var curvature);
            if (scoreProducts != 0)
                curvature = RowCurvature.ScoreProducts(curvature, TModel.Multiplicity(model, data, row));
            derivatives[row] = curvature.Value;
            derivatives[rows + row] = curvature.Eta;
            derivatives[2 * rows + row] = curvature.Extra;
            derivatives[3 * rows + row] = curvature.EtaEta;
            derivatives[4 * rows + row] = curvature.EtaExtra;
            derivatives[5 * rows + row] = curvature.ExtraExtra;
        }
    }

    /// <summary>
    /// Wide designs, second kernel: Σ rows derivative · z_a · z_b over tiles of 4 × 8 pairs (a, b), group (x, y) summing
    /// tile <c>tiles[y]</c> (<see cref="HessianEntry.Pack"/>: the derivative's kind, a₀, b₀) over the rows x, x + X, ...
    /// in groups of rows (a grid-stride loop), 32 sums per thread in registers, reduced in the group in a fixed order
    /// and written to <c>partials[(y · X + x) · 32 + 8i + j]</c> for a = a₀ + i, b = b₀ + j; the host adds each
    /// sum's X partials in order. Design value j is column <c>designColumns[j]</c> (−1: the constant 1) for j below
    /// <paramref name="width"/> and the constant 1 from <paramref name="width"/> on (the value, the gradient and α's
    /// entries are products with it). Each row's 12 design values and one derivative serve 32 sums. Same group-size
    /// and shared-memory requirements as <see cref="ValueAndGradientKernel"/>.
    /// </summary>
    public static void TileProductsKernel<TSum>(ArrayView<double> values, long rows, ArrayView<int> designColumns, int width,
        ArrayView<double> derivatives, ArrayView<int> tiles, ArrayView<double> partials)
        where TSum : struct, IGroupSum
    {
        int tile = tiles[Grid.IdxY];
        int kind = HessianEntry.Kind(tile), a0 = HessianEntry.A(tile), b0 = HessianEntry.B(tile);
        var sums = default(TileSums4x8);
        long stride = (long)Grid.DimX * Group.DimX;
        long derivative = kind * rows;
        for (long row = (long)Grid.IdxX * Group.DimX + Group.IdxX; row < rows; row += stride)
        {
            // Written out, not looped: ILGPU 1.5.3 unrolls no loop, and a term vector indexed by a loop counter
            // compiles to a jump table per access on CUDA (docs/design.md, "Kernel shapes").
            double w = derivatives[derivative + row];
            var right = default(Twice<Vec4>);
            right.Set(0, Design(values, designColumns, width, b0, rows, row));
            right.Set(1, Design(values, designColumns, width, b0 + 1, rows, row));
            right.Set(2, Design(values, designColumns, width, b0 + 2, rows, row));
            right.Set(3, Design(values, designColumns, width, b0 + 3, rows, row));
            right.Set(4, Design(values, designColumns, width, b0 + 4, rows, row));
            right.Set(5, Design(values, designColumns, width, b0 + 5, rows, row));
            right.Set(6, Design(values, designColumns, width, b0 + 6, rows, row));
            right.Set(7, Design(values, designColumns, width, b0 + 7, rows, row));
            TileSums4x8.AddRow(ref sums.Row0, w * Design(values, designColumns, width, a0, rows, row), right);
            TileSums4x8.AddRow(ref sums.Row1, w * Design(values, designColumns, width, a0 + 1, rows, row), right);
            TileSums4x8.AddRow(ref sums.Row2, w * Design(values, designColumns, width, a0 + 2, rows, row), right);
            TileSums4x8.AddRow(ref sums.Row3, w * Design(values, designColumns, width, a0 + 3, rows, row), right);
        }

        var shared = TSum.Shared();
        long at = ((long)Grid.IdxY * Grid.DimX + Grid.IdxX) * TileSums;
        for (int k = 0; k < TileSums; k++)
        {
            double total = TSum.GroupSum(sums.Get(k), shared);
            if (Group.IsFirstThread)
                partials[at + k] = total;
        }
    }

    // Design value j of a row: its column's value, or 1 (an intercept, or j past the design: the constant).
    private static double Design(ArrayView<double> values, ArrayView<int> designColumns, int width, int j, long rows, long row)
    {
        int column = j < width ? designColumns[j] : -1;
        return column < 0 ? 1.0 : values[column * rows + row];
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
    /// The upper triangle of the score outer products Σᵢ sᵢ sᵢᵀ (the "meat" of the robust covariance), where sᵢ is row
    /// i's gradient terms 1..P as <c>Accumulate</c> adds them to a zeroed term vector. Entries are numbered row by row
    /// along the upper triangle ((0,0), (0,1), …, (0,P−1), (1,1), …); this launch sums entries
    /// [first, first + count), the first of which is (<paramref name="firstRow"/>, <paramref name="firstColumn"/>), so
    /// that a wide model's triangle comes in blocks of at most <typeparamref name="TSums"/>'s capacity over several
    /// launches. Explicitly grouped with a grid-stride loop, each thread's sums in registers, reduced per group in a fixed
    /// order and written as <c>partials[group * count + e]</c> for the host to add in group order, as
    /// <see cref="ValueAndGradientKernel"/> does (same group-size and shared-memory requirements).
    /// </summary>
    public static void ScoreProductsKernel<TModel, TVec, TSums, TSum>(
        ArrayView<double> values, long rows, TModel model, TVec arguments, int parameters, int firstRow, int firstColumn, int count,
        ArrayView<double> partials)
        where TModel : unmanaged, ILikelihoodModel<TModel>
        where TVec : unmanaged, ITermVector<TVec>
        where TSums : unmanaged, ITermVector<TSums>
        where TSum : struct, IGroupSum
    {
        var data = new DeviceRows(values, rows);
        var sums = default(TSums);
        long stride = (long)Grid.DimX * Group.DimX;
        for (long row = (long)Grid.IdxX * Group.DimX + Group.IdxX; row < rows; row += stride)
        {
            var terms = default(TVec);
            TModel.Accumulate(model, arguments, data, row, ref terms);
            double multiplicity = TModel.Multiplicity(model, data, row);
            if (multiplicity == 0)
                continue;
            UpperTriangle.Add(terms, 1, 1.0 / multiplicity, parameters, firstRow, firstColumn, count, ref sums);
        }

        var shared = TSum.Shared();
        for (int k = 0; k < count; k++)
        {
            double total = TSum.GroupSum(sums.Get(k), shared);
            if (Group.IsFirstThread)
                partials[(long)Grid.IdxX * count + k] = total;
        }
    }

    /// <summary>
    /// Each row's score: <c>output[i · P + k] = ∂ log f(row first + i | θ) / ∂θₖ</c> as <c>Accumulate</c> adds it (before
    /// the model's <c>Finish</c>), one thread per row of a chunk. For sums of scores within clusters, which the host
    /// adds in row order.
    /// </summary>
    public static void ScoresKernel<TModel, TVec>(Index1D index, ArrayView<double> values, long rows, TModel model, TVec arguments,
        long first, int parameters, ArrayView<double> output)
        where TModel : unmanaged, ILikelihoodModel<TModel>
        where TVec : unmanaged, ITermVector<TVec>
    {
        var data = new DeviceRows(values, rows);
        var terms = default(TVec);
        TModel.Accumulate(model, arguments, data, first + index, ref terms);
        long at = (long)index.X * parameters;
        for (int k = 0; k < parameters; k++)
            output[at + k] = terms.Get(1 + k);
    }

    /// <summary>Grid points per group of <see cref="SweepKernel"/>: the point list is padded to a multiple of it.</summary>
    public const int SweepPointsPerGroup = 4;

    /// <summary>
    /// The log-likelihood at many parameter points: a 2-D launch whose group (x, y) sums the log-densities of data
    /// chunk y (rows [y·chunkRows, (y + 1)·chunkRows)) at points 4x … 4x + 3, reduces them in the group in a fixed
    /// order and writes <c>partials[point · chunks + chunkOffset + y]</c>; <see cref="SumChunksKernel"/> then adds each
    /// point's chunks in order. The engine launches it once per row block (<paramref name="values"/> and
    /// <paramref name="rows"/> that block's), the block's chunks at <paramref name="chunkOffset"/> among all
    /// <paramref name="chunks"/>. The point index varies fastest, so the groups in flight at one time share one chunk of data
    /// and read it from cache (docs/design.md, "Kernel shapes": 44x the one-thread-per-point shape on an H200), and
    /// each row read serves four points, whose independent sums keep the arithmetic units busy while loads are in
    /// flight. Pass <see cref="ValueOnly{T}"/> sums: the gradient is not needed. Same group-size and shared-memory
    /// requirements as <see cref="ValueAndGradientKernel"/>.
    /// </summary>
    public static void SweepKernel<TModel, TVec, TSum>(
        ArrayView<double> values, long rows, TModel model, ArrayView<TVec> points, long chunkRows, long chunkOffset, long chunks,
        ArrayView<double> partials)
        where TModel : unmanaged, ILikelihoodModel<TModel>
        where TVec : unmanaged, ITermVector<TVec>
        where TSum : struct, IGroupSum
    {
        var data = new DeviceRows(values, rows);
        SweepChunk(points, chunkRows, rows, out long first, out long begin, out long end, out var a0, out var a1, out var a2, out var a3);
        TVec s0 = default, s1 = default, s2 = default, s3 = default;
        for (long row = begin + Group.IdxX; row < end; row += Group.DimX)
            FourPoints(model, a0, a1, a2, a3, data, row, ref s0, ref s1, ref s2, ref s3);
        long own = begin + Group.IdxX < end ? (end - begin - Group.IdxX - 1) / Group.DimX + 1 : 0;  // this thread's rows
        s0.FinishRows(own);
        s1.FinishRows(own);
        s2.FinishRows(own);
        s3.FinishRows(own);
        WriteSweepPartials<TVec, TSum>(s0, s1, s2, s3, first * chunks + chunkOffset + Grid.IdxY, chunks, partials);
    }

    /// <summary>
    /// Points per group of <see cref="SweepPointsKernel"/> as the engine launches it (two warps; fewer where a device's
    /// groups are smaller): the point list is padded to a multiple of the group. The kernel itself takes any group size.
    /// </summary>
    public const int SweepPointsGroupSize = 64;

    /// <summary>
    /// The log-likelihood at many points on a GPU (the engine's choice for the catalogue's families), one point per thread: a 2-D launch whose group (x, y) of G threads
    /// takes points Gx … Gx + G − 1 (G = <see cref="SweepPointsGroupSize"/> on a GPU) over data chunk y (rows [y·chunkRows, (y + 1)·chunkRows) of
    /// this block), and writes <c>partials[point · chunks + chunkOffset + y]</c> as <see cref="SweepKernel"/> does, for
    /// <see cref="SumChunksKernel"/>. Each thread sums its point's log-densities over the chunk's rows in order, four
    /// rows a step into four sums, as the native backend sums a chunk (<see cref="RowSums.FourChains"/>):
    /// every thread of a warp reads the same row, one load for all, from a chunk that stays in cache while the groups
    /// of its points are in flight, and no group sum is needed. The shape of the probe that reached 2.5 T
    /// point-evaluations/s on an H200 (docs/design.md, "Sweeps"), where the four-points-per-group kernel reached
    /// 1.15-1.3 T. A partial is the same sum wherever it is computed (no dependence on the group size).
    /// </summary>
    public static void SweepPointsKernel<TModel, TVec>(
        ArrayView<double> values, long rows, TModel model, ArrayView<TVec> points, long chunkRows, long chunkOffset, long chunks,
        ArrayView<double> partials)
        where TModel : unmanaged, ILikelihoodModel<TModel>
        where TVec : unmanaged, ITermVector<TVec>
    {
        var data = new DeviceRows(values, rows);
        long point = (long)Grid.IdxX * Group.DimX + Group.IdxX;
        var arguments = points[point];
        long begin = Grid.IdxY * chunkRows;
        long end = begin + chunkRows < rows ? begin + chunkRows : rows;
        partials[point * chunks + chunkOffset + Grid.IdxY] = RowSums.FourChains(model, arguments, data, begin, end).Get(0);
    }

    /// <summary>A sweep group's four points (from <c>first</c>) and its data chunk's rows [begin, end).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SweepChunk<TVec>(ArrayView<TVec> points, long chunkRows, long rows, out long first, out long begin, out long end,
        out TVec a0, out TVec a1, out TVec a2, out TVec a3)
        where TVec : unmanaged, ITermVector<TVec>
    {
        first = (long)Grid.IdxX * SweepPointsPerGroup;
        a0 = points[first];
        a1 = points[first + 1];
        a2 = points[first + 2];
        a3 = points[first + 3];
        begin = Grid.IdxY * chunkRows;
        end = begin + chunkRows < rows ? begin + chunkRows : rows;
    }

    /// <summary>A sweep group's four points' sums, reduced in the group: <c>partials[at + i · chunks]</c> for point i.</summary>
    private static void WriteSweepPartials<TVec, TSum>(in TVec s0, in TVec s1, in TVec s2, in TVec s3, long at, long chunks, ArrayView<double> partials)
        where TVec : unmanaged, ITermVector<TVec>
        where TSum : struct, IGroupSum
    {
        var shared = TSum.Shared();
        double t0 = TSum.GroupSum(s0.Get(0), shared);
        double t1 = TSum.GroupSum(s1.Get(0), shared);
        double t2 = TSum.GroupSum(s2.Get(0), shared);
        double t3 = TSum.GroupSum(s3.Get(0), shared);
        if (Group.IsFirstThread)
        {
            partials[at] = t0;
            partials[at + chunks] = t1;
            partials[at + 2 * chunks] = t2;
            partials[at + 3 * chunks] = t3;
        }
    }

    /// <summary>One row's terms at a sweep group's four points, each into its own sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FourPoints<TModel, TVec>(in TModel model, in TVec a0, in TVec a1, in TVec a2, in TVec a3, in DeviceRows data,
        long row, ref TVec s0, ref TVec s1, ref TVec s2, ref TVec s3)
        where TModel : unmanaged, ILikelihoodModel<TModel>
        where TVec : unmanaged, ITermVector<TVec>
    {
        TModel.Accumulate(model, a0, data, row, ref s0);
        TModel.Accumulate(model, a1, data, row, ref s1);
        TModel.Accumulate(model, a2, data, row, ref s2);
        TModel.Accumulate(model, a3, data, row, ref s3);
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
}
