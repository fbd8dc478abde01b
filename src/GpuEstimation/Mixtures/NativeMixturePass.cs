using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using GpuEstimation.Backends;
using GpuEstimation.Engine;
using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Mixtures;

namespace GpuEstimation.Mixtures;

/// <summary>
/// The native backend: <see cref="GaussianMixtureRow"/>'s E-step four rows at a time in 256-bit vectors (the rows in
/// the lanes, each component's quadratic form, the log-sum-exp by <see cref="VectorMath"/>'s exp, the log-likelihood's
/// logs as one running product per lane and chunk, <see cref="TermLanes.MultiplyLog1p"/>), every statistic in the same
/// pass as Σ (rₖ z_a) z_b from the tile's products rₖ z_a formed once per component. Rows are cut into fixed chunks shared among the worker threads; each
/// chunk's lanes are added in lane order and the chunks in chunk order, so the sums have the same bits with any thread
/// count; under MPI each rank sums its run of the chunks and one collective gives every rank all the partials
/// (<see cref="RowCollective"/>), the same bits with any number of ranks. A chunk's last block of fewer than four rows repeats its last row in the spare lanes and masks them out.
/// </summary>
internal sealed unsafe class NativeMixturePass : MixturePass
{
    private const int ChunkRows = 1 << 14;
    private const int Lanes = 4;
    private const int TileBlocks = 16;
    private readonly HostColumns _columns;
    private readonly double** _data;
    private readonly long _rows;
    private readonly int _chunks;
    private readonly ParallelOptions _parallel;
    private readonly RowCollective _ranks = RowCollective.Current;

