using BenchmarkDotNet.Attributes;
using GpuEstimation.Kernels;

namespace GpuEstimation.Bench;

/// <summary>
/// The starting values' statistics over 10⁷ values near 10¹² (spread 10³): Moments' compensated, vectorized mean and
/// corrected two-pass standard deviation against the in-order sums they replaced (kept here as the baseline), each
/// with its error against the exact values printed by <see cref="Setup"/>. Ratios from one run.
/// </summary>
[Config(typeof(ShortInProcessConfig))]
public class MomentsBenchmarks
{
    private const int N = 10_000_000;

    private double[] _x = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        // 10¹² + k/1024, k a whole number below 2²⁰ in size: every value exact, and the exact mean known.
        var k = new long[N];
        for (int i = 0; i < N; i++)
            k[i] = random.Next(-(1 << 20) + 1, 1 << 20);
        _x = k.Select(v => 1e12 + v / 1024.0).ToArray();
        double exact = 1e12 + (double)k.Sum() / N / 1024.0;
        Console.WriteLine($"// mean error: in order {InOrderMean(_x) - exact:G3}, Moments {Moments.Mean(_x) - exact:G3} (ulp of 1e12: {Math.BitIncrement(1e12) - 1e12:G3})");
    }

    [Benchmark(Baseline = true)]
    public double InOrderMeanAndDeviation()
    {
        double mean = InOrderMean(_x), sum = 0;
        foreach (var v in _x)
            sum += (v - mean) * (v - mean);
        return mean + Math.Sqrt(sum / _x.Length);
    }

    [Benchmark]
    public double MomentsMeanAndDeviation() => Moments.Mean(_x) + Moments.StandardDeviation(_x);

    private static double InOrderMean(double[] x)
    {
        double sum = 0;
        foreach (var v in x)
            sum += v;
        return sum / x.Length;
    }
}
