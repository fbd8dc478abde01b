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
        if (values.Any(double.IsFinite))
            output.WriteLine($"largest {(sweep.LogPosterior is null ? "log-likelihood" : "log-posterior")} on the grid {Numbers.Full(values[best])} at " +
                string.Join(", ", sweep.Parameters.Select((name, k) => $"{name} = {Value(sweep, name, sweep.Points[best][k])}")));
        else
            output.WriteLine($"no finite {(sweep.LogPosterior is null ? "log-likelihood" : "log-posterior")} on the grid");
        var (infinite, undefined) = sweep.NonFinite;
        if (infinite + undefined > 0)
        {
            // The JSON writes both as null and the CSV as -Infinity and NaN: said here, with what each means.
            string quantity = sweep.LogPosterior is null ? "log-likelihood" : "log-posterior";
            output.WriteLine($"note: of the {values.Length:N0} grid points, the {quantity} is not finite at {string.Join(" and ", sweep.NonFiniteParts())}");
        }
        if (sweep.Base is { } fit)
        {
            // Where the off-grid parameters were held (the fit's estimates, or --at's values), then the fit's own
            // value: a line that gave the fit's value alone read as the value at an --at point.
            var held = sweep.OffGrid.Select(name => (Name: name, Index: sweep.IndexOf(name))).ToList();
            string where = sweep.Profile
                ? "off-grid parameters re-optimized at every point, from "
                : held.Count > 0 && sweep.Points.Count > 0
                    ? $"off-grid parameters held at {string.Join(", ", held.Select(p => $"{p.Name} = {Value(sweep, p.Name, sweep.Points[0][p.Index])}"))}; "
                    : "";
            output.WriteLine($"{where}the {fit.Method.ToUpperInvariant()}: {(fit.LogPosterior is { } lp ? $"log-posterior {Numbers.Full(lp)}, log-likelihood {Numbers.Full(fit.LogLikelihood)}" : $"log-likelihood {Numbers.Full(fit.LogLikelihood)}")}");
        }
        else if (sweep.Profile)
        {
            // A profile's base fit found no maximum (a separated logit): the profile fits started from the model's own values.
            output.WriteLine("off-grid parameters re-optimized at every point, from the model's starting values: the fit over every parameter did not converge");
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
        if (Step(a) is { } step)
            (low, high) = (Numbers.Significant(a.Low, 6, step, 2), Numbers.Significant(a.High, 6, step, 2));
        return $"{a.Name} {low}..{high} ({a.Count})";
    }

    // A grid axis's spacing, where it has two or more points.
    private static double? Step(GridAxis a) => a.Count > 1 && a.High > a.Low ? (a.High - a.Low) / (a.Count - 1) : null;

    /// <summary>
    /// A parameter's value at a grid point: on an axis, with the digits its spacing needs (a grid over 10¹² with a
    /// spacing of 0.025 printed its maximum at "1000000000000"); off the axes, eight significant digits and at least
    /// three decimals past the units of a value that large.
    /// </summary>
    private static string Value(SweepResult sweep, string name, double value)
    {
        if (sweep.Axes.FirstOrDefault(a => a.Name == name) is { } axis && Step(axis) is { } step)
            return Numbers.Significant(value, 8, step, 2);
        int whole = value == 0 || !double.IsFinite(value) ? 1 : Math.Max(1, (int)Math.Floor(Math.Log10(Math.Abs(value))) + 1);
        return Numbers.Significant(value, Math.Clamp(whole + 3, 8, 17));
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
