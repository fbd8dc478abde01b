using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GpuEstimation.Design;

/// <summary>
/// The R of a QR factorization by Householder reflections, in place and without forming Q: what the blocked least
/// squares of the linear model's start and the design's collinearity check need, R of [R; next block] block after
/// block. MathNet's QR forms the thin Q of every block too (4,100 × 4 for a block of 4,096 rows), which made those two
/// passes 2.4 s of a 5·10⁶-row linear fit's set-up against ~0.1 s for the reflections alone.
/// </summary>
internal static class Householder
{
    /// <summary>
    /// Reduces the <paramref name="height"/> × <paramref name="width"/> matrix <paramref name="a"/> (column-major: column j
    /// at a[j · height …]) to R: its top min(height, width) rows become the upper triangular factor (below the
    /// diagonal: 0), the rows under them are left as scratch. R's diagonal may have either sign.
    /// </summary>
    public static void Triangularize(Span<double> a, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(a.Length, height * width);
        for (int j = 0; j < Math.Min(height, width); j++)
        {
            var x = a.Slice(j * height + j, height - j);
            double norm = Norm(x);
            if (norm == 0)
                continue;
            // v = x − α e₁ with α = −sign(x₀)‖x‖ (no cancellation in v₀); H = I − 2 v vᵀ/‖v‖², ‖v‖² = 2‖x‖(‖x‖ + |x₀|).
            double alpha = x[0] >= 0 ? -norm : norm;
            double v0 = x[0] - alpha;
            double twoOverVv = 1.0 / (norm * (norm + Math.Abs(x[0])));
            for (int c = j + 1; c < width; c++)
            {
                var y = a.Slice(c * height + j, height - j);
                // The inner product one term after another: its rounding decides the digits of ill-conditioned fits
                // (NIST's Wampler3 lost half a digit to a sum in two vector lanes).
                double s = v0 * y[0];
                for (int i = 1; i < x.Length; i++)
                    s += x[i] * y[i];
                s *= twoOverVv;
                y[0] -= s * v0;
                SubtractMultiple(y[1..], s, x[1..]);
            }
            x[0] = alpha;
            x[1..].Clear();
        }
    }

    /// <summary>
    /// R of the <paramref name="rows"/> × <paramref name="width"/> matrix whose column j <paramref name="fill"/> writes,
    /// block by block (fill(j, first row, the block's cells of column j)): [R; next block] reduced after each block of
    /// 4,096 rows. Runs of <see cref="Data.RowSpread.RunRows"/> rows are reduced in parallel (fill is called from several
    /// threads at once), each in O(width²) memory whatever its rows, and their R (width² doubles each) stacked and
    /// reduced in order, so the result does not depend on the number of threads, nor on the ranks where the rows are
    /// spread over them (<paramref name="spread"/>: each rank reduces the runs of its own rows, and every rank must call
    /// it). min(rows, width) × width, row by row.
    /// </summary>
    public static double[,] Reduce(int rows, int width, Action<int, int, Span<double>> fill, Data.RowSpread? spread = null)
    {
        ArgumentNullException.ThrowIfNull(fill);
        // Each run's R as its height, then its cells row by row (a run of fewer rows than columns has fewer rows).
        int size = 1 + width * width;
        var runs = Data.RowSpread.Runs(spread, rows, size, (from, to, values) =>
        {
            var part = ReduceRows(new double[0, width], (int)from, (int)(to - from), width, fill);
            values[0] = part.GetLength(0);
            for (int i = 0; i < part.GetLength(0); i++)
            {
                for (int j = 0; j < width; j++)
                    values[1 + i * width + j] = part[i, j];
            }
        });
        int count = runs.Length / size;
        double[,] Part(int c) => Run(runs.AsSpan(c * size, size), width);
        var r = count == 0 ? new double[0, width] : Part(0);
        for (int c = 1; c < count; c++)
        {
            var part = Part(c);
            r = ReduceRows(r, 0, part.GetLength(0), width, (j, first, cells) =>
            {
                for (int i = 0; i < cells.Length; i++)
                    cells[i] = part[first + i, j];
            });
        }
        return r;
    }

