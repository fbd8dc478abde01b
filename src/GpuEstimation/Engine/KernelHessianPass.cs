using GpuEstimation.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEstimation.Engine;

/// <summary>
/// <see cref="LikelihoodKernels.HessianKernel"/> on an accelerator, over its evaluator's row blocks, for designs of at
/// most one value (<see cref="HessianPasses.Kernel"/>'s choice: the families, one-column GLMs): the at most 6 sums of
/// <see cref="HessianLayout"/> in one launch per block, its group partials read back once per block; the host adds
/// each sum's partials in block, then group order.
/// </summary>
internal sealed class KernelHessianPass<TModel, TVec, TSum> : IHessianPass, IDisposable
    where TModel : unmanaged, ILinearPredictorModel<TModel>
    where TVec : unmanaged, ITermVector<TVec>
    where TSum : struct, IGroupSum
{
    private readonly LikelihoodEngine<TModel> _owner;
    private readonly Run[] _runs;
    private readonly KernelBlocks[] _blocks;
    private readonly HessianLayout _layout;
    private readonly double[] _sums;
    private readonly double[] _arguments = new double[TVec.Capacity];

    /// <summary>Sums per launch: the capacity of the per-thread sums (at least the 6 of a one-value design).</summary>
    private static readonly int PerLaunch = Twice<Vec4>.Capacity;

    /// <summary>
    /// One device's run of blocks (<see cref="KernelBlocks.Shards"/>) with its kernel and buffers; its blocks' partials
    /// are read back, block by block, into <see cref="HostPartials"/> (see <see cref="KernelBlocks.PartialsAt"/>).
    /// </summary>
    private sealed class Run : IDisposable
    {
        public required KernelBlocks Blocks { get; init; }
        public required Action<KernelConfig, ArrayView<double>, long, TModel, TVec, ArrayView<int>, int, int, ArrayView<double>> Kernel { get; init; }
        public required GroupShape Shape { get; init; }
        public required MemoryBuffer1D<int, Stride1D.Dense> Entries { get; init; }
        public required MemoryBuffer1D<double, Stride1D.Dense> Partials { get; init; }
        public required double[] HostPartials { get; init; }

        /// <summary>Partials of a block: the largest block's groups × the sums.</summary>
        public required long PerBlock { get; init; }

        public void Dispose()
        {
            Blocks.Accelerator.Bind();
            Partials.Dispose();
            Entries.Dispose();
        }
    }

    public KernelHessianPass(LikelihoodEngine<TModel> owner, KernelBlocks[] runs)
    {
        _owner = owner;
        var model = owner.Model;
        _layout = new HessianLayout(model.DesignWidth, model.ExtraParameters);
        _sums = new double[_layout.Entries.Length];
        DesignMap = DesignCoordinates.MapOf(model);
        _runs = new Run[runs.Length];
        _blocks = runs;
        long perBlock = (long)(runs[0].Count == 0 ? 1 : runs[0].Groups(0)) * _sums.Length;
        var hostPartials = KernelBlocks.HostPartials(runs, perBlock);
        try
        {
            for (int r = 0; r < runs.Length; r++)
            {
                var blocks = runs[r];
                var accelerator = blocks.Accelerator;
                accelerator.Bind();
                Action<KernelConfig, ArrayView<double>, long, TModel, TVec, ArrayView<int>, int, int, ArrayView<double>> kernel;
                try
                {
                    kernel = accelerator.LoadStreamKernel<ArrayView<double>, long, TModel, TVec, ArrayView<int>, int, int, ArrayView<double>>(
                        LikelihoodKernels.HessianKernel<TModel, TVec, Twice<Vec4>, TSum>);
                }
                catch (Exception e)
                {
                    throw new KernelException(owner.Device.Backend, KernelException.Hessian, owner.ModelName, compiling: true, e);
                }
                var entries = accelerator.Allocate1D(_layout.Entries);
                _runs[r] = new Run
                {
                    Blocks = blocks,
                    Kernel = kernel,
                    Shape = GroupShape.Of<TSum>(accelerator, kernel, blocks.GroupSize),
                    Entries = entries,
                    Partials = accelerator.Allocate1D<double>(perBlock),
                    HostPartials = hostPartials[r],
                    PerBlock = perBlock,
                };
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public double[]? DesignMap { get; }

    public double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient, Span<double> hessian)
    {
        var model = _owner.Model;
        var arguments = ModelArguments.Of<TModel, TVec>(model, parameters, _arguments);
        Array.Clear(_sums);
        try
        {
            KernelBlocks.ForEach(_blocks, r => Launch(_runs[r], model, arguments));
        }
        catch (Exception e) when (e is not KernelException)
        {
            throw new KernelException(_owner.Device.Backend, KernelException.Hessian, _owner.ModelName, compiling: false, e);
        }
        KernelBlocks.AddInBlockOrder(_blocks, _runs[0].HostPartials, _runs[0].PerBlock, block => Add(_runs[0], block));
        double value = _layout.Assemble(_sums, gradient, hessian);
        TModel.Finish(model, parameters, gradient);
        return value;
    }

    /// <summary>Block <paramref name="block"/>'s partials from <paramref name="run"/>'s host buffer, after the blocks before.</summary>
    private void Add(Run run, int block) =>
        KernelBlocks.AddLaunches(run.HostPartials, run.Blocks.PartialsAt(block, run.PerBlock), run.Blocks.Groups(block),
            _sums.Length, PerLaunch, _sums);

    /// <summary>One device's launches, each block's partials read back into their place (<see cref="KernelBlocks.PartialsAt"/>).</summary>
    private void Launch(Run run, TModel model, TVec arguments)
    {
        var blocks = run.Blocks;
        int total = _sums.Length;
        foreach (var (block, data) in blocks.Walk())
        {
            int groups = blocks.Groups(block);
            var config = blocks.Config(block, run.Shape);
            for (int first = 0; first < total; first += PerLaunch)
            {
                int count = Math.Min(PerLaunch, total - first);
                run.Kernel(config, data, blocks.RowsOf(block), model, arguments, run.Entries.View, first, count,
                    run.Partials.View.SubView((long)first * groups, (long)count * groups));
            }
            run.Partials.View.AsContiguous().SubView(0, (long)groups * total)
                .CopyToCPU(run.HostPartials.AsSpan((int)blocks.PartialsAt(block, run.PerBlock), groups * total));
            if (blocks.Alone)
                Add(run, block);
        }
    }

    public void Dispose()
    {
        foreach (var run in _runs)
            run?.Dispose();
    }
}
