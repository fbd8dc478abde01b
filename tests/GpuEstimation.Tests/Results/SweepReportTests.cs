using System.Globalization;
using System.Text.Json;
using GpuEstimation.Results;
using GpuEstimation.Surfaces;
using GpuEstimation.Tests.Support;
using Xunit;
using static GpuEstimation.Tests.Results.JsonAssert;

namespace GpuEstimation.Tests.Results;

/// <summary>
/// The sweep's JSON and CSV, frozen: fields and order, omitted versus null, values exact or null in JSON and in
/// round-trip form ("R", invariant culture) in CSV.
/// </summary>
[Collection(DeviceCollection.Name)]
public class SweepReportTests(DeviceFixture devices)
{
    [Fact]
    public void SamplesCoverEveryBranch()
    {
        var sweeps = ReportSamples.Sweeps(devices.Native).Select(s => s.Sweep).ToArray();
        Assert.Contains(sweeps, s => s.LogPosterior is null && s.Estimates.Count == 0 && !s.Profile);
        Assert.Contains(sweeps, s => s.LogPosterior is not null && s.Estimates.Count == 2 && s.Profile);
        Assert.Contains(sweeps, s => s.Points.SelectMany(p => p).Concat(s.LogLikelihood).Any(v => !double.IsFinite(v)));
    }

    [Fact]
    public void JsonFieldsAndValues()
    {
        foreach (var (label, sweep, ms) in ReportSamples.Sweeps(devices.Native))
        {
            foreach (var sweepMs in new[] { ms, null })
            {
                using var json = JsonDocument.Parse(SurfaceReport.Json(sweep, sweepMs));
                var root = json.RootElement;
                // logPosterior, estimates and sweepMs are left out where absent.
                string[] expected =
                [
                    "model", "device", "n", "profile", "axes", "parameters", "points", "logLikelihood",
                    .. sweep.LogPosterior is null ? Array.Empty<string>() : ["logPosterior"],
                    .. sweep.Estimates.Count == 0 ? Array.Empty<string>() : ["estimates"],
                    "notConverged", "elapsedMs", .. sweepMs is null ? Array.Empty<string>() : ["sweepMs"],
                ];
                Assert.True(expected.SequenceEqual(Names(root)), $"{label}: {string.Join(",", Names(root))}");
                AssertHeader(sweep, root, label);
                AssertSeries(sweep, root, label);
                if (sweepMs is { } value)
                    Number(value, root.GetProperty("sweepMs"), label);
            }
        }
    }

    private static void AssertHeader(SweepResult sweep, JsonElement root, string label)
    {
        Assert.Equal(sweep.Model, root.GetProperty("model").GetString());
        Assert.Equal(sweep.Device, root.GetProperty("device").GetString());
        Assert.Equal(sweep.N, root.GetProperty("n").GetInt32());
        Assert.Equal(sweep.Profile, root.GetProperty("profile").GetBoolean());
        Assert.Equal(sweep.NotConverged, root.GetProperty("notConverged").GetInt32());
        Number(sweep.ElapsedMs, root.GetProperty("elapsedMs"), label);
        Strings(sweep.Parameters, root.GetProperty("parameters"));
        var axes = root.GetProperty("axes").EnumerateArray().ToArray();
        Assert.Equal(sweep.Axes.Count, axes.Length);
        for (int a = 0; a < axes.Length; a++)
        {
            Assert.Equal(["name", "low", "high", "count"], Names(axes[a]));
            Assert.Equal(sweep.Axes[a].Name, axes[a].GetProperty("name").GetString());
            Number(sweep.Axes[a].Low, axes[a].GetProperty("low"), label);
            Number(sweep.Axes[a].High, axes[a].GetProperty("high"), label);
            Assert.Equal(sweep.Axes[a].Count, axes[a].GetProperty("count").GetInt32());
        }
    }

    private static void AssertSeries(SweepResult sweep, JsonElement root, string label)
    {
        var points = root.GetProperty("points").EnumerateArray().ToArray();
        Assert.Equal(sweep.Points.Count, points.Length);
        for (int i = 0; i < points.Length; i++)
            Numbers(sweep.Points[i], points[i], $"{label}, point {i}");
        Numbers(sweep.LogLikelihood, root.GetProperty("logLikelihood"), label);
        if (sweep.LogPosterior is { } logPosterior)
            Numbers(logPosterior, root.GetProperty("logPosterior"), label);
        if (sweep.Estimates.Count == 0)
            return;
        // The estimates object keeps the sweep's order (MLE, then MAP), each a full parameter vector.
        var estimates = root.GetProperty("estimates");
        Assert.Equal(sweep.Estimates.Select(e => e.Label), Names(estimates));
        foreach (var estimate in sweep.Estimates)
            Numbers(estimate.Parameters, estimates.GetProperty(estimate.Label), $"{label}, {estimate.Label}");
    }

    [Fact]
    public void CsvColumnsAndRoundTripNumbers()
    {
        foreach (var (label, sweep, _) in ReportSamples.Sweeps(devices.Native))
        {
            var lines = SurfaceReport.Csv(sweep).Split(Environment.NewLine);
            Assert.Equal("", lines[^1]);
            Assert.Equal(sweep.Points.Count + 2, lines.Length);
            var axisIndex = sweep.Axes.Select(a => sweep.Parameters.ToList().IndexOf(a.Name)).ToArray();
            // A profile sweep adds the re-optimized (off-grid) parameters after the values.
            var others = sweep.Profile ? Enumerable.Range(0, sweep.Parameters.Count).Except(axisIndex).ToArray() : [];
            string[] header =
            [
                .. sweep.Axes.Select(a => a.Name), "logLikelihood",
                .. sweep.LogPosterior is null ? Array.Empty<string>() : ["logPosterior"],
                .. others.Select(k => sweep.Parameters[k]),
            ];
            Assert.Equal(header, lines[0].Split(','));
            for (int i = 0; i < sweep.Points.Count; i++)
            {
                double[] row =
                [
                    .. axisIndex.Select(k => sweep.Points[i][k]), sweep.LogLikelihood[i],
                    .. sweep.LogPosterior is { } lp ? [lp[i]] : Array.Empty<double>(),
                    .. others.Select(k => sweep.Points[i][k]),
                ];
                Assert.Equal(row.Select(v => v.ToString("R", CultureInfo.InvariantCulture)), lines[i + 1].Split(','));
            }
        }
    }
}
