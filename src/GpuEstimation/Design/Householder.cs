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
                double s = v0 * y[0];
                for (int i = 1; i < x.Length; i++)
                    s += x[i] * y[i];
                s *= twoOverVv;
                y[0] -= s * v0;
                for (int i = 1; i < x.Length; i++)
                    y[i] -= s * x[i];
            }
            x[0] = alpha;
            x[1..].Clear();
        }
    }

    /// <summary>
    /// R of the <paramref name="rows"/> × <paramref name="width"/> matrix whose column j <paramref name="fill"/> writes,
    /// block by block (fill(j, first row, the block's cells of column j)): [R; next block] reduced after each block of
    /// 4,096 rows, so that memory stays O(width²) whatever the rows. min(rows, width) × width, row by row.
    /// </summary>
    public static double[,] Reduce(int rows, int width, Action<int, int, Span<double>> fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        const int Block = 4096;
        var stacked = new double[(width + Block) * width];
        var r = new double[0, width];
        for (int begin = 0; begin < rows; begin += Block)
        {
            int count = Math.Min(Block, rows - begin), top = r.GetLength(0), height = top + count;
            for (int j = 0; j < width; j++)
            {
                var column = stacked.AsSpan(j * height, height);
                for (int i = 0; i < top; i++)
                    column[i] = r[i, j];
                fill(j, begin, column[top..]);
            }
            Triangularize(stacked, height, width);
            r = Upper(stacked, height, width);
        }
        return r;
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
