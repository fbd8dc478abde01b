using ILGPU;

namespace GpuEstimation.Kernels.Mixtures;

/// <summary>The device side of Gaussian-mixture EM.</summary>
public static class GaussianMixtureKernels
{
    /// <summary>The most dimensions of a row the kernels hold.</summary>
    public const int MaxDimensions = 32;

    /// <summary>The most components the kernels hold.</summary>
    public const int MaxComponents = 16;

    /// <summary>The doubles of shared memory a group of <see cref="StatisticsKernel"/> holds its tile of rows in (24 KiB).</summary>
    public const int TileDoubles = 3072;

    // 2^900 and 2^-900: NormalStatisticsKernel's product of the rows' sums is scaled by the second where it passes the first.
    private const double TwoTo900 = 8.452712498170644e+270;
    private const double TwoToMinus900 = 1.1830521861667747e-271;

    /// <summary>
    /// The rows of <see cref="StatisticsKernel"/>'s tile for a group of <paramref name="groupSize"/> threads: as many as
    /// <see cref="TileDoubles"/> holds at d + 1 + K doubles a row, a whole number of rows a thread where that is more
    /// than the group (so that each thread does as many rows' E-steps; fewer barriers on a small group).
    /// </summary>
    public static int TileRows(int groupSize, int dimensions, int components)
    {
        int fit = TileDoubles / (dimensions + 1 + components);
        return fit < groupSize ? fit : fit / groupSize * groupSize;
    }

    /// <summary>
    /// One EM pass: each row's E-step (<see cref="GaussianMixtureRow.Responsibilities"/>) and the sums of the statistics
    /// <c>codes[first … first + count − 1]</c> (<see cref="GaussianMixtureRow.Code"/>: Σ rₖ z_a z_b, z = x − μₖ), with the
    /// log-likelihood Σ log f(xᵢ). Explicitly grouped, each group walks tiles of <see cref="TileRows"/> rows
    /// (tile t, t + groups, …): thread i computes rows i, i + group size, … of the tile, putting each row's values and
    /// responsibilities into shared memory, then
    /// every thread adds that tile's rows, in row order, to the statistics it owns (<see cref="MixtureStatistics{TSums}"/>:
    /// with at least as many statistics as threads, statistic e belongs to thread e mod the group size, copy
    /// e / group size of its <typeparamref name="TSums"/>, so a launch sums up to that capacity times the group size and
    /// a row's E-step is done once for them all; with fewer, lanes of threads share the tile's rows). A statistic's sum
    /// is its owner's (or its lanes', added in lane order): written as <c>partials[group · (count + 1) + 1 + e]</c>; the
    /// log-likelihood, each thread's rows', is reduced by <typeparamref name="TSum"/> in a fixed order to e = 0. The host
    /// adds the groups in order: the same bits every run for one launch shape.
    /// (The kernel before this one gave each thread a row and all the statistics, a register vector at a time: a 32-D
    /// mixture of 16 components, 1,040 statistics, re-ran the E-step and read the row from local memory in each of 17
    /// launches; 131.6 ms an EM step at 10⁶ rows on an H200.)
    /// </summary>
    public static void StatisticsKernel<TUnroll, TSums, TSum>(
        ArrayView<double> values, long rows, int dimensions, int components, int diagonal, ArrayView<double> parameters,
        ArrayView<int> codes, int first, int count, ArrayView<double> partials)
        where TUnroll : struct, IUnrolled
        where TSums : unmanaged, ITermVector<TSums>
        where TSum : struct, IGroupSum
    {
        var data = new DeviceRows(values, rows);
        var packed = new DeviceValues(parameters);
        bool isDiagonal = diagonal != 0;
        var tile = SharedMemory.Allocate<double>(TileDoubles);
        int width = dimensions + 1, tileRows = TileRows(Group.DimX, dimensions, components);
        var x = tile.SubView(0, (long)tileRows * width);
        var r = tile.SubView((long)tileRows * width, (long)tileRows * components);
        var statistics = new MixtureStatistics<TSums>(codes, first, count, width, components, x, r, parameters, GaussianMixtureRow.Stride(dimensions, isDiagonal));
        int thread = Group.IdxX;
        double logLikelihood = 0;
        long tiles = (rows + tileRows - 1) / tileRows;
        for (long t = Grid.IdxX; t < tiles; t += Grid.DimX)
        {
            long start = t * tileRows;
            long left = rows - start;
            int n = left < tileRows ? (int)left : tileRows;
            for (int u = thread; u < n; u += Group.DimX)
            {
                var row = x.SubView((long)u * width, width);
                logLikelihood += GaussianMixtureRow.Responsibilities(data, start + u, packed, dimensions, components, isDiagonal,
                    row, r.SubView((long)u * components, components));
                row[dimensions] = 1.0;
            }
            Group.Barrier();
            statistics.Rows = n;
            TUnroll.Run(ref statistics, 0);
            Group.Barrier();
        }

        long at = (long)Grid.IdxX * (count + 1);
        double total = TSum.GroupSum(logLikelihood, TSum.Shared());
        if (Group.IsFirstThread)
            partials[at] = total;
        var writer = new OwnedStatisticsWriter<TSums>(statistics, partials, at + 1, tile);
        TUnroll.Run(ref writer, 0);
    }

