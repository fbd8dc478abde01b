using System.Globalization;
using System.Text;
using System.Text.Json;
using GpuEstimation.Surfaces;

namespace GpuEstimation.Tests.Results;

/// <summary>A sweep as CSV (one row per grid point) and as JSON.</summary>
internal static class LegacySurfaceReport
{
    /// <summary>
    /// Columns: one per grid parameter, then <c>logLikelihood</c>, <c>logPosterior</c> (MAP only), then, for a profile
    /// sweep, the re-optimized parameters. Rows with the last axis varying fastest.
    /// </summary>
    public static string Csv(SweepResult sweep)
    {
        var axisIndex = sweep.Axes.Select(a => IndexOf(sweep, a.Name)).ToArray();
        var others = sweep.Profile ? Enumerable.Range(0, sweep.Parameters.Count).Where(k => !axisIndex.Contains(k)).ToArray() : [];
        var text = new StringBuilder();
        var header = sweep.Axes.Select(a => a.Name).Append("logLikelihood");
        if (sweep.LogPosterior is not null)
            header = header.Append("logPosterior");
        text.AppendLine(string.Join(",", header.Concat(others.Select(k => sweep.Parameters[k]))));
        for (int i = 0; i < sweep.Points.Length; i++)
        {
            var row = axisIndex.Select(k => sweep.Points[i][k]).Append(sweep.LogLikelihood[i]);
            if (sweep.LogPosterior is { } logPosterior)
                row = row.Append(logPosterior[i]);
            text.AppendLine(string.Join(",", row.Concat(others.Select(k => sweep.Points[i][k])).Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        }
        return text.ToString();
    }

    /// <summary>
    /// model, device, n, axes, profile, parameters, points (each its parameter vector), logLikelihood, logPosterior,
    /// estimates (MLE, MAP: located for pictures), timing (elapsedMs of the sweep reported; sweepMs, where given, the
    /// median of warm repeats).
    /// </summary>
    public static string Json(SweepResult sweep, double? sweepMs = null) => LegacyJsonReport.Write(w =>
    {
        w.WriteString("model", sweep.Model);
        w.WriteString("device", sweep.Device);
        w.WriteNumber("n", sweep.N);
        w.WriteBoolean("profile", sweep.Profile);
        w.WriteStartArray("axes");
        foreach (var axis in sweep.Axes)
        {
            w.WriteStartObject();
            w.WriteString("name", axis.Name);
            w.WriteNumber("low", axis.Low);
            w.WriteNumber("high", axis.High);
            w.WriteNumber("count", axis.Count);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("parameters");
        foreach (var name in sweep.Parameters)
            w.WriteStringValue(name);
        w.WriteEndArray();
        w.WriteStartArray("points");
        foreach (var point in sweep.Points)
            WriteArray(w, null, point);
        w.WriteEndArray();
        WriteArray(w, "logLikelihood", sweep.LogLikelihood);
        if (sweep.LogPosterior is { } logPosterior)
            WriteArray(w, "logPosterior", logPosterior);
        if (sweep.Estimates.Count > 0)
        {
            // Each located estimate's full parameter vector, in parameter order.
            w.WriteStartObject("estimates");
            foreach (var estimate in sweep.Estimates)
                WriteArray(w, estimate.Label, estimate.Parameters);
            w.WriteEndObject();
        }
        w.WriteNumber("notConverged", sweep.NotConverged);
        w.WriteNumber("elapsedMs", sweep.ElapsedMs);
        if (sweepMs is { } ms)
            w.WriteNumber("sweepMs", ms);
    });

    private static void WriteArray(Utf8JsonWriter w, string? name, double[] values)
    {
        if (name is null)
            w.WriteStartArray();
        else
            w.WriteStartArray(name);
        foreach (var v in values)
            LegacyJsonReport.WriteNumber(w, null, v);
        w.WriteEndArray();
    }

    private static int IndexOf(SweepResult sweep, string name)
    {
        for (int k = 0; k < sweep.Parameters.Count; k++)
        {
            if (sweep.Parameters[k] == name)
                return k;
        }
        throw new ArgumentException($"no parameter '{name}'", nameof(name));
    }
}
