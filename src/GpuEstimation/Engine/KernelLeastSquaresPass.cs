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
/// On several devices each runs its run of blocks (<see cref="KernelBlocks.Shards"/>) from its own host thread, with
/// its own kernel and buffers, and the partials are added in the same order after all the runs.
/// </summary>
internal sealed class KernelLeastSquaresPass<TMean, TVec, TSum> : ILeastSquares, IDisposable
    where TMean : unmanaged, IMeanFunction<TMean>
    where TVec : unmanaged, ITermVector<TVec>
    where TSum : struct, IGroupSum
{
    private readonly TMean _mean;
    private readonly Backend _backend;
    private readonly string _modelName;
    private readonly KernelBlocks[] _runs;
    private readonly GroupShape[] _shapes;
    private readonly int _entries;
    private readonly int _perLaunch;
    private readonly long _perBlock;
    private readonly Action<KernelConfig, ArrayView<double>, long, TMean, TVec, int, int, int, int, ArrayView<double>>[] _kernels;
    private readonly MemoryBuffer1D<double, Stride1D.Dense>?[] _partials;
    // Per run: its blocks' partials, each the largest block's groups × the entries (KernelBlocks.PartialsAt).
    private readonly double[][] _hostPartials;
    private readonly double[] _triangle;
    private readonly double[] _arguments = new double[TVec.Capacity];

    public KernelLeastSquaresPass(NonlinearRegressionModel<TMean> model, ComputeDevice device, string modelName, KernelBlocks[] runs)
    {
        _mean = model.Mean;
        _backend = device.Backend;
        _modelName = modelName;
        _runs = runs;
        _shapes = new GroupShape[runs.Length];
        _entries = UpperTriangle.Entries(_mean.ParameterCount + 1);
        _triangle = new double[_entries];
        _perBlock = (long)(runs[0].Count == 0 ? 1 : runs[0].Groups(0)) * _entries;
        _kernels = new Action<KernelConfig, ArrayView<double>, long, TMean, TVec, int, int, int, int, ArrayView<double>>[runs.Length];
        _partials = new MemoryBuffer1D<double, Stride1D.Dense>?[runs.Length];
        _hostPartials = KernelBlocks.HostPartials(runs, _perBlock);
        try
        {
            for (int r = 0; r < runs.Length; r++)
            {
                var accelerator = runs[r].Accelerator;
                accelerator.Bind();
                // The sums' vector as narrow as the triangle allows (registers).
                (_perLaunch, _kernels[r]) = _entries switch
                {
                    <= 8 => Load<Twice<Vec4>>(accelerator),
                    <= 16 => Load<Twice<Twice<Vec4>>>(accelerator),
                    <= 32 => Load<Twice<Twice<Twice<Vec4>>>>(accelerator),
                    _ => Load<Twice<Twice<Twice<Twice<Vec4>>>>>(accelerator),
                };
                _shapes[r] = GroupShape.Of<TSum>(accelerator, _kernels[r], runs[r].GroupSize);
                _partials[r] = accelerator.Allocate1D<double>(_perBlock);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int MeanParameterCount => _mean.ParameterCount;

    private (int, Action<KernelConfig, ArrayView<double>, long, TMean, TVec, int, int, int, int, ArrayView<double>>) Load<TSums>(Accelerator accelerator)
        where TSums : unmanaged, ITermVector<TSums>
    {
        try
        {
            return (TSums.Capacity, accelerator.LoadStreamKernel<ArrayView<double>, long, TMean, TVec, int, int, int, int, ArrayView<double>>(
                LeastSquaresKernels.NormalEquationsKernel<TMean, TVec, TSums, TSum>));
        }
        catch (Exception e)
        {
            throw new KernelException(_backend, KernelException.NormalEquations, _modelName, compiling: true, e);
        }
    }

    public double Evaluate(ReadOnlySpan<double> theta, Span<double> jacobianResidual, Span<double> gram)
    {
        var arguments = ModelArguments.OfMean<TMean, TVec>(_mean, theta, _arguments);
        int size = _mean.ParameterCount + 1;
        Array.Clear(_triangle);
        try
        {
            KernelBlocks.ForEach(_runs, r => Launch(r, arguments, size));
        }
        catch (Exception e) when (e is not KernelException)
        {
            throw new KernelException(_backend, KernelException.NormalEquations, _modelName, compiling: false, e);
        }
        KernelBlocks.AddInBlockOrder(_runs, _hostPartials[0], _perBlock, block => Add(0, block));
        return LeastSquaresSums.Unpack(_triangle, size - 1, jacobianResidual, gram);
    }

    /// <summary>Block <paramref name="block"/>'s partials from run <paramref name="r"/>'s host buffer, after the blocks before.</summary>
    private void Add(int r, int block) =>
        KernelBlocks.AddLaunches(_hostPartials[r], _runs[r].PartialsAt(block, _perBlock), _runs[r].Groups(block), _entries, _perLaunch, _triangle);

    /// <summary>Run <paramref name="r"/>'s launches, each block's partials read back into their place (<see cref="KernelBlocks.PartialsAt"/>).</summary>
    private void Launch(int r, TVec arguments, int size)
    {
        var blocks = _runs[r];
        var (kernel, partials) = (_kernels[r], _partials[r]!);
        foreach (var (block, data) in blocks.Walk())
        {
            int groups = blocks.Groups(block);
            var config = blocks.Config(block, _shapes[r]);
            int row = 0, column = 0;
            for (int first = 0; first < _entries; first += _perLaunch)
            {
                int count = Math.Min(_perLaunch, _entries - first);
                kernel(config, data, blocks.RowsOf(block), _mean, arguments, size - 1, row, column, count,
                    partials.View.SubView((long)first * groups, (long)groups * count));
                (row, column) = UpperTriangle.Advance(row, column, size, count);
            }
            partials.View.AsContiguous().SubView(0, (long)groups * _entries)
                .CopyToCPU(_hostPartials[r].AsSpan((int)blocks.PartialsAt(block, _perBlock), groups * _entries));
            if (blocks.Alone)
                Add(r, block);
        }
    }

    public void Dispose()
    {
        for (int r = 0; r < _partials.Length; r++)
        {
            _runs[r].Accelerator.Bind();
            _partials[r]?.Dispose();
        }
    }
}
