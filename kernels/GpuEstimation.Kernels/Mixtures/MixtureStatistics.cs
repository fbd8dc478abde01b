using System.Runtime.CompilerServices;
using ILGPU;

namespace GpuEstimation.Kernels.Mixtures;

/// <summary>
/// The M-step's sums of <see cref="GaussianMixtureKernels.StatisticsKernel"/> over one tile of rows, as the body of a
/// loop unrolled over the statistics a thread owns (<see cref="IUnrolled"/>). The group's threads are
/// <see cref="Lanes"/> lanes of <see cref="Slots"/> threads; thread t is slot t mod S of lane t / S, and copy j of its
/// sums is statistic e = j · S + slot of the launch, <c>codes[first + e]</c> = (k, a, b) (<see cref="GaussianMixtureRow.Code"/>),
/// to which it adds rₖ z_a z_b for the tile's rows lane, lane + L, … in order, from their values (each row's d values and
/// a 1 at index d) and responsibilities in shared memory, z being the row less component k's mean (z_d = 1: its centre
/// is 0), while e is below the launch's
/// count. With as many statistics as threads or more there is one lane (each statistic one thread's); with fewer, the
/// rows are shared among lanes, so that a few statistics do not leave most of the group idle, and
/// <see cref="OwnedStatisticsWriter{TSums}"/> adds the lanes in order. With j a constant in each copy, every sum is its
/// own register.
/// </summary>
public struct MixtureStatistics<TSums> : IUnrolledBody where TSums : unmanaged, ITermVector<TSums>
{
    private readonly ArrayView<int> _codes;
    private readonly int _first, _count, _width, _components;
    private readonly ArrayView<double> _x, _responsibilities, _parameters;
    private readonly int _stride;

    /// <summary>The thread's sums.</summary>
    public TSums Sums;

    /// <summary>The rows of the tile in shared memory now.</summary>
    public int Rows;

    /// <summary>
    /// Sums of <c>codes[first … first + count − 1]</c> over tiles of rows <paramref name="x"/> (<paramref name="width"/> =
    /// d + 1 values a row) and <paramref name="responsibilities"/> (<paramref name="components"/> a row), centred on the
    /// components' means in <paramref name="parameters"/> (packed, <paramref name="stride"/> doubles a component).
    /// </summary>
    public MixtureStatistics(ArrayView<int> codes, int first, int count, int width, int components,
        ArrayView<double> x, ArrayView<double> responsibilities, ArrayView<double> parameters, int stride)
    {
        _parameters = parameters;
        _stride = stride;
        _codes = codes;
        _first = first;
        _count = count;
        _width = width;
        _components = components;
        _x = x;
        _responsibilities = responsibilities;
        Sums = default;
        Rows = 0;
        Lanes = LanesFor(count);
        Slots = Group.DimX / Lanes;
    }

    /// <summary>L: 1 where the launch has at least as many statistics as the group threads, else the largest power of two
    /// at most the group size over the count (the group size is a power of two).</summary>
    public int Lanes { get; }

    /// <summary>S: the threads of a lane, the group size over <see cref="Lanes"/>.</summary>
    public int Slots { get; }

    /// <summary>The statistics of the launch.</summary>
    public readonly int Count => _count;

    private static int LanesFor(int count)
    {
        int lanes = 1;
        while (2 * lanes * count <= Group.DimX && lanes < Group.DimX)
            lanes *= 2;
        return lanes;
    }

    /// <summary>The launch's index of the statistic the thread sums in copy <paramref name="j"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly int Owned(int j) => j * Slots + Group.IdxX % Slots;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void At(int j)
    {
        int e = Owned(j);
        if (e >= _count)
            return;
        int code = _codes[_first + e];
        int k = GaussianMixtureRow.Component(code), a = GaussianMixtureRow.A(code), b = GaussianMixtureRow.B(code);
        // The component's centre (its mean from the packed parameters, 0 for the constant): products of the row less
        // the mean, where the uncentred Σ r x x − N μ μ lost digits as (|μ|/σ)² (a component 10⁷ of its σ from the
        // data's centre had its variance 1.7% off; a hunt).
        int constant = _width - 1;
        double centreA = a < constant ? _parameters[(long)k * _stride + 1 + a] : 0.0;
        double centreB = b < constant ? _parameters[(long)k * _stride + 1 + b] : 0.0;
        double sum = Sums.Get(j);
        for (int u = Group.IdxX / Slots; u < Rows; u += Lanes)
        {
            int row = u * _width;
            sum += _responsibilities[u * _components + k] * (_x[row + a] - centreA) * (_x[row + b] - centreB);
        }
        Sums.Set(j, sum);
    }
}

/// <summary>
/// Writes each statistic of a group's <see cref="MixtureStatistics{TSums}"/> into its partials, as the body of the same
/// unrolled loop: <c>partials[at + e]</c> for e below the launch's count. With one lane each is its owner's sum; with
/// several, every thread puts its sum into shared memory (lane after lane) and the first lane's thread adds the lanes'
/// sums of its statistic in lane order.
/// </summary>
public struct OwnedStatisticsWriter<TSums> : IUnrolledBody where TSums : unmanaged, ITermVector<TSums>
{
    private readonly MixtureStatistics<TSums> _statistics;
    private readonly long _at;
    private readonly ArrayView<double> _partials, _shared;

    /// <summary>
    /// Writes <paramref name="statistics"/>' sums (the thread's) at <paramref name="at"/> + e of
    /// <paramref name="partials"/>, the lanes added through <paramref name="shared"/> (at least the group size long, not
    /// in use by another thread).
    /// </summary>
    public OwnedStatisticsWriter(in MixtureStatistics<TSums> statistics, ArrayView<double> partials, long at, ArrayView<double> shared)
    {
        _statistics = statistics;
        _partials = partials;
        _at = at;
        _shared = shared;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void At(int j)
    {
        int e = _statistics.Owned(j);
        if (_statistics.Lanes == 1)
        {
            if (e < _statistics.Count)
                _partials[_at + e] = _statistics.Sums.Get(j);
            return;
        }
        // Several lanes: only copy 0 holds a statistic (the count is below the slots), so this runs once.
        if (j > 0)
            return;
        int thread = Group.IdxX;
        _shared[thread] = _statistics.Sums.Get(0);
        Group.Barrier();
        if (thread < _statistics.Count)
        {
            int slots = _statistics.Slots;
            double total = _shared[thread];
            for (int lane = 1; lane < _statistics.Lanes; lane++)
                total += _shared[lane * slots + thread];
            _partials[_at + thread] = total;
        }
        Group.Barrier();
    }
}
