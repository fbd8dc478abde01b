using GpuEstimation.Estimation;
using GpuEstimation.Tests.Estimation;
using GpuEstimation.Tests.Support;

namespace GpuEstimation.Tests.Properties;

/// <summary>Closed-form MLEs, where a family has one, from the data columns (the response first for the linear model).</summary>
internal static class ClosedForms
{
    /// <summary>
    /// The MLE of <paramref name="family"/> with every parameter estimated, or null where there is no closed form.
    /// Laplace's location is any point between the middle order statistics when n is even: the fitted one if it lies
    /// there, else the nearer end.
    /// </summary>
    public static double[]? Mle(string family, double[][] columns, FitResult fit, IReadOnlyDictionary<string, double> held)
    {
        if (family == "laplace")
            return Laplace(columns[0], fit["location"], held.ContainsKey("location"), held.GetValueOrDefault("scale"));
        if (held.Count > 0)
            return null;
        var x = columns[0];
        double mean = Numerics.Sum(x) / x.Length;
        return family switch
        {
            "normal" => [mean, Math.Sqrt(Numerics.Sum(x.Select(v => (v - mean) * (v - mean))) / x.Length)],
            "lognormal" => Mle("normal", [[.. x.Select(v => Math.Log(v))]], fit, held),
            "exponential" => [1 / mean],
            "poisson" or "bernoulli" => [mean],
            "binomial" => [mean / 20],
            "geometric" => [1 / mean],
            "linear" => Linear(columns),
            _ => null,
        };
    }

    /// <summary>Laplace: location in the median interval (unless held), scale the mean absolute deviation from it (unless held, 0).</summary>
    private static double[] Laplace(double[] x, double fitted, bool heldLocation, double heldScale)
    {
        var sorted = x.Order().ToArray();
        int n = sorted.Length;
        double low = sorted[(n - 1) / 2], high = sorted[n / 2];
        double location = heldLocation ? fitted : Math.Clamp(fitted, low, high);
        return [location, heldScale > 0 ? heldScale : Numerics.Sum(x.Select(v => Math.Abs(v - location))) / n];
    }

    private static double[] Linear(double[][] columns)
    {
        var (b, sigma) = LinearFitTests.QrReference(columns[0], columns[1..]);
        return [.. b, sigma];
    }
}
