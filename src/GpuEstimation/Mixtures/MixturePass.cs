using System.Runtime.InteropServices;
using GpuEstimation.Backends;
using GpuEstimation.Engine;
using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Mixtures;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEstimation.Mixtures;

/// <summary>
/// One E-step and the M-step's sufficient statistics over all rows: the data uploaded once, then each
/// <see cref="Run"/> is one pass (on an accelerator, one launch per block of statistics) and a fixed-order sum.
/// </summary>
internal abstract class MixturePass : IDisposable
{
    /// <summary>The largest dimension a pass holds in registers.</summary>
    public const int MaxDimensions = 32;

    /// <summary>The most components a pass holds in registers.</summary>
    public const int MaxComponents = 16;

    protected MixturePass(int dimensions, int components, bool diagonal)
    {
        Dimensions = dimensions;
        Components = components;
        Diagonal = diagonal;
    }

    public int Dimensions { get; }

    public int Components { get; }

    public bool Diagonal { get; }

    /// <summary>
    /// The log-likelihood at the packed parameters (<see cref="GaussianMixtureRow"/>), and into
    /// <paramref name="sums"/> the statistic of each code (<see cref="GaussianMixtureRow.Code"/>).
    /// </summary>
    public abstract double Run(double[] packed, int[] codes, double[] sums);

    public abstract void Dispose();

    /// <summary>Each row's responsibilities, <c>output[row · K + k]</c>, and its log-density (host passes only).</summary>
    public virtual void Responsibilities(double[] packed, double[] output, double[] logDensity) =>
        throw new NotSupportedException("responsibilities are computed by the native pass");

    /// <summary>
    /// The observed information's row sums for the weights and means (upper triangle, row by row) and each component's
    /// Σ rₖ, at the packed parameters with <paramref name="weights"/> and each component's precision (host passes only).
    /// </summary>
    public virtual (double[] Upper, double[] Counts) Information(double[] packed, double[] weights, double[][] precisions) =>
        throw new NotSupportedException("the information is summed by the native pass");

