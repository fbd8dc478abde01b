using System.Runtime.Intrinsics;

namespace GpuEstimation.Kernels;

/// <summary>Sample statistics for starting values.</summary>
public static class Moments
{
    /// <summary>
    /// The sum, compensated: every addition's rounding error is kept (Knuth's TwoSum) and added at the end, in sixteen
    /// interleaved lanes (four 256-bit vectors) over blocks of <see cref="SumBlock"/> values whose sums are added
    /// pairwise. The result is the exact sum rounded once, to within the errors of the error terms (n ε² Σ|x|): an
    /// in-order sum of 10⁶ values near 10¹² was off by 2.3·10⁴ (a mean off by 0.023, 2·10⁻⁵ of the spread of 10³, which
    /// moved a standard deviation from it by 2.7·10⁻¹⁰). Sums of integers below 2⁵³ are exact, as in order. The lanes keep
    /// it at memory speed, where an in-order sum waits on each addition; the same bits on every machine.
    /// </summary>
    public static double Sum(ReadOnlySpan<double> x) => ScaledSum(x, 1.0).Total;

    /// <summary>
    /// The arithmetic mean (0 for no values): the compensated <see cref="Sum"/> over n. A sum past the largest double is
    /// taken over the values scaled by 2⁻⁶⁴ (exact).
    /// </summary>
    public static double Mean(ReadOnlySpan<double> x)
    {
        if (x.Length == 0)
            return 0;
        double mean = Sum(x) / x.Length;
        // A partial sum past the largest double (∞, or ∞ − ∞ where such sums cancel) of finite values: the values
        // scaled by 2⁻⁶⁴ first.
        return !double.IsFinite(mean) && AllFinite(x) ? ScaledSum(x, Down).Total / x.Length * Up : mean;
    }

    /// <summary>
    /// The variance with divisor n (0 for no values): <see cref="StandardDeviation"/> squared, so past the largest
    /// double for data beyond ~10¹⁵⁴ (use the standard deviation there).
    /// </summary>
    public static double Variance(ReadOnlySpan<double> x)
    {
        double sd = StandardDeviation(x);
        return sd * sd;
    }

    /// <summary>
    /// The standard deviation with divisor n (0 for no values): the corrected two-pass form,
    /// √((Σd² − (Σd)²/n)/n) with d = x − <see cref="Mean"/>, pairwise as <see cref="Sum"/>. Where the deviations'
    /// squares would overflow or underflow (data of size 10¹⁷⁰ or 10⁻¹⁷⁰), the deviations are scaled by a power of two
    /// (exact) and the sums taken again.
    /// </summary>
    public static double StandardDeviation(ReadOnlySpan<double> x)
    {
        if (x.Length == 0)
            return 0;
        double mean = Mean(x);
        if (!double.IsFinite(mean))
            return double.NaN;
        // The deviations of values near the largest double can overflow (1.7e308 less −5.7e307): then the values and
        // the mean are scaled by 2⁻⁶⁴ before they are subtracted.
        double pre = 1.0;
        var (sum, squares, largest) = DeviationSums(x, mean, pre, 1.0);
        if (double.IsInfinity(largest) && AllFinite(x))
        {
            pre = Down;
            (sum, squares, largest) = DeviationSums(x, mean, pre, 1.0);
        }
        if (largest == 0 || !double.IsFinite(largest))
            return largest == 0 ? 0 : double.NaN;
        double scale = 1.0;
        if (largest > Huge || largest < Tiny)
        {
            // 2^-e with e the largest deviation's binary exponent (at most 1000, where it is subnormal): the scaled
            // deviations are below 2 in size, and their squares normal.
            scale = Math.ScaleB(1.0, Math.Min(-Math.ILogB(largest), 1000));
            (sum, squares, _) = DeviationSums(x, mean, pre, scale);
        }
        double variance = Math.Max(0.0, (squares - sum * sum / x.Length) / x.Length);
        return Math.Sqrt(variance) / scale / pre;
    }

    /// <summary>Values a pairwise sum's leaf adds in its lanes.</summary>
    public const int SumBlock = 4096;

    // 2^-64 and 2^64; deviations whose squares stay normal doubles, summed over up to 2^60 rows: within 2^±480.
    private const double Down = 5.421010862427522E-20, Up = 18446744073709551616.0;
    private static readonly double Huge = Math.ScaleB(1.0, 480), Tiny = Math.ScaleB(1.0, -480);

    private static bool AllFinite(ReadOnlySpan<double> x)
    {
        foreach (var v in x)
        {
            if (!double.IsFinite(v))
                return false;
        }
        return true;
    }

