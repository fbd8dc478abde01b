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
    public static double Sum(ReadOnlySpan<double> x) => ScaledSum(x, 1.0, null).Total;

    /// <summary>
    /// The arithmetic mean (0 for no values): the compensated <see cref="Sum"/> over n. A sum past the largest double is
    /// taken over the values scaled by 2⁻⁶⁴ (exact).
    /// </summary>
    public static double Mean(ReadOnlySpan<double> x) => Mean(x, null);

    /// <summary>
    /// The mean of <paramref name="f"/>(x) (the same bits as <see cref="Mean(ReadOnlySpan{double})"/> over a column of
    /// them), taken a block at a time without the column: a start's log x or |x − median|, which over rows spread
    /// across processes (<see cref="Spread"/>) would otherwise be a column of the whole length.
    /// </summary>
    public static double Mean(ReadOnlySpan<double> x, Func<double, double>? f)
    {
        if (x.Length == 0)
            return 0;
        double mean = ScaledSum(x, 1.0, f).Total / x.Length;
        // A partial sum past the largest double (∞, or ∞ − ∞ where such sums cancel) of finite values: the values
        // scaled by 2⁻⁶⁴ first.
        return !double.IsFinite(mean) && AllFinite(x, f) ? ScaledSum(x, Down, f).Total / x.Length * Up : mean;
    }

    /// <summary>
    /// The variance with divisor n (0 for no values): <see cref="StandardDeviation(ReadOnlySpan{double})"/> squared, so past the largest
    /// double for data beyond ~10¹⁵⁴ (use the standard deviation there).
    /// </summary>
    public static double Variance(ReadOnlySpan<double> x)
    {
        double sd = StandardDeviation(x);
        return sd * sd;
    }

    /// <summary>
    /// The standard deviation with divisor n (0 for no values): the corrected two-pass form,
    /// √((Σd² − (Σd)²/n)/n) with d = x − <see cref="Mean(ReadOnlySpan{double})"/>, pairwise as <see cref="Sum"/>. Where the deviations'
    /// squares would overflow or underflow (data of size 10¹⁷⁰ or 10⁻¹⁷⁰), the deviations are scaled by a power of two
    /// (exact) and the sums taken again.
    /// </summary>
    public static double StandardDeviation(ReadOnlySpan<double> x) => StandardDeviation(x, null);

    /// <summary>The standard deviation of <paramref name="f"/>(x), a block at a time as <see cref="Mean(ReadOnlySpan{double}, Func{double, double})"/>.</summary>
    public static double StandardDeviation(ReadOnlySpan<double> x, Func<double, double>? f)
    {
        if (x.Length == 0)
            return 0;
        double mean = Mean(x, f);
        if (!double.IsFinite(mean))
            return double.NaN;
        // The deviations of values near the largest double can overflow (1.7e308 less −5.7e307): then the values and
        // the mean are scaled by 2⁻⁶⁴ before they are subtracted.
        double pre = 1.0;
        var (sum, squares, largest) = DeviationSums(x, mean, pre, 1.0, f);
        if (double.IsInfinity(largest) && AllFinite(x, f))
        {
            pre = Down;
            (sum, squares, largest) = DeviationSums(x, mean, pre, 1.0, f);
        }
        if (largest == 0 || !double.IsFinite(largest))
            return largest == 0 ? 0 : double.NaN;
        double scale = 1.0;
        if (largest > Huge || largest < Tiny)
        {
            // 2^-e with e the largest deviation's binary exponent (at most 1000, where it is subnormal): the scaled
            // deviations are below 2 in size, and their squares normal.
            scale = Math.ScaleB(1.0, Math.Min(-Math.ILogB(largest), 1000));
            (sum, squares, _) = DeviationSums(x, mean, pre, scale, f);
        }
        double variance = Math.Max(0.0, (squares - sum * sum / x.Length) / x.Length);
        return Math.Sqrt(variance) / scale / pre;
    }

    /// <summary>Values a pairwise sum's leaf adds in its lanes.</summary>
    public const int SumBlock = 4096;

    // 2^-64 and 2^64; deviations whose squares stay normal doubles, summed over up to 2^60 rows: within 2^±480.
    private const double Down = 5.421010862427522E-20, Up = 18446744073709551616.0;
    private static readonly double Huge = Math.ScaleB(1.0, 480), Tiny = Math.ScaleB(1.0, -480);

    private static bool AllFinite(ReadOnlySpan<double> x, Func<double, double>? f)
    {
        var spread = SpreadOf(x);
        bool finite = true;
        foreach (var v in spread is null ? x : x[(int)spread.First..(int)spread.End])
        {
            if (!double.IsFinite(f is null ? v : f(v)))
            {
                finite = false;
                break;
            }
        }
        return spread is null ? finite : spread.EachProcess(finite ? 1 : 0).All(f => f == 1);
    }

    // Halves of a pairwise sum: at a multiple of the block, so that every leaf but the last is a whole block.
    private static int Half(int length) => (length / 2 + SumBlock - 1) / SumBlock * SumBlock;

    // Σ x·scale as a sum and its error term (Sum): pairwise over blocks, each block in compensated lanes. Over a spread
    // column, each process sums its own blocks and the blocks' sums are gathered before the pairwise sum.
    private static Compensated ScaledSum(ReadOnlySpan<double> x, double scale, Func<double, double>? f)
    {
        var spread = SpreadOf(x);
        var (from, to, blocks) = OwnBlocks(spread, x.Length);
        var leaves = new double[2 * blocks];
        var mapped = f is null ? null : new double[SumBlock];
        for (int b = from; b < to; b++)
        {
            var sum = ScaledBlock(Block(x, b, f, mapped), scale);
            leaves[2 * b] = sum.Sum;
            leaves[2 * b + 1] = sum.Error;
        }
        spread?.GatherBlocks(leaves, SumBlock, 2);
        return Pairwise(0, x.Length, b => new Compensated(leaves[2 * b], leaves[2 * b + 1]), (a, c) => a.Add(c));
    }

    // One block's Σ x·scale in compensated lanes.
    private static Compensated ScaledBlock(ReadOnlySpan<double> x, double scale)
    {
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

    // The blocks of a pairwise sum over `length` values (one, empty, for none) and block b's values.
    private static int BlockCount(int length) => Math.Max(1, (length + SumBlock - 1) / SumBlock);

    private static ReadOnlySpan<double> Block(ReadOnlySpan<double> x, int b) => x.Slice(b * SumBlock, Math.Min(SumBlock, x.Length - b * SumBlock));

    // Block b of f(x) in `mapped` (room for a block), or of x itself where there is no f.
    private static ReadOnlySpan<double> Block(ReadOnlySpan<double> x, int b, Func<double, double>? f, double[]? mapped)
    {
        var block = Block(x, b);
        if (f is null)
            return block;
        for (int i = 0; i < block.Length; i++)
            mapped![i] = f(block[i]);
        return mapped.AsSpan(0, block.Length);
    }

    // The blocks this process sums, [From, To), of Count: all of them, or over a spread column its own rows' (which
    // begin at a multiple of SumBlock).
    private static (int From, int To, int Count) OwnBlocks(IRowSpread? spread, int length)
    {
        int count = BlockCount(length);
        return spread is null
            ? (0, count, count)
            : ((int)((spread.First + SumBlock - 1) / SumBlock), (int)((spread.End + SumBlock - 1) / SumBlock), count);
    }

    // The pairwise sum of the values [offset, offset + length) as halves at a multiple of the block take them: every
    // leaf is one block, leaf(b) its sum.
    private static T Pairwise<T>(int offset, int length, Func<int, T> leaf, Func<T, T, T> add)
    {
        if (length <= SumBlock)
            return leaf(offset / SumBlock);
        int half = Half(length);
        return add(Pairwise(offset, half, leaf, add), Pairwise(offset + half, length - half, leaf, add));
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
    private static (double Sum, double Squares, double Largest) DeviationSums(ReadOnlySpan<double> x, double mean, double pre, double scale, Func<double, double>? f)
    {
        var spread = SpreadOf(x);
        var (from, to, blocks) = OwnBlocks(spread, x.Length);
        var leaves = new double[3 * blocks];
        var mapped = f is null ? null : new double[SumBlock];
        for (int b = from; b < to; b++)
            (leaves[3 * b], leaves[3 * b + 1], leaves[3 * b + 2]) = DeviationBlock(Block(x, b, f, mapped), mean, pre, scale);
        spread?.GatherBlocks(leaves, SumBlock, 3);
        return Pairwise(0, x.Length, b => (leaves[3 * b], leaves[3 * b + 1], leaves[3 * b + 2]),
            (l, r) => (l.Item1 + r.Item1, l.Item2 + r.Item2, Math.Max(l.Item3, r.Item3)));
    }

    // One block's deviation sums.
    private static (double Sum, double Squares, double Largest) DeviationBlock(ReadOnlySpan<double> x, double mean, double pre, double scale)
    {
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

    /// <summary>The q-quantile of <paramref name="f"/>(x), as <see cref="Quantile(ReadOnlySpan{double}, double)"/> over a column of them, without the column.</summary>
    public static double Quantile(ReadOnlySpan<double> x, Func<double, double> f, double q) => Quantiles(x, [q], f)[0];

    /// <summary>
    /// The q-quantiles (each 0 ≤ q ≤ 1, in ascending order) by linear interpolation of the sorted values, as
    /// <see cref="Quantile(ReadOnlySpan{double}, double)"/> gives each, from one copy of the values and without sorting it: each order statistic
    /// needed is selected (Hoare's partition, median-of-three pivots; past 2 log₂ n rounds the rest is sorted), the
    /// next one above it is the smallest value to its right. O(n) where a sort is O(n log n): 3 quartiles of 10⁷ values
    /// took ~4 s as three sorts. NaN for no values.
    /// </summary>
    public static double[] Quantiles(ReadOnlySpan<double> x, ReadOnlySpan<double> q) => Quantiles(x, q, null);

    // The quantiles of f(x) (of x where there is no f).
    private static double[] Quantiles(ReadOnlySpan<double> x, ReadOnlySpan<double> q, Func<double, double>? f)
    {
        var result = new double[q.Length];
        if (x.Length == 0)
        {
            Array.Fill(result, double.NaN);
            return result;
        }
        if (SpreadOf(x) is { } spread)
        {
            var order = new SpreadOrder(x, spread, f);
            return Interpolated(q, x.Length, k => order.At(k), k => order.At(k));
        }
        var values = x.ToArray();
        if (f is not null)
        {
            for (int i = 0; i < values.Length; i++)
                values[i] = f(values[i]);
        }
        // Everything at or before `done` is at or below the order statistics found so far; the rest lies above.
        int done = 0;
        double Selected(int k)
        {
            Select(values.AsSpan(done), k - done);
            done = k;
            return values[k];
        }
        return Interpolated(q, values.Length, Selected, above => Min(values.AsSpan(above)));
    }

    // The q-quantiles (ascending) of n values by linear interpolation between order statistics: `below`(k), the k-th
    // smallest, asked in ascending k; `above`(k), the k-th smallest once every smaller one has been asked for.
    private static double[] Interpolated(ReadOnlySpan<double> q, int n, Func<int, double> below, Func<int, double> above)
    {
        var result = new double[q.Length];
        for (int i = 0; i < q.Length; i++)
        {
            if (i > 0 && q[i] < q[i - 1])
                throw new ArgumentException("the quantiles' probabilities must be in ascending order", nameof(q));
            double position = q[i] * (n - 1);
            int k = (int)Math.Floor(position);
            int next = Math.Min(k + 1, n - 1);
            double low = below(k);
            double high = next == k ? low : above(next);
            result[i] = low + (position - k) * (high - low);
        }
        return result;
    }

    /// <summary>
    /// The middle two of an even number of values (the n/2-th and (n/2 + 1)-th smallest), whose midpoint is the median
    /// (<see cref="Quantile(ReadOnlySpan{double}, double)"/> at ½); null for an odd number of values or none. Selected, not sorted: O(n).
    /// </summary>
    public static (double Low, double High)? MiddleTwo(ReadOnlySpan<double> x)
    {
        if (x.Length == 0 || x.Length % 2 == 1)
            return null;
        if (SpreadOf(x) is { } spread)
        {
            var order = new SpreadOrder(x, spread, null);
            return (order.At(x.Length / 2 - 1) + 0.0, order.At(x.Length / 2) + 0.0);
        }
        var values = x.ToArray();
        int below = values.Length / 2 - 1;
        Select(values, below);
        // −0 and +0 are equal to the selection, so which one it finds depends on the arrangement: + 0.0 makes either +0.
        return (values[below] + 0.0, Min(values.AsSpan(below + 1)) + 0.0);
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
    /// <remarks>
    /// Over a spread column (<see cref="Spread"/>), only this process's rows are mapped, into memory taken only there
    /// (<see cref="IRowSpread.Allocate"/>); the others stay 0.
    /// </remarks>
    public static ReadOnlyMemory<double> Map(ReadOnlySpan<double> x, Func<double, double> f)
    {
        var result = Column(x);
        var values = result.Span;
        var (first, end) = OwnRows(x);
        for (int i = first; i < end; i++)
            values[i] = f(x[i]);
        return result;
    }

    // A column of x's length for derived values: an array, or over a spread column the spread's memory.
    private static Memory<double> Column(ReadOnlySpan<double> x) => SpreadOf(x) is { } spread ? spread.Allocate(x.Length) : new double[x.Length];

    /// <summary>
    /// <paramref name="f"/> applied to each pair of values of <paramref name="x"/> and <paramref name="y"/> (of one
    /// length); over a spread column, only this process's rows.
    /// </summary>
    public static ReadOnlyMemory<double> Map(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Func<double, double, double> f)
    {
        if (y.Length != x.Length)
            throw new ArgumentException($"{y.Length} values beside {x.Length}", nameof(y));
        var result = Column(x);
        var values = result.Span;
        var (first, end) = OwnRows(x);
        for (int i = first; i < end; i++)
            values[i] = f(x[i], y[i]);
        return result;
    }

    /// <summary>
    /// Makes the statistics of this class, until the result is disposed and in this flow of execution, statistics of
    /// columns spread over processes (<see cref="IRowSpread"/>): each column given must be a whole column of
    /// <see cref="IRowSpread.Rows"/> values, of which only this process's rows are read; sums, quantiles and tests
    /// combine the processes' parts and give, on every process, the bits one process gives over the whole column.
    /// Every process must then take the same statistics in the same order.
    /// </summary>
    public static IDisposable Spread(IRowSpread spread)
    {
        ArgumentNullException.ThrowIfNull(spread);
        var previous = s_spread.Value;
        s_spread.Value = spread;
        return new Restore(previous);
    }

    private static readonly AsyncLocal<IRowSpread?> s_spread = new();

    private sealed class Restore(IRowSpread? previous) : IDisposable
    {
        public void Dispose() => s_spread.Value = previous;
    }

    // The spread the statistics of `x` are taken over: the current one, of whose rows `x` must be a whole column; or none.
    private static IRowSpread? SpreadOf(ReadOnlySpan<double> x)
    {
        var spread = s_spread.Value;
        if (spread is not null && x.Length != spread.Rows)
            throw new InvalidOperationException($"a statistic over rows spread across processes takes a whole column of {spread.Rows} values, not {x.Length}");
        return spread;
    }

    // The rows of `x` this process reads: all, or its own of a spread column.
    private static (int First, int End) OwnRows(ReadOnlySpan<double> x) =>
        SpreadOf(x) is { } spread ? ((int)spread.First, (int)spread.End) : (0, x.Length);

    /// <summary>
    /// The order statistics of a spread column, exact: each process sorts its own rows' keys (the doubles' bits in an
    /// order-keeping map), and the k-th smallest of all is the smallest key with more than k keys at or below it, found
    /// by halving the 64-bit key range: 64 rounds, each one exchange of the processes' counts.
    /// </summary>
    private sealed class SpreadOrder
    {
        private readonly ulong[] _keys;
        private readonly IRowSpread _spread;

        public SpreadOrder(ReadOnlySpan<double> x, IRowSpread spread, Func<double, double>? f)
        {
            _spread = spread;
            var own = x[(int)spread.First..(int)spread.End];
            _keys = new ulong[own.Length];
            for (int i = 0; i < own.Length; i++)
                _keys[i] = Key(f is null ? own[i] : f(own[i]));
            Array.Sort(_keys);
        }

        // The k-th smallest value (from 0) of all the processes' rows.
        public double At(long k)
        {
            ulong low = 0, high = ulong.MaxValue;
            while (low < high)
            {
                ulong middle = low + (high - low) / 2;
                double atOrBelow = 0;
                foreach (double count in _spread.EachProcess(AtOrBelow(middle)))
                    atOrBelow += count;
                if (atOrBelow > k)
                    high = middle;
                else
                    low = middle + 1;
            }
            return Value(low);
        }

        // How many of the own keys are at or below `key`.
        private int AtOrBelow(ulong key)
        {
            int low = 0, high = _keys.Length;
            while (low < high)
            {
                int middle = low + (high - low) / 2;
                if (_keys[middle] <= key)
                    low = middle + 1;
                else
                    high = middle;
            }
            return low;
        }

        private const ulong Sign = 0x8000_0000_0000_0000UL;

        // Negative doubles' bits reversed below the positive ones', which are above the sign bit: unsigned order is the
        // doubles' order (−0 just below +0).
        private static ulong Key(double v)
        {
            ulong bits = (ulong)BitConverter.DoubleToInt64Bits(v);
            return (bits & Sign) != 0 ? ~bits : bits | Sign;
        }

        private static double Value(ulong key) => BitConverter.Int64BitsToDouble((long)((key & Sign) != 0 ? key & ~Sign : ~key));
    }

    /// <summary>A positive value or, where the statistic is not, a fallback (degenerate data still gets a start).</summary>
    public static double PositiveOr(double value, double fallback) => value > 0 && double.IsFinite(value) ? value : fallback;

    /// <summary>
    /// A probability start: <paramref name="value"/> itself strictly inside (0, 1) (a closed-form MLE of 10⁻¹⁰⁰ is the
    /// start; clamped to 10⁻⁶ it took a geometric fit 220 Newton steps, and from 10⁻³⁰⁰ the search lost its way to
    /// p = 0), 10⁻⁶ or 1 − 10⁻⁶ on or past an edge or below the normal doubles, 0.5 where it is not a number.
    /// </summary>
    public static double Probability(double value) =>
        !double.IsFinite(value) ? 0.5 : value >= KernelConstants.SmallestNormal && value < 1 ? value : Math.Clamp(value, 1e-6, 1 - 1e-6);
}
