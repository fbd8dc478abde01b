using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using GpuEstimation.Backends;
using GpuEstimation.Kernels;

namespace GpuEstimation.Engine;

/// <summary>
/// The sums of a linear-predictor model on the native backend (<see cref="ILinearSums"/>), for the Hessian pass of
/// every width and the value, gradient and score products of wide designs: the same chunks of rows as the native
/// evaluator, shared among the worker threads, each chunk's sums added in chunk order, so the result does not depend
/// on the thread count (nor, under MPI, on the number of ranks: each sums its run of the chunks and one collective gives
/// every rank all the partials, <see cref="RowCollective"/>). Within a chunk, blocks of <see cref="BlockRows"/> rows: the linear predictor for the block in
/// vectors, the model's derivatives for its rows (one call per row), then each sum as a dot product over the block's
/// rows of contiguous columns, in 256-bit vectors with four accumulators in a fixed order (the same bits on any x64 or
/// Arm machine). Entries that share a scaled column (derivative · z_a) go four at a time, so that per entry of the
/// Hessian's triangle it is about one and a quarter loads and a fused multiply-add per four rows, from the core's cache.
/// </summary>
internal sealed unsafe class NativeLinearSums<TModel> : ILinearSums
    where TModel : unmanaged, ILinearPredictorModel<TModel>
{
    /// <summary>Rows per block: the block's design columns and derivatives stay in the first-level cache.</summary>
    private const int BlockRows = 512;

    private static readonly double[] Ones = Enumerable.Repeat(1.0, BlockRows).ToArray();

    private readonly TModel _model;
    private readonly long _rows;
    private readonly double** _data;
    private readonly ParallelOptions _parallel;
    private readonly int _chunks;
    private readonly HostColumns? _columns;
    private readonly RowCollective _ranks = RowCollective.Current;
    private double[] _partials = [];

    public NativeLinearSums(TModel model, long rows, nint data, ParallelOptions parallel, int chunks)
    {
        _model = model;
        _rows = rows;
        _data = (double**)data;
        _parallel = parallel;
        _chunks = chunks;
    }

    public void Sum(ReadOnlySpan<double> coefficients, Vec4 own, LinearSumMode mode, int[] entries, double[] sums)
    {
        var model = _model;
        long rows = _rows;
        var data = new HostRows(_data, rows);
        int terms = entries.Length;
        if (_partials.Length < (long)_chunks * terms)
            _partials = new double[(long)_chunks * terms];
        var partials = _partials;
        var design = coefficients.ToArray();
        void Chunk(int c)
        {
            var (begin, end) = NativeEvaluator<TModel, Vec4>.ChunkRange(c, rows);
            SumChunk(model, design, own, mode, data, entries, begin, end, partials.AsSpan(c * terms, terms));
        }
        var (first, last) = _ranks.MineChunks(rows, NativeEvaluator<TModel, Vec4>.ChunkRows);
        if (last - first == 1 || _parallel.MaxDegreeOfParallelism == 1)
        {
            for (int c = first; c < last; c++)
                Chunk(c);
        }
        else
        {
            Parallel.For(first, last, _parallel, Chunk);
        }
        _ranks.ExchangeChunks(partials, rows, NativeEvaluator<TModel, Vec4>.ChunkRows, terms, (long)_chunks * terms);
        Array.Clear(sums, 0, terms);
        for (int c = 0; c < _chunks; c++)
        {
            for (int e = 0; e < terms; e++)
                sums[e] += partials[c * terms + e];
        }
    }

    public void Rows(ReadOnlySpan<double> coefficients, Vec4 own, int kind, long first, int count, double[] output)
    {
        var model = _model;
        var data = new HostRows(_data, _rows);
        var design = coefficients.ToArray();
        // Each rank its own rows of the window (RowCollective.MyRows), in blocks; the others' gathered.
        var (mine, last) = _ranks.MineInWindow(_rows, first, count);
        Parallel.For(mine / BlockRows, (last + BlockRows - 1) / BlockRows, _parallel, b =>
        {
            int end = Math.Min(last, (b + 1) * BlockRows);
            for (int i = Math.Max(mine, b * BlockRows); i < end; i++)
            {
                long row = first + i;
                double eta = 0;
                for (int j = 0; j < design.Length; j++)
                {
                    int column = model.DesignColumn(j);
                    eta += design[j] * (column < 0 ? 1.0 : data[column, row]);
                }
                TModel.Curvature(model, own, data, row, eta, out var c);
                output[i] = HessianEntry.Derivative(kind, c);
            }
        });
        _ranks.ExchangeWindow(output, _rows, first, count, 1);
    }

    /// <summary>Over <paramref name="columns"/> held as <see cref="HostColumns"/> of its own (released in <see cref="Dispose"/>): a wide design's.</summary>
    public NativeLinearSums(TModel model, IReadOnlyList<ReadOnlyMemory<double>> columns, ParallelOptions parallel)
        : this(model, new HostColumns(columns), parallel)
    {
    }

    private NativeLinearSums(TModel model, HostColumns columns, ParallelOptions parallel)
        : this(model, columns.Rows, (nint)columns.Columns, parallel, NativeEvaluator<TModel, Vec4>.ChunkCount(columns.Rows)) =>
        _columns = columns;

    public void Dispose() => _columns?.Dispose();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SumChunk(TModel model, double[] coefficients, Vec4 own, LinearSumMode mode, HostRows data, int[] entries,
        long begin, long end, Span<double> sums)
    {
        int width = model.DesignWidth;
        sums.Clear();
        // The block's derivatives, one row of BlockRows per kind (HessianEntry's numbering), the product
        // derivative · z_a for the current (kind, a), and the design part of η.
        var derivatives = new double[8 * BlockRows];
        var columns = new double*[width + 1];
        bool constantOnly = width == 1 && model.DesignColumn(0) < 0;
        var kindSums = new double[6];
        fixed (double* d = derivatives, ones = Ones)
        {
            double* scaled = d + 6 * BlockRows, design = d + 7 * BlockRows;
            for (long first = begin; first < end; first += BlockRows)
            {
                int n = (int)Math.Min(BlockRows, end - first);
                for (int j = 0; j < width; j++)
                {
                    int column = model.DesignColumn(j);
                    columns[j] = column < 0 ? ones : data.Column(column) + first;
                }
                columns[width] = ones;
                // The design part of η for the block, column by column in vectors (the row order of the kernel's sum).
                LinearPredictor(coefficients, columns, width, design, n);
                TModel.CurvatureBlock(model, own, data, first, n, design, d, BlockRows);
                if (mode == LinearSumMode.ScoreProducts)
                {
                    for (int i = 0; i < n; i++)
                    {
                        var row = new RowCurvature { Value = d[i], Eta = d[BlockRows + i], Extra = d[2 * BlockRows + i] };
                        row = RowCurvature.ScoreProducts(row, TModel.Multiplicity(model, data, first + i));
                        d[3 * BlockRows + i] = row.EtaEta;
                        d[4 * BlockRows + i] = row.EtaExtra;
                        d[5 * BlockRows + i] = row.ExtraExtra;
                    }
                }
                if (constantOnly)
                {
                    // The design is the constant alone (a family fitted as a linear-predictor model): every product
                    // z_a z_b is 1, so each entry is the plain sum of its derivative's row, the six in one sweep.
                    SumRows(d, n, kindSums);
                    for (int e = 0; e < entries.Length; e++)
                        sums[e] += kindSums[HessianEntry.Kind(entries[e])];
                    continue;
                }
                int scaledFor = -1;
                for (int e = 0; e < entries.Length; e++)
                {
                    int entry = entries[e], kind = HessianEntry.Kind(entry), a = HessianEntry.A(entry), b = HessianEntry.B(entry);
                    double* derivative = d + kind * BlockRows;
                    if (b == width)
                    {
                        // Times the constant 1: one dot product.
                        sums[e] += Dot(derivative, columns[a], n);
                        continue;
                    }
                    int key = kind << 8 | a;
                    if (scaledFor != key)
                    {
                        Multiply(derivative, columns[a], scaled, n);
                        scaledFor = key;
                    }
                    // Four entries of the same (kind, a) at once where they follow: one load of the scaled column
                    // serves four products (a single dot product is bound by its two loads per multiply-add).
                    if (e + 3 < entries.Length && SameScaled(entries, e, key, width))
                    {
                        var (s0, s1, s2, s3) = Dot4(scaled, columns[b], columns[HessianEntry.B(entries[e + 1])],
                            columns[HessianEntry.B(entries[e + 2])], columns[HessianEntry.B(entries[e + 3])], n);
                        sums[e] += s0;
                        sums[e + 1] += s1;
                        sums[e + 2] += s2;
                        sums[e + 3] += s3;
                        e += 3;
                        continue;
                    }
                    sums[e] += Dot(scaled, columns[b], n);
                }
            }
        }
    }

    // design[i] = Σⱼ γⱼ zⱼ[i], j in order, four rows per vector.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LinearPredictor(double[] coefficients, double*[] columns, int width, double* design, int n)
    {
        var first = Vector256.Create(coefficients[0]);
        int i = 0;
        for (; i + 3 < n; i += 4)
            Vector256.Store(first * Vector256.Load(columns[0] + i), design + i);
        for (; i < n; i++)
            design[i] = coefficients[0] * columns[0][i];
        for (int j = 1; j < width; j++)
        {
            double coefficient = coefficients[j];
            var vector = Vector256.Create(coefficient);
            double* z = columns[j];
            i = 0;
            for (; i + 3 < n; i += 4)
                Vector256.Store(Vector256.Load(design + i) + vector * Vector256.Load(z + i), design + i);
            for (; i < n; i++)
                design[i] += coefficient * z[i];
        }
    }

    // The sums of the six derivative rows d[kind · BlockRows + i], i < n: a vector accumulator per row, the lanes and
    // the tail added in a fixed order.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SumRows(double* d, int n, double[] sums)
    {
        var s0 = Vector256<double>.Zero;
        var s1 = Vector256<double>.Zero;
        var s2 = Vector256<double>.Zero;
        var s3 = Vector256<double>.Zero;
        var s4 = Vector256<double>.Zero;
        var s5 = Vector256<double>.Zero;
        int i = 0;
        for (; i + 3 < n; i += 4)
        {
            s0 += Vector256.Load(d + i);
            s1 += Vector256.Load(d + BlockRows + i);
            s2 += Vector256.Load(d + 2 * BlockRows + i);
            s3 += Vector256.Load(d + 3 * BlockRows + i);
            s4 += Vector256.Load(d + 4 * BlockRows + i);
            s5 += Vector256.Load(d + 5 * BlockRows + i);
        }
        sums[0] = Lanes(s0);
        sums[1] = Lanes(s1);
        sums[2] = Lanes(s2);
        sums[3] = Lanes(s3);
        sums[4] = Lanes(s4);
        sums[5] = Lanes(s5);
        for (; i < n; i++)
        {
            for (int kind = 0; kind < 6; kind++)
                sums[kind] += d[kind * BlockRows + i];
        }
    }

    // Entries e + 1 … e + 3 share entry e's (kind, a) and none is a product with the constant.
    private static bool SameScaled(int[] entries, int e, int key, int width)
    {
        for (int f = e + 1; f <= e + 3; f++)
        {
            int entry = entries[f];
            if ((HessianEntry.Kind(entry) << 8 | HessianEntry.A(entry)) != key || HessianEntry.B(entry) == width)
                return false;
        }
        return true;
    }

    // Σ x[i] yₖ[i] for four columns y₀ … y₃: two vector accumulators per column over 8 rows a step (eight independent
    // chains), combined in a fixed order, then the tail.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (double, double, double, double) Dot4(double* x, double* y0, double* y1, double* y2, double* y3, int n) =>
        Wide ? Dot4Wide(x, y0, y1, y2, y3, n) : Dot4Narrow(x, y0, y1, y2, y3, n);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (double, double, double, double) Dot4Narrow(double* x, double* y0, double* y1, double* y2, double* y3, int n)
    {
        var a0 = Vector256<double>.Zero;
        var a1 = Vector256<double>.Zero;
        var a2 = Vector256<double>.Zero;
        var a3 = Vector256<double>.Zero;
        var b0 = Vector256<double>.Zero;
        var b1 = Vector256<double>.Zero;
        var b2 = Vector256<double>.Zero;
        var b3 = Vector256<double>.Zero;
        int i = 0;
        for (; i + 7 < n; i += 8)
        {
            var xa = Vector256.Load(x + i);
            var xb = Vector256.Load(x + i + 4);
            a0 = Vector256.FusedMultiplyAdd(xa, Vector256.Load(y0 + i), a0);
            a1 = Vector256.FusedMultiplyAdd(xa, Vector256.Load(y1 + i), a1);
            a2 = Vector256.FusedMultiplyAdd(xa, Vector256.Load(y2 + i), a2);
            a3 = Vector256.FusedMultiplyAdd(xa, Vector256.Load(y3 + i), a3);
            b0 = Vector256.FusedMultiplyAdd(xb, Vector256.Load(y0 + i + 4), b0);
            b1 = Vector256.FusedMultiplyAdd(xb, Vector256.Load(y1 + i + 4), b1);
            b2 = Vector256.FusedMultiplyAdd(xb, Vector256.Load(y2 + i + 4), b2);
            b3 = Vector256.FusedMultiplyAdd(xb, Vector256.Load(y3 + i + 4), b3);
        }
        return Tail4(x, y0, y1, y2, y3, i, n, Lanes(a0 + b0), Lanes(a1 + b1), Lanes(a2 + b2), Lanes(a3 + b3));
    }

    // Dot4's rows from i on, one by one, added to the vector steps' sums: one tail for both forms, so they cannot drift apart.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (double, double, double, double) Tail4(double* x, double* y0, double* y1, double* y2, double* y3, int i, int n,
        double s0, double s1, double s2, double s3)
    {
        for (; i < n; i++)
        {
            s0 += x[i] * y0[i];
            s1 += x[i] * y1[i];
            s2 += x[i] * y2[i];
            s3 += x[i] * y3[i];
        }
        return (s0, s1, s2, s3);
    }

    // Where 512-bit vectors are hardware: Dot4's and Dot's arithmetic with each pair of their 256-bit accumulators
    // as the halves of one 512-bit accumulator (rows i … i + 3 in the low half, i + 4 … i + 7 in the high), so every
    // lane sums the same products in the same order and the halves are added as the pair was: the same bits.
    private static readonly bool Wide = Vector512.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (double, double, double, double) Dot4Wide(double* x, double* y0, double* y1, double* y2, double* y3, int n)
    {
        var a0 = Vector512<double>.Zero;
        var a1 = Vector512<double>.Zero;
        var a2 = Vector512<double>.Zero;
        var a3 = Vector512<double>.Zero;
        int i = 0;
        for (; i + 7 < n; i += 8)
        {
            var xi = Vector512.Load(x + i);
            a0 = Vector512.FusedMultiplyAdd(xi, Vector512.Load(y0 + i), a0);
            a1 = Vector512.FusedMultiplyAdd(xi, Vector512.Load(y1 + i), a1);
            a2 = Vector512.FusedMultiplyAdd(xi, Vector512.Load(y2 + i), a2);
            a3 = Vector512.FusedMultiplyAdd(xi, Vector512.Load(y3 + i), a3);
        }
        return Tail4(x, y0, y1, y2, y3, i, n, Halves(a0), Halves(a1), Halves(a2), Halves(a3));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double DotWide(double* x, double* y, int n)
    {
        var low = Vector512<double>.Zero;
        var high = Vector512<double>.Zero;
        int i = 0;
        for (; i + 15 < n; i += 16)
        {
            low = Vector512.FusedMultiplyAdd(Vector512.Load(x + i), Vector512.Load(y + i), low);
            high = Vector512.FusedMultiplyAdd(Vector512.Load(x + i + 8), Vector512.Load(y + i + 8), high);
        }
        double sum = Lanes((low.GetLower() + low.GetUpper()) + (high.GetLower() + high.GetUpper()));
        for (; i < n; i++)
            sum += x[i] * y[i];
        return sum;
    }

    private static double Halves(Vector512<double> s) => Lanes(s.GetLower() + s.GetUpper());

    private static double Lanes(Vector256<double> s) => (s.GetElement(0) + s.GetElement(1)) + (s.GetElement(2) + s.GetElement(3));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply(double* x, double* y, double* product, int n)
    {
        int i = 0;
        for (; i + 3 < n; i += 4)
            Vector256.Store(Vector256.Load(x + i) * Vector256.Load(y + i), product + i);
        for (; i < n; i++)
            product[i] = x[i] * y[i];
    }

    // Σ x[i] y[i]: four vector accumulators over 16 rows a step, combined in a fixed order, then the tail.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Dot(double* x, double* y, int n) => Wide ? DotWide(x, y, n) : DotNarrow(x, y, n);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double DotNarrow(double* x, double* y, int n)
    {
        var s0 = Vector256<double>.Zero;
        var s1 = Vector256<double>.Zero;
        var s2 = Vector256<double>.Zero;
        var s3 = Vector256<double>.Zero;
        int i = 0;
        for (; i + 15 < n; i += 16)
        {
            s0 = Vector256.FusedMultiplyAdd(Vector256.Load(x + i), Vector256.Load(y + i), s0);
            s1 = Vector256.FusedMultiplyAdd(Vector256.Load(x + i + 4), Vector256.Load(y + i + 4), s1);
            s2 = Vector256.FusedMultiplyAdd(Vector256.Load(x + i + 8), Vector256.Load(y + i + 8), s2);
            s3 = Vector256.FusedMultiplyAdd(Vector256.Load(x + i + 12), Vector256.Load(y + i + 12), s3);
        }
        double sum = Lanes((s0 + s1) + (s2 + s3));
        for (; i < n; i++)
            sum += x[i] * y[i];
        return sum;
    }
}
