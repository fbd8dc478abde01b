using GpuEstimation.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEstimation.Engine;

/// <summary>
/// <see cref="ILinearSums"/> on an accelerator, for wide designs: <see cref="LikelihoodKernels.RowDerivativesKernel"/>
/// writes each row's derivatives (6 doubles a row) with the coefficients in device memory, then
/// <see cref="LikelihoodKernels.TileProductsKernel"/> sums the entries asked for in tiles of 4 × 8 design pairs, one
/// launch per 65,535 tiles, its grid tiles × groups of rows; both run per row block (<see cref="KernelBlocks"/>,
/// resident or streamed), each block's group partials read back and added in block, then group order on the host.
/// </summary>
internal sealed class KernelLinearSums<TModel, TSum> : ILinearSums
    where TModel : unmanaged, ILinearPredictorModel<TModel>
    where TSum : struct, IGroupSum
{
    private const int MaxTilesPerLaunch = 65_535;

    private readonly LikelihoodEngine<TModel> _owner;
    private readonly KernelBlocks _blocks;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _coefficients;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _derivatives;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _designColumns;
    private readonly SharedMemoryConfig _shared;
    private readonly Action<Index1D, ArrayView<double>, long, TModel, Vec4, ArrayView<double>, int, ArrayView<double>> _rowKernel;
    private readonly Action<KernelConfig, ArrayView<double>, long, ArrayView<int>, int, ArrayView<double>, ArrayView<int>, ArrayView<double>> _tileKernel;
    private readonly Dictionary<int[], Plan> _plans = new(ReferenceEqualityComparer.Instance);

    public KernelLinearSums(LikelihoodEngine<TModel> owner, IReadOnlyList<double[]> columns)
    {
        _owner = owner;
        var model = owner.Model;
        var accelerator = owner.Device.Single(KernelException.RowDerivatives);
        long rows = owner.Rows;
        _rowKernel = Guard(KernelException.RowDerivatives, compiling: true, () =>
            accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, long, TModel, Vec4, ArrayView<double>, int, ArrayView<double>>(
                LikelihoodKernels.RowDerivativesKernel<TModel>));
        _tileKernel = Guard(KernelException.TileProducts, compiling: true, () =>
            accelerator.LoadStreamKernel<ArrayView<double>, long, ArrayView<int>, int, ArrayView<double>, ArrayView<int>, ArrayView<double>>(
                LikelihoodKernels.TileProductsKernel<TSum>));
        int dynamicDoubles = TSum.DynamicDoubles(owner.Device.GroupSize, accelerator.WarpSize);
        _shared = dynamicDoubles > 0 ? SharedMemoryConfig.RequestDynamic<double>(dynamicDoubles) : default;
        _blocks = new KernelBlocks(owner.Device, accelerator, columns, rows);
        _coefficients = accelerator.Allocate1D<double>(Math.Max(1, model.DesignWidth));
        // One block's derivatives at a time.
        _derivatives = accelerator.Allocate1D<double>(Math.Max(1, 6 * Math.Min(rows, _blocks.BlockRows)));
        _designColumns = accelerator.Allocate1D(Enumerable.Range(0, model.DesignWidth).Select(model.DesignColumn).ToArray());
    }

    /// <summary>Row blocks streamed through the device, and all of them.</summary>
    public (int Streamed, int Count) RowBlocks => (_blocks.Streamed, _blocks.Count);

    public void Sum(ReadOnlySpan<double> coefficients, Vec4 own, LinearSumMode mode, int[] entries, double[] sums)
    {
        Array.Clear(sums, 0, entries.Length);
        long rows = _owner.Rows;
        if (rows == 0)
            return;
        // One plan per list: the passes ask for the same few lists (their layouts') every time.
        if (!_plans.TryGetValue(entries, out var plan))
        {
            plan = new Plan(entries, _owner.Model.DesignWidth, _owner.Device, rows);
            _plans.Add(entries, plan);
        }
        Coefficients(coefficients);
        Guard(KernelException.TileProducts, compiling: false, () =>
        {
            foreach (var (block, data) in _blocks.Walk(0, _blocks.Count))
            {
                int n = _blocks.RowsOf(block), groups = plan.Groups(n);
                Derivatives(data, n, own, mode);
                for (int first = 0; first < plan.TileCount; first += MaxTilesPerLaunch)
                {
                    int count = Math.Min(MaxTilesPerLaunch, plan.TileCount - first);
                    var config = new KernelConfig(new Index2D(groups, count), new Index2D(_owner.Device.GroupSize, 1), _shared);
                    _tileKernel(config, data, n, _designColumns.View, _owner.Model.DesignWidth, _derivatives.View,
                        plan.Tiles.View.SubView(first, count), plan.Partials.View.SubView((long)first * groups * LikelihoodKernels.TileSums, (long)count * groups * LikelihoodKernels.TileSums));
                }
                long length = (long)plan.TileCount * groups * LikelihoodKernels.TileSums;
                plan.Partials.View.AsContiguous().SubView(0, length).CopyToCPU(plan.HostPartials.AsSpan(0, (int)length));
                // Entry e is slot s of tile t: its partials lie groups apart from (t · groups) · 32 + s, added in group
                // order after the blocks before.
                for (int e = 0; e < entries.Length; e++)
                {
                    long at = (long)plan.Tile[e] * groups * LikelihoodKernels.TileSums + plan.Slot[e];
                    double sum = sums[e];
                    for (int g = 0; g < groups; g++)
                        sum += plan.HostPartials[at + (long)g * LikelihoodKernels.TileSums];
                    sums[e] = sum;
                }
            }
            return true;
        });
    }

    public void Rows(ReadOnlySpan<double> coefficients, Vec4 own, int kind, long first, int count, double[] output)
    {
        if (count == 0)
            return;
        Coefficients(coefficients);
        Guard(KernelException.RowDerivatives, compiling: false, () =>
        {
            // Each block's share of the rows, into its place.
            var (begin, end) = _blocks.Covering(first, count);
            foreach (var (block, data) in _blocks.Walk(begin, end))
            {
                int n = _blocks.RowsOf(block);
                long start = _blocks.First(block);
                long from = Math.Max(first, start), to = Math.Min(first + count, start + n);
                Derivatives(data, n, own, LinearSumMode.Curvature);
                _derivatives.View.AsContiguous().SubView(kind * n + (from - start), to - from)
                    .CopyToCPU(output.AsSpan((int)(from - first), (int)(to - from)));
            }
            return true;
        });
    }

    private void Coefficients(ReadOnlySpan<double> coefficients)
    {
        var values = coefficients.ToArray();
        Guard(KernelException.RowDerivatives, compiling: false, () =>
        {
            if (values.Length > 0)
                _coefficients.View.SubView(0, values.Length).CopyFromCPU(values);
            return true;
        });
    }

    // The derivatives of a block's n rows, at the coefficients last uploaded.
    private void Derivatives(ArrayView<double> data, int n, Vec4 own, LinearSumMode mode) => Guard(KernelException.RowDerivatives, compiling: false, () =>
    {
        _rowKernel(n, data, n, _owner.Model, own, _coefficients.View, mode == LinearSumMode.ScoreProducts ? 1 : 0, _derivatives.View);
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
            throw new KernelException(_owner.Device.Backend, kernel, _owner.ModelName, compiling, e);
        }
    }

    public void Dispose()
    {
        foreach (var plan in _plans.Values)
            plan.Dispose();
        _coefficients.Dispose();
        _derivatives.Dispose();
        _designColumns.Dispose();
        _blocks.Dispose();
    }

    /// <summary>
    /// The tiles that cover a list of entries, and where each entry lies in them. An entry times the constant 1 puts
    /// the constant on the tile's a side (w · 1 · z_b), so that a gradient fills 8 sums of a tile, not 4. Groups of rows
    /// per tile: enough that tiles × groups fill the device, at most what a block's rows need.
    /// </summary>
    private sealed class Plan : IDisposable
    {
        private readonly int _groupSize, _tileGroups;

        public Plan(int[] entries, int width, Backends.ComputeDevice device, long rows)
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
            Tiles = device.Single(KernelException.TileProducts).Allocate1D(tiles.ToArray());
            HostPartials = new double[(long)TileCount * Groups(rows) * LikelihoodKernels.TileSums];
            Partials = device.Single(KernelException.TileProducts).Allocate1D<double>(HostPartials.Length);
        }

        public int[] Tile { get; }

        public int[] Slot { get; }

        public int TileCount { get; }

        /// <summary>Groups of rows per tile over a block of <paramref name="rows"/> rows.</summary>
        public int Groups(long rows) => (int)Math.Clamp(_tileGroups, 1, Math.Max(1, (rows + _groupSize - 1) / _groupSize));

        public MemoryBuffer1D<int, Stride1D.Dense> Tiles { get; }

        public MemoryBuffer1D<double, Stride1D.Dense> Partials { get; }

        public double[] HostPartials { get; }

        public void Dispose()
        {
            Tiles.Dispose();
            Partials.Dispose();
        }
    }
}