    public NativeMixturePass(ComputeDevice device, IReadOnlyList<ReadOnlyMemory<double>> columns, int components, bool diagonal)
        : base(columns.Count, components, diagonal)
    {
        _rows = columns[0].Length;
        _columns = new HostColumns(columns);
        _data = _columns.Columns;
        _chunks = (int)Math.Max(1, (_rows + ChunkRows - 1) / ChunkRows);
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = device.Threads };
    }

    public override double Run(double[] packed, int[] codes, double[] sums)
    {
        int d = Dimensions, k = Components, statistics = codes.Length;
        // Each code's product row in rz ((component · (d + 1) + a) · T) and its second factor's row in the rows centred on
        // that component's mean ((component · (d + 1) + b) · T).
        var first = new int[statistics];
        var second = new int[statistics];
        for (int e = 0; e < statistics; e++)
        {
            int row = GaussianMixtureRow.Component(codes[e]) * (d + 1);
            first[e] = (row + GaussianMixtureRow.A(codes[e])) * TileBlocks;
            second[e] = (row + GaussianMixtureRow.B(codes[e])) * TileBlocks;
        }
        double[] totals;
        fixed (double* p = packed)
        fixed (int* firstPinned = first, secondPinned = second)
        {
            double* parameters = p;
            int* firstFactor = firstPinned, secondFactor = secondPinned;
            totals = SumChunks(statistics + 1, statistics, (chunk, space, partial) =>
                Statistics(chunk, parameters, firstFactor, secondFactor, space, partial), products: true);
        }
        totals.AsSpan(1).CopyTo(sums);
        return totals[0];
    }

    // One chunk's sums into its partial (its terms), given a worker's workspace.
    private delegate void ChunkSums(int chunk, Workspace space, Span<double> partial);

    // `terms` sums over the rows: each chunk's partial by `body` (workers' workspaces with `accumulators` vectors, and
    // room for a tile's products where `products`),
    // then the partials added in chunk order, so the totals have the same bits with any thread count.
    private double[] SumChunks(int terms, int accumulators, ChunkSums body, bool products = false, int chunks = 0)
    {
        chunks = chunks > 0 ? chunks : _chunks;
        var partials = new double[(long)chunks * terms];
        var (first, last) = _ranks.Mine(chunks);
        Parallel.For(first, last, _parallel, () => new Workspace(Dimensions, Components, accumulators, products), (chunk, _, space) =>
        {
            body(chunk, space, partials.AsSpan((int)((long)chunk * terms), terms));
            return space;
        }, space => space.Free());
        _ranks.Exchange(partials, chunks, terms, partials.Length);
        var totals = new double[terms];
        for (long chunk = 0; chunk < chunks; chunk++)
        {
            for (int e = 0; e < terms; e++)
                totals[e] += partials[chunk * terms + e];
        }
        return totals;
    }

    /// <summary>The most partial sums a pass keeps (64 MB): a pass of many terms takes longer chunks.</summary>
    private const long MaxPartials = 1L << 23;

    // The rows of a chunk for a pass of `terms` sums: ChunkRows, or a power of two above it that keeps the chunks'
    // partials within MaxPartials (the full information of 269 parameters has 36,585 terms: 1.8 GB of partials at 10⁸
    // rows in chunks of ChunkRows, a review found). A function of the rows and the terms only, so every rank and thread
    // count cuts the same chunks.
    private long RowsPerChunk(int terms)
    {
        long rows = ChunkRows;
        while ((_rows + rows - 1) / rows * terms > MaxPartials && rows < _rows)
            rows *= 2;
        return rows;
    }

    // One chunk's log-likelihood and statistics into `partial` (log L first), its lanes added in lane order. Fully
    // optimized from the first call (a fit's first passes would otherwise run the chunk loop's slower tiers).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Statistics(int chunk, double* parameters, int* first, int* second, Workspace space, Span<double> partial)
    {
        int d = Dimensions, k = Components, statistics = space.Statistics;
        var accumulators = space.Accumulators;
        new Span<Vector256<double>>(accumulators, statistics).Clear();
        var log = Vector256<double>.Zero;
        var products = default(TermLanes);
        var x = space.X;
        var r = space.R;
        var rz = space.Rz;
        var z = space.Centred;
        var logDensity = space.LogDensity;
        var mask = space.Mask;
        int stride = GaussianMixtureRow.Stride(d, Diagonal);
        long begin = (long)chunk * ChunkRows, end = Math.Min(_rows, begin + ChunkRows);
        for (long row = begin; row < end; row += TileBlocks * Lanes)
        {
            int blocks = Tile(parameters, row, end, space, TileLogs.Total, ref products);
            log += logDensity[0];
            // The rows less each component's mean, z (and 1 at index d), and the products rₖ z_a of the whole tile; then
            // each statistic over the tile's blocks in a register (the blocks in order, as one block at a time would add them).
            for (int c = 0; c < k; c++)
            {
                int at = c * (d + 1) * TileBlocks;
                double* mean = parameters + c * stride + 1;
                for (int b = 0; b < blocks; b++)
                {
                    var rc = r[c * TileBlocks + b] * mask[b];
                    for (int a = 0; a < d; a++)
                    {
                        var centred = x[a * TileBlocks + b] - Vector256.Create(mean[a]);
                        z[at + a * TileBlocks + b] = centred;
                        rz[at + a * TileBlocks + b] = rc * centred;
                    }
                    z[at + d * TileBlocks + b] = Vector256<double>.One;
                    rz[at + d * TileBlocks + b] = rc;
                }
            }
            for (int e = 0; e < statistics; e++)
            {
                var left = rz + first[e];
                var right = z + second[e];
                var sum = accumulators[e];
                for (int b = 0; b < blocks; b++)
                    sum = Vector256.FusedMultiplyAdd(left[b], right[b], sum);
                accumulators[e] = sum;
            }
        }
        partial[0] = Total(log + products.Log1pTotal());
        for (int e = 0; e < statistics; e++)
            partial[1 + e] = Total(accumulators[e]);
    }

    /// <summary>Each row's responsibilities, <c>output[row · K + k]</c>, and its log-density in <paramref name="logDensity"/>.</summary>
    public override void Responsibilities(double[] packed, double[] output, double[] logDensity)
    {
        int d = Dimensions, k = Components;
        fixed (double* p = packed)
        {
            double* parameters = p;
            var (mine, last) = _ranks.Mine(_chunks);
            Parallel.For(mine, last, _parallel, () => new Workspace(d, k, 0), (chunk, _, space) =>
            {
                long begin = (long)chunk * ChunkRows, end = Math.Min(_rows, begin + ChunkRows);
                for (long row = begin; row < end; row += TileBlocks * Lanes)
                {
                    var unused = default(TermLanes);
                    int blocks = Tile(parameters, row, end, space, TileLogs.PerRow, ref unused);
                    for (int b = 0; b < blocks; b++)
                    {
                        long first = row + b * Lanes;
                        int count = (int)Math.Min(Lanes, end - first);
                        for (int lane = 0; lane < count; lane++)
                        {
                            logDensity[first + lane] = space.LogDensity[b].GetElement(lane);
                            for (int c = 0; c < k; c++)
                                output[(first + lane) * k + c] = space.R[c * TileBlocks + b].GetElement(lane);
                        }
                    }
                }
                return space;
            }, space => space.Free());
        }
        _ranks.Exchange(output, _chunks, (long)ChunkRows * k, _rows * k);
        _ranks.Exchange(logDensity, _chunks, ChunkRows, _rows);
    }

    /// <summary>
    /// The row sums of GaussianMixtureInformation in the parameters θ of <paramref name="layout"/> (P of them): the upper
    /// triangle (row by row) of Σ (s sᵀ − Σₖ rₖ aₖ aₖᵀ) over the rows, with aₖ = ∇ log wₖφₖ on component k's support
    /// (weight part 1/wₖ, or −1/w_K in every weight entry for the last; mean part u = Σₖ⁻¹(x − μₖ); a covariance entry's
    /// ½ Σ over its terms (i, j) of u_i u_j − (Σₖ⁻¹)_ij) and s = Σₖ rₖ aₖ; each component's Σ rₖ; and where the layout
    /// has covariance entries, each component's Σ rₖ u and Σ rₖ u uᵀ (upper triangle). The rows four to a vector as in
    /// <see cref="Run"/>, chunks added in order.
    /// </summary>
    public override InformationSums Information(double[] packed, double[] weights, double[][] precisions, InformationLayout layout)
    {
        int d = Dimensions, k = Components, p = layout.Parameters, entries = p * (p + 1) / 2;
        int moments = k * InformationSums.MomentsPerComponent(d);
        // For each pair u ≤ v of a component's support, the triangle's index.
        var pairs = new int[k][];
        for (int c = 0; c < k; c++)
        {
            var support = layout.Supports[c];
            var pair = new List<int>();
            for (int u = 0; u < support.Length; u++)
            {
                for (int v = u; v < support.Length; v++)
                    pair.Add(Triangle(Math.Min(support[u], support[v]), Math.Max(support[u], support[v]), p));
            }
            pairs[c] = [.. pair];
        }
        int terms = entries + k + moments;
        long chunkRows = RowsPerChunk(terms);
        int chunks = (int)Math.Max(1, (_rows + chunkRows - 1) / chunkRows);
        double[] totals;
        fixed (double* pinned = packed)
        {
            double* parameters = pinned;
            totals = SumChunks(terms, terms + (TileBlocks + 1) * p, (chunk, space, partial) =>
                InformationChunk(chunk * chunkRows, Math.Min(_rows, (chunk + 1) * chunkRows), parameters, weights, precisions, layout, pairs, space, partial),
                chunks: chunks);
        }
        return new InformationSums(totals[..entries], totals[entries..(entries + k)], totals[(entries + k)..]);
    }

    // Information's sums over rows [begin, end) into `partial` (the triangle, the counts, then the moments). The workspace's
    // accumulators hold those, then each block's s of a tile (P vectors a block) and one component's a (P vectors). Each
    // block's − Σₖ rₖ aₖaₖᵀ is added as the block comes where the layout has covariance entries (else it is formed from
    // the moments after the pass); the tile's + s sᵀ after its blocks, the triangle walked once a tile with the tile's
    // scores in cache and each entry's blocks added in block order (AddScoreProducts; a rank-one update of the whole
    // triangle per block was bound by its reads and writes of the triangle: 4.4 MB at P = 527).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void InformationChunk(long begin, long end, double* parameters, double[] weights, double[][] precisions, InformationLayout layout, int[][] pairs,
        Workspace space, Span<double> partial)
    {
        int d = Dimensions, k = Components, p = layout.Parameters, entries = p * (p + 1) / 2;
        var covarianceEntries = layout.Entries;
        int q = covarianceEntries.Length, perMoments = InformationSums.MomentsPerComponent(d), moments = k * perMoments;
        int terms = entries + k + moments;
        int stride = GaussianMixtureRow.Stride(d, Diagonal);
        var sums = space.Accumulators;
        new Span<Vector256<double>>(sums, terms).Clear();
        var scores = sums + terms;
        var a = scores + TileBlocks * p;
        var x = space.X;
        var r = space.R;
        var centred = space.Scratch;
        var half = Vector256.Create(0.5);
        for (long row = begin; row < end; row += TileBlocks * Lanes)
        {
            var unused = default(TermLanes);
            int blocks = Tile(parameters, row, end, space, TileLogs.None, ref unused);
            for (int b = 0; b < blocks; b++)
            {
                var score = scores + b * p;
                var mask = space.Mask[b];
                var last = r[(k - 1) * TileBlocks + b] * mask;
                for (int i = 0; i < k - 1; i++)
                    score[i] = r[i * TileBlocks + b] * mask * Vector256.Create(1 / weights[i]) - last * Vector256.Create(1 / weights[k - 1]);
                // The covariance entries' scores add up (a tied covariance's over every component).
                for (int i = k - 1 + k * d; i < p; i++)
                    score[i] = Vector256<double>.Zero;
                for (int c = 0; c < k; c++)
                {
                    var rc = r[c * TileBlocks + b] * mask;
                    sums[entries + c] += rc;
                    // a's support values: the weight entries (constants), Σₖ⁻¹(x − μₖ), then the covariance entries.
                    var support = layout.Supports[c];
                    int weightsInSupport = support.Length - d - q;
                    for (int t = 0; t < weightsInSupport; t++)
                        a[t] = Vector256.Create(c < k - 1 ? 1 / weights[c] : -1 / weights[k - 1]);
                    double* mean = parameters + c * stride + 1;
                    for (int j = 0; j < d; j++)
                        centred[j] = x[j * TileBlocks + b] - Vector256.Create(mean[j]);
                    var precision = precisions[c];
                    var u = a + weightsInSupport;
                    for (int i = 0; i < d; i++)
                    {
                        // A diagonal (or spherical) precision's off-diagonal entries are 0: its row's one product is the
                        // sum's value to the bit.
                        Vector256<double> m;
                        if (Diagonal)
                        {
                            m = Vector256.Create(precision[i * d + i]) * centred[i];
                        }
                        else
                        {
                            m = Vector256<double>.Zero;
                            for (int j = 0; j < d; j++)
                                m = Vector256.FusedMultiplyAdd(Vector256.Create(precision[i * d + j]), centred[j], m);
                        }
                        u[i] = m;
                        score[support[weightsInSupport + i]] = rc * m;
                    }
                    if (q > 0)
                    {
                        var entry = u + d;
                        for (int e = 0; e < q; e++)
                        {
                            var (ea, eb) = covarianceEntries[e];
                            Vector256<double> value;
                            if (layout.Spherical)
                            {
                                var squares = Vector256<double>.Zero;
                                double trace = 0;
                                for (int j = 0; j < d; j++)
                                {
                                    squares = Vector256.FusedMultiplyAdd(u[j], u[j], squares);
                                    trace += precision[j * d + j];
                                }
                                value = half * (squares - Vector256.Create(trace));
                            }
                            else if (ea == eb)
                                value = half * (u[ea] * u[ea] - Vector256.Create(precision[ea * d + ea]));
                            else
                                value = u[ea] * u[eb] - Vector256.Create(precision[ea * d + eb]);
                            entry[e] = value;
                            score[support[weightsInSupport + d + e]] += rc * value;
                        }
                    }
                    // Σ rₖ u and Σ rₖ u uᵀ: for the second derivatives of log φₖ in its covariance, and where the
                    // covariances are held (no entries), for − Σ rₖ aₖaₖᵀ, formed from them after the pass.
                    var moment = sums + entries + k + c * perMoments;
                    for (int i = 0, t = d; i < d; i++)
                    {
                        var left = rc * u[i];
                        moment[i] += left;
                        for (int j = i; j < d; j++, t++)
                            moment[t] = Vector256.FusedMultiplyAdd(left, u[j], moment[t]);
                    }
                    // − rₖ aₖ aₖᵀ over the support's pairs, where it has covariance entries (else from the moments).
                    if (q > 0)
                    {
                        var pair = pairs[c];
                        for (int i = 0, e = 0; i < support.Length; i++)
                        {
                            var left = rc * a[i];
                            for (int j = i; j < support.Length; j++, e++)
                                sums[pair[e]] -= left * a[j];
                        }
                    }
                }
            }
            AddScoreProducts(sums, scores, p, blocks);
        }
        for (int e = 0; e < terms; e++)
            partial[e] = Total(sums[e]);
    }

    // + Σ s sᵀ over a tile's blocks into the triangle (row by row, sums[0 …]): each entry's blocks in block order. Two
    // rows of the triangle at a time, four entries of each, so that eight sums stay in registers and each block's six
    // score values serve eight multiply-adds.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddScoreProducts(Vector256<double>* sums, Vector256<double>* scores, int p, int blocks)
    {
        int i = 0;
        for (; i + 2 <= p; i += 2)
        {
            // Row i starts at entry e (j = i …), row i + 1 at e + p − i (j = i + 1 …); (i, i) is row i's alone.
            var upper = sums + Triangle(i, i, p);
            var lower = sums + Triangle(i + 1, i + 1, p) - (i + 1);
            AddScoreProducts(upper, scores, p, blocks, i, i, i + 1);
            int j = i + 1;
            for (; j + 4 <= p; j += 4)
            {
                var (a0, a1, a2, a3) = (upper[j - i], upper[j + 1 - i], upper[j + 2 - i], upper[j + 3 - i]);
                var (b0, b1, b2, b3) = (lower[j], lower[j + 1], lower[j + 2], lower[j + 3]);
                var score = scores;
                for (int b = 0; b < blocks; b++, score += p)
                {
                    var (si, sk) = (score[i], score[i + 1]);
                    var (x0, x1, x2, x3) = (score[j], score[j + 1], score[j + 2], score[j + 3]);
                    a0 = Vector256.FusedMultiplyAdd(si, x0, a0);
                    a1 = Vector256.FusedMultiplyAdd(si, x1, a1);
                    a2 = Vector256.FusedMultiplyAdd(si, x2, a2);
                    a3 = Vector256.FusedMultiplyAdd(si, x3, a3);
                    b0 = Vector256.FusedMultiplyAdd(sk, x0, b0);
                    b1 = Vector256.FusedMultiplyAdd(sk, x1, b1);
                    b2 = Vector256.FusedMultiplyAdd(sk, x2, b2);
                    b3 = Vector256.FusedMultiplyAdd(sk, x3, b3);
                }
                (upper[j - i], upper[j + 1 - i], upper[j + 2 - i], upper[j + 3 - i]) = (a0, a1, a2, a3);
                (lower[j], lower[j + 1], lower[j + 2], lower[j + 3]) = (b0, b1, b2, b3);
            }
            AddScoreProducts(upper, scores, p, blocks, i, j, p);
            AddScoreProducts(lower + (i + 1), scores, p, blocks, i + 1, j, p);
        }
        if (i < p)
            AddScoreProducts(sums + Triangle(i, i, p), scores, p, blocks, i, i, p);
    }

    // Row i's entries (i, j) for j in [from, to), row i starting at `row` (its (i, i)), one at a time.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddScoreProducts(Vector256<double>* row, Vector256<double>* scores, int p, int blocks, int i, int from, int to)
    {
        for (int j = from; j < to; j++)
        {
            var s = row[j - i];
            var score = scores;
            for (int b = 0; b < blocks; b++, score += p)
                s = Vector256.FusedMultiplyAdd(score[i], score[j], s);
            row[j - i] = s;
        }
    }

    // The index of (i, j), i ≤ j, in a P × P upper triangle stored row by row.
    private static int Triangle(int i, int j, int p) => i * p - i * (i - 1) / 2 + (j - i);

    public override void Dispose() => _columns.Dispose();

    // What Tile leaves in LogDensity: each block's rows' log-densities; or the tile's real rows' Σ largest in
    // LogDensity[0]'s lanes and their log1p(sum − 1) multiplied into a running product (TermLanes.MultiplyLog1p: one
    // log per lane per chunk, not per row); or nothing.
    private enum TileLogs
    {
        PerRow,
        Total,
        None,
    }

    // The E-step for the tile of up to TileBlocks blocks of four rows from `row` (none past `end`): the rows into X,
    // each block's mask of real lanes, each component's responsibility R[c · T + b] and the log-densities `logs` asks
    // for. Every stage loops over the blocks, whose chains are independent, so that the processor overlaps them (one
    // block at a time is bound by the latency of its exp, division and log). Returns the number of blocks.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Tile(double* parameters, long row, long end, Workspace space, TileLogs logs, ref TermLanes products)
    {
        int d = Dimensions, k = Components, stride = GaussianMixtureRow.Stride(d, Diagonal);
        var x = space.X;
        var r = space.R;
        var largest = space.Largest;
        var centred = space.Scratch;
        int blocks = (int)Math.Min(TileBlocks, (end - row + Lanes - 1) / Lanes);
        for (int b = 0; b < blocks; b++)
            space.Mask[b] = Load(row + b * Lanes, end, x, b);
        for (int c = 0; c < k; c++)
        {
            double* at = parameters + c * stride;
            var constant = Vector256.Create(at[0]);
            for (int b = 0; b < blocks; b++)
            {
                double* factor = at + 1 + d;
                var quadratic = Vector256<double>.Zero;
                if (Diagonal)
                {
                    for (int i = 0; i < d; i++)
                    {
                        var z = (x[i * TileBlocks + b] - Vector256.Create(at[1 + i])) * Vector256.Create(factor[i]);
                        quadratic += z * z;
                    }
                }
                else
                {
                    for (int j = 0; j < d; j++)
                        centred[j] = x[j * TileBlocks + b] - Vector256.Create(at[1 + j]);
                    for (int i = 0; i < d; i++)
                    {
                        var z = Vector256<double>.Zero;
                        for (int j = 0; j <= i; j++)
                            z += Vector256.Create(*factor++) * centred[j];
                        quadratic += z * z;
                    }
                }
                var log = constant - Vector256.Create(0.5) * quadratic;
                r[c * TileBlocks + b] = log;
                largest[b] = c == 0 ? log : Vector256.Max(largest[b], log);
            }
        }
        // Terms below e^-600 of the largest are set to 0 (beside the largest, 1, they are far below an ulp of the
        // sum; as responsibilities far below the M-step's 10ε per component), so that no subnormal number enters the
        // arithmetic: one costs ~100 times an ordinary operation on x86, and far components give them in most rows.
        // Four blocks at a time as a Lanes16 (whose exp runs at 512 bits where the hardware has them).
        var floor = Vector256.Create(-600.0);
        for (int c = 0; c < k; c++)
        {
            var at = r + c * TileBlocks;
            int b = 0;
            for (; b + 3 < blocks; b += 4)
            {
                var t0 = at[b] - largest[b];
                var t1 = at[b + 1] - largest[b + 1];
                var t2 = at[b + 2] - largest[b + 2];
                var t3 = at[b + 3] - largest[b + 3];
                var e = VectorMath.Exp(new Lanes16(Vector256.Max(t0, floor), Vector256.Max(t1, floor), Vector256.Max(t2, floor), Vector256.Max(t3, floor)));
                at[b] = e.A & Vector256.GreaterThan(t0, floor);
                at[b + 1] = e.B & Vector256.GreaterThan(t1, floor);
                at[b + 2] = e.C & Vector256.GreaterThan(t2, floor);
                at[b + 3] = e.D & Vector256.GreaterThan(t3, floor);
            }
            for (; b < blocks; b++)
            {
                var t = at[b] - largest[b];
                at[b] = VectorMath.Exp(Vector256.Max(t, floor)) & Vector256.GreaterThan(t, floor);
            }
        }
        // The sums (kept in LogDensity until their logs), the responsibilities, then the logs four blocks at a time.
        var sums = space.LogDensity;
        for (int b = 0; b < blocks; b++)
        {
            var sum = r[b];
            for (int c = 1; c < k; c++)
                sum += r[c * TileBlocks + b];
            var inverse = Vector256<double>.One / sum;
            for (int c = 0; c < k; c++)
                r[c * TileBlocks + b] *= inverse;
            sums[b] = sum;
        }
        if (logs == TileLogs.Total)
        {
            // Σ mask·largest here, the log1p(sum − 1) into the running product: the sums lie in [1, K] (the largest
            // term is 1), so sum − 1 loses no digit the sum had; a spare lane's is taken as 0 and its largest as 0.
            var mask = space.Mask;
            var one = Vector256<double>.One;
            var total = Vector256<double>.Zero;
            for (int b = 0; b < blocks; b++)
            {
                total += mask[b] * largest[b];
                sums[b] = Vector256.ConditionalSelect(Vector256.Equals(mask[b], Vector256<double>.Zero), Vector256<double>.Zero, sums[b] - one);
            }
            var zero = Vector256<double>.Zero;
            for (int h = 0; h < blocks; h += 4)
            {
                products.MultiplyLog1p(new Lanes16(sums[h], h + 1 < blocks ? sums[h + 1] : zero, h + 2 < blocks ? sums[h + 2] : zero,
                    h + 3 < blocks ? sums[h + 3] : zero));
            }
            sums[0] = total;
            return blocks;
        }
        if (logs == TileLogs.None)
            return blocks;
        int g = 0;
        for (; g + 3 < blocks; g += 4)
        {
            var four = VectorMath.Log(new Lanes16(sums[g], sums[g + 1], sums[g + 2], sums[g + 3]));
            sums[g] = largest[g] + four.A;
            sums[g + 1] = largest[g + 1] + four.B;
            sums[g + 2] = largest[g + 2] + four.C;
            sums[g + 3] = largest[g + 3] + four.D;
        }
        for (; g < blocks; g++)
            sums[g] = largest[g] + VectorMath.Log(sums[g]);
        return blocks;
    }

    // Rows row … row + 3 into block b of X (x[j · T + b], j < d; x[d · T + b] = 1), the last row repeated past `end`;
    // the mask of the real lanes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<double> Load(long row, long end, Vector256<double>* x, int b)
    {
        int d = Dimensions;
        x[d * TileBlocks + b] = Vector256<double>.One;
        if (end - row >= Lanes)
        {
            for (int j = 0; j < d; j++)
                x[j * TileBlocks + b] = Vector256.Load(_data[j] + row);
            return Vector256<double>.One;
        }
        return LoadPartial(row, end, x, b);
    }

    // Load's last block of a chunk, of fewer than four rows.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Vector256<double> LoadPartial(long row, long end, Vector256<double>* x, int b)
    {
        int d = Dimensions;
        int count = (int)(end - row);
        Span<double> lanes = stackalloc double[Lanes];
        for (int j = 0; j < d; j++)
        {
            for (int lane = 0; lane < Lanes; lane++)
                lanes[lane] = _data[j][row + Math.Min(lane, count - 1)];
            x[j * TileBlocks + b] = Vector256.Create((ReadOnlySpan<double>)lanes);
        }
        for (int lane = 0; lane < Lanes; lane++)
            lanes[lane] = lane < count ? 1.0 : 0.0;
        return Vector256.Create((ReadOnlySpan<double>)lanes);
    }

    // The lanes added in lane order.
    private static double Total(Vector256<double> v) => ((v.GetElement(0) + v.GetElement(1)) + v.GetElement(2)) + v.GetElement(3);

    // One worker's buffers in native memory (no bounds checks in the loops), reused over its chunks: a tile's rows X,
    // responsibilities R (component-major), masks, largest terms and log-densities, the tile's rows less each
    // component's mean z and products rₖ z_a (the statistics' pass only), and the accumulators. Freed when the worker is done.
    private sealed class Workspace
    {
        private readonly Vector256<double>* _memory;

        public Workspace(int d, int k, int statistics, bool products = false)
        {
            int rz = products ? k * (d + 1) * TileBlocks : 0;
            int total = (d + 1) * TileBlocks + k * TileBlocks + 3 * TileBlocks + 2 * rz + d + statistics;
            _memory = (Vector256<double>*)NativeMemory.AlignedAlloc((nuint)(total * sizeof(Vector256<double>)), 64);
            var next = _memory;
            X = Take(ref next, (d + 1) * TileBlocks);
            R = Take(ref next, k * TileBlocks);
            Mask = Take(ref next, TileBlocks);
            Largest = Take(ref next, TileBlocks);
            LogDensity = Take(ref next, TileBlocks);
            Rz = Take(ref next, rz);
            Centred = Take(ref next, rz);
            Scratch = Take(ref next, d);
            Accumulators = Take(ref next, statistics);
            Statistics = statistics;
        }

        public Vector256<double>* X { get; }
        public Vector256<double>* R { get; }
        public Vector256<double>* Mask { get; }
        public Vector256<double>* Largest { get; }
        public Vector256<double>* LogDensity { get; }
        public Vector256<double>* Rz { get; }
        public Vector256<double>* Centred { get; }
        public Vector256<double>* Scratch { get; }
        public Vector256<double>* Accumulators { get; }
        public int Statistics { get; }

        public void Free() => NativeMemory.AlignedFree(_memory);

        private static Vector256<double>* Take(ref Vector256<double>* next, int count)
        {
            var taken = next;
            next += count;
            return taken;
        }
    }
}
