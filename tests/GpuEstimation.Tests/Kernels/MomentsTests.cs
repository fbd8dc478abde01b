using GpuEstimation.Kernels;
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
}
