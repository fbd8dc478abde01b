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
        var (sweep, mu, sigma) = AroundMle(0.15, 61, 0.1, 41);
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

    // The normal fit to X swept around its MLE, μ̂ ± muHalf over muPoints and σ̂ ± sigmaHalf over sigmaPoints, with the
    // estimates located; and the MLE.
    private (SweepResult Sweep, double Mu, double Sigma) AroundMle(double muHalf, int muPoints, double sigmaHalf, int sigmaPoints)
    {
        using var session = new EstimationSession(ModelCatalog.Normal(Dataset.FromColumns(("x", X)), "x"), devices.Native);
        var mle = session.Fit(new FitOptions());
        double mu = mle["mu"], sigma = mle["sigma"];
        var sweep = Sweeper.Sweep(session, new SweepOptions
        {
            Axes = [new GridAxis("mu", mu - muHalf, mu + muHalf, muPoints), new GridAxis("sigma", sigma - sigmaHalf, sigma + sigmaHalf, sigmaPoints)],
            Estimates = true,
        });
        return (sweep, mu, sigma);
    }

    // Each cell is drawn centred on its grid point, a step wide: the heatmap's rectangle is the grid's outer cell edges,
    // half a step beyond the end points (ScottPlot's Extent is the edge cells' centres: every cell came out N/(N − 1)
    // too wide, the middle one of three 1.5 steps, a trial measuring the pixels).
    [Fact]
    public void CellsAreCentredOnTheirGridPoints()
    {
        var (sweep, mu, sigma) = AroundMle(0.02, 3, 0.02, 3);

        var plot = SurfacePlots.Heatmap(sweep, Path.Combine(_directory, "cells.png"), new HeatmapOptions { FitToRegion = false });

        var edges = Assert.Single(plot.GetPlottables<ScottPlot.Plottables.Heatmap>()).GetAlignedExtent();
        Assert.True(Math.Abs(edges.Left - (mu - 0.03)) <= 1e-12 && Math.Abs(edges.Right - (mu + 0.03)) <= 1e-12, $"mu edges {edges.Left:R} … {edges.Right:R}");
        Assert.True(Math.Abs(edges.Bottom - (sigma - 0.03)) <= 1e-12 && Math.Abs(edges.Top - (sigma + 0.03)) <= 1e-12, $"sigma edges {edges.Bottom:R} … {edges.Top:R}");
    }

    // With an off-grid parameter held at a given value, the located maximum is the maximum given it, and the picture says
    // so with what is held (a trial: Student-t's maximum at ν = 30 labelled "MLE", ν said nowhere); held at the fit's
    // estimate, it is the MLE, and the legend still names the held value.
    [Fact]
    public void AMaximumGivenHeldValuesIsLabelledSo()
    {
        var t = Enumerable.Range(0, 400).Select(i => 2 + 1.5 * MathNet.Numerics.Distributions.StudentT.InvCDF(0, 1, 4, (i + 0.5) / 400)).ToArray();
        using var session = new EstimationSession(ModelCatalog.Create("studentt", Dataset.FromColumns(("x", t)), new ModelColumns("x")), devices.Native);
        GridAxis[] axes = [new GridAxis("mu", 1.5, 2.6, 23), new GridAxis("sigma", 1.0, 2.2, 25)];
        var given = Sweeper.Sweep(session, new SweepOptions { Axes = axes, At = new Dictionary<string, double> { ["nu"] = 30 }, Estimates = true });
        Assert.Equal([("nu", 30.0)], given.HeldApart);
        var plot = SurfacePlots.Heatmap(given, Path.Combine(_directory, "given.png"));
        Assert.Contains(plot.GetPlottables<ScottPlot.Plottables.Marker>(), m => m.LegendText == "MLE given nu = 30");
        Assert.Contains("held: nu = 30; the regions are conditional on these values", Legend(plot));

        // Every legend line fits the picture (a newcomer's "held: …; a profile sweep re-optim" was cut at its edge).
        Assert.All(plot.Legend.ManualItems, i => Assert.True(i.LabelText.Length <= 100, i.LabelText));
        // A joint estimate marked on the held surface (the demo's MAP) is not "given" the held value.
        var joint = given with { Estimates = [new SweepEstimate("MLE", [2.0, 1.5, 4.3], -800)] };
        Assert.Contains(SurfacePlots.Heatmap(joint, Path.Combine(_directory, "joint.png")).GetPlottables<ScottPlot.Plottables.Marker>(), m => m.LegendText.StartsWith("MLE", StringComparison.Ordinal) && !m.LegendText.Contains("given", StringComparison.Ordinal));

        var atFit = Sweeper.Sweep(session, new SweepOptions { Axes = axes, Estimates = true });
        Assert.Empty(atFit.HeldApart);
        var mle = SurfacePlots.Heatmap(atFit, Path.Combine(_directory, "mle.png"));
        Assert.Contains(mle.GetPlottables<ScottPlot.Plottables.Marker>(), m => m.LegendText == "MLE");
        Assert.Contains(mle.Legend.ManualItems, i => i.LabelText.StartsWith("held: nu = ", StringComparison.Ordinal));
    }

    // A MAP sweep marks both: the MLE (red circle) and, pulled towards the prior's centre, the MAP (orange diamond),
    // each where the plot maps its closed form (a normal prior on mu with sigma held: a precision-weighted mean).
    [Fact]
    public void MapHeatmapMarksTheMleAndTheMap()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X[..50])), "x");
        using var session = new EstimationSession(spec, devices.Native);
        var mle = session.Fit(new FitOptions());
        double mu = mle["mu"], sigma = mle["sigma"], n = 50;
        var prior = new GpuEstimation.Priors.NormalPrior(mu - 1.5, 0.3);
        var sweep = Sweeper.Sweep(session, new SweepOptions
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
        using var session = new EstimationSession(spec, devices.Native);
        var sweep = Sweeper.Sweep(session, new SweepOptions
        {
            Axes = [new GridAxis("mu", 9.5, 10.5, 11), new GridAxis("sigma", 1.5, 2.5, 11)],
        }) with { Estimates = [new SweepEstimate("MAP", [30.0, 2.0], double.NaN)] };

        var plot = SurfacePlots.Heatmap(sweep, Path.Combine(_directory, "off.png"));

        var marker = Assert.Single(plot.GetPlottables<ScottPlot.Plottables.Marker>());
        Assert.Equal("MAP off the grid, at mu = 30, sigma = 2", marker.LegendText);
        var limits = plot.Axes.GetLimits();
        Assert.True(limits.Right < 11 && limits.Left > 9, $"the frame stretched to {limits.Left}..{limits.Right}");
    }

    // An axis of one point (allowed): its cells are coloured across the axis's extent (ScottPlot drew a one-column
    // heatmap as nothing, a white plot).
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AxisOfOnePointIsColoured(bool muHasOnePoint)
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X)), "x");
        using var session = new EstimationSession(spec, devices.Native);
        GridAxis mu = muHasOnePoint ? new("mu", 10, 10, 1) : new("mu", 9.5, 10.5, 20), sigma = muHasOnePoint ? new("sigma", 1.5, 2.5, 20) : new("sigma", 2, 2, 1);
        var sweep = Sweeper.Sweep(session, new SweepOptions { Axes = [mu, sigma] });
        var path = Path.Combine(_directory, "one.png");

        var plot = SurfacePlots.Heatmap(sweep, path);

        using var bitmap = SKBitmap.Decode(path);
        var limits = plot.Axes.GetLimits();
        int coloured = 0, probes = 0;
        for (double fx = 0.1; fx < 0.95; fx += 0.2)
        {
            for (double fy = 0.1; fy < 0.95; fy += 0.2, probes++)
            {
                var pixel = plot.GetPixel(new ScottPlot.Coordinates(limits.Left + fx * limits.HorizontalSpan, limits.Bottom + fy * limits.VerticalSpan));
                coloured += IsWhite(bitmap.GetPixel((int)pixel.X, (int)pixel.Y)) ? 0 : 1;
            }
        }
        Assert.True(coloured == probes, $"{probes - coloured} of {probes} probes of the plot area are white");
    }

    // A grid far larger than the 99% region is framed on the region: the frame holds the Δ = 4.6 contour's extreme
    // points (closed forms at the MLE's row and column) and is a small part of the grid; asked to, it shows the whole grid.
    [Fact]
    public void LargeGridIsFramedOnThe99PercentRegion()
    {
        var (sweep, mu, sigma) = LargeSweep();

        var plot = SurfacePlots.Heatmap(sweep, Path.Combine(_directory, "large.png"));

        var limits = plot.Axes.GetLimits();
        double halfMu = sigma * Math.Sqrt(2 * 4.6 / X.Length);
        var (sigmaLow, sigmaHigh) = SigmaEnds(sigma, 4.6);
        Assert.True(limits.Left < mu - halfMu && limits.Right > mu + halfMu, $"mu frame {limits.Left}..{limits.Right} misses {mu} ± {halfMu}");
        Assert.True(limits.Bottom < sigmaLow && limits.Top > sigmaHigh, $"sigma frame {limits.Bottom}..{limits.Top} misses {sigmaLow}..{sigmaHigh}");
        Assert.True(limits.HorizontalSpan < 0.1 * 20 && limits.VerticalSpan < 0.1 * 9.5, $"frame {limits} is not fitted to the region");

        var whole = SurfacePlots.Heatmap(sweep, Path.Combine(_directory, "whole.png"), new HeatmapOptions { FitToRegion = false }).Axes.GetLimits();
        Assert.True(whole.Left <= 0 && whole.Right >= 20 && whole.Bottom <= 0.5 && whole.Top >= 10, $"the whole grid is not framed: {whole}");
    }

    // The colour bar ends at the floor with "≤ −20" where the frame holds lower values (the whole large grid), and
    // where it does not (a grid within Δ > −20) ends at the frame's least value without the sign.
    [Fact]
    public void ColourBarSaysWhereItIsClipped()
    {
        var (sweep, mu, sigma) = LargeSweep();
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X)), "x");
        using var session = new EstimationSession(spec, devices.Native);
        var small = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("mu", mu - 0.1, mu + 0.1, 21), new GridAxis("sigma", sigma - 0.07, sigma + 0.07, 21)] });
        Assert.True(small.LogLikelihood.Min() - small.LogLikelihood.Max() > -20);

        var whole = ColourTicks(SurfacePlots.Heatmap(sweep, Path.Combine(_directory, "whole.png"), new HeatmapOptions { FitToRegion = false }));
        var fitted = ColourTicks(SurfacePlots.Heatmap(small, Path.Combine(_directory, "fitted.png")));

        Assert.Equal("≤ −20", whole.MinBy(t => t.Position).Label);
        Assert.Equal(-20, whole.Min(t => t.Position));
        Assert.Equal("0", whole.MaxBy(t => t.Position).Label);
        Assert.DoesNotContain(fitted, t => t.Label.Contains('≤'));
        Assert.True(fitted.Min(t => t.Position) > -20);
    }

    // Contours over axes of 10⁻¹⁰⁰ are those of the same data in units, scaled: traced over the cells' indices (a trial:
    // a contour leaving the grid's edge was closed by a straight line across it at 10⁻¹⁰⁰).
    [Fact]
    public void ContoursDoNotDependOnTheAxesScale()
    {
        var random = new Random(100);
        var draws = Enumerable.Range(0, 1000).Select(_ => MathNet.Numerics.Distributions.Normal.Sample(random, 0, 1)).ToArray();
        Coordinates2[] Contours(double scale)
        {
            var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", draws.Select(v => v * scale).ToArray())), "x");
            using var session = new EstimationSession(spec, devices.Native);
            var sweep = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("mu", -0.1 * scale, 0.1 * scale, 51), new GridAxis("sigma", 0.8 * scale, 1.2 * scale, 51)], Estimates = true });
            var plot = SurfacePlots.Heatmap(sweep, Path.Combine(_directory, $"scale{scale:E0}.png"));
            return [.. plot.GetPlottables<ScottPlot.Plottables.Scatter>().Where(line => line.Color == ScottPlot.Colors.White)
                .SelectMany(line => line.Data.GetScatterPoints()).Select(p => new Coordinates2(p.X / scale, p.Y / scale))];
        }
        var units = Contours(1);
        var tiny = Contours(1e-100);
        Assert.NotEmpty(units);
        Assert.Equal(units.Length, tiny.Length);
        for (int i = 0; i < units.Length; i++)
            Assert.True(Math.Abs(units[i].X - tiny[i].X) < 1e-9 && Math.Abs(units[i].Y - tiny[i].Y) < 1e-9, $"point {i}: {units[i]} against {tiny[i]}");
    }

    private readonly record struct Coordinates2(double X, double Y);

    // A grid that misses the MLE (its best point hundreds of units down): the colours run from that point down across the
    // frame's values (to a thousand units), not from the maximum to −20, which painted every cell the floor's one colour
    // (a trial).
    [Fact]
    public void AGridOffTheEstimateIsColouredFromItsBestPoint()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X)), "x");
        using var session = new EstimationSession(spec, devices.Native);
        var mle = session.Fit(new FitOptions());
        double mu = mle["mu"], sigma = mle["sigma"];
        var off = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("mu", mu + 1, mu + 3, 30), new GridAxis("sigma", sigma, sigma + 1, 30)], Estimates = true });
        double best = off.LogLikelihood.Max() - off.Peak, least = off.LogLikelihood.Min() - off.Peak;
        Assert.True(best < -4.61 && least < best - 20, $"best {best}, least {least}");

        var plot = SurfacePlots.Heatmap(off, Path.Combine(_directory, "off.png"), new HeatmapOptions { FitToRegion = false });

        var ticks = ColourTicks(plot);
        Assert.Equal(best, ticks.Max(t => t.Position), 1e-9);
        // Down to the frame's least value, or a thousand units below the best point (clipped, "≤").
        double end = Math.Max(least, best - 1000);
        Assert.Equal(end, ticks.Min(t => t.Position), 1e-9 * Math.Abs(end));
        Assert.StartsWith(least < best - 1000 ? "≤ " : "−", ticks.MinBy(t => t.Position).Label);
        Assert.Contains("the colours run from that point down", Legend(plot));
        using var bitmap = SKBitmap.Decode(Path.Combine(_directory, "off.png"));
        Assert.True(DistinctColours(bitmap) > 200, "one flat colour");

        // The opposite: a grid wholly inside the 68% region draws no contour, and says so (it said nothing).
        var (inside, _, _) = AroundMle(1e-3, 9, 1e-3, 9);
        Assert.Contains("no contour on this grid: all of it lies inside the 68% region", Legend(SurfacePlots.Heatmap(inside, Path.Combine(_directory, "inside.png"))));
        // Of four points: that note alone, not also "coarse ... sweep a finer grid" (a review: both, contradicting).
        var (four, _, _) = AroundMle(1e-3, 2, 1e-3, 2);
        var fourLegend = Legend(SurfacePlots.Heatmap(four, Path.Combine(_directory, "four.png")));
        Assert.Contains("all of it lies inside the 68% region", fourLegend);
        Assert.DoesNotContain("coarse grid", fourLegend);
    }

    // A trial's pictures: a grid a millionth of a unit across ended its colour bar at "0" (its least Δ, −1e-6, rounded
    // to one decimal); a σ grid from 0.01 in steps of 10 showed σ down to −5 (its first cell drawn half a step below
    // the grid); a grid with two points inside the 95% region drew its contours as specks and said nothing.
    [Fact]
    public void NarrowWideAndCoarseGridsAreDrawnAsTheyAre()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X)), "x");
        using var session = new EstimationSession(spec, devices.Native);
        var mle = session.Fit(new FitOptions());
        double mu = mle["mu"], sigma = mle["sigma"];

        var narrow = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("mu", mu - 1e-4, mu + 1e-4, 21), new GridAxis("sigma", sigma - 1e-5, sigma + 1e-5, 21)] });
        var bottom = ColourTicks(SurfacePlots.Heatmap(narrow, Path.Combine(_directory, "narrow.png"))).MinBy(t => t.Position);
        Assert.True(bottom.Position < 0 && bottom.Position > -1e-4, $"colour bar ends at {bottom.Position}");
        Assert.Equal(PlotText.Short(double.Parse(bottom.Position.ToString("G3", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture)), bottom.Label);
        Assert.NotEqual("0", bottom.Label);

        var wide = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("mu", -1000, 1000, 100), new GridAxis("sigma", 0.01, 1000, 100)], Estimates = true });
        var limits = SurfacePlots.Heatmap(wide, Path.Combine(_directory, "wide.png")).Axes.GetLimits();
        Assert.True(limits.Bottom >= 0.01, $"sigma shown from {limits.Bottom}");

        var coarse = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("mu", mu - 2, mu + 2, 9), new GridAxis("sigma", sigma - 1.5, sigma + 1.5, 9)], Estimates = true });
        int inside = coarse.LogLikelihood.Count(v => v - coarse.Peak >= -3.0);
        Assert.InRange(inside, 1, 8);
        var plot = SurfacePlots.Heatmap(coarse, Path.Combine(_directory, "coarse.png"));
        Assert.Contains(plot.Legend.ManualItems, i => i.LabelText.StartsWith($"coarse grid: {inside} point", StringComparison.Ordinal));
        Assert.Contains("too few to draw the contours", string.Join(" ", plot.Legend.ManualItems.Select(i => i.LabelText)));
        // No contour lines (white) are drawn from so few points: they left the MLE outside the 95% line (a trial).
        Assert.DoesNotContain(plot.GetPlottables<ScottPlot.Plottables.Scatter>(), line => line.Color == ScottPlot.Colors.White);
        var fine = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("mu", mu - 0.15, mu + 0.15, 31), new GridAxis("sigma", sigma - 0.1, sigma + 0.1, 31)], Estimates = true });
        var finePlot = SurfacePlots.Heatmap(fine, Path.Combine(_directory, "fine.png"));
        Assert.DoesNotContain(finePlot.Legend.ManualItems, i => i.LabelText.StartsWith("coarse", StringComparison.Ordinal));
        Assert.Contains(finePlot.GetPlottables<ScottPlot.Plottables.Scatter>(), line => line.Color == ScottPlot.Colors.White);
    }

    // A --logpdf expression is the model's name: a long one was cut at both sides of the picture. The title fits its
    // width (ten pixels a character): on one line where it can, else the name on a line of its own (a GLM's
    // "glm(poisson…" was cut beside the contour levels), and a name longer than that line its start with an ellipsis.
    [Fact]
    public void LongModelNamesAreShortenedToTheTitlesRoom()
    {
        const string rest = "log-likelihood, contours at Δ = 1.15, 3.0, 4.6 (68/95/99%)";
        Assert.Equal("normal: " + rest, PlotText.Title("normal", rest, 800));
        var expression = "-log(beta) - (x-mu)/beta - exp(-(x-mu)/beta)";
        Assert.Equal(expression + "\n" + rest, PlotText.Title(expression, rest, 800));
        var longer = string.Concat(Enumerable.Repeat(expression + " + ", 2)) + "log(x)";
        var title = PlotText.Title(longer, rest, 800);
        Assert.All(title.Split('\n'), line => Assert.True(line.Length <= 80, line));
        Assert.EndsWith("…\n" + rest, title);
        Assert.StartsWith("-log(beta)", title);
    }

    // Contour labels read as the title does (Δ = 1.15, not −1.15), sit on their own contour (the log-likelihood at the
    // label's centre is the level, to the grid's interpolation) and their boxes do not overlap.
    [Fact]
    public void ContourLabelsNameTheLevelsOnTheirContoursApart()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X)), "x");
        using var session = new EstimationSession(spec, devices.Native);
        var mle = session.Fit(new FitOptions());
        var sweep = Sweeper.Sweep(session, new SweepOptions
        {
            Axes = [new GridAxis("mu", mle["mu"] - 0.15, mle["mu"] + 0.15, 91), new GridAxis("sigma", mle["sigma"] - 0.12, mle["sigma"] + 0.12, 81)],
        });
        double top = sweep.LogLikelihood.Max();

        var plot = SurfacePlots.Heatmap(sweep, Path.Combine(_directory, "labels.png"));

        var labels = plot.GetPlottables<ScottPlot.Plottables.Text>().OrderBy(t => t.LabelText, StringComparer.Ordinal).ToList();
        Assert.Equal(["Δ = 1.15", "Δ = 3.0", "Δ = 4.6"], labels.Select(t => t.LabelText));
        Assert.Contains("Δ = 1.15, 3.0, 4.6", plot.Axes.Title.Label.Text);
        foreach (var (label, level) in labels.Zip(SurfacePlots.TwoParameterLevels))
        {
            double delta = session.Evaluate([label.Location.X, label.Location.Y]).LogLikelihood - top;
            Assert.True(Math.Abs(delta + level) < 0.1, $"'{label.LabelText}' sits where Δ = {delta}");
        }
        AssertApart(labels.Select(t => t.LabelLastRenderPixelRect).ToList());
    }

    // Tick labels and titles carry no negative zero and no hyphen for a minus, on a grid across zero.
    [Fact]
    public void TickLabelsHaveNoNegativeZero()
    {
        var centred = X.Select(v => v - X.Average()).ToArray();
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", centred)), "x");
        using var session = new EstimationSession(spec, devices.Native);
        var sweep = Sweeper.Sweep(session, new SweepOptions
        {
            Axes = [new GridAxis("mu", -0.1, 0.1, 41), new GridAxis("sigma", 1.9, 2.1, 41)],
        });

        var plot = SurfacePlots.Heatmap(sweep, Path.Combine(_directory, "zero.png"));

        var ticks = plot.Axes.Bottom.TickGenerator.Ticks.Where(t => t.IsMajor).Select(t => t.Label).ToList();
        Assert.Contains("0", ticks);
        Assert.Contains(ticks, t => t.StartsWith(PlotText.Minus));
        Assert.All(ticks.Concat(ColourTicks(plot).Select(t => t.Label)), t => Assert.False(t.Contains('-') || IsNegativeZero(t), $"tick label '{t}'"));
    }

    // The library names no command-line flag: a sweep of the wrong shape is an ArgumentException in C# terms.
    [Fact]
    public void WrongShapeIsAnArgumentExceptionWithoutFlags()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X[..100])), "x");
        using var session = new EstimationSession(spec, devices.Native);
        var line = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("mu", 9, 11, 5)] });

        var error = Assert.Throws<ArgumentException>(() => SurfacePlots.Heatmap(line, Path.Combine(_directory, "x.png")));
        Assert.DoesNotContain("--", error.Message);
    }

    /// <summary>Asserts that no two pixel boxes overlap.</summary>
    internal static void AssertApart(IReadOnlyList<ScottPlot.PixelRect> boxes)
    {
        for (int a = 0; a < boxes.Count; a++)
        {
            for (int b = a + 1; b < boxes.Count; b++)
            {
                var (p, q) = (boxes[a], boxes[b]);
                bool overlap = p.Left < q.Right && q.Left < p.Right && p.Top < q.Bottom && q.Top < p.Bottom;
                Assert.False(overlap, $"labels {a} and {b} overlap: {p} and {q}");
            }
        }
    }

    /// <summary>"-0", "−0.0" and the like: a zero printed with a sign.</summary>
    internal static bool IsNegativeZero(string text) =>
        text.Length > 1 && (text[0] is '-' or PlotText.Minus) && text[1..].All(c => c is '0' or '.');

    private (SweepResult Sweep, double Mu, double Sigma) LargeSweep()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X)), "x");
        using var session = new EstimationSession(spec, devices.Native);
        var mle = session.Fit(new FitOptions());
        var sweep = Sweeper.Sweep(session, new SweepOptions
        {
            Axes = [new GridAxis("mu", 0, 20, 401), new GridAxis("sigma", 0.5, 10, 381)],
            Estimates = true,
        });
        return (sweep, mle["mu"], mle["sigma"]);
    }

    // Where Δ log L(μ̂, s) = −level either side of σ̂: n·(ln(σ̂/s) − σ̂²/(2s²) + 1/2) = −level, by bisection.
    private static (double Low, double High) SigmaEnds(double sigma, double level)
    {
        double Delta(double s) => X.Length * (Math.Log(sigma / s) - sigma * sigma / (2 * s * s) + 0.5) + level;
        double Bisect(double inside, double outside)
        {
            for (int i = 0; i < 100; i++)
            {
                double middle = (inside + outside) / 2;
                (inside, outside) = Delta(middle) > 0 ? (middle, outside) : (inside, middle);
            }
            return (inside + outside) / 2;
        }
        return (Bisect(sigma, sigma / 2), Bisect(sigma, sigma * 2));
    }

    private static ScottPlot.Tick[] ColourTicks(ScottPlot.Plot plot) =>
        plot.Axes.GetPanels().OfType<ScottPlot.Panels.ColorBar>().Single().Axis.TickGenerator.Ticks;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>The legend's notes as one text, lines a long note was wrapped into joined again.</summary>
    public static string Legend(ScottPlot.Plot plot) => string.Join(" ", plot.Legend.ManualItems.Select(i => i.LabelText.Trim()));

    internal static bool IsWhite(SKColor c) => c.Red > 230 && c.Green > 230 && c.Blue > 230;

    internal static bool IsRed(SKColor c) => c.Red > 200 && c.Green < 80 && c.Blue < 80;

    internal static int DistinctColours(SKBitmap bitmap) => bitmap.Pixels.Select(p => (uint)p).Distinct().Count();

}
