using GpuEstimation.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEstimation.Engine;

/// <summary>
/// <see cref="LikelihoodKernels.HessianKernel"/> on an accelerator, over its evaluator's row blocks: the sums of
/// <see cref="HessianLayout"/> in runs of up to 32 per launch (the sums a thread keeps in registers; a P = 11 logit
/// takes 3 launches per block, P = 21 8), each launch writing its group partials into one buffer that is read back
/// once per block; the host adds each sum's partials in block, then group order.
/// </summary>
internal sealed class KernelHessianPass<TModel, TVec, TSum> : IHessianPass, IDisposable
    where TModel : unmanaged, ILinearPredictorModel<TModel>
    where TVec : unmanaged, ITermVector<TVec>
    where TSum : struct, IGroupSum
{
    private readonly LikelihoodEngine<TModel> _owner;
    private readonly KernelBlocks _blocks;
    private readonly SharedMemoryConfig _shared;
    private readonly HessianLayout _layout;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _entries;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _partials;
    private readonly double[] _hostPartials;
    private readonly double[] _sums;
    private readonly double[] _arguments = new double[TVec.Capacity];
    private readonly Action<KernelConfig, ArrayView<double>, long, TModel, TVec, ArrayView<int>, int, int, ArrayView<double>> _kernel;

    /// <summary>Sums per launch: the capacity of the per-thread sums.</summary>
    private static readonly int PerLaunch = Twice<Twice<Twice<Vec4>>>.Capacity;

    public KernelHessianPass(LikelihoodEngine<TModel> owner, KernelBlocks blocks, SharedMemoryConfig shared)
    {
        _owner = owner;
        _blocks = blocks;
        _shared = shared;
        var model = owner.Model;
        _layout = new HessianLayout(model.DesignWidth, model.ExtraParameters);
        var accelerator = owner.Device.Accelerator;
        try
        {
            _kernel = accelerator.LoadStreamKernel<ArrayView<double>, long, TModel, TVec, ArrayView<int>, int, int, ArrayView<double>>(
                LikelihoodKernels.HessianKernel<TModel, TVec, Twice<Twice<Twice<Vec4>>>, TSum>);
        }
        catch (Exception e)
        {
            throw new KernelException(owner.Device.Backend, KernelException.Hessian, owner.ModelName, compiling: true, e);
        }
        _entries = accelerator.Allocate1D(_layout.Entries);
        _sums = new double[_layout.Entries.Length];
        _hostPartials = new double[(long)(blocks.Count == 0 ? 1 : blocks.Groups(0)) * _sums.Length];
        _partials = accelerator.Allocate1D<double>(_hostPartials.Length);
    }

    public double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient, Span<double> hessian)
    {
        var model = _owner.Model;
        var arguments = ModelArguments.Of<TModel, TVec>(model, parameters, _arguments);
        int total = _sums.Length;
        Array.Clear(_sums);
        try
        {
            foreach (var (block, data) in _blocks.Walk(0, _blocks.Count))
            {
                int groups = _blocks.Groups(block);
                var config = _blocks.Config(block, _shared);
                for (int first = 0; first < total; first += PerLaunch)
                {
                    int count = Math.Min(PerLaunch, total - first);
                    _kernel(config, data, _blocks.RowsOf(block), model, arguments, _entries.View, first, count,
                        _partials.View.SubView((long)first * groups, (long)count * groups));
                }
                _partials.View.AsContiguous().SubView(0, (long)groups * total).CopyToCPU(_hostPartials.AsSpan(0, groups * total));
                // Launch j wrote its count sums group by group from first · groups on: each sum's partials added in
                // group order, after the blocks before.
                for (int first = 0; first < total; first += PerLaunch)
                {
                    int count = Math.Min(PerLaunch, total - first);
                    long offset = (long)first * groups;
                    for (int g = 0; g < groups; g++)
                    {
                        for (int k = 0; k < count; k++)
                            _sums[first + k] += _hostPartials[offset + (long)g * count + k];
                    }
                }
            }
        }
        catch (Exception e) when (e is not KernelException)
        {
            throw new KernelException(_owner.Device.Backend, KernelException.Hessian, _owner.ModelName, compiling: false, e);
        }
        double value = _layout.Assemble(_sums, gradient, hessian);
        TModel.Finish(model, parameters, gradient);
        TModel.FinishHessian(model, hessian);
        return value;
    }

    public void Dispose()
    {
        _partials.Dispose();
        _entries.Dispose();
    }
}
