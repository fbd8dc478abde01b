namespace GpuEstimation.Kernels;

/// <summary>Sample statistics for starting values.</summary>
public static class Moments
{
    /// <summary>The arithmetic mean (0 for no values).</summary>
    public static double Mean(ReadOnlySpan<double> x)
    {
        double sum = 0;
        foreach (var v in x)
            sum += v;
        return x.Length == 0 ? 0 : sum / x.Length;
    }

    /// <summary>Variance with divisor n.</summary>
    public static double Variance(ReadOnlySpan<double> x)
    {
        double mean = Mean(x), sum = 0;
        foreach (var v in x)
            sum += (v - mean) * (v - mean);
        return x.Length == 0 ? 0 : sum / x.Length;
    }

    /// <summary>The q-quantile (0 ≤ q ≤ 1) by linear interpolation of the sorted values.</summary>
    public static double Quantile(ReadOnlySpan<double> x, double q)
    {
        if (x.Length == 0)
            return double.NaN;
        var sorted = x.ToArray();
        Array.Sort(sorted);
        double position = q * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    /// <summary><paramref name="f"/> applied to each value (the columns a family derives, such as log x).</summary>
    public static double[] Map(double[] x, Func<double, double> f)
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
