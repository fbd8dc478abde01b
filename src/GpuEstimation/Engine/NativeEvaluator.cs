using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using GpuEstimation.Backends;
using GpuEstimation.Kernels;

namespace GpuEstimation.Engine;

/// <summary>
/// The native backend: the model's own Accumulate in host loops over fixed chunks of rows, the chunks shared among
/// the worker threads. The chunk partition and the order in which chunk partials are added do not depend on the
/// number of threads, so the result is the same, to the bit, with any thread count; under MPI each rank sums its run
/// of the chunks and one collective gives every rank all the partials (<see cref="RowCollective"/>), so the result is
/// the same with any number of ranks too. Within a chunk four
/// interleaved accumulators break the dependency chain of the sums; a model with a row block
/// (<see cref="ILikelihoodModel{TSelf}.AccumulateBlock"/>) sums its chunks sixteen rows at a time in 256-bit vectors instead. A sweep sums each point's chunk by runs of 128 rows.
/// </summary>
internal sealed unsafe class NativeEvaluator<TModel, TVec> : Evaluator<TModel, TVec>
    where TModel : unmanaged, ILikelihoodModel<TModel>
    where TVec : unmanaged, ITermVector<TVec>
{
    /// <summary>Rows per chunk: the unit of work and of the fixed-order sum (a divisor of <see cref="RowCollective.RowAlignment"/>).</summary>
    internal const int ChunkRows = 1 << 15;

    private readonly HostColumns _columns;
    private readonly double** _data;
    private readonly TVec[] _chunkSums;
    private readonly double[] _partials;
    private readonly ParallelOptions _parallel;
    private readonly RowCollective _ranks = RowCollective.Current;
    private readonly ILinearGradient? _linear;
    private double[] _blockTable = [];

    public NativeEvaluator(LikelihoodEngine<TModel> owner, IReadOnlyList<ReadOnlyMemory<double>> columns) : base(owner)
    {
        long rows = owner.Rows;
        _columns = new HostColumns(columns);
        _data = _columns.Columns;
        int chunks = ChunkCount(rows);
        _chunkSums = new TVec[chunks];
        _partials = new double[chunks * Terms];
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = owner.Device.Threads };
        Hessian = HessianPasses.Native(owner, columns, (nint)_data, _parallel, chunks);
        // A linear-predictor model with a design (a GLM; not a family's constant one, whose own rows are in vectors):
        // value and gradient from the Hessian pass's first-order sums, and the robust covariance's score products from
        // its second-order ones, in vectors, where the model's own Accumulate would take a row at a time with the
        // design in a term vector (logistic 10⁶ × 10: value and gradient ~5x faster, bench/compare/glm_paths.py).
        if (Hessian is ILinearGradient { DesignWidth: > 1 } linear)
            _linear = linear;
        LeastSquares = LeastSquaresPasses.Native<TModel, TVec>(owner, (nint)_data, _parallel, chunks);
    }

    public override double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient)
    {
        if (_linear is not null)
            return _linear.Evaluate(parameters, gradient);
        var arguments = Arguments(parameters);
        var data = new HostRows(_data, Owner.Rows);
        var model = Owner.Model;
        long rows = Owner.Rows;
        var sums = _chunkSums;
        // The model's row blocks where it has them for these arguments: the choice is per evaluation, the same for
        // every chunk, so the thread count does not change which code sums a chunk.
        // Only where 256-bit vectors are hardware (elsewhere .NET emulates them).
        bool blocks = Vector256.IsHardwareAccelerated && Terms <= TermLanes.Capacity && TModel.HasBlock(model, arguments);
        var table = blocks ? BlockTable(model, arguments) : [];
        void Chunk(int c)
        {
            var (begin, end) = ChunkRange(c, rows);
            sums[c] = blocks ? SumChunkInBlocks(model, arguments, table, data, begin, end) : SumChunk(model, arguments, data, begin, end);
        }
        var (first, last) = _ranks.MineChunks(rows, ChunkRows);
        if (last - first == 1 || _parallel.MaxDegreeOfParallelism == 1)
        {
            for (int c = first; c < last; c++)
                Chunk(c);
        }
        else
        {
            Parallel.For(first, last, _parallel, Chunk);
        }
        for (int c = first; c < last; c++)
        {
            for (int k = 0; k < Terms; k++)
                _partials[c * Terms + k] = sums[c].Get(k);
        }
        _ranks.ExchangeChunks(_partials, rows, ChunkRows, Terms, _partials.Length);
        return Reduce(parameters, _partials, gradient);
    }

    public override void Pointwise(ReadOnlySpan<double> parameters, double[] output)
    {
        var arguments = Arguments(parameters);
        var data = new HostRows(_data, Owner.Rows);
        var model = Owner.Model;
        var (first, last) = _ranks.MineChunks(Owner.Rows, ChunkRows);
        Parallel.For(first, last, _parallel, c =>
        {
            var (begin, end) = ChunkRange(c, Owner.Rows);
            for (long row = begin; row < end; row++)
            {
                var terms = default(TVec);
                TModel.Accumulate(model, arguments, data, row, ref terms);
                output[row] = terms.Get(0);
            }
        });
        _ranks.ExchangeChunks(output, Owner.Rows, ChunkRows, ChunkRows, Owner.Rows);
    }

    public override void Sweep(IReadOnlyList<double[]> points, double[] output)
    {
        if (_linear is not null)
        {
            // A GLM's: one value sum of the linear pass per point (η in vectors), ~3x the rows' own sums.
            for (int p = 0; p < points.Count; p++)
                output[p] = _linear.Value(points[p]);
            return;
        }
        var data = new HostRows(_data, Owner.Rows);
        var model = Owner.Model;
        long rows = Owner.Rows;
        int chunks = _chunkSums.Length;
        // Value-only sums: the model's gradient arithmetic is compiled away.
        var arguments = new ValueOnly<TVec>[points.Count];
        for (int p = 0; p < points.Count; p++)
            arguments[p] = new ValueOnly<TVec>(Arguments(points[p]));
        // The same chunks as Evaluate. A work item is one chunk and a block of points, run four points per pass
        // over the chunk's rows: the chunk stays in the core's cache, each row read serves four points, and the four
        // sums are independent chains for the arithmetic units; a point's sum is the same alone as among four. Blocks
        // keep all cores busy on small data too.
        // The partials chunk by chunk (all the points of chunk 0, then of chunk 1, ...), so that a rank's chunks are
        // one run of the array; each point's sum is still over the chunks in chunk order.
        const int block = 64;
        int blocks = (arguments.Length + block - 1) / block;
        int count = points.Count;
        var partials = new double[(long)count * chunks];
        var (first, last) = _ranks.MineChunks(rows, ChunkRows);
        Parallel.For((long)first * blocks, (long)last * blocks, _parallel, item =>
        {
            int c = (int)(item / blocks);
            var (begin, end) = ChunkRange(c, rows);
            int p = (int)(item % blocks) * block, stop = Math.Min(arguments.Length, p + block);
            for (; p + 3 < stop; p += 4)
            {
                var (v0, v1, v2, v3) = SumChunkFourPoints(model, arguments[p], arguments[p + 1], arguments[p + 2], arguments[p + 3], data, begin, end);
                partials[(long)c * count + p] = v0;
                partials[(long)c * count + p + 1] = v1;
                partials[(long)c * count + p + 2] = v2;
                partials[(long)c * count + p + 3] = v3;
            }
            for (; p < stop; p++)
                partials[(long)c * count + p] = SumChunkOnePoint(model, arguments[p], data, begin, end);
        });
        _ranks.ExchangeChunks(partials, rows, ChunkRows, count, partials.Length);
        // Each point's sum over the chunks in chunk order (0 + chunk 0 + chunk 1 + ...), a chunk's row of points at a time.
        Array.Clear(output, 0, count);
        for (int c = 0; c < chunks; c++)
        {
            for (int p = 0; p < count; p++)
                output[p] += partials[(long)c * count + p];
        }
    }

    protected override void ScoreTriangle(ReadOnlySpan<double> parameters, double[] triangle)
    {
        if (_linear is ILinearScores linear)
        {
            linear.ScoreTriangle(parameters, triangle);
            return;
        }
        var arguments = Arguments(parameters);
        var data = new HostRows(_data, Owner.Rows);
        var model = Owner.Model;
        long rows = Owner.Rows;
        int p = Terms - 1;
        // One triangle per chunk (the chunks of Evaluate), added in chunk order: the same bits with any thread count
        // and any number of ranks.
        int chunks = _chunkSums.Length, entries = triangle.Length;
        var partials = new double[(long)chunks * entries];
        var (first, last) = _ranks.MineChunks(rows, ChunkRows);
        Parallel.For(first, last, _parallel, c =>
        {
            var (begin, end) = ChunkRange(c, rows);
            TriangleOfChunk(model, arguments, data, begin, end, p, partials.AsSpan(c * entries, entries));
        });
        _ranks.ExchangeChunks(partials, rows, ChunkRows, entries, partials.Length);
        for (int c = 0; c < chunks; c++)
        {
            for (int e = 0; e < entries; e++)
                triangle[e] += partials[c * entries + e];
        }
    }

    protected override void Scores(ReadOnlySpan<double> parameters, long first, int count, double[] output)
    {
        // A GLM's too: the linear pass's per-row scores measured no faster (clustered errors of a logistic 10⁶ × 10:
        // ~0.9-1.0 s either way, the clusters' sums the cost).
        var arguments = Arguments(parameters);
        var data = new HostRows(_data, Owner.Rows);
        var model = Owner.Model;
        int p = Terms - 1;
        // Each rank its own rows of the window (RowCollective.MyRows), in chunks of ChunkRows; the others' rows gathered.
        var (mine, last) = _ranks.MineInWindow(Owner.Rows, first, count);
        int chunks = (last - mine + ChunkRows - 1) / ChunkRows;
        Parallel.For(0, chunks, _parallel, c =>
        {
            int end = Math.Min(last, mine + (c + 1) * ChunkRows);
            for (int i = mine + c * ChunkRows; i < end; i++)
            {
                var terms = default(TVec);
                TModel.Accumulate(model, arguments, data, first + i, ref terms);
                for (int k = 0; k < p; k++)
                    output[(long)i * p + k] = terms.Get(1 + k);
            }
        });
        _ranks.ExchangeWindow(output, Owner.Rows, first, count, p);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TriangleOfChunk(TModel model, TVec arguments, HostRows data, long begin, long end, int p, Span<double> sums)
    {
        Span<double> score = stackalloc double[p];
        for (long row = begin; row < end; row++)
        {
            var terms = default(TVec);
            TModel.Accumulate(model, arguments, data, row, ref terms);
            double multiplicity = TModel.Multiplicity(model, data, row);
            if (multiplicity == 0)
                continue;
            double inverse = 1.0 / multiplicity;
            for (int k = 0; k < p; k++)
                score[k] = terms.Get(1 + k);
            for (int a = 0, e = 0; a < p; a++)
            {
                double left = score[a] * inverse;
                for (int b = a; b < p; b++, e++)
                    sums[e] += left * score[b];
            }
        }
    }

    public override void Dispose() => _columns.Dispose();

    /// <summary>The chunks of <paramref name="rows"/> rows.</summary>
    internal static int ChunkCount(long rows) => (int)Math.Max(1, (rows + ChunkRows - 1) / ChunkRows);

    // Rows [begin, end) of chunk c: the one partition every native pass uses.
    internal static (long Begin, long End) ChunkRange(int c, long rows) =>
        ((long)c * ChunkRows, Math.Min(rows, (long)(c + 1) * ChunkRows));

    // Rows a run of the value-only sums below: each point's chunk sum is the sum of its runs' sums, so that rounding
    // builds over 128 rows and 256 runs, not over the chunk's 32,768 rows in one running sum (a trial's counts, whose
    // terms repeat: 10⁻⁷ off at 10⁵ rows, ~30x a single evaluation's four chains, and a gradient check's steps chose noise).
    private const int RunRows = 128;

    // The log-likelihood terms of rows [begin, end) at four points, one sum per point, by runs of RunRows rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double, double, double, double) SumChunkFourPoints<TSums>(
        TModel model, TSums a0, TSums a1, TSums a2, TSums a3, HostRows data, long begin, long end)
        where TSums : unmanaged, ITermVector<TSums>
    {
        double t0 = 0, t1 = 0, t2 = 0, t3 = 0;
        for (long run = begin; run < end; run += RunRows)
        {
            long stop = Math.Min(end, run + RunRows);
            var s0 = default(TSums);
            var s1 = default(TSums);
            var s2 = default(TSums);
            var s3 = default(TSums);
            for (long row = run; row < stop; row++)
            {
                TModel.Accumulate(model, a0, data, row, ref s0);
                TModel.Accumulate(model, a1, data, row, ref s1);
                TModel.Accumulate(model, a2, data, row, ref s2);
                TModel.Accumulate(model, a3, data, row, ref s3);
            }
            s0.FinishRows(stop - run);
            s1.FinishRows(stop - run);
            s2.FinishRows(stop - run);
            s3.FinishRows(stop - run);
            t0 += s0.Get(0);
            t1 += s1.Get(0);
            t2 += s2.Get(0);
            t3 += s3.Get(0);
        }
        return (t0, t1, t2, t3);
    }

    // One point's, the same runs and order as SumChunkFourPoints: a sweep's value at a point does not depend on where
    // the point lies in the list (a trial: the same point 10⁻⁷ apart as the first and as the fifth of five).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double SumChunkOnePoint<TSums>(TModel model, TSums arguments, HostRows data, long begin, long end)
        where TSums : unmanaged, ITermVector<TSums>
    {
        double total = 0;
        for (long run = begin; run < end; run += RunRows)
        {
            long stop = Math.Min(end, run + RunRows);
            var sums = default(TSums);
            for (long row = run; row < stop; row++)
                TModel.Accumulate(model, arguments, data, row, ref sums);
            sums.FinishRows(stop - run);
            total += sums.Get(0);
        }
        return total;
    }

    // The model's per-evaluation table for its blocks (none for most), reused while its length fits.
    private double[] BlockTable(TModel model, TVec arguments)
    {
        int length = TModel.BlockTableLength(model);
        if (_blockTable.Length != length)
            _blockTable = new double[length];
        TModel.BlockTable(model, arguments, _blockTable);
        return _blockTable;
    }

    // Rows [begin, end) by the model's row blocks of 16, the remaining rows by Accumulate; then each term's lanes in a
    // fixed order plus the remaining rows'. Never inlined: inlined into Evaluate's chunk closure when that is recompiled
    // (tier 1), the JIT ran out of inlining budget there and left the blocks' vector operators as calls (Student-t 5x slower).
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static TVec SumChunkInBlocks(TModel model, TVec arguments, double[] table, HostRows data, long begin, long end)
    {
        var lanes = default(TermLanes);
        long row = begin;
        for (; row + Lanes16.Count <= end; row += Lanes16.Count)
            TModel.AccumulateBlock(model, arguments, table, data, row, ref lanes);
        TModel.FinishBlocks(model, arguments, ref lanes);
        var rest = default(TVec);
        for (; row < end; row++)
            TModel.Accumulate(model, arguments, data, row, ref rest);
        // Term by term, each field read directly (the lanes stay in registers in the loop above).
        var sums = default(TVec);
        sums.Set(0, TermLanes.Total(lanes.Term0) + rest.Get(0));
        sums.Set(1, TermLanes.Total(lanes.Term1) + rest.Get(1));
        sums.Set(2, TermLanes.Total(lanes.Term2) + rest.Get(2));
        sums.Set(3, TermLanes.Total(lanes.Term3) + rest.Get(3));
        return sums;
    }

    // Fully optimized from the first call: a fit may be over before tiered compilation would promote it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static TSums SumChunk<TSums>(TModel model, TSums arguments, HostRows data, long begin, long end)
        where TSums : unmanaged, ITermVector<TSums> =>
        RowSums.FourChains(model, arguments, data, begin, end);
}
