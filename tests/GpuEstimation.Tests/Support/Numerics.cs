namespace GpuEstimation.Tests.Support;

internal static class Numerics
{
    /// <summary>|a − b| / |b| (or |a| where b is 0).</summary>
    public static double Relative(double actual, double expected) =>
        expected == 0 ? Math.Abs(actual) : Math.Abs(actual - expected) / Math.Abs(expected);

    /// <summary>Correct significant digits of <paramref name="actual"/> against <paramref name="expected"/> (LRE, capped at 15).</summary>
    public static double Digits(double actual, double expected)
    {
        double relative = Relative(actual, expected);
        return relative == 0 ? 15 : Math.Min(15, -Math.Log10(relative));
    }

    /// <summary>A compensated (Neumaier) sum: the reference the device sums are compared against.</summary>
    public static double Sum(IEnumerable<double> values)
    {
        double sum = 0, compensation = 0;
        foreach (var v in values)
        {
            double t = sum + v;
            compensation += Math.Abs(sum) >= Math.Abs(v) ? (sum - t) + v : (v - t) + sum;
            sum = t;
        }
        return sum + compensation;
    }
}
