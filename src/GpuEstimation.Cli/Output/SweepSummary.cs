using System.Globalization;
using GpuEstimation.Surfaces;

namespace GpuEstimation.Cli.Output;

/// <summary>A sweep in a few lines: the grid, its size and speed, and where the largest value on it lies.</summary>
internal static class SweepSummary
{
    /// <summary>The summary; <paramref name="sweepMs"/> is the median of <paramref name="repeat"/> warm sweeps.</summary>
    public static void Write(TextWriter output, SweepResult sweep, double? sweepMs, int? repeat)
    {
        var values = sweep.LogPosterior ?? sweep.LogLikelihood;
        int best = Array.IndexOf(values, values.Max());
        output.WriteLine($"model {sweep.Model} ({(sweep.LogPosterior is null ? "MLE" : "MAP")}), {sweep.N:N0} observations, device {sweep.Device}");
        output.WriteLine($"{(sweep.Profile ? "profile" : "sweep")} over {string.Join(" x ", sweep.Axes.Select(Axis))}: " +
            $"{sweep.Points.Count:N0} points in {sweep.ElapsedMs.ToString("0.0", CultureInfo.InvariantCulture)} ms " +
            $"({Rate(sweep.PointEvaluationsPerSecond)} point-evaluations/s)");
        output.WriteLine($"largest {(sweep.LogPosterior is null ? "log-likelihood" : "log-posterior")} on the grid {Numbers.Full(values[best])} at " +
            string.Join(", ", sweep.Parameters.Select((name, k) => $"{name} = {Numbers.Significant(sweep.Points[best][k], 8)}")));
        if (sweep.Base is { } fit)
        {
            // Where the off-grid parameters were held (the fit's estimates, or --at's values), then the fit's own
            // value: a line that gave the fit's value alone read as the value at an --at point.
            var axes = sweep.Axes.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
            var held = sweep.Parameters.Select((name, k) => (Name: name, Index: k)).Where(p => !axes.Contains(p.Name)).ToList();
            string where = sweep.Profile
                ? "off-grid parameters re-optimized at every point, from "
                : held.Count > 0 && sweep.Points.Count > 0
                    ? $"off-grid parameters held at {string.Join(", ", held.Select(p => $"{p.Name} = {Numbers.Significant(sweep.Points[0][p.Index], 8)}"))}; "
                    : "";
            output.WriteLine($"{where}the {fit.Method.ToUpperInvariant()}: {(fit.LogPosterior is { } lp ? $"log-posterior {Numbers.Full(lp)}, log-likelihood {Numbers.Full(fit.LogLikelihood)}" : $"log-likelihood {Numbers.Full(fit.LogLikelihood)}")}");
        }
        if (sweepMs is { } ms)
            output.WriteLine($"sweep time {Numbers.Milliseconds(ms)} (median of {repeat} repeated sweeps, data on the device: " +
                $"{Rate((double)sweep.Points.Count * sweep.N / ms * 1e3)} point-evaluations/s)");
        if (sweep.NotConverged > 0)
            output.WriteLine($"note: {sweep.NotConverged} profile fits did not converge; their rows hold the last point reached");
    }

    private static string Axis(GridAxis a)
    {
        var (low, high) = Numbers.Apart(a.Low, a.High, 6);
        return $"{a.Name} {low}..{high} ({a.Count})";
    }

    /// <summary>A rate with an SI prefix and three significant digits: 48.9 M, 1.25 G, 2.5 T.</summary>
    private static string Rate(double perSecond)
    {
        string[] prefixes = ["", " k", " M", " G", " T", " P"];
        int power = 0;
        while (power < prefixes.Length - 1 && Math.Abs(perSecond) >= 1000)
        {
            perSecond /= 1000;
            power++;
        }
        return perSecond.ToString("G3", CultureInfo.InvariantCulture) + prefixes[power];
    }
}