    /// <summary>Opens the pass for <paramref name="device"/>'s backend over the columns (each n long).</summary>
    public static MixturePass Open(ComputeDevice device, IReadOnlyList<double[]> columns, int components, bool diagonal)
    {
        if (device.Backend == Backend.Native)
            return new NativeMixturePass(device, columns, components, diagonal);
        int d = columns.Count;
        int statistics = StatisticCount(d, components, diagonal);
        var sums = VectorType(Math.Clamp(statistics, 16, 64));
        var sum = device.Backend == Backend.OpenCL ? typeof(SharedTreeSum) : typeof(WarpShuffleSum);
        var type = typeof(KernelMixturePass<,,,>).MakeGenericType(VectorType(d), VectorType(components), sums, sum);
        try
        {
            return (MixturePass)Activator.CreateInstance(type, device, columns, components, diagonal)!;
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    /// <summary>Σ r, Σ r x and Σ r x xᵀ (or its diagonal) of every component: the statistics of an EM step.</summary>
    protected static int StatisticCount(int dimensions, int components, bool diagonal) =>
        components * (1 + dimensions + (diagonal ? dimensions : dimensions * (dimensions + 1) / 2));

    /// <summary>The narrowest term vector holding <paramref name="count"/> values (4 … 64).</summary>
    public static Type VectorType(int count) => count switch
    {
        <= 4 => typeof(Vec4),
        <= 8 => typeof(Twice<Vec4>),
        <= 16 => typeof(Twice<Twice<Vec4>>),
        <= 32 => typeof(Twice<Twice<Twice<Vec4>>>),
        _ => typeof(Twice<Twice<Twice<Twice<Vec4>>>>),
    };
}

/// <summary>
/// An ILGPU accelerator (CUDA, OpenCL, the CPU accelerator): <see cref="GaussianMixtureKernels.StatisticsKernel"/> in
/// launches of at most <typeparamref name="TSums"/>'s capacity of statistics each, over the data's row blocks
/// (<see cref="KernelBlocks"/>: resident, or streamed past the device's memory), each block's group partials read back
/// and added in block, then group order.
/// </summary>
internal sealed class KernelMixturePass<TX, TK, TSums, TSum> : MixturePass
    where TX : unmanaged, ITermVector<TX>
    where TK : unmanaged, ITermVector<TK>
    where TSums : unmanaged, ITermVector<TSums>
    where TSum : struct, IGroupSum
{
    private readonly ComputeDevice _device;
    private readonly KernelBlocks _blocks;
    private readonly SharedMemoryConfig _shared;
    private MemoryBuffer1D<double, Stride1D.Dense>? _parameters;
    private MemoryBuffer1D<int, Stride1D.Dense>? _codes;
    private int[]? _uploadedCodes;
    private MemoryBuffer1D<double, Stride1D.Dense> _partials;
    private double[] _hostPartials;
    private readonly Action<KernelConfig, ArrayView<double>, long, int, int, int, ArrayView<double>, ArrayView<int>, int, int, ArrayView<double>> _kernel;

    public KernelMixturePass(ComputeDevice device, IReadOnlyList<double[]> columns, int components, bool diagonal)
        : base(columns.Count, components, diagonal)
    {
        _device = device;
        var accelerator = device.Single("Gaussian-mixture statistics");
        int dynamicDoubles = TSum.DynamicDoubles(device.GroupSize, accelerator.WarpSize);
        _shared = dynamicDoubles > 0 ? SharedMemoryConfig.RequestDynamic<double>(dynamicDoubles) : default;
        try
        {
            _kernel = accelerator.LoadStreamKernel<ArrayView<double>, long, int, int, int, ArrayView<double>, ArrayView<int>, int, int, ArrayView<double>>(
                GaussianMixtureKernels.StatisticsKernel<TX, TK, TSums, TSum>);
        }
        catch (Exception e)
        {
            throw new KernelException(device.Backend, "Gaussian-mixture statistics", "gaussian-mixture", compiling: true, e);
        }
        _blocks = new KernelBlocks(device, accelerator, columns, columns[0].LongLength);
        int launches = Math.Max(1, (StatisticCount(columns.Count, components, diagonal) + TSums.Capacity - 1) / TSums.Capacity);
        _hostPartials = new double[(long)(_blocks.Count == 0 ? 1 : _blocks.Groups(0)) * launches * (TSums.Capacity + 1)];
        _partials = accelerator.Allocate1D<double>(_hostPartials.Length);
    }

    public override double Run(double[] packed, int[] codes, double[] sums)
    {
        var accelerator = _blocks.Accelerator;
        if (_parameters is null || _parameters.Length != packed.Length)
        {
            _parameters?.Dispose();
            _parameters = accelerator.Allocate1D<double>(packed.Length);
        }
        _parameters.View.CopyFromCPU(packed);
        if (!ReferenceEquals(_uploadedCodes, codes))
        {
            _codes?.Dispose();
            _codes = accelerator.Allocate1D<int>(Math.Max(1, codes.Length));
            if (codes.Length > 0)
                _codes.View.CopyFromCPU(codes);
            _uploadedCodes = codes;
        }
        double logLikelihood = 0;
        int launches = Math.Max(1, (codes.Length + TSums.Capacity - 1) / TSums.Capacity);
        Array.Clear(sums, 0, codes.Length);
        long needed = (long)(_blocks.Count == 0 ? 1 : _blocks.Groups(0)) * launches * (TSums.Capacity + 1);
        if (needed > _hostPartials.Length)
        {
            _partials.Dispose();
            _hostPartials = new double[needed];
            _partials = accelerator.Allocate1D<double>(needed);
        }
        try
        {
            foreach (var (block, data) in _blocks.Walk(0, _blocks.Count))
            {
                // Launch j's partials at j · groups · (capacity + 1), read back once per block.
                int groups = _blocks.Groups(block), stride = groups * (TSums.Capacity + 1);
                var config = _blocks.Config(block, _shared);
                for (int launch = 0; launch < launches; launch++)
                {
                    int first = launch * TSums.Capacity, count = Math.Min(TSums.Capacity, codes.Length - first);
                    _kernel(config, data, _blocks.RowsOf(block), Dimensions, Components, Diagonal ? 1 : 0, _parameters.View, _codes!.View, first, count,
                        _partials.View.SubView((long)launch * stride, (long)groups * (count + 1)));
                }
                _partials.View.AsContiguous().SubView(0, (long)launches * stride).CopyToCPU(_hostPartials.AsSpan(0, launches * stride));
                // Each statistic's partials in group order after the blocks before; the log-likelihood from launch 0.
                for (int launch = 0; launch < launches; launch++)
                {
                    int first = launch * TSums.Capacity, count = Math.Min(TSums.Capacity, codes.Length - first), terms = count + 1;
                    int at = launch * stride;
                    for (int e = 0; e < count; e++)
                    {
                        double sum = sums[first + e];
                        for (int g = 0; g < groups; g++)
                            sum += _hostPartials[at + g * terms + 1 + e];
                        sums[first + e] = sum;
                    }
                    if (launch == 0)
                    {
                        for (int g = 0; g < groups; g++)
                            logLikelihood += _hostPartials[at + g * terms];
                    }
                }
            }
        }
        catch (Exception e) when (e is not KernelException)
        {
            throw new KernelException(_device.Backend, "Gaussian-mixture statistics", "gaussian-mixture", compiling: false, e);
        }
        return logLikelihood;
    }

    public override void Dispose()
    {
        _blocks.Dispose();
        _partials.Dispose();
        _parameters?.Dispose();
        _codes?.Dispose();
    }
}
