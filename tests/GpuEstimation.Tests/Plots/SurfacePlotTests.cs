using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Models;
using GpuEstimation.Plots;
using GpuEstimation.Surfaces;
using GpuEstimation.Tests.Engine;
using GpuEstimation.Tests.Support;
using SkiaSharp;
using Xunit;

namespace GpuEstimation.Tests.Plots;

/// <summary>The pictures are real: their size, many colours, and features where the plot's coordinate transform
/// says the estimate and the regions are, read back from the PNG's pixels.</summary>
[Collection(DeviceCollection.Name)]
public sealed class SurfacePlotTests(DeviceFixture devices) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gpuest-png").FullName;
    private static readonly double[] X = LikelihoodEngineTests.Samples(5_000, 121, 10, 2);

    [Fact]
    public void HeatmapMarksTheMleAndItsRegions()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X)), "x");
        using var session = spec.OpenSession(devices.Native);
        var mle = session.Fit(new FitOptions());
        double mu = mle["mu"], sigma = mle["sigma"];
        var sweep = Sweeper.Sweep(spec, session, new SweepOptions
        {
            Axes = [new GridAxis("mu", mu - 0.15, mu + 0.15, 61), new GridAxis("sigma", sigma - 0.1, sigma + 0.1, 41)],
        }) with { Base = mle };
        var path = Path.Combine(_directory, "surface.png");

        var plot = SurfacePlots.Heatmap(sweep, path, 800, 600);

        using var bitmap = SKBitmap.Decode(path);
        Assert.Equal(800, bitmap.Width);
        Assert.Equal(600, bitmap.Height);
        Assert.True(DistinctColours(bitmap) > 200, "a heatmap has many colours");

        // The MLE marker (red) sits where the plot maps (mu, sigma).
        var centre = plot.GetPixel(new ScottPlot.Coordinates(mu, sigma));
        var atMle = bitmap.GetPixel((int)centre.X, (int)centre.Y);
        Assert.True(atMle.Red > 200 && atMle.Green < 80 && atMle.Blue < 80, $"expected the red marker at the MLE, found {atMle}");

        // The Δ = 1.15 contour (white) crosses the line sigma = σ̂ at mu = μ̂ ± σ̂·√(2·1.15/n).
        double half = sigma * Math.Sqrt(2 * 1.15 / X.Length);
        foreach (double side in new[] { -1.0, 1.0 })
        {
            var expected = plot.GetPixel(new ScottPlot.Coordinates(mu + side * half, sigma));
            bool white = Enumerable.Range(-3, 7).Any(dx => IsWhite(bitmap.GetPixel((int)expected.X + dx, (int)expected.Y)));
            Assert.True(white, $"no contour pixel near x = {expected.X}, y = {expected.Y}");
        }
    }

    [Fact]
    public void ProfileCurveDrawsTheIntervalEnds()
    {
        var x = X[..200];
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", x)), "x");
        using var session = spec.OpenSession(devices.Native);
        var fit = session.Fit(new FitOptions { Profile = ["mu"] });
        var sweep = Sweeper.Sweep(spec, session, new SweepOptions { Axes = [new GridAxis("mu", fit["mu"] - 0.6, fit["mu"] + 0.6, 121)], Profile = true });
        var path = Path.Combine(_directory, "profile.png");

        var plot = SurfacePlots.Curve(sweep, path, 800, 500);

        using var bitmap = SKBitmap.Decode(path);
        Assert.Equal(800, bitmap.Width);
        Assert.Equal(500, bitmap.Height);
        // A red dotted line stands at each end of the profile interval found by the fit.
        foreach (double end in new[] { fit.Get("mu").Profile!.Lower!.Value, fit.Get("mu").Profile!.Upper!.Value })
        {
            var pixel = plot.GetPixel(new ScottPlot.Coordinates(end, -3));
            int column = (int)Math.Round(pixel.X);
            int red = Enumerable.Range(50, 400).Count(y => Enumerable.Range(-2, 5).Any(dx => IsRed(bitmap.GetPixel(column + dx, y))));
            Assert.True(red > 20, $"no interval line at mu = {end} (x = {column})");
        }
    }

    [Fact]
    public void LearningExamplePictureHasTheLines()
    {
        var path = Path.Combine(_directory, "line.png");
        var output = new StringWriter();
        int code = GpuEstimation.Cli.GpuestApp.Run(["plot", "--points", "25", "--png", path, "--device", "native"], output, new StringWriter());
        Assert.Equal(0, code);
        using var bitmap = SKBitmap.Decode(path);
        Assert.Equal(900, bitmap.Width);
        Assert.True(DistinctColours(bitmap) > 20);
        Assert.True(CountWhere(bitmap, IsRed) > 200, "the MLE line is drawn in red");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static bool IsWhite(SKColor c) => c.Red > 230 && c.Green > 230 && c.Blue > 230;

    private static bool IsRed(SKColor c) => c.Red > 200 && c.Green < 80 && c.Blue < 80;

    private static int DistinctColours(SKBitmap bitmap) => bitmap.Pixels.Select(p => (uint)p).Distinct().Count();

    private static int CountWhere(SKBitmap bitmap, Func<SKColor, bool> predicate) => bitmap.Pixels.Count(predicate);
}
