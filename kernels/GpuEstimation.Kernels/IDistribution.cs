namespace GpuEstimation.Kernels;

/// <summary>
/// A family of distributions for one observed column (independent observations of one variable), with what the host
/// needs besides the likelihood: the parameters, the support, the columns the kernel reads (derived once from the
/// observations, e.g. log x, so that no per-point logarithm is repeated at every evaluation) and data-driven
/// starting values. Everything here is plain arithmetic, usable on the host and (the likelihood) on the device.
/// </summary>
public interface IDistribution<TSelf> : ILikelihoodModel<TSelf> where TSelf : unmanaged, IDistribution<TSelf>
{
    /// <summary>The name the CLI and results use.</summary>
    static abstract string Name { get; }

    /// <summary>The support, in words, for messages (e.g. "x > 0").</summary>
    static abstract string Support { get; }

    /// <summary>The parameters, in model order, with their domains.</summary>
    static abstract IReadOnlyList<ParameterInfo> Parameters { get; }

    /// <summary>Whether the family needs a number of trials per observation (binomial).</summary>
    static virtual bool UsesTrials => false;

    /// <summary>Whether <paramref name="x"/> (with <paramref name="trials"/> where used) lies in the support.</summary>
    static abstract bool InSupport(double x, double trials);

    /// <summary>The columns the kernel reads, from the observations (and trials where used).</summary>
    static abstract double[][] Columns(double[] x, double[]? trials);

    /// <summary>Starting values on the natural scale: moments, or the closed-form MLE where there is one.</summary>
    static abstract double[] Start(double[] x, double[]? trials);
}

/// <summary>Sample statistics for starting values.</summary>
public static class Moments
{
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
