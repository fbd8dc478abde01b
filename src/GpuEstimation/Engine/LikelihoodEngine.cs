using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using GpuEstimation.Backends;
using GpuEstimation.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEstimation.Engine;

/// <summary>
/// Evaluates one model's total log-likelihood and gradient over one dataset on one device. The data is uploaded
/// and the kernel loaded once, here; every <see cref="Evaluate"/> is then one launch and one small read-back (on the
/// native backend, one parallel pass over host memory).
/// </summary>
public sealed class LikelihoodEngine<TModel> : ILikelihoodEngine where TModel : unmanaged, ILikelihoodModel<TModel>
{
    private readonly IEvaluator _evaluator;

    /// <param name="device">The device; borrowed, not disposed here.</param>
    /// <param name="model">The model, with its fixed configuration.</param>
    /// <param name="columns">The model's data columns, in the order it reads them, all of one length.</param>
    public LikelihoodEngine(ComputeDevice device, TModel model, IReadOnlyList<double[]> columns)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count != model.ColumnCount)
            throw new ArgumentException($"the model reads {model.ColumnCount} columns, {columns.Count} were given", nameof(columns));
        if (columns.Any(c => c.Length != columns[0].Length))
            throw new ArgumentException("all columns must have the same length", nameof(columns));

        Device = device;
        Model = model;
        Rows = columns.Count == 0 ? 0 : columns[0].Length;
        // The term vector carries both the P + 1 sums and the model's per-evaluation arguments.
        int terms = Math.Max(model.ParameterCount + 1, TModel.ArgumentCount(model));
        _evaluator = terms switch
        {
            <= 4 => Create<Vec4>(columns),
            <= 8 => Create<Twice<Vec4>>(columns),
            <= 16 => Create<Twice<Twice<Vec4>>>(columns),
            <= 32 => Create<Twice<Twice<Twice<Vec4>>>>(columns),
            <= 64 => Create<Twice<Twice<Twice<Twice<Vec4>>>>>(columns),
            _ => throw new ArgumentException($"at most 63 parameters are supported, the model has {model.ParameterCount}", nameof(model)),
        };
    }

    /// <summary>The device that runs the kernel.</summary>
    public ComputeDevice Device { get; }

    /// <summary>The model.</summary>
    public TModel Model { get; }

    /// <summary>The number of observations.</summary>
    public int Rows { get; }

    /// <summary>The number of parameters.</summary>
    public int ParameterCount => Model.ParameterCount;

    /// <summary>
    /// The total log-likelihood at <paramref name="parameters"/> (natural scale); its gradient is written to
    /// <paramref name="gradient"/>. Both come from one pass over the data.
    /// </summary>
    public double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient)
    {
        if (parameters.Length != ParameterCount)
            throw new ArgumentException($"expected {ParameterCount} parameters, got {parameters.Length}", nameof(parameters));
        if (gradient.Length != ParameterCount)
            throw new ArgumentException($"expected room for {ParameterCount} gradient values, got {gradient.Length}", nameof(gradient));
        return _evaluator.Evaluate(parameters, gradient);
    }

    /// <summary>
    /// The log-likelihood at each of <paramref name="points"/> (natural-scale parameter vectors): one launch per tile
    /// of points over (point, data chunk), not one evaluation per point.
    /// </summary>
    public double[] LogLikelihoods(IReadOnlyList<double[]> points)
    {
        foreach (var point in points)
        {
            if (point.Length != ParameterCount)
                throw new ArgumentException($"expected {ParameterCount} parameters per point, got {point.Length}", nameof(points));
        }
        var output = new double[points.Count];
        if (points.Count > 0)
            _evaluator.Sweep(points, output);
        return output;
    }

    /// <summary>The log-density of each observation at <paramref name="parameters"/> (natural scale).</summary>
    public double[] LogDensities(ReadOnlySpan<double> parameters)
    {
        if (parameters.Length != ParameterCount)
            throw new ArgumentException($"expected {ParameterCount} parameters, got {parameters.Length}", nameof(parameters));
        var output = new double[Rows];
        _evaluator.Pointwise(parameters, output);
        return output;
    }

    public void Dispose() => _evaluator.Dispose();

    private IEvaluator Create<TVec>(IReadOnlyList<double[]> columns) where TVec : unmanaged, ITermVector<TVec> =>
        Device.Backend == Backend.Native ? new NativeEvaluator<TVec>(this, columns) : new KernelEvaluator<TVec>(this, columns);

    private interface IEvaluator : IDisposable
    {
        double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient);

        void Pointwise(ReadOnlySpan<double> parameters, double[] output);

        void Sweep(IReadOnlyList<double[]> points, double[] output);
    }

    /// <summary>What both evaluators share: the model's arguments for a point, and the ordered sum of partials.</summary>
    private abstract class Evaluator<TVec> : IEvaluator where TVec : unmanaged, ITermVector<TVec>
    {
        private readonly double[] _arguments = new double[TVec.Capacity];

        protected Evaluator(LikelihoodEngine<TModel> owner)
        {
            Owner = owner;
            Terms = owner.ParameterCount + 1;
        }

        protected LikelihoodEngine<TModel> Owner { get; }

        /// <summary>P + 1: the log-density and one gradient term per parameter.</summary>
        protected int Terms { get; }

        public abstract double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient);

        public abstract void Pointwise(ReadOnlySpan<double> parameters, double[] output);

        public abstract void Sweep(IReadOnlyList<double[]> points, double[] output);

        public abstract void Dispose();

        protected TVec Arguments(ReadOnlySpan<double> parameters)
        {
            Array.Clear(_arguments);
            TModel.Prepare(Owner.Model, parameters, _arguments);
            var arguments = default(TVec);
            for (int k = 0; k < _arguments.Length; k++)
                arguments.Set(k, _arguments[k]);
            return arguments;
        }

        /// <summary>Sums the partials in their fixed order (group or chunk 0, 1, 2, ...), so the result does not depend on scheduling.</summary>
        protected double Reduce(ReadOnlySpan<double> parameters, ReadOnlySpan<double> partials, Span<double> gradient)
        {
            double value = 0;
            gradient.Clear();
            for (int offset = 0; offset < partials.Length; offset += Terms)
            {
                value += partials[offset];
                for (int k = 1; k < Terms; k++)
                    gradient[k - 1] += partials[offset + k];
            }
            TModel.Finish(Owner.Model, parameters, gradient);
            return value;
        }
    }

    /// <summary>The ILGPU kernel on an accelerator: one launch and one read-back of the group partials per evaluation.</summary>
    private sealed class KernelEvaluator<TVec> : Evaluator<TVec> where TVec : unmanaged, ITermVector<TVec>
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
            // The group reduction keeps one double per warp in shared memory.
            _shared = SharedMemoryConfig.RequestDynamic<double>(Math.Max(1, device.GroupSize / accelerator.WarpSize));
            _config = new KernelConfig(groups, device.GroupSize, _shared);

            _kernel = accelerator.LoadStreamKernel<ArrayView<double>, long, TModel, TVec, int, ArrayView<double>>(
                LikelihoodKernels.ValueAndGradientKernel<TModel, TVec>);

            _data = accelerator.Allocate1D<double>(Math.Max(1, rows * columns.Count));
            for (int c = 0; c < columns.Count; c++)
            {
                if (rows > 0)
                    _data.View.SubView(c * rows, rows).CopyFromCPU(columns[c]);
            }
            _hostPartials = new double[groups * Terms];
            _partials = accelerator.Allocate1D<double>(_hostPartials.Length);
        }

        public override double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient)
        {
            _kernel(_config, _data.View, Owner.Rows, Owner.Model, Arguments(parameters), Terms, _partials.View);
            _partials.View.CopyToCPU(_hostPartials);
            return Reduce(parameters, _hostPartials, gradient);
        }

        public override void Pointwise(ReadOnlySpan<double> parameters, double[] output)
        {
            if (output.Length == 0)
                return;
            // Loaded on first use (most sessions never ask), then kept like the main kernel.
            _pointwise ??= Owner.Device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, long, TModel, TVec, ArrayView<double>>(
                LikelihoodKernels.PointwiseKernel<TModel, TVec>);
            _pointwiseOutput ??= Owner.Device.Accelerator.Allocate1D<double>(output.Length);
            _pointwise(output.Length, _data.View, Owner.Rows, Owner.Model, Arguments(parameters), _pointwiseOutput.View);
            _pointwiseOutput.View.CopyToCPU(output);
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
            _sweep ??= accelerator.LoadStreamKernel<ArrayView<double>, long, TModel, ArrayView<ValueOnly<TVec>>, long, ArrayView<double>>(
                LikelihoodKernels.SweepKernel<TModel, ValueOnly<TVec>>);
            _sumChunks ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, int, ArrayView<double>>(LikelihoodKernels.SumChunksKernel);
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
                _sweep(config, _data.View, rows, Owner.Model, arguments.View, chunkRows, partials.View);
                _sumChunks(count, partials.View, chunks, sums.View);
                sums.View.AsContiguous().SubView(0, count).CopyToCPU(output.AsSpan(first, count));
            }
        }

        private void DisposeSweepBuffers()
        {
            _sweepArguments?.Dispose();
            _sweepPartials?.Dispose();
            _sweepSums?.Dispose();
        }

        public override void Dispose()
        {
            DisposeSweepBuffers();
            _pointwiseOutput?.Dispose();
            _partials.Dispose();
            _data.Dispose();
        }
    }

    /// <summary>
    /// The native backend: the model's own Accumulate in host loops over fixed chunks of rows, the chunks shared among
    /// the worker threads. The chunk partition and the order in which chunk partials are added do not depend on the
    /// number of threads, so the result is the same, to the bit, with any thread count. Within a chunk four
    /// interleaved accumulators break the dependency chain of the sums.
    /// </summary>
    private sealed unsafe class NativeEvaluator<TVec> : Evaluator<TVec> where TVec : unmanaged, ITermVector<TVec>
    {
        /// <summary>Rows per chunk: the unit of work and of the fixed-order sum.</summary>
        private const int ChunkRows = 1 << 15;

        private readonly double* _data;
        private readonly TVec[] _chunkSums;
        private readonly double[] _partials;
        private readonly ParallelOptions _parallel;

        public NativeEvaluator(LikelihoodEngine<TModel> owner, IReadOnlyList<double[]> columns) : base(owner)
        {
            long rows = owner.Rows;
            _data = (double*)NativeMemory.AlignedAlloc((nuint)(Math.Max(1, rows * columns.Count) * sizeof(double)), 64);
            for (int c = 0; c < columns.Count; c++)
                columns[c].AsSpan().CopyTo(new Span<double>(_data + c * rows, (int)rows));
            int chunks = (int)Math.Max(1, (rows + ChunkRows - 1) / ChunkRows);
            _chunkSums = new TVec[chunks];
            _partials = new double[chunks * Terms];
            _parallel = new ParallelOptions { MaxDegreeOfParallelism = owner.Device.Threads };
        }

        public override double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient)
        {
            var arguments = Arguments(parameters);
            var data = new HostRows(_data, Owner.Rows);
            var model = Owner.Model;
            long rows = Owner.Rows;
            var sums = _chunkSums;
            void Chunk(int c)
            {
                var (begin, end) = ChunkRange(c, rows);
                sums[c] = SumChunk(model, arguments, data, begin, end);
            }
            if (sums.Length == 1 || _parallel.MaxDegreeOfParallelism == 1)
            {
                for (int c = 0; c < sums.Length; c++)
                    Chunk(c);
            }
            else
            {
                Parallel.For(0, sums.Length, _parallel, Chunk);
            }
            for (int c = 0; c < sums.Length; c++)
            {
                for (int k = 0; k < Terms; k++)
                    _partials[c * Terms + k] = sums[c].Get(k);
            }
            return Reduce(parameters, _partials, gradient);
        }

        public override void Pointwise(ReadOnlySpan<double> parameters, double[] output)
        {
            var arguments = Arguments(parameters);
            var data = new HostRows(_data, Owner.Rows);
            var model = Owner.Model;
            Parallel.For(0, _chunkSums.Length, _parallel, c =>
            {
                var (begin, end) = ChunkRange(c, Owner.Rows);
                for (long row = begin; row < end; row++)
                {
                    var terms = default(TVec);
                    TModel.Accumulate(model, arguments, data, row, ref terms);
                    output[row] = terms.Get(0);
                }
            });
        }

        public override void Sweep(IReadOnlyList<double[]> points, double[] output)
        {
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
            // sums are independent chains for the arithmetic units. Blocks keep all cores busy on small data too.
            const int block = 64;
            int blocks = (arguments.Length + block - 1) / block;
            var partials = new double[(long)points.Count * chunks];
            Parallel.For(0L, (long)chunks * blocks, _parallel, item =>
            {
                int c = (int)(item / blocks);
                var (begin, end) = ChunkRange(c, rows);
                int p = (int)(item % blocks) * block, last = Math.Min(arguments.Length, p + block);
                for (; p + 3 < last; p += 4)
                {
                    var (v0, v1, v2, v3) = SumChunkFourPoints(model, arguments[p], arguments[p + 1], arguments[p + 2], arguments[p + 3], data, begin, end);
                    partials[(long)p * chunks + c] = v0;
                    partials[(long)(p + 1) * chunks + c] = v1;
                    partials[(long)(p + 2) * chunks + c] = v2;
                    partials[(long)(p + 3) * chunks + c] = v3;
                }
                for (; p < last; p++)
                    partials[(long)p * chunks + c] = SumChunk(model, arguments[p], data, begin, end).Get(0);
            });
            for (int p = 0; p < points.Count; p++)
            {
                double sum = 0;
                for (int c = 0; c < chunks; c++)
                    sum += partials[(long)p * chunks + c];
                output[p] = sum;
            }
        }

        public override void Dispose() => NativeMemory.AlignedFree(_data);

        // Rows [begin, end) of chunk c: the one partition every native pass uses.
        private static (long Begin, long End) ChunkRange(int c, long rows) =>
            ((long)c * ChunkRows, Math.Min(rows, (long)(c + 1) * ChunkRows));

        // The log-likelihood terms of rows [begin, end) at four points, one sum per point.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static (double, double, double, double) SumChunkFourPoints<TSums>(
            TModel model, TSums a0, TSums a1, TSums a2, TSums a3, HostRows data, long begin, long end)
            where TSums : unmanaged, ITermVector<TSums>
        {
            var s0 = default(TSums);
            var s1 = default(TSums);
            var s2 = default(TSums);
            var s3 = default(TSums);
            for (long row = begin; row < end; row++)
            {
                TModel.Accumulate(model, a0, data, row, ref s0);
                TModel.Accumulate(model, a1, data, row, ref s1);
                TModel.Accumulate(model, a2, data, row, ref s2);
                TModel.Accumulate(model, a3, data, row, ref s3);
            }
            return (s0.Get(0), s1.Get(0), s2.Get(0), s3.Get(0));
        }

        // Fully optimized from the first call: a fit may be over before tiered compilation would promote it.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static TSums SumChunk<TSums>(TModel model, TSums arguments, HostRows data, long begin, long end)
            where TSums : unmanaged, ITermVector<TSums>
        {
            var s0 = default(TSums);
            var s1 = default(TSums);
            var s2 = default(TSums);
            var s3 = default(TSums);
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
            for (int k = 0; k < TSums.Capacity; k++)
                s0.Set(k, (s0.Get(k) + s1.Get(k)) + (s2.Get(k) + s3.Get(k)));
            return s0;
        }
    }
}
