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
    /// <summary>The largest dimension a pass holds (the kernel's per-thread row).</summary>
    public const int MaxDimensions = GaussianMixtureKernels.MaxDimensions;

    /// <summary>The most components a pass holds.</summary>
    public const int MaxComponents = GaussianMixtureKernels.MaxComponents;

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

    /// <summary>The data's row blocks streamed through the device because they do not fit there, and all of them (none on the host).</summary>
    public virtual (int Streamed, int Count) RowBlocks => (0, 0);

    public abstract void Dispose();

    /// <summary>Each row's responsibilities, <c>output[row · K + k]</c>, and its log-density (host passes only).</summary>
    public virtual void Responsibilities(double[] packed, double[] output, double[] logDensity) =>
        throw new NotSupportedException("responsibilities are computed by the native pass");

    /// <summary>
    /// The observed information's row sums in the parameters <paramref name="layout"/> lays out, at the packed parameters
    /// with <paramref name="weights"/> and each component's precision (host passes only).
    /// </summary>
    public virtual InformationSums Information(double[] packed, double[] weights, double[][] precisions, InformationLayout layout) =>
        throw new NotSupportedException("the information is summed by the native pass");

    /// <summary>Opens the pass for <paramref name="device"/>'s backend over the columns (each n long).</summary>
    public static MixturePass Open(ComputeDevice device, IReadOnlyList<ReadOnlyMemory<double>> columns, int components, bool diagonal)
    {
        if (device.Backend == Backend.Native)
            return new NativeMixturePass(device, columns, components, diagonal);
        int d = columns.Count;
        int statistics = StatisticCount(d, components, diagonal);
        // Each thread of a group owns up to 16 statistics: all of them in one launch where a group is large enough.
        int perThread = (int)Math.Clamp((statistics + device.GroupSize - 1L) / Math.Max(1, device.GroupSize), 4, 16);
        var sums = VectorType(perThread);
        var sum = GroupSumType(device);
        var type = typeof(KernelMixturePass<,>).MakeGenericType(sums, sum);
        var kernel = typeof(GaussianMixtureKernels).GetMethod(nameof(GaussianMixtureKernels.StatisticsKernel))!
            .MakeGenericMethod(UnrolledType(sums), sums, sum);
        return Create(type, kernel, device, columns, components, diagonal, owned: true);
    }

    /// <summary>
    /// The pass of a one-column mixture of normals (<see cref="NormalMixtureStatistics"/>): <see cref="Open"/>'s for one
    /// dimension, diagonal, whose <see cref="Run"/> takes only that mixture's statistics (Σ rₖ, Σ rₖ x, Σ rₖ x² per
    /// component, <see cref="NormalCodes"/>); on a device its kernel is
    /// <see cref="GaussianMixtureKernels.NormalStatisticsKernel"/> (a row a thread, every statistic in registers, the
    /// components' loops unrolled), which agrees with the general one to rounding.
    /// </summary>
    public static MixturePass OpenNormal(ComputeDevice device, double[] column, int components)
    {
        if (device.Backend == Backend.Native)
            return new NativeMixturePass(device, [column], components, diagonal: true);
        var sums = VectorType(Math.Clamp(StatisticCount(1, components, diagonal: true), 16, 64));
        var sum = GroupSumType(device);
        var unroll = UnrolledType(VectorType(components));
        var type = typeof(KernelMixturePass<,>).MakeGenericType(sums, sum);
        var kernel = typeof(GaussianMixtureKernels).GetMethod(nameof(GaussianMixtureKernels.NormalStatisticsKernel))!
            .MakeGenericMethod(unroll, VectorType(components), sums, sum);
        return Create(type, kernel, device, [column], components, diagonal: true, owned: false, NormalCodes(components));
    }

    /// <summary>The statistics of a one-column normal mixture: (k, 1, 1), (k, 0, 1), (k, 0, 0) for each component k.</summary>
    public static int[] NormalCodes(int components)
    {
        var codes = new int[3 * components];
        for (int c = 0; c < components; c++)
        {
            codes[3 * c] = GaussianMixtureRow.Code(c, 1, 1);
            codes[3 * c + 1] = GaussianMixtureRow.Code(c, 0, 1);
            codes[3 * c + 2] = GaussianMixtureRow.Code(c, 0, 0);
        }
        return codes;
    }

    private static MixturePass Create(Type type, System.Reflection.MethodInfo kernel, ComputeDevice device, IReadOnlyList<ReadOnlyMemory<double>> columns,
        int components, bool diagonal, bool owned, int[]? onlyCodes = null)
    {
        try
        {
            return (MixturePass)Activator.CreateInstance(type, device, columns, components, diagonal, kernel, owned, onlyCodes)!;
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

    /// <summary>The group sum the device's code generator can emit: a shared-memory tree on OpenCL, warp shuffles else.</summary>
    private static Type GroupSumType(ComputeDevice device) => device.Backend == Backend.OpenCL ? typeof(SharedTreeSum) : typeof(WarpShuffleSum);

    /// <summary>The unrolled loop (<see cref="IUnrolled"/>) of as many iterations as <paramref name="vector"/>'s capacity.</summary>
    private static Type UnrolledType(Type vector) =>
        vector == typeof(Vec4) ? typeof(Unrolled4) : typeof(UnrolledTwice<>).MakeGenericType(UnrolledType(vector.GetGenericArguments()[0]));

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
/// An ILGPU accelerator (CUDA, OpenCL, the CPU accelerator): <see cref="GaussianMixtureKernels.StatisticsKernel"/> (or
/// <see cref="GaussianMixtureKernels.NormalStatisticsKernel"/>, <see cref="MixturePass.OpenNormal"/>) in
/// launches of at most <see cref="_perLaunch"/> statistics each (<typeparamref name="TSums"/>'s capacity a thread, or
/// in all where each thread sums every statistic), over the data's row blocks
/// (<see cref="KernelBlocks"/>: resident, or streamed past the device's memory), each block's group partials read back
/// and added in block, then group order. On several devices each runs its run of blocks (<see cref="KernelBlocks.Shards"/>)
/// from its own host thread with its own kernel and buffers, the partials added in the same order after all the runs.
/// </summary>
internal sealed class KernelMixturePass<TSums, TSum> : MixturePass
    where TSums : unmanaged, ITermVector<TSums>
    where TSum : struct, IGroupSum
{
    private const string Pass = "Gaussian-mixture statistics";

    private readonly ComputeDevice _device;
    private readonly DeviceRun[] _runs = [];
    private readonly KernelBlocks[] _blockRuns = [];

    /// <inheritdoc/>
    public override (int Streamed, int Count) RowBlocks => _blockRuns.Length == 0 ? (0, 0) : (_blockRuns[0].StreamedInJob, _blockRuns[0].Count);
    private int[]? _uploadedCodes;
    private readonly int[]? _onlyCodes;
    // The statistics one launch sums: where each thread owns its own statistics (the general kernel), TSums' capacity
    // times the smallest group of this rank's runs, the smallest of that among the ranks; TSums' capacity where each
    // thread sums all (the normal mixture's).
    private readonly int _perLaunch;
    // The log-likelihood of the pass under way, added with the statistics.
    private double _logLikelihood;

    /// <summary>One device's run of blocks with its kernel and buffers; its blocks' partials on the host, block after block.</summary>
    private sealed class DeviceRun : IDisposable
    {
        public required KernelBlocks Blocks { get; init; }
        public required Action<KernelConfig, ArrayView<double>, long, int, int, int, ArrayView<double>, ArrayView<int>, int, int, ArrayView<double>> Kernel { get; init; }
        public required GroupShape Shape { get; init; }
        public MemoryBuffer1D<double, Stride1D.Dense>? Parameters;
        public MemoryBuffer1D<int, Stride1D.Dense>? Codes;
        public MemoryBuffer1D<double, Stride1D.Dense>? Partials;
        public double[] HostPartials = [];
        // The partials of a block that HostPartials was made for (0: not yet made).
        public long PerBlock;

        public void Dispose()
        {
            Blocks.Accelerator.Bind();
            Partials?.Dispose();
            Parameters?.Dispose();
            Codes?.Dispose();
            Blocks.Dispose();
        }
    }

    /// <param name="device">The device (its accelerators).</param>
    /// <param name="columns">The d columns, uploaded (or streamed) in row blocks.</param>
    /// <param name="components">K.</param>
    /// <param name="diagonal">Whether the packed parameters hold diagonal factors.</param>
    /// <param name="kernel">
    /// The statistics kernel, <see cref="GaussianMixtureKernels.StatisticsKernel"/> or another of its signature, made
    /// for this pass's type arguments.
    /// </param>
    /// <param name="owned">
    /// Whether each thread of a group sums its own <typeparamref name="TSums"/>' capacity of the statistics (the general
    /// kernel's <see cref="MixtureStatistics{TSums}"/>), rather than every statistic of the launch.
    /// </param>
    /// <param name="onlyCodes">The one list of statistics <paramref name="kernel"/> sums, where it sums no other; else null.</param>
    public KernelMixturePass(ComputeDevice device, IReadOnlyList<ReadOnlyMemory<double>> columns, int components, bool diagonal,
        System.Reflection.MethodInfo kernel, bool owned, int[]? onlyCodes)
        : base(columns.Count, components, diagonal)
    {
        _device = device;
        _onlyCodes = onlyCodes;
        var method = kernel.CreateDelegate<Action<ArrayView<double>, long, int, int, int, ArrayView<double>, ArrayView<int>, int, int, ArrayView<double>>>();
        var runs = KernelBlocks.Shards(device, columns, columns[0].Length);
        _runs = KernelBlocks.Build(runs, blocks =>
        {
            try
            {
                var kernel = blocks.Accelerator.LoadStreamKernel(method);
                return new DeviceRun
                {
                    Blocks = blocks,
                    Kernel = kernel,
                    Shape = GroupShape.Of<TSum>(blocks.Accelerator, kernel, blocks.GroupSize),
                };
            }
            catch (Exception e)
            {
                throw new KernelException(device.Backend, Pass, "gaussian-mixture", compiling: true, e);
            }
        });
        _blockRuns = runs;
        _perLaunch = owned ? AgreedPerLaunch(_runs, TSums.Capacity * _runs.Min(r => r.Shape.GroupSize)) : TSums.Capacity;
    }

    /// <summary>
    /// The statistics a launch sums where each thread owns its own: <paramref name="own"/> (the statistics a thread holds
    /// times this rank's smallest group), under MPI the smallest among the ranks' (one small exchange; a rank's device
    /// may have larger groups, or hold more statistics a thread), so that every rank makes the same launches and lays
    /// its partials out alike. Every rank's kernel sums that many: each is at most its own.
    /// </summary>
    private static int AgreedPerLaunch(DeviceRun[] runs, int own)
    {
        var ranks = runs[0].Blocks.Ranks;
        if (ranks.Size == 1)
            return own;
        return (int)ranks.EachRank(own).Min();
    }

    public override double Run(double[] packed, int[] codes, double[] sums)
    {
        if (_onlyCodes is not null && !ReferenceEquals(codes, _uploadedCodes) && !codes.AsSpan().SequenceEqual(_onlyCodes))
            throw new ArgumentException("this pass sums only its mixture's own statistics", nameof(codes));
        int launches = Math.Max(1, (codes.Length + _perLaunch - 1) / _perLaunch);
        var first = _runs[0].Blocks;
        int stride0 = (first.Count == 0 ? 1 : first.Groups(0)) * (_perLaunch + 1);
        long perBlock = (long)launches * stride0;
        bool newCodes = !ReferenceEquals(_uploadedCodes, codes);
        // The host buffers for blocks of this many partials (made again, larger, where a pass sums more statistics).
        if (_runs[0].PerBlock < perBlock)
        {
            var host = KernelBlocks.HostPartials(_blockRuns, perBlock);
            for (int r = 0; r < _runs.Length; r++)
                (_runs[r].HostPartials, _runs[r].PerBlock) = (host[r], perBlock);
        }
        Array.Clear(sums, 0, codes.Length);
        _logLikelihood = 0;
        try
        {
            ForEachRun(r => Launch(_runs[r], packed, codes, newCodes, launches, perBlock, sums));
        }
        catch (Exception e) when (e is not KernelException)
        {
            throw new KernelException(_device.Backend, Pass, "gaussian-mixture", compiling: false, e);
        }
        _uploadedCodes = codes;
        KernelBlocks.AddInBlockOrder(_blockRuns, _runs[0].HostPartials, perBlock, block => Add(_runs[0], block, codes.Length, launches, perBlock, sums));
        return _logLikelihood;
    }

    /// <summary>
    /// Block <paramref name="block"/>'s partials from its run's host buffer: launch j's at j · groups · (statistics a launch + 1)
    /// in the block's place; each statistic's partials in group order after the blocks before, the log-likelihood from
    /// launch 0.
    /// </summary>
    private void Add(DeviceRun run, int block, int statistics, int launches, long perBlock, double[] sums)
    {
        int groups = run.Blocks.Groups(block), stride = groups * (_perLaunch + 1);
        long offset = Offset(run, block, perBlock);
        for (int launch = 0; launch < launches; launch++)
        {
            int from = launch * _perLaunch, count = Math.Min(_perLaunch, statistics - from), terms = count + 1;
            long at = offset + (long)launch * stride;
            for (int e = 0; e < count; e++)
            {
                double sum = sums[from + e];
                for (int g = 0; g < groups; g++)
                    sum += run.HostPartials[at + g * terms + 1 + e];
                sums[from + e] = sum;
            }
            if (launch == 0)
            {
                for (int g = 0; g < groups; g++)
                    _logLikelihood += run.HostPartials[at + g * terms];
            }
        }
    }

    /// <summary>Where block <paramref name="block"/>'s partials lie in its run's host buffer (<see cref="KernelBlocks.PartialsAt"/>).</summary>
    private static long Offset(DeviceRun run, int block, long perBlock) => run.Blocks.PartialsAt(block, perBlock);

    /// <summary>One device's launches over its run, each block's partials read back into their place.</summary>
    private void Launch(DeviceRun run, double[] packed, int[] codes, bool newCodes, int launches, long perBlock, double[] sums)
    {
        var blocks = run.Blocks;
        var accelerator = blocks.Accelerator;
        if (run.Parameters is null || run.Parameters.Length != packed.Length)
        {
            run.Parameters?.Dispose();
            run.Parameters = accelerator.Allocate1D<double>(packed.Length);
        }
        run.Parameters.View.CopyFromCPU(packed);
        if (newCodes || run.Codes is null)
        {
            run.Codes?.Dispose();
            run.Codes = accelerator.Allocate1D<int>(Math.Max(1, codes.Length));
            if (codes.Length > 0)
                run.Codes.View.CopyFromCPU(codes);
        }
        if (run.Partials is null || run.Partials.Length < perBlock)
        {
            run.Partials?.Dispose();
            run.Partials = accelerator.Allocate1D<double>(perBlock);
        }
        foreach (var (block, data) in blocks.Walk())
        {
            int groups = blocks.Groups(block), stride = groups * (_perLaunch + 1);
            var config = blocks.Config(block, run.Shape);
            for (int launch = 0; launch < launches; launch++)
            {
                int first = launch * _perLaunch, count = Math.Min(_perLaunch, codes.Length - first);
                run.Kernel(config, data, blocks.RowsOf(block), Dimensions, Components, Diagonal ? 1 : 0, run.Parameters.View, run.Codes.View, first, count,
                    run.Partials.View.SubView((long)launch * stride, (long)groups * (count + 1)));
            }
            run.Partials.View.AsContiguous().SubView(0, (long)launches * stride)
                .CopyToCPU(run.HostPartials.AsSpan((int)Offset(run, block, perBlock), launches * stride));
            if (blocks.Alone)
                Add(run, block, codes.Length, launches, perBlock, sums);
        }
    }

    /// <summary>Runs <paramref name="action"/> for each run (<see cref="KernelBlocks.ForEach"/>).</summary>
    private void ForEachRun(Action<int> action) => KernelBlocks.ForEach(_blockRuns, action);


    public override void Dispose()
    {
        foreach (var run in _runs)
            run.Dispose();
    }
}
