using GpuEstimation.Demo;
using GpuEstimation.Estimation;
using GpuEstimation.Models;
using GpuEstimation.Plots;
using GpuEstimation.Priors;
using GpuEstimation.Tests.Support;
using SkiaSharp;
using Xunit;

namespace GpuEstimation.Tests.Plots;

/// <summary>The learning example's picture: labels apart and near their points, outliers always drawn, both lines seen.</summary>
[Collection(DeviceCollection.Name)]
public sealed class LearningPlotTests(DeviceFixture devices) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gpuest-line").FullName;

    [Fact]
    public void LearningExamplePictureHasTheLines()
    {
        var path = Path.Combine(_directory, "line.png");
        int code = GpuEstimation.Cli.GpuestApp.Run(["plot", "--points", "25", "--png", path, "--device", "native"], new StringWriter(), new StringWriter());
        Assert.Equal(0, code);
        using var bitmap = SKBitmap.Decode(path);
        Assert.Equal(900, bitmap.Width);
        Assert.True(SurfacePlotTests.DistinctColours(bitmap) > 20);
        Assert.True(bitmap.Pixels.Count(SurfacePlotTests.IsRed) > 200, "the MLE line is drawn in red");
    }

    // A machine without fonts draws pictures without text, silently: gpuest then says so on stderr (and only then).
    // Here (fonts installed) no note; in the OpenCL tests' root (no fonts) the note.
    [Fact]
    public void PicturesWithoutTextAreSaidToBeSo()
    {
        var error = new StringWriter();
        int code = GpuEstimation.Cli.GpuestApp.Run(["plot", "--points", "25", "--png", Path.Combine(_directory, "fonts.png"), "--device", "native"], new StringWriter(), error);

        Assert.Equal(0, code);
        bool fonts = SKTypeface.Default.GlyphCount > 0;
        Assert.Equal(fonts, SurfacePlots.TextProblem is null);
        Assert.Equal(!fonts, error.ToString().Contains("gpuest: note: no fonts found on this machine, so the pictures have no text"));
    }

    // Every point gets its label, as log f printed without a negative zero, in a box of its own near the point.
    [Fact]
    public void PointLabelsAreApartAndNearTheirPoints()
    {
        var (x, y, mle, map, densities) = Fit(30, LearningExample.PlotSlopePriorSd);

        var plot = SurfacePlots.LearningExample(x, y, mle, map, densities, Path.Combine(_directory, "labels.png"), slopePriorSd: LearningExample.PlotSlopePriorSd);

        // The MAP's legend names its prior and the σ̂ estimated with it; the MLE's names neither.
        var legends = plot.GetPlottables<ScottPlot.Plottables.LinePlot>().Select(l => l.LegendText).ToList();
        Assert.Contains(legends, t => t.StartsWith($"MAP (slope ~ Normal(0, 0.06), σ̂ = {PlotText.Significant(map["sigma"], 3)} with it): y = ", StringComparison.Ordinal));
        Assert.Contains(legends, t => t.StartsWith("MLE: y = ", StringComparison.Ordinal));

        var labels = plot.GetPlottables<ScottPlot.Plottables.Text>().ToList();
        Assert.Equal(x.Length, labels.Count);
        Assert.All(labels, t => Assert.False(SurfacePlotTests.IsNegativeZero(t.LabelText), t.LabelText));
        Assert.Equal(densities.Select(d => Math.Round(d, 1)), labels.Select(t => double.Parse(t.LabelText.Replace(PlotText.Minus, '-'), System.Globalization.CultureInfo.InvariantCulture)));
        var boxes = labels.Select(t => t.LabelLastRenderPixelRect).ToList();
        SurfacePlotTests.AssertApart(boxes);
        for (int i = 0; i < x.Length; i++)
        {
            var point = plot.GetPixel(new ScottPlot.Coordinates(x[i], y[i]));
            double dx = Math.Max(Math.Max(boxes[i].Left - point.X, point.X - boxes[i].Right), 0), dy = Math.Max(Math.Max(boxes[i].Top - point.Y, point.Y - boxes[i].Bottom), 0);
            Assert.True(Math.Sqrt(dx * dx + dy * dy) < 40, $"label {i} is {Math.Sqrt(dx * dx + dy * dy)} px from its point");
        }
    }

    // The points' size falls with their number past the labelled 40, not at once (41 points were drawn at 3 pixels,
    // half hidden under the lines, beside 6 at 40; a trial): 40 and 41 points alike, a thousand and more at 3.
    [Fact]
    public void PointsShrinkGraduallyPastTheLabelled()
    {
        float Size(int points)
        {
            var (x, y, mle, map, densities) = Fit(points, LearningExample.PlotSlopePriorSd);
            var plot = SurfacePlots.LearningExample(x, y, mle, map, densities, Path.Combine(_directory, $"size{points}.png"));
            return plot.GetPlottables<ScottPlot.Plottables.Scatter>().First(s => s.LegendText.StartsWith("data", StringComparison.Ordinal)).MarkerSize;
        }
        Assert.Equal(6, Size(40));
        Assert.True(Size(41) >= 5.9, $"{Size(41)}");
        Assert.True(Size(5000) is >= 3 and < 4, $"{Size(5000)}");
    }

    // 100,000 points drawn 1 in 50: the two outliers (points 49,999 and 99,999, lifted by 5) are drawn all the same,
    // purple where the plot maps them, and named in the legend.
    [Fact]
    public void OutliersAreDrawnWhenTheDataAreThinned()
    {
        var (x, y, mle, map, densities) = Fit(100_000, LearningExample.DemoSlopePriorSd);
        var path = Path.Combine(_directory, "outliers.png");

        var plot = SurfacePlots.LearningExample(x, y, mle, map, densities, path);

        using var bitmap = SKBitmap.Decode(path);
        Assert.Equal(2, LearningExample.Outliers(x.Length));
        foreach (int i in new[] { LearningExample.OutlierEvery - 1, 2 * LearningExample.OutlierEvery - 1 })
        {
            var at = plot.GetPixel(new ScottPlot.Coordinates(x[i], y[i]));
            var colour = bitmap.GetPixel((int)Math.Round(at.X), (int)Math.Round(at.Y));
            Assert.True(colour.Red is > 100 and < 160 && colour.Green < 40 && colour.Blue is > 100 and < 160, $"outlier {i} shows {colour}");
        }
        var legend = plot.GetPlottables<ScottPlot.Plottables.Scatter>().Select(s => s.LegendText).ToList();
        Assert.Contains("outliers: 2 points over 5σ̂ off the MLE line, all drawn", legend);
        Assert.Contains("data (1 in 50 of 100,000)", legend);
    }

    // With a prior too weak to move it, the MAP line lies on the MLE line: the wide red line still shows beside the
    // orange dashes drawn on it.
    [Fact]
    public void CoincidentLinesBothShow()
    {
        var (x, y, mle, map, densities) = Fit(50, 1e3);
        Assert.True(Math.Abs(map["x"] - mle["x"]) < 1e-4);
        var path = Path.Combine(_directory, "both.png");

        SurfacePlots.LearningExample(x, y, mle, map, densities, path);

        using var bitmap = SKBitmap.Decode(path);
        Assert.True(bitmap.Pixels.Count(SurfacePlotTests.IsRed) > 300, "the MLE line shows");
        Assert.True(bitmap.Pixels.Count(c => c.Red > 230 && c.Green is > 140 and < 190 && c.Blue < 40) > 300, "the MAP line shows");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private (double[] X, double[] Y, FitResult Mle, FitResult Map, double[] Densities) Fit(int points, double priorSd)
    {
        var data = LearningExample.Generate(points);
        var spec = ModelCatalog.Linear(data, "y", ["x"]);
        using var session = new EstimationSession(spec, devices.Native);
        var mle = session.Fit(new FitOptions());
        var map = session.Fit(new FitOptions { Map = true, Priors = new Dictionary<string, Prior> { ["x"] = new NormalPrior(0, priorSd) } });
        return (data.Column("x").ToArray(), data.Column("y").ToArray(), mle, map, session.LogDensities(mle.Parameters.Select(p => p.Estimate).ToArray()));
    }
}
