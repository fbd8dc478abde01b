using GpuEstimation.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEstimation.Engine;

/// <summary>
/// <see cref="ILinearSums"/> on an accelerator, for every linear-predictor model (the Hessian pass of a narrow design over
/// its evaluator's blocks; every pass of a wide one over blocks of its own): <see cref="LikelihoodKernels.RowDerivativesKernel"/>
/// writes each row's derivatives (6 doubles a row) with the coefficients in device memory, then
/// <see cref="LikelihoodKernels.TileProductsKernel"/> sums the entries asked for in tiles of 4 × 8 design pairs, one
/// launch per 65,535 tiles, its grid tiles × groups of rows; both run per row block (<see cref="KernelBlocks"/>,
/// resident or streamed), each block's group partials read back and added in block, then group order on the host.
/// On several devices each runs its run of blocks (<see cref="KernelBlocks.Shards"/>) from its own host thread with
/// its own kernels and buffers, the partials added in the same order after all the runs.
/// </summary>
internal sealed class KernelLinearSums<TModel, TSum> : ILinearSums
    where TModel : unmanaged, ILinearPredictorModel<TModel>
    where TSum : struct, IGroupSum
{
    private const int MaxTilesPerLaunch = 65_535;

    private readonly LikelihoodEngine<TModel> _owner;
    private readonly Run[] _runs = [];
    private readonly KernelBlocks[] _blockRuns = [];
    private readonly Dictionary<int[], Plan> _plans = new(ReferenceEqualityComparer.Instance);

    /// <summary>One device's run of blocks with its kernels and buffers.</summary>
    private sealed class Run : IDisposable
    {
        public required KernelBlocks Blocks { get; init; }
        public required Action<KernelConfig, ArrayView<double>, long, TModel, Vec4, ArrayView<double>, int, ArrayView<double>> RowKernel { get; init; }
        public required GroupShape RowShape { get; init; }
        public required Action<KernelConfig, ArrayView<double>, long, ArrayView<int>, int, ArrayView<double>, ArrayView<int>, ArrayView<double>> TileKernel { get; init; }
        public required GroupShape TileShape { get; init; }
        public required MemoryBuffer1D<double, Stride1D.Dense> Coefficients { get; init; }
        /// <summary>One block's derivatives (6 × its rows), allocated on first use: an engine whose fit never asks for a Hessian has none.</summary>
        public MemoryBuffer1D<double, Stride1D.Dense>? Derivatives;
        public required MemoryBuffer1D<int, Stride1D.Dense> DesignColumns { get; init; }

        /// <summary>Whether <see cref="Blocks"/> are its own (disposed with it) or borrowed.</summary>
        public required bool OwnsBlocks { get; init; }

        public void Dispose()
        {
            Blocks.Accelerator.Bind();
            Coefficients.Dispose();
            Derivatives?.Dispose();
            DesignColumns.Dispose();
            if (OwnsBlocks)
                Blocks.Dispose();
        }
    }

    /// <summary>Over blocks of its own: <paramref name="columns"/> uploaded (or streamed) here, released in <see cref="Dispose"/>.</summary>
    public KernelLinearSums(LikelihoodEngine<TModel> owner, IReadOnlyList<ReadOnlyMemory<double>> columns)
        : this(owner, KernelBlocks.Shards(owner.Device, columns, owner.Rows, owner.Spread), ownsBlocks: true)
    {
    }

    /// <summary>
    /// Over <paramref name="runs"/> (<see cref="KernelBlocks.Shards"/>): taken over (disposed here, also when this
    /// constructor fails) where <paramref name="ownsBlocks"/>, else borrowed from their owner (an evaluator's).
    /// </summary>
    public KernelLinearSums(LikelihoodEngine<TModel> owner, KernelBlocks[] runs, bool ownsBlocks)
    {
        _owner = owner;
        var model = owner.Model;
        Run Make(KernelBlocks blocks)
        {
            var accelerator = blocks.Accelerator;
            var rowKernel = Guard(KernelException.RowDerivatives, compiling: true, () =>
                accelerator.LoadStreamKernel<ArrayView<double>, long, TModel, Vec4, ArrayView<double>, int, ArrayView<double>>(
                    LikelihoodKernels.RowDerivativesKernel<TModel>));
            var tileKernel = Guard(KernelException.TileProducts, compiling: true, () =>
                accelerator.LoadStreamKernel<ArrayView<double>, long, ArrayView<int>, int, ArrayView<double>, ArrayView<int>, ArrayView<double>>(
                    LikelihoodKernels.TileProductsKernel<TSum>));
            return new Run
            {
                Blocks = blocks,
                OwnsBlocks = ownsBlocks,
                RowKernel = rowKernel,
                RowShape = GroupShape.Plain(accelerator, rowKernel, blocks.GroupSize),
                TileKernel = tileKernel,
                TileShape = GroupShape.Of<TSum>(accelerator, tileKernel, blocks.GroupSize),
                Coefficients = accelerator.Allocate1D<double>(Math.Max(1, model.DesignWidth)),
                DesignColumns = accelerator.Allocate1D(Enumerable.Range(0, model.DesignWidth).Select(model.DesignColumn).ToArray()),
            };
        }
        _runs = KernelBlocks.Build(runs, Make, takeOver: ownsBlocks);
        _blockRuns = runs;
    }

    /// <summary>Row blocks streamed through the devices, and all of them.</summary>
    public (int Streamed, int Count) RowBlocks => (_runs[0].Blocks.StreamedInJob, _runs[0].Blocks.Count);

    /// <summary>Runs <paramref name="action"/> for each run (<see cref="KernelBlocks.ForEach"/>).</summary>
    private void ForEachRun(Action<int> action) => KernelBlocks.ForEach(_blockRuns, action);


    public void Sum(ReadOnlySpan<double> coefficients, Vec4 own, LinearSumMode mode, int[] entries, double[] sums)
    {
        Array.Clear(sums, 0, entries.Length);
        long rows = _owner.Rows;
        if (rows == 0)
            return;
        // One plan per list: the passes ask for the same few lists (their layouts') every time.
        if (!_plans.TryGetValue(entries, out var plan))
        {
            plan = new Plan(entries, _owner.Model.DesignWidth, _owner.Device, _blockRuns);
            _plans.Add(entries, plan);
        }
        var values = coefficients.ToArray();
        ForEachRun(r => Guard(KernelException.TileProducts, compiling: false, () =>
        {
            var run = _runs[r];
            var blocks = run.Blocks;
            Coefficients(run, values);
            foreach (var (block, data) in blocks.Walk())
            {
                int n = blocks.RowsOf(block), groups = plan.Groups(n);
                var derivatives = Derivatives(run, block, data, n, own, mode);
                for (int first = 0; first < plan.TileCount; first += MaxTilesPerLaunch)
                {
                    int count = Math.Min(MaxTilesPerLaunch, plan.TileCount - first);
                    var config = new KernelConfig(new Index2D(groups, count), new Index2D(run.TileShape.GroupSize, 1), run.TileShape.Shared);
                    run.TileKernel(config, data, n, run.DesignColumns.View, _owner.Model.DesignWidth, derivatives.View,
                        plan.Tiles[r].View.SubView(first, count), plan.Partials[r].View.SubView((long)first * groups * LikelihoodKernels.TileSums, (long)count * groups * LikelihoodKernels.TileSums));
                }
                long length = (long)plan.TileCount * groups * LikelihoodKernels.TileSums;
                plan.Partials[r].View.AsContiguous().SubView(0, length)
                    .CopyToCPU(plan.HostPartials[r].AsSpan((int)plan.Offset(r, block), (int)length));
                if (blocks.Alone)
                    Add(plan, r, block, entries, sums);
            }
            return true;
        }));
        KernelBlocks.AddInBlockOrder(_blockRuns, plan.HostPartials[0], plan.PerBlock, block => Add(plan, 0, block, entries, sums));
    }

    /// <summary>
    /// Block <paramref name="block"/>'s partials from run <paramref name="r"/>'s host buffer: entry e is slot s of tile t,
    /// its partials groups apart from (t · groups) · 32 + s, added in group order after the blocks before.
    /// </summary>
    private static void Add(Plan plan, int r, int block, int[] entries, double[] sums)
    {
        int groups = plan.Groups(plan.Runs[r].RowsOf(block));
        long offset = plan.Offset(r, block);
        var host = plan.HostPartials[r];
        for (int e = 0; e < entries.Length; e++)
        {
            long at = offset + (long)plan.Tile[e] * groups * LikelihoodKernels.TileSums + plan.Slot[e];
            double sum = sums[e];
            for (int g = 0; g < groups; g++)
                sum += host[at + (long)g * LikelihoodKernels.TileSums];
            sums[e] = sum;
        }
    }

    public void Rows(ReadOnlySpan<double> coefficients, Vec4 own, int kind, long first, int count, double[] output)
    {
        if (count == 0)
            return;
        var values = coefficients.ToArray();
        var (begin, end) = _runs[0].Blocks.Covering(first, count);
        ForEachRun(r => Guard(KernelException.RowDerivatives, compiling: false, () =>
        {
            var run = _runs[r];
            var blocks = run.Blocks;
            if (Math.Max(begin, blocks.Begin) >= Math.Min(end, blocks.End))
                return true;
            Coefficients(run, values);
            // Each block's share of the rows, into its place.
            foreach (var (block, data) in blocks.Walk(begin, end))
            {
                int n = blocks.RowsOf(block);
                long start = blocks.First(block);
                long from = Math.Max(first, start), to = Math.Min(first + count, start + n);
                Derivatives(run, block, data, n, own, LinearSumMode.Curvature).View.AsContiguous().SubView(kind * n + (from - start), to - from)
                    .CopyToCPU(output.AsSpan((int)(from - first), (int)(to - from)));
            }
            return true;
        }));
        _runs[0].Blocks.ExchangeRows(output, first, count, 1);
    }

    private void Coefficients(Run run, double[] values) => Guard(KernelException.RowDerivatives, compiling: false, () =>
    {
        if (values.Length > 0)
            run.Coefficients.View.SubView(0, values.Length).CopyFromCPU(values);
        return true;
    });

    // The derivatives of a block's n rows, at the coefficients last uploaded; the buffer (one block's: 6 × its rows) is
    // allocated on the first call.
    private MemoryBuffer1D<double, Stride1D.Dense> Derivatives(Run run, int block, ArrayView<double> data, int n, Vec4 own, LinearSumMode mode) =>
        Guard(KernelException.RowDerivatives, compiling: false, () =>
        {
            var derivatives = run.Derivatives ??= run.Blocks.Accelerator.Allocate1D<double>(Math.Max(1, 6 * Math.Min(_owner.Rows, run.Blocks.BlockRows)));
            run.RowKernel(run.Blocks.Config(block, run.RowShape), data, n, _owner.Model, own, run.Coefficients.View,
                mode == LinearSumMode.ScoreProducts ? 1 : 0, derivatives.View);
            return derivatives;
        });

    private T Guard<T>(string kernel, bool compiling, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is not KernelException)
        {
            throw new KernelException(_owner.Device.Backend, kernel, _owner.ModelName, compiling, e);
        }
    }

    public void Dispose()
    {
        foreach (var plan in _plans.Values)
            plan.Dispose();
        foreach (var run in _runs)
            run.Dispose();
    }

    /// <summary>
    /// The tiles that cover a list of entries, and where each entry lies in them. An entry times the constant 1 puts
    /// the constant on the tile's a side (w · 1 · z_b), so that a gradient fills 8 sums of a tile, not 4. Groups of rows
    /// per tile: enough that tiles × groups fill the device, at most what a block's rows need. Per run of blocks: the
    /// tiles and the partials on its device, and its blocks' partials on the host (see <see cref="Offset"/>).
    /// </summary>
    private sealed class Plan : IDisposable
    {
        private readonly int _groupSize, _tileGroups;
        public Plan(int[] entries, int width, Backends.ComputeDevice device, KernelBlocks[] runs)
        {
            var tiles = new List<int>();
            var index = new Dictionary<int, int>();
            Tile = new int[entries.Length];
            Slot = new int[entries.Length];
            for (int e = 0; e < entries.Length; e++)
            {
                int kind = HessianEntry.Kind(entries[e]), a = HessianEntry.A(entries[e]), b = HessianEntry.B(entries[e]);
                if (b == width)
                    (a, b) = (b, a);
                int a0 = a / 4 * 4, b0 = b / 8 * 8;
                int key = HessianEntry.Pack(kind, a0, b0);
                if (!index.TryGetValue(key, out int t))
                {
                    t = tiles.Count;
                    index.Add(key, t);
                    tiles.Add(key);
                }
                Tile[e] = t;
                Slot[e] = 8 * (a - a0) + (b - b0);
            }
            TileCount = tiles.Count;
            _groupSize = device.GroupSize;
            _tileGroups = (device.MaxGroups + TileCount - 1) / TileCount;
            Runs = runs;
            PerBlock = (long)TileCount * Groups(Math.Min(runs[0].Rows, runs[0].BlockRows)) * LikelihoodKernels.TileSums;
            Tiles = new MemoryBuffer1D<int, Stride1D.Dense>[runs.Length];
            Partials = new MemoryBuffer1D<double, Stride1D.Dense>[runs.Length];
            HostPartials = KernelBlocks.HostPartials(runs, PerBlock);
            var keys = tiles.ToArray();
            try
            {
                for (int r = 0; r < runs.Length; r++)
                {
                    runs[r].Accelerator.Bind();
                    Tiles[r] = runs[r].Accelerator.Allocate1D(keys);
                    Partials[r] = runs[r].Accelerator.Allocate1D<double>(PerBlock);
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public int[] Tile { get; }

        public int[] Slot { get; }

        public int TileCount { get; }

        /// <summary>Partials of a block, on the host: the tiles × the largest block's groups × the tile sums.</summary>
        public long PerBlock { get; }

        /// <summary>The devices' runs of blocks.</summary>
        public KernelBlocks[] Runs { get; }

        /// <summary>Where block <paramref name="block"/>'s partials lie in run <paramref name="r"/>'s host buffer (<see cref="KernelBlocks.PartialsAt"/>).</summary>
        public long Offset(int r, int block) => Runs[r].PartialsAt(block, PerBlock);

        /// <summary>Groups of rows per tile over a block of <paramref name="rows"/> rows.</summary>
        public int Groups(long rows) => (int)Math.Clamp(_tileGroups, 1, Math.Max(1, (rows + _groupSize - 1) / _groupSize));

        public MemoryBuffer1D<int, Stride1D.Dense>[] Tiles { get; }

        public MemoryBuffer1D<double, Stride1D.Dense>[] Partials { get; }

        public double[][] HostPartials { get; }

        public void Dispose()
        {
            for (int r = 0; r < Runs.Length; r++)
            {
                Runs[r].Accelerator.Bind();
                Tiles[r]?.Dispose();
                Partials[r]?.Dispose();
            }
        }
    }
}