    // A run's R from its part of the runs' values (Reduce).
    private static double[,] Run(ReadOnlySpan<double> values, int width)
    {
        var part = new double[(int)values[0], width];
        for (int i = 0; i < part.GetLength(0); i++)
        {
            for (int j = 0; j < width; j++)
                part[i, j] = values[1 + i * width + j];
        }
        return part;
    }

    /// <summary>
    /// <see cref="Reduce"/> of <paramref name="columns"/> (null: a column of ones, the intercept's), each less its
    /// <paramref name="shifts"/> where given (a centred column) and each row times its <paramref name="rowScale"/> where given.
    /// </summary>
    public static double[,] ReduceColumns(IReadOnlyList<ReadOnlyMemory<double>?> columns, double[]? rowScale, int rows, IReadOnlyList<double>? shifts = null,
        Data.RowSpread? spread = null) =>
        Reduce(rows, columns.Count, (j, first, block) =>
        {
            if (columns[j] is { } column)
                column.Span.Slice(first, block.Length).CopyTo(block);
            else
                block.Fill(1);
            if (shifts is not null && shifts[j] != 0)
            {
                for (int i = 0; i < block.Length; i++)
                    block[i] -= shifts[j];
            }
            if (rowScale is not null)
            {
                for (int i = 0; i < block.Length; i++)
                    block[i] *= rowScale[first + i];
            }
        }, spread);

    // R of [r; rows begin … begin + count of fill's matrix], 4,096 rows at a time.
    private static double[,] ReduceRows(double[,] r, int begin, int count, int width, Action<int, int, Span<double>> fill)
    {
        const int Block = 4096;
        var stacked = new double[(width + Block) * width];
        for (int first = begin; first < begin + count; first += Block)
        {
            int cells = Math.Min(Block, begin + count - first), top = r.GetLength(0), height = top + cells;
            for (int j = 0; j < width; j++)
            {
                var column = stacked.AsSpan(j * height, height);
                for (int i = 0; i < top; i++)
                    column[i] = r[i, j];
                fill(j, first, column[top..]);
            }
            Triangularize(stacked, height, width);
            r = Upper(stacked, height, width);
        }
        return r;
    }

    /// <summary>
    /// Least squares of <paramref name="z"/> on an intercept (where <paramref name="intercept"/>) and
    /// <paramref name="features"/>, each row times <paramref name="rowScale"/> where given (weighted least squares with
    /// weights rowScale²), by R of [1 X z] (<see cref="ReduceColumns"/>); singular
    /// where a diagonal of R is below 10⁻¹³ of both the largest and its own column's norm (the coefficients then 0);
    /// with fewer rows than coefficients, 0s. Over rows spread across ranks (<paramref name="spread"/>), each rank reduces
    /// its own rows (<see cref="Reduce"/>).
    /// </summary>
    public static (double[] Coefficients, bool Singular) LeastSquares(ReadOnlyMemory<double> z, IReadOnlyList<ReadOnlyMemory<double>> features, bool intercept, double[]? rowScale = null,
        Data.RowSpread? spread = null)
    {
        var (coefficients, singular, _) = Fit(z, features, intercept, rowScale, spread);
        return (coefficients, singular);
    }

