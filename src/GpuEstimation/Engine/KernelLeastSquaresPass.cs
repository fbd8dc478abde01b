using GpuEstimation.Backends;
using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Models;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEstimation.Engine;

/// <summary>
/// <see cref="LeastSquaresKernels.NormalEquationsKernel"/> on an accelerator, over the data its evaluator uploaded:
/// the (P + 1)(P + 2)/2 sums of the augmented Gram matrix in blocks of at most 64 per launch (one launch up to
/// P = 9, every NIST problem), each block's group partials read back and added in group order.
/// </summary>
internal sealed class KernelLeastSquaresPass<TMean, TVec, TSum> : ILeastSquares, IDisposable
    where TMean : unmanaged, IMeanFunction<TMean>
    where TVec : unmanaged, ITermVector<TVec>
    where TSum : struct, IGroupSum
{
    private readonly TMean _mean;
    private readonly long _rows;
    private readonly Backend _backend;
    private readonly string _modelName;
    private readonly ArrayView<double> _data;
    private readonly KernelConfig _config;
    private readonly int _entries;
    private readonly int _perLaunch;
    private readonly Action<KernelConfig, ArrayView<double>, long, TMean, TVec, int, int, int, int, ArrayView<double>> _kernel;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _partials;
    private readonly double[] _hostPartials;
    private readonly double[] _triangle;
    private readonly double[] _arguments = new double[TVec.Capacity];

    public KernelLeastSquaresPass(NonlinearRegressionModel<TMean> model, int rows, ComputeDevice device, string modelName, ArrayView<double> data, KernelConfig config)
    {
        _mean = model.Mean;
        _rows = rows;
        _backend = device.Backend;
        _modelName = modelName;
        _data = data;
        _config = config;
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
        _hostPartials = new double[(long)config.GridDim.X * _perLaunch];
        _partials = device.Accelerator.Allocate1D<double>(_hostPartials.Length);
    }

    public int MeanParameterCount => _mean.ParameterCount;

    private (int, Action<KernelConfig, ArrayView<double>, long, TMean, TVec, int, int, int, int, ArrayView<double>>) Load<TSums>(ComputeDevice device)
        where TSums : unmanaged, ITermVector<TSums>
    {
        try
        {
            return (TSums.Capacity, device.Accelerator.LoadStreamKernel<ArrayView<double>, long, TMean, TVec, int, int, int, int, ArrayView<double>>(
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
        int size = _mean.ParameterCount + 1, groups = _config.GridDim.X;
        Array.Clear(_triangle);
        int row = 0, column = 0;
        for (int first = 0; first < _entries; first += _perLaunch)
        {
            int count = Math.Min(_perLaunch, _entries - first);
            try
            {
                _kernel(_config, _data, _rows, _mean, arguments, size - 1, row, column, count, _partials.View);
                _partials.View.AsContiguous().SubView(0, (long)groups * count).CopyToCPU(_hostPartials.AsSpan(0, groups * count));
            }
            catch (Exception e)
            {
                throw new KernelException(_backend, KernelException.NormalEquations, _modelName, compiling: false, e);
            }
            for (int g = 0; g < groups; g++)
            {
                for (int e = 0; e < count; e++)
                    _triangle[first + e] += _hostPartials[(long)g * count + e];
            }
            (row, column) = UpperTriangle.Advance(row, column, size, count);
        }
        return LeastSquaresSums.Unpack(_triangle, size - 1, jacobianResidual, gram);
    }

    public void Dispose() => _partials.Dispose();
}
