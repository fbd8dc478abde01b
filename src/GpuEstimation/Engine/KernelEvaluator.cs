using GpuEstimation.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEstimation.Engine;

/// <summary>
/// The ILGPU kernels on an accelerator, over the data as row blocks (<see cref="KernelBlocks"/>: one block up to 2²⁴
/// rows, resident or streamed): per evaluation one launch over the resident blocks and one per streamed block (each
/// block's groups the same in either), and one read-back of the (block, group) partials, added in that order. On several accelerators each holds a contiguous run of the blocks (<see cref="KernelBlocks.Shards"/>)
/// with its own kernels and buffers, one host thread per device launches on its run, and the host adds all the
/// partials in the same (block, group) order: the bits of one device. Under MPI each rank holds its run of the blocks
/// and the partials of the others' arrive by one exchange per pass (<see cref="KernelBlocks.AddInBlockOrder"/>).
/// <typeparamref name="TSum"/> is the group sum the backend's code generator can emit (<see cref="LikelihoodEngine{TModel}"/>
/// picks it). A kernel that fails to compile or launch is reported as a <see cref="KernelException"/> that names the
/// backend, the kernel and the model.
/// </summary>
internal sealed class KernelEvaluator<TModel, TVec, TSum> : Evaluator<TModel, TVec>
    where TModel : unmanaged, ILikelihoodModel<TModel>
    where TVec : unmanaged, ITermVector<TVec>
    where TSum : struct, IGroupSum
{
    // The first device's run: all the blocks on one device (the passes that run on one device only use it).
    private readonly KernelBlocks _blocks;
    private readonly Shard[] _shards = [];
    private readonly KernelBlocks[] _runs;
    private readonly double[] _hostPartials;
    private ITriangleLauncher? _triangle;

    /// <summary>Rows per data chunk of a sweep: small enough to stay in cache across the points of a launch.</summary>
    private const long SweepChunkRows = 16_384;

    public KernelEvaluator(LikelihoodEngine<TModel> owner, IReadOnlyList<ReadOnlyMemory<double>> columns) : base(owner)
    {
        var device = owner.Device;
        var runs = _runs = KernelBlocks.Shards(device, columns, owner.Rows, owner.Spread);
        _blocks = runs[0];
        try
        {
            _shards = new Shard[runs.Length];
            for (int s = 0; s < runs.Length; s++)
                _shards[s] = new Shard(this, runs[s]);
            _hostPartials = new double[_blocks.TotalGroups * Terms];
            Hessian = HessianPasses.Kernel<TModel, TVec, TSum>(owner, columns, runs);
            LeastSquares = LeastSquaresPasses.Kernel<TModel, TVec, TSum>(owner, runs);
        }
        catch
        {
            foreach (var shard in _shards)
                shard?.Dispose();
            foreach (var run in runs)
                run.Dispose();
            throw;
        }
    }

    /// <summary>One device's run of blocks with its kernels and buffers.</summary>
    private sealed class Shard : IDisposable
    {
        public Shard(KernelEvaluator<TModel, TVec, TSum> owner, KernelBlocks blocks)
        {
            Blocks = blocks;
            var accelerator = blocks.Accelerator;
            accelerator.Bind();
            Kernel = owner.Guard(KernelException.ValueAndGradient, compiling: true, () =>
                accelerator.LoadStreamKernel<ArrayView<double>, long, long, int, int, TModel, TVec, int, ArrayView<double>>(FourRowsPerStep(accelerator)
                    ? LikelihoodKernels.ValueAndGradientFourRowsKernel<TModel, TVec, TSum>
                    : LikelihoodKernels.ValueAndGradientKernel<TModel, TVec, TSum>));
            Shape = GroupShape.Of<TSum>(accelerator, Kernel, blocks.GroupSize);
            PartialsLength = (blocks.GroupOffset(blocks.End) - blocks.GroupOffset(blocks.Begin)) * owner.Terms;
            Partials = accelerator.Allocate1D<double>(Math.Max(1, PartialsLength));
        }

        public KernelBlocks Blocks { get; }
        public Action<KernelConfig, ArrayView<double>, long, long, int, int, TModel, TVec, int, ArrayView<double>> Kernel { get; }
        public GroupShape Shape { get; }
        public MemoryBuffer1D<double, Stride1D.Dense> Partials { get; }
        // The run's value-and-gradient partials: from its first block's groups on.
        public long PartialsLength { get; }
        public Action<Index1D, ArrayView<double>, long, TModel, TVec, ArrayView<double>>? Pointwise;
        public MemoryBuffer1D<double, Stride1D.Dense>? PointwiseOutput;
        public Action<Index1D, ArrayView<double>, long, TModel, TVec, long, int, ArrayView<double>>? Scores;
        public MemoryBuffer1D<double, Stride1D.Dense>? ScoreOutput;
        public Action<KernelConfig, ArrayView<double>, long, TModel, ArrayView<ValueOnly<TVec>>, long, long, long, ArrayView<double>>? Sweep;
        public GroupShape SweepShape;
        public Action<Index1D, ArrayView<double>, int, ArrayView<double>>? SumChunks;
        public MemoryBuffer1D<ValueOnly<TVec>, Stride1D.Dense>? SweepArguments;
        public MemoryBuffer1D<double, Stride1D.Dense>? SweepPartials, SweepSums;
        public double[] HostSweepPartials = [];

        public void DisposeSweepBuffers()
        {
            SweepArguments?.Dispose();
            SweepPartials?.Dispose();
            SweepSums?.Dispose();
        }

        public void Dispose()
        {
            DisposeSweepBuffers();
            PointwiseOutput?.Dispose();
            ScoreOutput?.Dispose();
            Partials.Dispose();
        }
    }

    /// <summary>
    /// Whether the value-and-gradient kernel takes four rows per step (<see cref="LikelihoodKernels.ValueAndGradientFourRowsKernel"/>)
    /// and a sweep one point per thread (<see cref="LikelihoodKernels.SweepPointsKernel"/>): for the catalogue's families on a GPU. Not on
    /// ILGPU's CPU accelerator, whose .NET code ran Student-t 2-3x slower with four copies of the row; not for models
    /// with heavy rows (GLMs, mixtures, regressions), which are not bound by loads and would compile four more copies.
    /// </summary>
    private static bool FourRowsPerStep(Accelerator accelerator) =>
        accelerator.AcceleratorType != AcceleratorType.CPU
        && typeof(TModel).GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDistribution<>));

    /// <summary>Runs <paramref name="action"/> for each device's run (<see cref="KernelBlocks.ForEach"/>).</summary>
    private void ForEachShard(Action<Shard> action) => KernelBlocks.ForEach(_runs, r => action(_shards[r]));

    public override (int Streamed, int Count) RowBlocks => (_blocks.StreamedInJob, _blocks.Count);

    public override double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient)
    {
        // The hot path: a plain try, no delegate to allocate per evaluation.
        try
        {
            var (model, arguments) = (Owner.Model, Arguments(parameters));
            ForEachShard(shard => Evaluate(shard, model, arguments));
        }
        catch (Exception e) when (e is not KernelException)
        {
            throw Failure(KernelException.ValueAndGradient, compiling: false, e);
        }
        _blocks.ExchangeGroups(_hostPartials, Terms);
        return Reduce(parameters, _hostPartials, gradient);
    }

    /// <summary>
    /// One device's launches and its partials read back into their place among all the blocks': one launch over the
    /// resident blocks (each block's groups as in a launch of its own, so the same bits; no gap between launches), then
    /// one per streamed block.
    /// </summary>
    private void Evaluate(Shard shard, TModel model, TVec arguments)
    {
        var blocks = shard.Blocks;
        long first = blocks.GroupOffset(blocks.Begin);
        // The streamed blocks' walk first: it starts copying the first of them, under the resident blocks' launch.
        var streamed = blocks.Walk(blocks.Resident, blocks.End);
        var (resident, residentRows, residentGroups) = blocks.ResidentRun();
        if (residentGroups > 0)
        {
            shard.Kernel(new KernelConfig((int)residentGroups, shard.Shape.GroupSize, shard.Shape.Shared), resident, blocks.BlockRows,
                residentRows, blocks.Width, blocks.Groups(blocks.Begin), model, arguments, Terms, shard.Partials.View.SubView(0, residentGroups * Terms));
        }
        foreach (var (block, data) in streamed)
        {
            int groups = blocks.Groups(block);
            shard.Kernel(blocks.Config(block, shard.Shape), data, blocks.BlockRows, blocks.RowsOf(block), blocks.Width, groups, model, arguments,
                Terms, shard.Partials.View.SubView((blocks.GroupOffset(block) - first) * Terms, (long)groups * Terms));
        }
        if (shard.PartialsLength > 0)
            shard.Partials.View.AsContiguous().SubView(0, shard.PartialsLength).CopyToCPU(_hostPartials.AsSpan((int)(first * Terms), (int)shard.PartialsLength));
    }

    public override void Pointwise(ReadOnlySpan<double> parameters, double[] output)
    {
        if (output.Length == 0)
            return;
        var arguments = Arguments(parameters);
        ForEachShard(shard =>
        {
            var blocks = shard.Blocks;
            var accelerator = blocks.Accelerator;
            // Loaded on first use (most sessions never ask), then kept like the main kernel.
            var kernel = shard.Pointwise ??= Guard(KernelException.Pointwise, compiling: true, () =>
                accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, long, TModel, TVec, ArrayView<double>>(
                    LikelihoodKernels.PointwiseKernel<TModel, TVec>));
            // One block's values at a time, each read back into its place.
            var buffer = shard.PointwiseOutput ??= accelerator.Allocate1D<double>(Math.Min(output.Length, blocks.BlockRows));
            Guard(KernelException.Pointwise, compiling: false, () =>
            {
                foreach (var (block, data) in blocks.Walk())
                {
                    int n = blocks.RowsOf(block);
                    kernel(n, data, n, Owner.Model, arguments, buffer.View);
                    buffer.View.AsContiguous().SubView(0, n).CopyToCPU(output.AsSpan((int)blocks.First(block), n));
                }
            });
        });
        _blocks.ExchangeRows(output, 0, Owner.Rows, 1);
    }

    /// <summary>
    /// A sweep's data chunks: rows per chunk, and where each block's chunks start (chunks along the grid's y dimension
    /// within a block, at most 2²⁴ / 2¹⁴ = 1,024 of them, under the grid's 65,535, numbered across the blocks: with
    /// blocks a multiple of the chunk, the chunks of one launch over all rows).
    /// </summary>
    private (long ChunkRows, long[] ChunkOffsets) SweepChunks()
    {
        long chunkRows = Math.Min(SweepChunkRows, _blocks.BlockRows);
        var chunkOffsets = new long[_blocks.Count + 1];
        for (int b = 0; b < _blocks.Count; b++)
            chunkOffsets[b + 1] = chunkOffsets[b] + (_blocks.RowsOf(b) + chunkRows - 1) / chunkRows;
        return (chunkRows, chunkOffsets);
    }

    /// <summary>
    /// Points a sweep's launch holds to fill the device once: its groups (<see cref="KernelBlocks.MaxGroups"/> of the
    /// value pass's size) in threads of one point and data chunk (<see cref="LikelihoodKernels.SweepPointsKernel"/>),
    /// in whole groups of points, or in groups of four points and a chunk (<see cref="LikelihoodKernels.SweepKernel"/>),
    /// over the chunks of one row block (a launch's: the most of any block). On an H200 (2026-11-30, 10⁷ rows, 611
    /// chunks) a sweep's first tile of 12 points ran 611 groups of 16 threads, 7% occupancy, for 1.41 ms: a tenth of
    /// the rate, 7% of a 64 × 64 sweep's time. The same on every rank (the launch shape and the blocks are the job's).
    /// </summary>
    public override int SweepPointsAtOnce
    {
        get
        {
            var offsets = SweepChunks().ChunkOffsets;
            long chunks = Math.Max(1, Enumerable.Range(0, _blocks.Count).Select(b => offsets[b + 1] - offsets[b]).DefaultIfEmpty(1).Max());
            if (!FourRowsPerStep(_blocks.Accelerator))
                return (int)Math.Min(1 << 16, LikelihoodKernels.SweepPointsPerGroup * ((_blocks.MaxGroups + chunks - 1) / chunks));
            int group = SweepPointsGroup(int.MaxValue);
            long threads = (long)_blocks.MaxGroups * _blocks.GroupSize;
            return (int)Math.Min(1 << 16, group * ((threads + chunks * group - 1) / (chunks * group)));
        }
    }

    /// <summary>
    /// The points of a group of <see cref="LikelihoodKernels.SweepPointsKernel"/> for a tile of <paramref name="points"/>:
    /// 64, or the next power of two above fewer points (a padding point costs its work again, which an OpenCL device on
    /// a CPU pays in full), at most the device's group.
    /// </summary>
    private int SweepPointsGroup(int points) =>
        (int)Math.Min(Math.Min(LikelihoodKernels.SweepPointsGroupSize, _blocks.MaxThreadsPerGroup),
            System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(points, 1, 1 << 30)));

    public override void Sweep(IReadOnlyList<double[]> points, double[] output)
    {
        var (chunkRows, chunkOffsets) = SweepChunks();
        int chunks = (int)Math.Max(1, chunkOffsets[_blocks.Count]);
        // For a catalogue family on a GPU one point per thread (SweepPointsKernel, SweepPointsGroup); else four points
        // per group summed in the group (SweepKernel): models with heavy rows would compile another sweep kernel for little.
        bool pointPerThread = FourRowsPerStep(_blocks.Accelerator);
        int pointsGroup = SweepPointsGroup(points.Count);
        int perGroup = pointPerThread ? pointsGroup : LikelihoodKernels.SweepPointsPerGroup;
        // Tiles of points, whole groups of points (the last point repeated to fill the last group): about 8M partials
        // (64 MB) of device memory at a time.
        int tile = perGroup * (int)Math.Clamp(8L * 1024 * 1024 / chunks / perGroup, 1, (points.Count + perGroup - 1) / perGroup);
        foreach (var shard in _shards)
        {
            var accelerator = shard.Blocks.Accelerator;
            accelerator.Bind();
            shard.Sweep ??= Guard(KernelException.Sweep, compiling: true, () =>
                accelerator.LoadStreamKernel<ArrayView<double>, long, TModel, ArrayView<ValueOnly<TVec>>, long, long, long, ArrayView<double>>(
                    pointPerThread
                        ? LikelihoodKernels.SweepPointsKernel<TModel, ValueOnly<TVec>>
                        : LikelihoodKernels.SweepKernel<TModel, ValueOnly<TVec>, TSum>));
            // The group-summed kernel's shape, once, with the kernel (a group size of 0: not yet asked).
            if (!pointPerThread && shard.SweepShape.GroupSize == 0)
                shard.SweepShape = GroupShape.Of<TSum>(accelerator, shard.Sweep, shard.Blocks.GroupSize);
            if (_blocks.Alone)
            {
                shard.SumChunks ??= Guard(KernelException.SumChunks, compiling: true, () =>
                    accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, int, ArrayView<double>>(LikelihoodKernels.SumChunksKernel));
            }
            // Kept between sweeps (a sweep comes in several tiles of points), grown when a tile needs more: the run's
            // chunks, numbered from its first block's.
            long runChunks = Math.Max(1, chunkOffsets[shard.Blocks.End] - chunkOffsets[shard.Blocks.Begin]);
            if (shard.SweepArguments is null || shard.SweepArguments.Length < tile || shard.SweepPartials!.Length < tile * runChunks)
            {
                shard.DisposeSweepBuffers();
                shard.SweepArguments = accelerator.Allocate1D<ValueOnly<TVec>>(tile);
                shard.SweepPartials = accelerator.Allocate1D<double>(tile * runChunks);
                shard.SweepSums = accelerator.Allocate1D<double>(tile);
                if (!_blocks.Alone)
                    shard.HostSweepPartials = new double[tile * runChunks];
            }
        }
        var hostArguments = new ValueOnly<TVec>[tile];
        // Several runs (devices or ranks): every chunk's partials on the host, chunk after chunk (a tile's points each), so
        // that a rank's chunks are one stretch to exchange.
        var all = _blocks.Alone ? [] : new double[(long)tile * chunks];
        for (int first = 0; first < points.Count; first += tile)
        {
            int count = Math.Min(tile, points.Count - first);
            int groups = (count + perGroup - 1) / perGroup;
            for (int p = 0; p < groups * perGroup; p++)
                hostArguments[p] = new ValueOnly<TVec>(Arguments(points[first + Math.Min(p, count - 1)]));
            ForEachShard(shard => Guard(KernelException.Sweep, compiling: false, () =>
            {
                var blocks = shard.Blocks;
                var (arguments, partials) = (shard.SweepArguments!, shard.SweepPartials!);
                long chunkBase = chunkOffsets[blocks.Begin];
                int runChunks = (int)Math.Max(1, chunkOffsets[blocks.End] - chunkBase);
                arguments.View.AsContiguous().SubView(0, groups * perGroup).CopyFromCPU(hostArguments.AsSpan(0, groups * perGroup));
                if (blocks.Count == 0)
                    partials.View.MemSetToZero();
                var shape = pointPerThread ? new GroupShape(perGroup, default) : shard.SweepShape;
                foreach (var (block, data) in blocks.Walk())
                {
                    var config = new KernelConfig(new Index2D(groups, (int)(chunkOffsets[block + 1] - chunkOffsets[block])),
                        new Index2D(shape.GroupSize, 1), shape.Shared);
                    shard.Sweep!(config, data, blocks.RowsOf(block), Owner.Model, arguments.View, chunkRows, chunkOffsets[block] - chunkBase, runChunks, partials.View);
                }
                if (_blocks.Alone)
                {
                    shard.SumChunks!(count, partials.View, runChunks, shard.SweepSums!.View);
                    shard.SweepSums.View.AsContiguous().SubView(0, count).CopyToCPU(output.AsSpan(first, count));
                }
                else
                {
                    // Point after point on the device; chunk after chunk among all the chunks here.
                    var host = shard.HostSweepPartials;
                    partials.View.AsContiguous().SubView(0, (long)count * runChunks).CopyToCPU(host.AsSpan(0, count * runChunks));
                    for (long c = 0, held = chunkOffsets[blocks.End] - chunkBase; c < held; c++)
                    {
                        for (int p = 0; p < count; p++)
                            all[(chunkBase + c) * count + p] = host[p * runChunks + c];
                    }
                }
            }));
            if (!_blocks.Alone)
            {
                // The other ranks' chunks, then each point's chunks in order, from zero: SumChunksKernel's sum on one device.
                var ranks = _blocks.Ranks;
                ranks.Exchange(all, ranks.Bounds(r => chunkOffsets[_blocks.FirstBlockOf(r)] * count, chunkOffsets[_blocks.Count] * count));
                for (int p = 0; p < count; p++)
                {
                    double sum = 0;
                    for (long c = 0; c < chunkOffsets[_blocks.Count]; c++)
                        sum += all[c * count + p];
                    output[first + p] = sum;
                }
            }
        }
    }

    protected override void ScoreTriangle(ReadOnlySpan<double> parameters, double[] triangle)
    {
        // A linear-predictor model's from its Hessian pass's tiles: no term vector indexed at run time (docs/design.md,
        // "Term vectors"), whatever the width.
        if (Hessian is ILinearScores linear)
        {
            linear.ScoreTriangle(parameters, triangle);
            return;
        }
        // The sums' vector as narrow as the triangle allows (registers), at most 64 entries per launch.
        _triangle ??= triangle.Length switch
        {
            <= 4 => new TriangleLauncher<Vec4>(this),
            <= 8 => new TriangleLauncher<Twice<Vec4>>(this),
            <= 16 => new TriangleLauncher<Twice<Twice<Vec4>>>(this),
            <= 32 => new TriangleLauncher<Twice<Twice<Twice<Vec4>>>>(this),
            _ => new TriangleLauncher<Twice<Twice<Twice<Twice<Vec4>>>>>(this),
        };
        _triangle.Run(Arguments(parameters), triangle);
    }

    protected override void Scores(ReadOnlySpan<double> parameters, long first, int count, double[] output)
    {
        if (Hessian is ILinearScores linear)
        {
            linear.Scores(parameters, first, count, output);
            return;
        }
        int p = Terms - 1;
        long needed = (long)Math.Min(ScoreChunkRows, Owner.Rows) * p;
        var arguments = Arguments(parameters);
        var (begin, end) = _blocks.Covering(first, count);
        ForEachShard(shard =>
        {
            var blocks = shard.Blocks;
            // This device's blocks among those that hold the rows, and their rows among [first, first + count).
            int runBegin = Math.Max(begin, blocks.Begin), runEnd = Math.Min(end, blocks.End);
            if (runBegin >= runEnd)
                return;
            var accelerator = blocks.Accelerator;
            var kernel = shard.Scores ??= Guard(KernelException.Scores, compiling: true, () =>
                accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, long, TModel, TVec, long, int, ArrayView<double>>(
                    LikelihoodKernels.ScoresKernel<TModel, TVec>));
            if (shard.ScoreOutput is null || shard.ScoreOutput.Length < needed)
            {
                shard.ScoreOutput?.Dispose();
                shard.ScoreOutput = accelerator.Allocate1D<double>(Math.Max(1, needed));
            }
            var buffer = shard.ScoreOutput;
            long runFrom = Math.Max(first, blocks.First(runBegin));
            long runTo = Math.Min(first + count, blocks.First(runEnd - 1) + blocks.RowsOf(runEnd - 1));
            Guard(KernelException.Scores, compiling: false, () =>
            {
                // Each block's share of the rows, into its place.
                foreach (var (block, data) in blocks.Walk(runBegin, runEnd))
                {
                    long start = blocks.First(block);
                    long from = Math.Max(first, start), to = Math.Min(first + count, start + blocks.RowsOf(block));
                    kernel((int)(to - from), data, blocks.RowsOf(block), Owner.Model, arguments, from - start, p,
                        buffer.View.SubView((from - runFrom) * p, (to - from) * p));
                }
                buffer.View.AsContiguous().SubView(0, (runTo - runFrom) * p)
                    .CopyToCPU(output.AsSpan((int)((runFrom - first) * p), (int)((runTo - runFrom) * p)));
            });
        });
        _blocks.ExchangeRows(output, first, count, p);
    }

    /// <summary>
    /// Runs the score-products kernel over the triangle in blocks of <typeparamref name="TSums"/>'s capacity, on each
    /// device's run; each block's partials are read back into their place and added, after all the runs, in block order.
    /// </summary>
    private sealed class TriangleLauncher<TSums> : ITriangleLauncher where TSums : unmanaged, ITermVector<TSums>
    {
        private readonly KernelEvaluator<TModel, TVec, TSum> _owner;
        private readonly Action<KernelConfig, ArrayView<double>, long, TModel, TVec, int, int, int, int, ArrayView<double>>[] _kernels;
        private readonly GroupShape[] _shapes;
        private readonly MemoryBuffer1D<double, Stride1D.Dense>[] _partials;
        // Per run: its blocks' partials, each the largest block's groups × the triangle (KernelBlocks.HostPartials).
        private readonly double[][] _hostPartials;
        private readonly int _length;
        private readonly long _perBlock;

        public TriangleLauncher(KernelEvaluator<TModel, TVec, TSum> owner)
        {
            _owner = owner;
            _length = owner.Terms * (owner.Terms - 1) / 2;
            _perBlock = (long)(owner._blocks.Count == 0 ? 1 : owner._blocks.Groups(0)) * _length;
            int runs = owner._shards.Length;
            _hostPartials = KernelBlocks.HostPartials(owner._runs, _perBlock);
            _kernels = new Action<KernelConfig, ArrayView<double>, long, TModel, TVec, int, int, int, int, ArrayView<double>>[runs];
            _shapes = new GroupShape[runs];
            _partials = new MemoryBuffer1D<double, Stride1D.Dense>[runs];
            try
            {
                for (int r = 0; r < runs; r++)
                {
                    var blocks = owner._shards[r].Blocks;
                    var accelerator = blocks.Accelerator;
                    accelerator.Bind();
                    _kernels[r] = owner.Guard(KernelException.ScoreProducts, compiling: true, () =>
                        accelerator.LoadStreamKernel<ArrayView<double>, long, TModel, TVec, int, int, int, int, ArrayView<double>>(
                            LikelihoodKernels.ScoreProductsKernel<TModel, TVec, TSums, TSum>));
                    _shapes[r] = GroupShape.Of<TSum>(accelerator, _kernels[r], blocks.GroupSize);
                    _partials[r] = accelerator.Allocate1D<double>(_perBlock);
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public void Run(TVec arguments, double[] triangle)
        {
            KernelBlocks.ForEach(_owner._runs, r => Launch(r, arguments, triangle));
            KernelBlocks.AddInBlockOrder(_owner._runs, _hostPartials[0], _perBlock, block => Add(0, block, triangle));
        }

        /// <summary>Block <paramref name="block"/>'s partials from run <paramref name="r"/>'s host buffer, after the blocks before.</summary>
        private void Add(int r, int block, double[] triangle)
        {
            var blocks = _owner._shards[r].Blocks;
            KernelBlocks.AddLaunches(_hostPartials[r], blocks.PartialsAt(block, _perBlock), blocks.Groups(block), _length,
                TSums.Capacity, triangle);
        }

        private void Launch(int r, TVec arguments, double[] triangle)
        {
            int p = _owner.Terms - 1;
            var blocks = _owner._shards[r].Blocks;
            var (kernel, partials) = (_kernels[r], _partials[r]);
            foreach (var (block, data) in blocks.Walk())
            {
                int groups = blocks.Groups(block);
                var config = blocks.Config(block, _shapes[r]);
                _owner.Guard(KernelException.ScoreProducts, compiling: false, () =>
                {
                    int row = 0, column = 0;
                    for (int first = 0; first < _length; first += TSums.Capacity)
                    {
                        int count = Math.Min(TSums.Capacity, _length - first);
                        kernel(config, data, blocks.RowsOf(block), _owner.Owner.Model, arguments, p, row, column, count,
                            partials.View.SubView((long)first * groups, (long)groups * count));
                        // The next launch's first entry, walking the triangle row by row.
                        (row, column) = UpperTriangle.Advance(row, column, p, count);
                    }
                    partials.View.AsContiguous().SubView(0, (long)groups * _length)
                        .CopyToCPU(_hostPartials[r].AsSpan((int)blocks.PartialsAt(block, _perBlock), groups * _length));
                });
                if (blocks.Alone)
                    Add(r, block, triangle);
            }
        }

        public void Dispose()
        {
            for (int r = 0; r < _partials.Length; r++)
            {
                _owner._shards[r].Blocks.Accelerator.Bind();
                _partials[r]?.Dispose();
            }
        }
    }

    private interface ITriangleLauncher : IDisposable
    {
        void Run(TVec arguments, double[] triangle);
    }

    /// <summary>Runs <paramref name="action"/>; an ILGPU or driver failure in it becomes a <see cref="KernelException"/>.</summary>
    private void Guard(string kernel, bool compiling, Action action) => Guard(kernel, compiling, () =>
    {
        action();
        return true;
    });

    private T Guard<T>(string kernel, bool compiling, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is not KernelException)
        {
            throw Failure(kernel, compiling, e);
        }
    }

    private KernelException Failure(string kernel, bool compiling, Exception e) =>
        new(Owner.Device.Backend, kernel, Owner.ModelName, compiling, e);

    public override void Dispose()
    {
        _triangle?.Dispose();
        (Hessian as IDisposable)?.Dispose();
        (LeastSquares as IDisposable)?.Dispose();
        foreach (var shard in _shards)
        {
            shard.Blocks.Accelerator.Bind();
            shard.Dispose();
            shard.Blocks.Dispose();
        }
    }
}