    /// <summary>
    /// The statistics of a one-column mixture of normals: codes (k, 1, 1), (k, 0, 1), (k, 0, 0) for k = 0 … K − 1, in that
    /// order (Σ rₖ, Σ rₖ z, Σ rₖ z², z = x − μₖ; the host checks the list), so <paramref name="count"/> = 3K in one launch. A row a
    /// thread in a grid-stride loop, each thread's sums in registers (<typeparamref name="TSums"/>), reduced per group in
    /// a fixed order by <typeparamref name="TSum"/>: with three statistics a component, a thread holds them all, and the
    /// components' loops are unrolled (<typeparamref name="TUnroll"/>, at least K iterations, the ones past K skipped),
    /// so every responsibility and parameter stays in a register of <typeparamref name="TK"/> and each row reads no codes
    /// or parameters. The E-step's operations are <see cref="GaussianMixtureRow.Responsibilities"/>' in its order (the
    /// statistics agree with <see cref="StatisticsKernel"/>'s to rounding; they are summed in another order); the
    /// log-likelihood takes one log a thread, of the product of its rows' sums. The unused parameters keep the
    /// general kernel's signature, so that one pass launches either.
    /// </summary>
    public static void NormalStatisticsKernel<TUnroll, TK, TSums, TSum>(
        ArrayView<double> values, long rows, int dimensions, int components, int diagonal, ArrayView<double> parameters,
        ArrayView<int> codes, int first, int count, ArrayView<double> partials)
        where TUnroll : struct, IUnrolled
        where TK : unmanaged, ITermVector<TK>
        where TSums : unmanaged, ITermVector<TSums>
        where TSum : struct, IGroupSum
    {
        var row = new NormalComponents<TK, TSums>(new DeviceValues(parameters), components);
        row.Phase = NormalComponents<TK, TSums>.Load;
        TUnroll.Run(ref row, 0);
        // The log-likelihood as Σ largest + log Π sum: each row's sum lies in [1, K], so the product only grows, by at
        // most 2^4 a row; it is scaled down by 2^900 (exactly) each time it passes 2^900, and its log taken once, after
        // the rows, where a log a row took as long as the rest of the row's arithmetic.
        double largest = 0, product = 1;
        int scaled = 0;
        long stride = (long)Grid.DimX * Group.DimX;
        for (long i = (long)Grid.IdxX * Group.DimX + Group.IdxX; i < rows; i += stride)
        {
            row.X = values[i];
            row.Largest = double.NegativeInfinity;
            row.Phase = NormalComponents<TK, TSums>.LogDensities;
            TUnroll.Run(ref row, 0);
            row.Sum = 0;
            row.Phase = NormalComponents<TK, TSums>.Terms;
            TUnroll.Run(ref row, 0);
            row.Inverse = 1.0 / row.Sum;
            row.Phase = NormalComponents<TK, TSums>.Statistics;
            TUnroll.Run(ref row, 0);
            largest += row.Largest;
            product *= row.Sum;
            if (product >= TwoTo900)
            {
                product *= TwoToMinus900;
                scaled++;
            }
        }
        double logLikelihood = largest + (DeviceMath.Log(product) + scaled * (900 * KernelConstants.Log2));
        WritePartials<TSums, TSum>(logLikelihood, row.Sums, count, partials);
    }

    // The group's sums of the log-likelihood and each statistic: partials[group · (count + 1) + e], the log-likelihood at e = 0.
    private static void WritePartials<TSums, TSum>(double logLikelihood, in TSums sums, int count, ArrayView<double> partials)
        where TSums : unmanaged, ITermVector<TSums>
        where TSum : struct, IGroupSum
    {
        var shared = TSum.Shared();
        int terms = count + 1;
        double total = TSum.GroupSum(logLikelihood, shared);
        if (Group.IsFirstThread)
            partials[(long)Grid.IdxX * terms] = total;
        for (int e = 0; e < count; e++)
        {
            total = TSum.GroupSum(sums.Get(e), shared);
            if (Group.IsFirstThread)
                partials[(long)Grid.IdxX * terms + 1 + e] = total;
        }
    }
}
