using GpuEstimation.Backends;
using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Models;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEstimation.Engine;

/// <summary>
/// <see cref="LeastSquaresKernels.NormalEquationsKernel"/> on an accelerator, over its evaluator's row blocks:
/// the (P + 1)(P + 2)/2 sums of the augmented Gram matrix in runs of at most 64 per launch (one launch per row block
/// up to P = 9, every NIST problem), each row block's group partials read back and added in block, then group order.
/// </summary>
internal sealed class KernelLeastSquaresPass<TMean, TVec, TSum> : ILeastSquares, IDisposable
    where TMean : unmanaged, IMeanFunction<TMean>
    where TVec : unmanaged, ITermVector<TVec>
    where TSum : struct, IGroupSum
{
    private readonly TMean _mean;
    private readonly Backend _backend;
    private readonly string _modelName;
    private readonly KernelBlocks _blocks;
    private readonly SharedMemoryConfig _shared;
    private readonly int _entries;
    private readonly int _perLaunch;
    private readonly Action<KernelConfig, ArrayView<double>, long, TMean, TVec, int, int, int, int, ArrayView<double>> _kernel;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _partials;
    private readonly double[] _hostPartials;
    private readonly double[] _triangle;
    private readonly double[] _arguments = new double[TVec.Capacity];

    public KernelLeastSquaresPass(NonlinearRegressionModel<TMean> model, ComputeDevice device, string modelName, KernelBlocks blocks, SharedMemoryConfig shared)
    {
        _mean = model.Mean;
        _backend = device.Backend;
        _modelName = modelName;
        _blocks = blocks;
        _shared = shared;
        _entries = UpperTriangle.Entries(_mean.ParameterCount + 1);
        // The sums' vector as narrow as the triangle allows (registers).
        (_perLaunch, _kernel) = _entries switch
        {
            <= 8 => Load<Twice<Vec4>>(device),
            <= 16 => Load<Twice<Twice<Vec4>>>(device),
            <= 32 => Load<Twice<Twice<Twice<Vec4>>>>(device),
            _ => Load<Twice<Twice<Twice<Twice<Vec4>>>>>(device),
        };
        _triangle = new double[_entries];
        _hostPartials = new double[(long)(blocks.Count == 0 ? 1 : blocks.Groups(0)) * _entries];
        _partials = blocks.Accelerator.Allocate1D<double>(_hostPartials.Length);
    }

    public int MeanParameterCount => _mean.ParameterCount;

    private (int, Action<KernelConfig, ArrayView<double>, long, TMean, TVec, int, int, int, int, ArrayView<double>>) Load<TSums>(ComputeDevice device)
        where TSums : unmanaged, ITermVector<TSums>
    {
        try
        {
            return (TSums.Capacity, device.Single(KernelException.NormalEquations).LoadStreamKernel<ArrayView<double>, long, TMean, TVec, int, int, int, int, ArrayView<double>>(
                LeastSquaresKernels.NormalEquationsKernel<TMean, TVec, TSums, TSum>));
        }
        catch (Exception e)
        {
            throw new KernelException(device.Backend, KernelException.NormalEquations, _modelName, compiling: true, e);
        }
    }

    public double Evaluate(ReadOnlySpan<double> theta, Span<double> jacobianResidual, Span<double> gram)
    {
        var arguments = ModelArguments.OfMean<TMean, TVec>(_mean, theta, _arguments);
        int size = _mean.ParameterCount + 1;
        Array.Clear(_triangle);
        try
        {
            foreach (var (block, data) in _blocks.Walk(0, _blocks.Count))
            {
                int groups = _blocks.Groups(block);
                var config = _blocks.Config(block, _shared);
                int row = 0, column = 0;
                for (int first = 0; first < _entries; first += _perLaunch)
                {
                    int count = Math.Min(_perLaunch, _entries - first);
                    _kernel(config, data, _blocks.RowsOf(block), _mean, arguments, size - 1, row, column, count,
                        _partials.View.SubView((long)first * groups, (long)groups * count));
                    (row, column) = UpperTriangle.Advance(row, column, size, count);
                }
                _partials.View.AsContiguous().SubView(0, (long)groups * _entries).CopyToCPU(_hostPartials.AsSpan(0, groups * _entries));
                // Launch j wrote its count entries group by group from first · groups on: each added in block, then group order.
                for (int first = 0; first < _entries; first += _perLaunch)
                {
                    int count = Math.Min(_perLaunch, _entries - first);
                    for (int g = 0; g < groups; g++)
                    {
                        for (int e = 0; e < count; e++)
                            _triangle[first + e] += _hostPartials[(long)first * groups + (long)g * count + e];
                    }
                }
            }
        }
        catch (Exception e) when (e is not KernelException)
        {
            throw new KernelException(_backend, KernelException.NormalEquations, _modelName, compiling: false, e);
        }
        return LeastSquaresSums.Unpack(_triangle, size - 1, jacobianResidual, gram);
    }

    public void Dispose() => _partials.Dispose();
}
