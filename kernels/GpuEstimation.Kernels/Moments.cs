namespace GpuEstimation.Kernels;

/// <summary>Sample statistics for starting values.</summary>
public static class Moments
{
    /// <summary>The sum, added in order.</summary>
    public static double Sum(ReadOnlySpan<double> x)
    {
        double sum = 0;
        foreach (var v in x)
            sum += v;
        return sum;
    }

    /// <summary>The arithmetic mean (0 for no values).</summary>
    public static double Mean(ReadOnlySpan<double> x) => x.Length == 0 ? 0 : Sum(x) / x.Length;

    /// <summary>Variance with divisor n.</summary>
    public static double Variance(ReadOnlySpan<double> x)
    {
        double mean = Mean(x), sum = 0;
        foreach (var v in x)
            sum += (v - mean) * (v - mean);
        return x.Length == 0 ? 0 : sum / x.Length;
    }

    /// <summary>The q-quantile (0 ≤ q ≤ 1) by linear interpolation of the sorted values.</summary>
    public static double Quantile(ReadOnlySpan<double> x, double q) => Quantiles(x, [q])[0];

    /// <summary>
    /// The q-quantiles (each 0 ≤ q ≤ 1, in ascending order) by linear interpolation of the sorted values, as
    /// <see cref="Quantile"/> gives each, from one copy of the values and without sorting it: each order statistic
    /// needed is selected (Hoare's partition, median-of-three pivots; past 2 log₂ n rounds the rest is sorted), the
    /// next one above it is the smallest value to its right. O(n) where a sort is O(n log n): 3 quartiles of 10⁷ values
    /// took ~4 s as three sorts. NaN for no values.
    /// </summary>
    public static double[] Quantiles(ReadOnlySpan<double> x, ReadOnlySpan<double> q)
    {
        var result = new double[q.Length];
        if (x.Length == 0)
        {
            Array.Fill(result, double.NaN);
            return result;
        }
        var values = x.ToArray();
        // Everything at or before `done` is at or below the order statistics found so far; the rest lies above.
        int done = 0;
        for (int i = 0; i < q.Length; i++)
        {
            if (i > 0 && q[i] < q[i - 1])
                throw new ArgumentException("the quantiles' probabilities must be in ascending order", nameof(q));
            double position = q[i] * (values.Length - 1);
            int below = (int)Math.Floor(position);
            int above = Math.Min(below + 1, values.Length - 1);
            Select(values.AsSpan(done), below - done);
            double low = values[below];
            double high = above == below ? low : Min(values.AsSpan(above));
            result[i] = low + (position - below) * (high - low);
            done = below;
        }
        return result;
    }

    /// <summary>
    /// The middle two of an even number of values (the n/2-th and (n/2 + 1)-th smallest), whose midpoint is the median
    /// (<see cref="Quantile"/> at ½); null for an odd number of values or none. Selected, not sorted: O(n).
    /// </summary>
    public static (double Low, double High)? MiddleTwo(ReadOnlySpan<double> x)
    {
        if (x.Length == 0 || x.Length % 2 == 1)
            return null;
        var values = x.ToArray();
        int below = values.Length / 2 - 1;
        Select(values, below);
        return (values[below], Min(values.AsSpan(below + 1)));
    }

    // Rearranges `a` so that a[k] is its k-th smallest value, none after it smaller and none before it larger.
    private static void Select(Span<double> a, int k)
    {
        int lo = 0, hi = a.Length - 1;
        int rounds = 2 * (System.Numerics.BitOperations.Log2((uint)a.Length) + 1);
        while (hi > lo)
        {
            if (rounds-- == 0)
            {
                a[lo..(hi + 1)].Sort();
                return;
            }
            int mid = lo + (hi - lo) / 2;
            if (a[mid] < a[lo])
                (a[mid], a[lo]) = (a[lo], a[mid]);
            if (a[hi] < a[lo])
                (a[hi], a[lo]) = (a[lo], a[hi]);
            if (a[hi] < a[mid])
                (a[hi], a[mid]) = (a[mid], a[hi]);
            double pivot = a[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (a[i] < pivot)
                    i++;
                while (a[j] > pivot)
                    j--;
                if (i <= j)
                {
                    (a[i], a[j]) = (a[j], a[i]);
                    i++;
                    j--;
                }
            }
            // a[lo..j] ≤ pivot ≤ a[i..hi], and what lies between equals the pivot.
            if (k <= j)
                hi = j;
            else if (k >= i)
                lo = i;
            else
                return;
        }
    }

    private static double Min(ReadOnlySpan<double> a)
    {
        double min = a[0];
        foreach (var v in a)
            min = Math.Min(min, v);
        return min;
    }

    /// <summary><paramref name="f"/> applied to each value (the columns a family derives, such as log x).</summary>
    public static double[] Map(ReadOnlySpan<double> x, Func<double, double> f)
    {
        var result = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
            result[i] = f(x[i]);
        return result;
    }

    /// <summary>A positive value or, where the statistic is not, a fallback (degenerate data still gets a start).</summary>
    public static double PositiveOr(double value, double fallback) => value > 0 && double.IsFinite(value) ? value : fallback;

    /// <summary>A value clamped into (0, 1) for probability starts.</summary>
    public static double Probability(double value) => double.IsFinite(value) ? Math.Clamp(value, 1e-6, 1 - 1e-6) : 0.5;
}