    // Halves of a pairwise sum: at a multiple of the block, so that every leaf but the last is a whole block.
    private static int Half(int length) => (length / 2 + SumBlock - 1) / SumBlock * SumBlock;

    // Σ x·scale as a sum and its error term (Sum): pairwise over blocks, each block in compensated lanes.
    private static Compensated ScaledSum(ReadOnlySpan<double> x, double scale)
    {
        if (x.Length > SumBlock)
        {
            int half = Half(x.Length);
            return ScaledSum(x[..half], scale).Add(ScaledSum(x[half..], scale));
        }
        var times = Vector256.Create(scale);
        var s0 = Vector256<double>.Zero;
        var (s1, s2, s3, e0, e1, e2, e3) = (s0, s0, s0, s0, s0, s0, s0);
        int i = 0;
        for (; i + 16 <= x.Length; i += 16)
        {
            TwoSum(ref s0, ref e0, Vector256.Create(x.Slice(i, 4)) * times);
            TwoSum(ref s1, ref e1, Vector256.Create(x.Slice(i + 4, 4)) * times);
            TwoSum(ref s2, ref e2, Vector256.Create(x.Slice(i + 8, 4)) * times);
            TwoSum(ref s3, ref e3, Vector256.Create(x.Slice(i + 12, 4)) * times);
        }
        var sum = new Compensated(0, 0);
        for (int k = 0; k < 4; k++)
        {
            sum = sum.Add(new Compensated(s0[k], e0[k])).Add(new Compensated(s1[k], e1[k]))
                .Add(new Compensated(s2[k], e2[k])).Add(new Compensated(s3[k], e3[k]));
        }
        for (; i < x.Length; i++)
            sum = sum.Add(new Compensated(x[i] * scale, 0));
        return sum;
    }

    // s + v with its rounding error added to e (Knuth's TwoSum, lane by lane: no branch, no FMA).
    private static void TwoSum(ref Vector256<double> s, ref Vector256<double> e, Vector256<double> v)
    {
        var t = s + v;
        var z = t - s;
        e += (s - (t - z)) + (v - z);
        s = t;
    }

    // A sum and the accumulated error of the additions that made it.
    private readonly record struct Compensated(double Sum, double Error)
    {
        public Compensated Add(Compensated other)
        {
            double t = Sum + other.Sum, z = t - Sum;
            return new Compensated(t, Error + other.Error + ((Sum - (t - z)) + (other.Sum - z)));
        }

        // An infinite sum stands (its error term is NaN).
        public double Total => double.IsFinite(Sum) ? Sum + Error : Sum;
    }

    // Σ d, Σ d² and max |d| of the deviations d = (x·pre − mean·pre)·scale (pre and scale powers of two), pairwise as Sum.
    private static (double Sum, double Squares, double Largest) DeviationSums(ReadOnlySpan<double> x, double mean, double pre, double scale)
    {
        if (x.Length > SumBlock)
        {
            int half = Half(x.Length);
            var (a, b, c) = DeviationSums(x[..half], mean, pre, scale);
            var (d, e, f) = DeviationSums(x[half..], mean, pre, scale);
            return (a + d, b + e, Math.Max(c, f));
        }
        var by = Vector256.Create(mean);
        var times = Vector256.Create(scale);
        var s0 = Vector256<double>.Zero;
        var s1 = s0;
        var q0 = s0;
        var q1 = s0;
        var m = s0;
        int i = 0;
        // In lanes unless the values are pre-scaled (rare: values near the largest double), then one at a time below.
        for (; pre == 1.0 && i + 8 <= x.Length; i += 8)
        {
            var d0 = (Vector256.Create(x.Slice(i, 4)) - by) * times;
            var d1 = (Vector256.Create(x.Slice(i + 4, 4)) - by) * times;
            s0 += d0;
            s1 += d1;
            q0 += d0 * d0;
            q1 += d1 * d1;
            m = Vector256.Max(m, Vector256.Max(Vector256.Abs(d0), Vector256.Abs(d1)));
        }
        double sum = Lanes(s0 + s1), squares = Lanes(q0 + q1);
        double largest = Math.Max(Math.Max(m[0], m[1]), Math.Max(m[2], m[3]));
        for (; i < x.Length; i++)
        {
            double d = (x[i] * pre - mean * pre) * scale;
            sum += d;
            squares += d * d;
            largest = Math.Max(largest, Math.Abs(d));
        }
        return (sum, squares, largest);
    }

    private static double Lanes(Vector256<double> v) => (v[0] + v[1]) + (v[2] + v[3]);

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