    /// <summary>
    /// <see cref="LeastSquares"/>, with R of [1 X] (p × p, upper triangular; its inner products XᵀX's) for a refinement
    /// (<see cref="SolveNormal"/>).
    /// </summary>
    public static (double[] Coefficients, bool Singular, double[,] R) Fit(ReadOnlyMemory<double> z, IReadOnlyList<ReadOnlyMemory<double>> features, bool intercept,
        double[]? rowScale = null, Data.RowSpread? spread = null)
    {
        int p = (intercept ? 1 : 0) + features.Count;
        var columns = new List<ReadOnlyMemory<double>?>(p + 1);
        if (intercept)
            columns.Add(null);
        columns.AddRange(features.Select(f => (ReadOnlyMemory<double>?)f));
        columns.Add(z);
        var r = ReduceColumns(columns, rowScale, z.Length, spread: spread);
        var coefficients = new double[p];
        if (r.GetLength(0) < p || p == 0)
            return (coefficients, false, r);
        // A diagonal small against the largest is a dependent column only where it is small against its own column's
        // norm too (a feature in units of 10¹³ beside the intercept is not collinear).
        double largest = Enumerable.Range(0, p).Max(j => Math.Abs(r[j, j]));
        double OwnNorm(int j) => Math.Sqrt(Enumerable.Range(0, j + 1).Sum(i => r[i, j] * r[i, j]));
        if (Enumerable.Range(0, p).Any(j => !(Math.Abs(r[j, j]) > 1e-13 * Math.Min(largest, OwnNorm(j)))))
            return (coefficients, true, r);
        for (int j = p - 1; j >= 0; j--)
        {
            double sum = r[j, p];
            for (int c = j + 1; c < p; c++)
                sum -= r[j, c] * coefficients[c];
            coefficients[j] = sum / r[j, j];
        }
        return (coefficients, false, r);
    }

    /// <summary>
    /// δ with RᵀR δ = <paramref name="g"/>, R the top-left p × p of <paramref name="r"/> (<see cref="Fit"/>, not singular),
    /// by two triangular solves: with g = Xᵀ(z − X b), the correction of b by the corrected semi-normal equations (Björck).
    /// </summary>
    public static double[] SolveNormal(double[,] r, IReadOnlyList<double> g)
    {
        int p = g.Count;
        var w = new double[p];
        for (int j = 0; j < p; j++)
        {
            double sum = g[j];
            for (int i = 0; i < j; i++)
                sum -= r[i, j] * w[i];
            w[j] = sum / r[j, j];
        }
        var delta = new double[p];
        for (int j = p - 1; j >= 0; j--)
        {
            double sum = w[j];
            for (int c = j + 1; c < p; c++)
                sum -= r[j, c] * delta[c];
            delta[j] = sum / r[j, j];
        }
        return delta;
    }

    /// <summary>The upper triangular R of a reduced matrix (<see cref="Triangularize"/>): min(height, width) × width, row by row.</summary>
    public static double[,] Upper(ReadOnlySpan<double> a, int height, int width)
    {
        int rows = Math.Min(height, width);
        var r = new double[rows, width];
        for (int j = 0; j < width; j++)
        {
            for (int i = 0; i <= Math.Min(j, rows - 1); i++)
                r[i, j] = a[j * height + i];
        }
        return r;
    }

    // y[i] −= s x[i], four at a time (each entry as the one-by-one loop computes it).
    private static void SubtractMultiple(Span<double> y, double s, ReadOnlySpan<double> x)
    {
        ref double xs = ref MemoryMarshal.GetReference(x);
        ref double ys = ref MemoryMarshal.GetReference(y);
        var factor = Vector256.Create(s);
        int i = 0;
        for (; i + 3 < y.Length; i += 4)
            (Vector256.LoadUnsafe(ref ys, (nuint)i) - factor * Vector256.LoadUnsafe(ref xs, (nuint)i)).StoreUnsafe(ref ys, (nuint)i);
        for (; i < y.Length; i++)
            y[i] -= s * x[i];
    }

    // ‖x‖ scaled by its largest entry, so that the squares neither overflow nor underflow (the reflection's own products
    // still overflow for entries near 10¹⁶⁰ and more, as MathNet's did).
    private static double Norm(ReadOnlySpan<double> x)
    {
        double largest = 0;
        foreach (double v in x)
            largest = Math.Max(largest, Math.Abs(v));
        if (largest == 0 || !double.IsFinite(largest))
            return largest;
        double sum = 0;
        foreach (double v in x)
        {
            double s = v / largest;
            sum += s * s;
        }
        return largest * Math.Sqrt(sum);
    }
}
