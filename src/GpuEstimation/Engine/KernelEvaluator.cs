using GpuEstimation.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEstimation.Engine;

/// <summary>
/// The ILGPU kernels on an accelerator: one launch and one read-back of the group partials per evaluation.
/// <typeparamref name="TSum"/> is the group sum the backend's code generator can emit (<see cref="LikelihoodEngine{TModel}"/>
/// picks it). A kernel that fails to compile or launch is reported as a <see cref="KernelException"/> that names the
/// backend, the kernel and the model.
/// </summary>
internal sealed class KernelEvaluator<TModel, TVec, TSum> : Evaluator<TModel, TVec>
    where TModel : unmanaged, ILikelihoodModel<TModel>
    where TVec : unmanaged, ITermVector<TVec>
    where TSum : struct, IGroupSum
{
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _data;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _partials;
    private readonly double[] _hostPartials;
    private readonly KernelConfig _config;
    private readonly SharedMemoryConfig _shared;
    private readonly Action<KernelConfig, ArrayView<double>, long, TModel, TVec, int, ArrayView<double>> _kernel;
    private Action<Index1D, ArrayView<double>, long, TModel, TVec, ArrayView<double>>? _pointwise;
    private Action<KernelConfig, ArrayView<double>, long, TModel, ArrayView<ValueOnly<TVec>>, long, ArrayView<double>>? _sweep;
    private Action<Index1D, ArrayView<double>, int, ArrayView<double>>? _sumChunks;
    private MemoryBuffer1D<double, Stride1D.Dense>? _pointwiseOutput;
    private MemoryBuffer1D<ValueOnly<TVec>, Stride1D.Dense>? _sweepArguments;
    private MemoryBuffer1D<double, Stride1D.Dense>? _sweepPartials, _sweepSums;
    private ITriangleLauncher? _triangle;
    private Action<Index1D, ArrayView<double>, long, TModel, TVec, long, int, ArrayView<double>>? _scores;
    private MemoryBuffer1D<double, Stride1D.Dense>? _scoreOutput;

    /// <summary>Rows per data chunk of a sweep: small enough to stay in cache across the points of a launch.</summary>
    private const long SweepChunkRows = 16_384;

    /// <summary>The largest y dimension of a launch grid.</summary>
    private const long MaxGridY = 65_535;

    public KernelEvaluator(LikelihoodEngine<TModel> owner, IReadOnlyList<double[]> columns) : base(owner)
    {
        var device = owner.Device;
        var accelerator = device.Accelerator;
        long rows = owner.Rows;
        long groupsNeeded = (rows + device.GroupSize - 1) / device.GroupSize;
        int groups = (int)Math.Clamp(groupsNeeded, 1, device.MaxGroups);
        int dynamicDoubles = TSum.DynamicDoubles(device.GroupSize, accelerator.WarpSize);
        _shared = dynamicDoubles > 0 ? SharedMemoryConfig.RequestDynamic<double>(dynamicDoubles) : default;
        _config = new KernelConfig(groups, device.GroupSize, _shared);

        _kernel = Guard(KernelException.ValueAndGradient, compiling: true, () =>
            accelerator.LoadStreamKernel<ArrayView<double>, long, TModel, TVec, int, ArrayView<double>>(
                LikelihoodKernels.ValueAndGradientKernel<TModel, TVec, TSum>));

        _data = accelerator.Allocate1D<double>(Math.Max(1, rows * columns.Count));
        for (int c = 0; c < columns.Count; c++)
        {
            if (rows > 0)
                _data.View.SubView(c * rows, rows).CopyFromCPU(columns[c]);
        }
        _hostPartials = new double[groups * Terms];
        _partials = accelerator.Allocate1D<double>(_hostPartials.Length);
        Hessian = HessianPasses.Kernel<TModel, TVec, TSum>(owner, _data.View, _config);
        LeastSquares = LeastSquaresPasses.Kernel<TModel, TVec, TSum>(owner, _data.View, _config);
    }

    public override double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient)
    {
        // The hot path: a plain try, no delegate to allocate per evaluation.
        try
        {
            _kernel(_config, _data.View, Owner.Rows, Owner.Model, Arguments(parameters), Terms, _partials.View);
            _partials.View.CopyToCPU(_hostPartials);
        }
        catch (Exception e) when (e is not KernelException)
        {
            throw Failure(KernelException.ValueAndGradient, compiling: false, e);
        }
        return Reduce(parameters, _hostPartials, gradient);
    }

    public override void Pointwise(ReadOnlySpan<double> parameters, double[] output)
    {
        if (output.Length == 0)
            return;
        // Loaded on first use (most sessions never ask), then kept like the main kernel.
        _pointwise ??= Guard(KernelException.Pointwise, compiling: true, () =>
            Owner.Device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, long, TModel, TVec, ArrayView<double>>(
                LikelihoodKernels.PointwiseKernel<TModel, TVec>));
        _pointwiseOutput ??= Owner.Device.Accelerator.Allocate1D<double>(output.Length);
        var arguments = Arguments(parameters);
        Guard(KernelException.Pointwise, compiling: false, () =>
        {
            _pointwise(output.Length, _data.View, Owner.Rows, Owner.Model, arguments, _pointwiseOutput.View);
            _pointwiseOutput.View.CopyToCPU(output);
        });
    }

    public override void Sweep(IReadOnlyList<double[]> points, double[] output)
    {
        long rows = Owner.Rows;
        // Chunks along the grid's y dimension (at most 65535): more rows per chunk only beyond 10⁹ rows.
        long chunkRows = Math.Max(SweepChunkRows, (rows + MaxGridY - 1) / MaxGridY);
        int chunks = (int)Math.Max(1, (rows + chunkRows - 1) / chunkRows);
        // Tiles of points, whole groups of SweepPointsPerGroup (the last point repeated to fill the last group):
        // about 8M partials (64 MB) of device memory at a time.
        const int perGroup = LikelihoodKernels.SweepPointsPerGroup;
        int tile = perGroup * (int)Math.Clamp(8L * 1024 * 1024 / chunks / perGroup, 1, (points.Count + perGroup - 1) / perGroup);
        var accelerator = Owner.Device.Accelerator;
        _sweep ??= Guard(KernelException.Sweep, compiling: true, () =>
            accelerator.LoadStreamKernel<ArrayView<double>, long, TModel, ArrayView<ValueOnly<TVec>>, long, ArrayView<double>>(
                LikelihoodKernels.SweepKernel<TModel, ValueOnly<TVec>, TSum>));
        _sumChunks ??= Guard(KernelException.SumChunks, compiling: true, () =>
            accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, int, ArrayView<double>>(LikelihoodKernels.SumChunksKernel));
        // Kept between sweeps (a sweep comes in several tiles of points), grown when a tile needs more.
        if (_sweepArguments is null || _sweepArguments.Length < tile || _sweepPartials!.Length < (long)tile * chunks)
        {
            DisposeSweepBuffers();
            _sweepArguments = accelerator.Allocate1D<ValueOnly<TVec>>(tile);
            _sweepPartials = accelerator.Allocate1D<double>((long)tile * chunks);
            _sweepSums = accelerator.Allocate1D<double>(tile);
        }
        var (arguments, partials, sums) = (_sweepArguments, _sweepPartials, _sweepSums!);
        var hostArguments = new ValueOnly<TVec>[tile];
        for (int first = 0; first < points.Count; first += tile)
        {
            int count = Math.Min(tile, points.Count - first);
            int groups = (count + perGroup - 1) / perGroup;
            for (int p = 0; p < groups * perGroup; p++)
                hostArguments[p] = new ValueOnly<TVec>(Arguments(points[first + Math.Min(p, count - 1)]));
            arguments.View.AsContiguous().SubView(0, groups * perGroup).CopyFromCPU(hostArguments.AsSpan(0, groups * perGroup));
            var config = new KernelConfig(new Index2D(groups, chunks), new Index2D(Owner.Device.GroupSize, 1), _shared);
            Guard(KernelException.Sweep, compiling: false, () =>
            {
                _sweep(config, _data.View, rows, Owner.Model, arguments.View, chunkRows, partials.View);
                _sumChunks(count, partials.View, chunks, sums.View);
                sums.View.AsContiguous().SubView(0, count).CopyToCPU(output.AsSpan(first, count));
            });
        }
    }

    protected override void ScoreTriangle(ReadOnlySpan<double> parameters, double[] triangle)
    {
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
        var accelerator = Owner.Device.Accelerator;
        _scores ??= Guard(KernelException.Scores, compiling: true, () =>
            accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, long, TModel, TVec, long, int, ArrayView<double>>(
                LikelihoodKernels.ScoresKernel<TModel, TVec>));
        int p = Terms - 1;
        long needed = (long)Math.Min(ScoreChunkRows, Owner.Rows) * p;
        if (_scoreOutput is null || _scoreOutput.Length < needed)
        {
            _scoreOutput?.Dispose();
            _scoreOutput = accelerator.Allocate1D<double>(Math.Max(1, needed));
        }
        var arguments = Arguments(parameters);
        var buffer = _scoreOutput;
        Guard(KernelException.Scores, compiling: false, () =>
        {
            _scores(count, _data.View, Owner.Rows, Owner.Model, arguments, first, p, buffer.View);
            buffer.View.AsContiguous().SubView(0, (long)count * p).CopyToCPU(output.AsSpan(0, count * p));
        });
    }

    /// <summary>Runs the score-products kernel over the triangle in blocks of <typeparamref name="TSums"/>'s capacity.</summary>
    private sealed class TriangleLauncher<TSums> : ITriangleLauncher where TSums : unmanaged, ITermVector<TSums>
    {
        private readonly KernelEvaluator<TModel, TVec, TSum> _owner;
        private readonly Action<KernelConfig, ArrayView<double>, long, TModel, TVec, int, int, int, int, ArrayView<double>> _kernel;
        private readonly MemoryBuffer1D<double, Stride1D.Dense> _partials;
        private readonly double[] _hostPartials;

        public TriangleLauncher(KernelEvaluator<TModel, TVec, TSum> owner)
        {
            _owner = owner;
            _kernel = owner.Guard(KernelException.ScoreProducts, compiling: true, () =>
                owner.Owner.Device.Accelerator.LoadStreamKernel<ArrayView<double>, long, TModel, TVec, int, int, int, int, ArrayView<double>>(
                    LikelihoodKernels.ScoreProductsKernel<TModel, TVec, TSums, TSum>));
            _hostPartials = new double[owner._config.GridDim.X * TSums.Capacity];
            _partials = owner.Owner.Device.Accelerator.Allocate1D<double>(_hostPartials.Length);
        }

        public void Run(TVec arguments, double[] triangle)
        {
            int p = _owner.Terms - 1, groups = _owner._config.GridDim.X;
            int row = 0, column = 0;
            for (int first = 0; first < triangle.Length; first += TSums.Capacity)
            {
                int count = Math.Min(TSums.Capacity, triangle.Length - first);
                var (a, b) = (row, column);
                _owner.Guard(KernelException.ScoreProducts, compiling: false, () =>
                {
                    _kernel(_owner._config, _owner._data.View, _owner.Owner.Rows, _owner.Owner.Model, arguments, p, a, b, count, _partials.View);
                    _partials.View.AsContiguous().SubView(0, (long)groups * count).CopyToCPU(_hostPartials.AsSpan(0, groups * count));
                });
                for (int g = 0; g < groups; g++)
                {
                    for (int e = 0; e < count; e++)
                        triangle[first + e] += _hostPartials[g * count + e];
                }
                // The next block's first entry, walking the triangle row by row.
                for (int e = 0; e < count; e++)
                {
                    if (++column == p)
                        column = ++row;
                }
            }
        }

        public void Dispose() => _partials.Dispose();
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

    private void DisposeSweepBuffers()
    {
        _sweepArguments?.Dispose();
        _sweepPartials?.Dispose();
        _sweepSums?.Dispose();
    }

    public override void Dispose()
    {
        DisposeSweepBuffers();
        _triangle?.Dispose();
        _scoreOutput?.Dispose();
        (Hessian as IDisposable)?.Dispose();
        (LeastSquares as IDisposable)?.Dispose();
        _pointwiseOutput?.Dispose();
        _partials.Dispose();
        _data.Dispose();
    }
}
