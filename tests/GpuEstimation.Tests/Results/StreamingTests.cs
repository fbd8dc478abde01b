using System.Text;
using GpuEstimation.Results;
using GpuEstimation.Surfaces;
using Xunit;

namespace GpuEstimation.Tests.Results;

/// <summary>Sweep output streams: a big grid reaches its stream in small pieces, never as one buffer or string.</summary>
public class StreamingTests
{
    // rows x 500 points of three parameters with long numbers: 400 rows make about 20 MB of JSON.
    private static SweepResult Big(bool map, int rows = 400)
    {
        int count = rows * 500;
        var axes = new[] { new GridAxis("a", 0.1, 0.9, rows), new GridAxis("b", 1.0 / 3, 2.0 / 3, 500) };
        var points = new double[count][];
        var logLikelihood = new double[count];
        for (int i = 0; i < count; i++)
        {
            points[i] = [axes[0][i / 500], axes[1][i % 500], Math.PI * (i + 1)];
            logLikelihood[i] = -Math.E * (i + 1) / 7;
        }
        var logPosterior = map ? logLikelihood.Select(v => v - 1.0 / 3).ToArray() : null;
        return new SweepResult("normal", "cpu", 1000, axes, ["a", "b", "c"], points, logLikelihood, logPosterior, true, 0, null, 1.5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void JsonReachesTheStreamInChunksWithinTheEstimate(bool map)
    {
        var sweep = Big(map);
        var stream = new MeasuringStream();

        SurfaceReport.WriteJson(sweep, stream, 2.5);

        Assert.True(stream.Total > 10_000_000, $"{stream.Total} bytes");
        Assert.True(stream.LargestWrite <= 1 << 20, $"one write of {stream.LargestWrite} bytes of {stream.Total}");
        long estimate = SurfaceReport.EstimateJsonBytes(sweep.Points.Count, sweep.Parameters.Count, map);
        Assert.True(stream.Total <= estimate, $"{stream.Total} bytes written, estimated at most {estimate}");
        Assert.True(stream.Total >= estimate / 2, $"{stream.Total} bytes written, estimate {estimate} is too loose");
    }

    [Fact]
    public void CsvReachesTheWriterValueByValue()
    {
        var sweep = Big(true);
        var writer = new MeasuringTextWriter();

        SurfaceReport.WriteCsv(sweep, writer);

        Assert.True(writer.Total > 10_000_000, $"{writer.Total} characters");
        // The header is the longest single write; each number goes on its own.
        Assert.True(writer.LargestWrite <= 64, $"one write of {writer.LargestWrite} characters");
    }

    [Fact]
    public void StreamedJsonIsTheTextJsonInUtf8()
    {
        var sweep = Big(false, rows: 20) with { Model = "naïve ∑ \"model\"" };
        using var stream = new MemoryStream();

        SurfaceReport.WriteJson(sweep, stream);

        Assert.Equal(Encoding.UTF8.GetBytes(SurfaceReport.Json(sweep)), stream.ToArray());
    }

    [Fact]
    public void WrittenCsvIsTheTextCsv()
    {
        var sweep = Big(true, rows: 20);
        using var writer = new StringWriter();

        SurfaceReport.WriteCsv(sweep, writer);

        Assert.Equal(SurfaceReport.Csv(sweep), writer.ToString());
    }

    // The estimate from options (before sweeping) is the estimate from the grid's size, and grows with MAP and estimates.
    [Fact]
    public void EstimateFromOptionsCountsTheGrid()
    {
        var options = new SweepOptions { Axes = [new GridAxis("a", 0, 1, 5000), new GridAxis("b", 0, 1, 5000)] };

        long estimate = SurfaceReport.EstimateJsonBytes(options, 4);

        Assert.Equal(SurfaceReport.EstimateJsonBytes(25_000_000, 4, false), estimate);
        Assert.True(SurfaceReport.EstimateJsonBytes(options with { Fit = new() { Map = true } }, 4) > estimate);
        Assert.True(SurfaceReport.EstimateJsonBytes(options with { Estimates = true }, 4) > estimate);
        var huge = new SweepOptions { Axes = Enumerable.Range(0, 4).Select(k => new GridAxis($"p{k}", 0, 1, 1_000_000)).ToArray() };
        Assert.Equal(long.MaxValue, SurfaceReport.EstimateJsonBytes(huge, 4));
    }
}
