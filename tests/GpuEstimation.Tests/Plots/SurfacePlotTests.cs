using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Models;
using GpuEstimation.Plots;
using GpuEstimation.Surfaces;
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
    private static readonly double[] X = NormalSamples.Draw(5_000, 121, 10, 2);

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
            Estimates = true,
        });
        Assert.Equal("MLE", Assert.Single(sweep.Estimates).Label);
        Assert.True(Numerics.Relative(sweep.Estimates[0].Parameters[0], mu) <= 1e-9);
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

    // A MAP sweep marks both: the MLE (red circle) and, pulled towards the prior's centre, the MAP (orange diamond),
    // each where the plot maps its closed form (a normal prior on mu with sigma held: a precision-weighted mean).
    [Fact]
    public void MapHeatmapMarksTheMleAndTheMap()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X[..50])), "x");
        using var session = spec.OpenSession(devices.Native);
        var mle = session.Fit(new FitOptions());
        double mu = mle["mu"], sigma = mle["sigma"], n = 50;
        var prior = new GpuEstimation.Priors.NormalPrior(mu - 1.5, 0.3);
        var sweep = Sweeper.Sweep(spec, session, new SweepOptions
        {
            Axes = [new GridAxis("mu", mu - 2, mu + 0.5, 81), new GridAxis("sigma", sigma - 0.8, sigma + 0.8, 41)],
            Fit = new FitOptions { Map = true, Priors = new Dictionary<string, GpuEstimation.Priors.Prior> { ["mu"] = prior } },
            Estimates = true,
        });
        Assert.Equal(["MLE", "MAP"], sweep.Estimates.Select(e => e.Label));
        Assert.NotNull(sweep.LogPosterior);
        // The MAP's mu is the precision-weighted mean of the data and the prior, at the MAP's own sigma.
        var map = sweep.Estimates[1].Parameters;
        double precision = n / (map[1] * map[1]) + 1 / (0.3 * 0.3);
        double expectedMu = (n / (map[1] * map[1]) * X[..50].Average() + (mu - 1.5) / (0.3 * 0.3)) / precision;
        Assert.True(Math.Abs(map[0] - expectedMu) <= 1e-8, $"MAP mu {map[0]} vs {expectedMu}");
        Assert.True(Numerics.Relative(sweep.Estimates[0].Parameters[0], mu) <= 1e-9);

        var path = Path.Combine(_directory, "map.png");
        var plot = SurfacePlots.Heatmap(sweep, path, 800, 600);
        using var bitmap = SKBitmap.Decode(path);
        var atMle = plot.GetPixel(new ScottPlot.Coordinates(mu, sigma));
        var atMap = plot.GetPixel(new ScottPlot.Coordinates(map[0], map[1]));
        Assert.True(IsRed(bitmap.GetPixel((int)atMle.X, (int)atMle.Y)), $"expected the red MLE marker, found {bitmap.GetPixel((int)atMle.X, (int)atMle.Y)}");
        var orange = bitmap.GetPixel((int)atMap.X, (int)atMap.Y);
        Assert.True(orange.Red > 200 && orange.Green is > 120 and < 200 && orange.Blue < 60, $"expected the orange MAP marker, found {orange}");
    }

    // An estimate off the grid is named in the legend; the frame stays on the grid rather than stretching to it.
    [Fact]
    public void EstimateOffTheGridIsNamedNotStretchedTo()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X)), "x");
        using var session = spec.OpenSession(devices.Native);
        var sweep = Sweeper.Sweep(spec, session, new SweepOptions
        {
            Axes = [new GridAxis("mu", 9.5, 10.5, 11), new GridAxis("sigma", 1.5, 2.5, 11)],
        }) with { Estimates = [new SweepEstimate("MAP", [30.0, 2.0])] };

        var plot = SurfacePlots.Heatmap(sweep, Path.Combine(_directory, "off.png"));

        var marker = Assert.Single(plot.GetPlottables<ScottPlot.Plottables.Marker>());
        Assert.Equal("MAP off the grid, at mu = 30, sigma = 2", marker.LegendText);
        var limits = plot.Axes.GetLimits();
        Assert.True(limits.Right < 11 && limits.Left > 9, $"the frame stretched to {limits.Left}..{limits.Right}");
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
