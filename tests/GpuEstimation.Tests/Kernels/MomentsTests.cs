using GpuEstimation.Kernels;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Kernels;

/// <summary>
/// Moments.Quantiles (selection, not a sort) against the definition: linear interpolation between the order
/// statistics of the sorted values, computed here by Array.Sort. Exact equality: both pick the same two values and
/// interpolate them the same way.
/// </summary>
public class MomentsTests
{
    public static TheoryData<string, int> Cases()
    {
        var cases = new TheoryData<string, int>();
        foreach (var kind in new[] { "uniform", "ties", "sorted", "reversed", "constant", "organ-pipe" })
        {
            foreach (int n in new[] { 1, 2, 3, 4, 5, 17, 1000, 100_001 })
                cases.Add(kind, n);
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void QuantilesAreThoseOfTheSortedValues(string kind, int n)
    {
        var random = new Random(n);
        var x = kind switch
        {
            "uniform" => Enumerable.Range(0, n).Select(_ => random.NextDouble() * 100 - 50).ToArray(),
            "ties" => Enumerable.Range(0, n).Select(_ => (double)random.Next(5)).ToArray(),
            "sorted" => Enumerable.Range(0, n).Select(i => i * 0.5).ToArray(),
            "reversed" => Enumerable.Range(0, n).Select(i => -i * 0.5).ToArray(),
            "constant" => Enumerable.Repeat(3.25, n).ToArray(),
            _ => Enumerable.Range(0, n).Select(i => (double)Math.Min(i, n - i)).ToArray(),
        };
        var original = (double[])x.Clone();
        double[] probabilities = [0, 0.1, 0.25, 0.5, 0.5, 0.75, 0.9, 0.999, 1];
        var quantiles = Moments.Quantiles(x, probabilities);
        var sorted = (double[])x.Clone();
        Array.Sort(sorted);
        for (int i = 0; i < probabilities.Length; i++)
        {
            double position = probabilities[i] * (n - 1);
            int below = (int)Math.Floor(position), above = Math.Min(below + 1, n - 1);
            double expected = sorted[below] + (position - below) * (sorted[above] - sorted[below]);
            Assert.Equal(expected, quantiles[i]);
            Assert.Equal(expected, Moments.Quantile(x, probabilities[i]));
        }
        Assert.Equal(original, x);
    }

    [Fact]
    public void QuantilesOfNothingAreNaNAndProbabilitiesMustAscend()
    {
        Assert.True(double.IsNaN(Moments.Quantiles([], [0.5])[0]));
        Assert.Throws<ArgumentException>(() => Moments.Quantiles([1.0, 2, 3], [0.75, 0.25]));
    }

    // The middle two of an even number of values are the sorted array's n/2-th and (n/2 + 1)-th, ties included; none
    // for an odd number.
    [Theory]
    [InlineData(2, 0)]
    [InlineData(10, 1)]
    [InlineData(1000, 2)]
    [InlineData(1001, 3)]
    public void MiddleTwoAreThoseOfTheSortedValues(int n, int seed)
    {
        var random = new Random(seed);
        var x = Enumerable.Range(0, n).Select(_ => (double)random.Next(0, n / 2 + 1)).ToArray();
        var sorted = x.Order().ToArray();

        var middle = Moments.MiddleTwo(x);

        if (n % 2 == 1)
        {
            Assert.Null(middle);
            return;
        }
        Assert.Equal((sorted[n / 2 - 1], sorted[n / 2]), middle);
    }

    // Data 10¹² + k/1024 (k integer, |k| < 2²⁰: every value exact), whose mean and variance are exact rationals here
    // (BigInteger): the mean to one ulp of 10¹², the standard deviation to 1e-14. An in-order sum of 10⁶ such values is
    // off by ~2·10⁴ (the mean by ~0.02, the standard deviation by ~3e-10, which fails this).
    [Theory]
    [InlineData(1_000, 1)]
    [InlineData(4_097, 2)]
    [InlineData(1_048_613, 3)]
    public void MeanAndStandardDeviationAreExactToRoundingFarFromZero(int n, int seed)
    {
        var random = new Random(seed);
        var k = Enumerable.Range(0, n).Select(_ => (long)random.Next(-(1 << 20) + 1, 1 << 20)).ToArray();
        var x = k.Select(v => 1e12 + v / 1024.0).ToArray();
        Assert.All(x.Zip(k), p => Assert.Equal(p.Second, (long)((p.First - 1e12) * 1024)));
        System.Numerics.BigInteger sum = k.Sum(), squares = k.Aggregate(System.Numerics.BigInteger.Zero, (a, v) => a + (System.Numerics.BigInteger)v * v);
        double mean = 1e12 + (double)sum / n / 1024.0;
        double sd = Math.Sqrt((double)(n * squares - sum * sum) / ((double)n * n)) / 1024.0;

        Assert.True(Math.Abs(Moments.Mean(x) - mean) <= Math.BitIncrement(1e12) - 1e12, $"mean {Moments.Mean(x):R} vs {mean:R}");
        Assert.True(Numerics.Relative(Moments.StandardDeviation(x), sd) <= 1e-14, $"sd {Moments.StandardDeviation(x):R} vs {sd:R}");
        Assert.True(Numerics.Relative(Moments.Variance(x), sd * sd) <= 2e-14);
        Assert.True(Numerics.Relative(Moments.Sum(x), (double)(1_000_000_000_000L * (System.Numerics.BigInteger)n * 1024 + sum) / 1024.0) <= 1e-15);
    }

    // Scaled by 2^±600 (exactly), the same statistics scaled: the squares of such deviations overflow or underflow,
    // so the deviations are scaled back by a power of two first (a Normal start at 10¹⁷⁰ was σ = 1 before).
    [Theory]
    [InlineData(600)]
    [InlineData(-600)]
    [InlineData(1000)]
    [InlineData(-1000)]
    public void StatisticsScaleWithTheDataPastWhereSquaresOverflow(int power)
    {
        var random = new Random(5);
        var x = Enumerable.Range(0, 5_003).Select(_ => 3 + random.NextDouble()).ToArray();
        var scaled = x.Select(v => Math.ScaleB(v, power)).ToArray();
        Assert.True(Numerics.Relative(Moments.Mean(scaled), Math.ScaleB(Moments.Mean(x), power)) <= 1e-15);
        Assert.True(Numerics.Relative(Moments.StandardDeviation(scaled), Math.ScaleB(Moments.StandardDeviation(x), power)) <= 1e-14,
            $"{Moments.StandardDeviation(scaled):R} vs {Math.ScaleB(Moments.StandardDeviation(x), power):R}");
    }

    // The edges: no values, one, constant ones, an infinity, a NaN.
    [Fact]
    public void StatisticsOfEdgeCases()
    {
        Assert.Equal(0, Moments.Mean([]));
        Assert.Equal(0, Moments.StandardDeviation([]));
        Assert.Equal(2.5, Moments.Mean([2.5]));
        Assert.Equal(0, Moments.StandardDeviation([2.5]));
        Assert.Equal(0, Moments.StandardDeviation(Enumerable.Repeat(0.1, 10_000).ToArray()));
        Assert.Equal(0.1, Moments.Mean(Enumerable.Repeat(0.1, 10_000).ToArray()));
        Assert.Equal(double.PositiveInfinity, Moments.Mean([1.0, double.PositiveInfinity]));
        Assert.True(double.IsNaN(Moments.StandardDeviation([1.0, double.PositiveInfinity])));
        Assert.True(double.IsNaN(Moments.Mean([1.0, double.NaN])));
        // A sum past the largest double of finite values: the mean is still the mean.
        Assert.True(Numerics.Relative(Moments.Mean([1.2e308, 1.7e308, 1.6e308, 1.5e308]), 1.5e308) <= 1e-15);
        // A review: lanes overflowing both ways (∞ − ∞) gave NaN for data whose mean is 0; deviations past the largest
        // double gave NaN; subnormal deviations scaled by 2^1030 (∞) gave NaN.
        var cancelling = new double[32];
        cancelling[0] = cancelling[16] = 1e308;
        cancelling[4] = cancelling[20] = -1e308;
        Assert.Equal(0.0, Moments.Mean(cancelling));
        Assert.True(Numerics.Relative(Moments.StandardDeviation(cancelling), Math.Sqrt(4.0 / 32) * 1e308) <= 1e-15, $"{Moments.StandardDeviation(cancelling):R}");
        double[] wide = [1.7e308, -1.7e308, -1.7e308];
        double[] small = [1.7, -1.7, -1.7];
        Assert.True(Numerics.Relative(Moments.StandardDeviation(wide), Moments.StandardDeviation(small) * 1e308) <= 1e-14, $"{Moments.StandardDeviation(wide):R}");
        Assert.True(Numerics.Relative(Moments.StandardDeviation([0.0, 1e-310]), 0.5e-310) <= 1e-10, $"{Moments.StandardDeviation([0.0, 1e-310]):R}");
    }
}
