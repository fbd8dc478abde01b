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

/// <summary>Profile curves: the interval's ends drawn where the fit's profile interval ends, printed, and framed.</summary>
[Collection(DeviceCollection.Name)]
public sealed class CurvePlotTests(DeviceFixture devices) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gpuest-curve").FullName;
    private static readonly double[] X = NormalSamples.Draw(200, 121, 10, 2);

    [Fact]
    public void ProfileCurveDrawsAndPrintsTheIntervalEnds()
    {
        var (fit, sweep) = Profile(-0.6, 0.6);
        var path = Path.Combine(_directory, "profile.png");

        var plot = SurfacePlots.Curve(sweep, path, 800, 500);

        using var bitmap = SKBitmap.Decode(path);
        Assert.Equal(800, bitmap.Width);
        Assert.Equal(500, bitmap.Height);
        var ends = new[] { fit.Get("mu").Profile!.Lower!.Value, fit.Get("mu").Profile!.Upper!.Value };
        // A red dotted line stands at each end of the profile interval found by the fit.
        foreach (double end in ends)
        {
            var pixel = plot.GetPixel(new ScottPlot.Coordinates(end, -3));
            int column = (int)Math.Round(pixel.X);
            int red = Enumerable.Range(50, 350).Count(y => Enumerable.Range(-2, 5).Any(dx => SurfacePlotTests.IsRed(bitmap.GetPixel(column + dx, y))));
            Assert.True(red > 20, $"no interval line at mu = {end} (x = {column})");
        }
        // Each end printed at its foot, to the grid's interpolation (a step of 0.01 over a curvature of n/σ²).
        var printed = plot.GetPlottables<ScottPlot.Plottables.Text>().Select(t => double.Parse(t.LabelText.Replace(PlotText.Minus, '-'), System.Globalization.CultureInfo.InvariantCulture)).Order().ToArray();
        Assert.Equal(2, printed.Length);
        Assert.All(printed.Zip(ends), pair => Assert.True(Math.Abs(pair.First - pair.Second) < 0.01, $"printed {pair.First}, interval end {pair.Second}"));
        Assert.Contains(plot.Legend.ManualItems, item => item.LabelText.StartsWith("95% interval: ", StringComparison.Ordinal));
    }

    // A plain sweep says what it holds and at what (a trial's --at mu=2.5 was said nowhere in the picture); a model of
    // one parameter holds nothing, and its interval is the likelihood interval, not "conditional, the others held".
    [Fact]
    public void PlainSweepNamesWhatItHolds()
    {
        using var normal = new EstimationSession(ModelCatalog.Normal(Dataset.FromColumns(("x", X)), "x"), devices.Native);
        var held = Sweeper.Sweep(normal, new SweepOptions { Axes = [new GridAxis("sigma", 1.6, 2.6, 41)], At = new Dictionary<string, double> { ["mu"] = 10.25 } });
        var plot = SurfacePlots.Curve(held, Path.Combine(_directory, "held.png"));
        Assert.Contains(plot.GetPlottables<ScottPlot.Plottables.Scatter>(), line => line.LegendText == "sweep, mu = 10.25 held");
        Assert.Contains("the others held (a conditional interval)", plot.Axes.Title.Label.Text);

        var counts = Enumerable.Range(0, 300).Select(i => (double)(i % 7)).ToArray();
        using var poisson = new EstimationSession(ModelCatalog.Create("poisson", Dataset.FromColumns(("k", counts)), new ModelColumns("k")), devices.Native);
        var alone = Sweeper.Sweep(poisson, new SweepOptions { Axes = [new GridAxis("rate", 2.6, 3.4, 41)] });
        var one = SurfacePlots.Curve(alone, Path.Combine(_directory, "alone.png"));
        Assert.DoesNotContain("held", one.Axes.Title.Label.Text);
        Assert.Contains(one.Legend.ManualItems, item => item.LabelText.StartsWith("95% interval: ", StringComparison.Ordinal));
    }

    // The frame is the interval's neighbourhood: down to 2.5 times the interval's drop, not the grid's −100.
    [Fact]
    public void FrameIsAroundTheInterval()
    {
        var (fit, sweep) = Profile(-10, 10);

        var plot = SurfacePlots.Curve(sweep, Path.Combine(_directory, "wide.png"));

        double drop = 0.5 * MathNet.Numerics.Distributions.ChiSquared.InvCDF(1, 0.95);
        var limits = plot.Axes.GetLimits();
        Assert.True(limits.Bottom < -1.5 * drop && limits.Bottom >= -2.5 * drop - 1e-9, $"bottom at {limits.Bottom}");
        Assert.True(limits.Top > 0, $"top at {limits.Top}");
        var interval = fit.Get("mu").Profile!;
        double width = interval.Upper!.Value - interval.Lower!.Value;
        Assert.True(limits.Left < interval.Lower.Value && limits.Right > interval.Upper.Value, $"frame {limits.Left}..{limits.Right}");
        Assert.True(limits.HorizontalSpan < 3 * width, $"frame {limits.HorizontalSpan} wide for an interval {width} wide");
    }

    // An interval that runs past the grid's end says so instead of printing the grid's end as its end.
    [Fact]
    public void OpenEndIsNamed()
    {
        var (_, sweep) = Profile(-0.05, 0.6);

        var plot = SurfacePlots.Curve(sweep, Path.Combine(_directory, "open.png"));

        Assert.Single(plot.GetPlottables<ScottPlot.Plottables.Text>());
        var item = Assert.Single(plot.Legend.ManualItems, i => i.LabelText.Contains("interval", StringComparison.Ordinal));
        Assert.Contains("below the grid", item.LabelText);
    }

    [Fact]
    public void WrongShapeIsAnArgumentExceptionWithoutFlags()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X)), "x");
        using var session = new EstimationSession(spec, devices.Native);
        var surface = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("mu", 9, 11, 3), new GridAxis("sigma", 1, 3, 3)] });

        var error = Assert.Throws<ArgumentException>(() => SurfacePlots.Curve(surface, Path.Combine(_directory, "x.png")));
        Assert.DoesNotContain("--", error.Message);
    }

    // A trial's 700,000-point curve aborted the process while drawing (16 samples a step, 11 million points): the drawn
    // line keeps a few points per pixel, and the picture is made.
    [Fact]
    public void AVeryFineGridIsDrawn()
    {
        int count = 700_000;
        var xs = Enumerable.Range(0, count).Select(i => 4 + 2.0 * i / (count - 1)).ToArray();
        var sweep = Curve("mu", xs, xs.Select(x => -50 * (x - 4.85) * (x - 4.85)).ToArray());
        var path = Path.Combine(_directory, "fine.png");

        var plot = SurfacePlots.Curve(sweep, path, 800, 500);

        Assert.True(new FileInfo(path).Length > 0);
        var line = plot.GetPlottables<ScottPlot.Plottables.Scatter>().First();
        Assert.InRange(line.Data.GetScatterPoints().Count, 2, 8 * 1600);
        var item = Assert.Single(plot.Legend.ManualItems, i => i.LabelText.Contains("interval", StringComparison.Ordinal));
        double half = Math.Sqrt(0.5 * MathNet.Numerics.Distributions.ChiSquared.InvCDF(1, 0.95) / 50);
        Assert.Contains($"{4.85 - half:F3} to {4.85 + half:F3}", item.LabelText);
    }

    // Values of −∞ (outside a domain) and NaN are not drawn, and the curve's finite stretches are (the whole line had
    // vanished); an end next to a −∞ lies within that step, at the domain's edge (it was printed as the last finite
    // point), and one next to a NaN is unknown (it was "below the grid").
    [Fact]
    public void NonFiniteValuesEndTheCurveAndSayWhy()
    {
        var xs = Enumerable.Range(0, 61).Select(i => i * 0.025).ToArray();
        // Rising to a domain's edge between 1.025 and 1.05, −∞ beyond.
        var edge = Curve("m", xs, xs.Select(x => x <= 1.0251 ? 60 * (x - 1.025) : double.NegativeInfinity).ToArray());
        var plot = SurfacePlots.Curve(edge, Path.Combine(_directory, "edge.png"));
        Assert.Contains("to the domain's edge, between 1.0250 and 1.0500 (the value is −∞ above)", SurfacePlotTests.Legend(plot));
        Assert.Contains("not drawn: 19 where it is −∞ (data impossible there, or past the doubles' range) of the 61 grid points", SurfacePlotTests.Legend(plot));
        Assert.Contains(plot.GetPlottables<ScottPlot.Plottables.Text>(), t => t.LabelText == "≥ 1.0250");
        Assert.DoesNotContain(plot.Legend.ManualItems, i => i.LabelText.StartsWith("coarse grid", StringComparison.Ordinal));
        Assert.All(plot.GetPlottables<ScottPlot.Plottables.Scatter>().SelectMany(s => s.Data.GetScatterPoints()), p => Assert.True(double.IsFinite(p.Y)));

        // NaN below 0.5, a maximum at 1 whose interval reaches past 0.5.
        var undefined = Curve("b", xs, xs.Select(x => x < 0.5 ? double.NaN : -2 * (x - 1) * (x - 1)).ToArray());
        var nan = SurfacePlots.Curve(undefined, Path.Combine(_directory, "nan.png"));
        Assert.Contains("95% interval: unknown (the value is not a number at 0.475, below 0.500) to ", SurfacePlotTests.Legend(nan));
        Assert.NotEmpty(nan.GetPlottables<ScottPlot.Plottables.Scatter>().First().Data.GetScatterPoints());

        // Nothing finite at all (a grid outside the domain): the grid's span framed, no marker, and why.
        var none = SurfacePlots.Curve(Curve("m", [.. xs.Select(x => -3 + x)], [.. xs.Select(_ => double.NaN)]), Path.Combine(_directory, "none.png"));
        var limits = none.Axes.GetLimits();
        Assert.True(limits.Left <= -3 && limits.Right >= -1.5, $"{limits.Left}..{limits.Right}");
        Assert.Empty(none.GetPlottables<ScottPlot.Plottables.Marker>());
        Assert.Contains(none.Legend.ManualItems, i => i.LabelText == "not drawn: 61 where it is not a number of the 61 grid points");
    }

    // An end near the frame's edge prints its value inside the frame (a label left of a line at the left edge was cut to
    // its last digit); the estimate off the grid is named in the legend, not marked.
    [Fact]
    public void EndsAtTheFramesEdgePrintInsideAndAnEstimateOffTheGridIsNamed()
    {
        var xs = Enumerable.Range(0, 106).Select(i => 4.59 + i * 0.005).ToArray();
        var sweep = Curve("mu", xs, xs.Select(x => -1.92 * Math.Pow((x - 4.8527) / 0.2563, 2)).ToArray());
        var plot = SurfacePlots.Curve(sweep, Path.Combine(_directory, "edges.png"), 800, 500);
        var labels = plot.GetPlottables<ScottPlot.Plottables.Text>().OrderBy(t => t.Location.X).ToArray();
        Assert.Equal(2, labels.Length);
        Assert.Equal(ScottPlot.Alignment.LowerLeft, labels[0].LabelStyle.Alignment);
        Assert.Equal(ScottPlot.Alignment.LowerRight, labels[1].LabelStyle.Alignment);

        var off = Curve("mu", [.. xs.Select(x => x + 0.5)], [.. xs.Select(x => -1.92 * Math.Pow((x + 0.5 - 4.8527) / 0.2563, 2))], estimate: 4.8527);
        var named = SurfacePlots.Curve(off, Path.Combine(_directory, "off.png"));
        Assert.Contains(named.Legend.ManualItems, i => i.LabelText == "MLE off the grid, at mu = 4.8527");
        Assert.Empty(named.GetPlottables<ScottPlot.Plottables.Marker>());
    }

    // A one-parameter sweep's result over given values (and, where given, its located MLE).
    private static SweepResult Curve(string name, double[] xs, double[] values, double? estimate = null) =>
        new("m", "test", 100, [new GridAxis(name, xs[0], xs[^1], xs.Length)], [name], [.. xs.Select(x => new[] { x })], values, null, false, 0, null, 1)
        {
            Estimates = estimate is { } at ? [new SweepEstimate("MLE", [at], 0)] : [],
        };

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // A grid far from the maximum (every Δ below −35, under the usual frame's floor): the whole grid and the whole
    // curve are framed (a trial found an axis of half a unit around the grid's first point, and no curve); a grid the
    // frame cuts says so in the legend.
    [Fact]
    public void GridFarFromTheMaximumIsFramedWhole()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X)), "x");
        using var session = new EstimationSession(spec, devices.Native);
        var fit = session.Fit(new FitOptions());
        var far = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("mu", fit["mu"] + 5, fit["mu"] + 7, 50)], Estimates = true });
        var plot = SurfacePlots.Curve(far, Path.Combine(_directory, "far.png"));
        var limits = plot.Axes.GetLimits();
        var ys = far.LogLikelihood.Select(v => v - far.Peak).ToArray();
        Assert.True(ys.Max() < -5, $"the grid's best Δ is {ys.Max()}");
        Assert.True(limits.Left <= fit["mu"] + 5 && limits.Right >= fit["mu"] + 7, $"x frame {limits.Left}..{limits.Right}");
        Assert.True(limits.Bottom <= ys.Min() && limits.Top >= ys.Max(), $"y frame {limits.Bottom}..{limits.Top} misses {ys.Min()}..{ys.Max()}");

        var (_, wide) = Profile(-10, 10);
        var cut = SurfacePlots.Curve(wide, Path.Combine(_directory, "cut.png"));
        Assert.Contains(cut.Legend.ManualItems, item => item.LabelText.StartsWith("frame: where Δ ≥ ", StringComparison.Ordinal));
        Assert.DoesNotContain(SurfacePlots.Curve(Profile(-0.35, 0.35).Sweep, Path.Combine(_directory, "near.png")).Legend.ManualItems,
            item => item.LabelText.StartsWith("frame: ", StringComparison.Ordinal));
    }

    // A coarse grid (a trial's mu=160:180:11 over an interval 1.4 wide): the ends were read off straight lines between
    // grid points, 169.687 to 170.164 around an MLE of 169.680, which the picture marked above the curve. The located
    // estimate is a point of the curve now and the ends come from parabolas: a plain sweep of the mean, a parabola
    // exactly, gives the conditional interval mu ± 1.96 σ/√n to its printed digits; a profile, nearly one, the fit's to 1e-2 of its
    // width. Each says the grid is coarse, and a one-parameter model marks its MLE, not its grid's maximum.
    // A grid over data of scale 10⁻²⁰⁰: the curve is drawn (its parabolas were in x − x₀, whose squares underflowed, and
    // no line was drawn: a trial) and the interval's ends print in significant digits with an exponent (they printed
    // 0.000000000000000 from 10⁻²⁰ down).
    [Fact]
    public void TinyScalesDrawTheCurveAndPrintTheirDigits()
    {
        var tiny = X.Select(v => v * 1e-200).ToArray();
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", tiny)), "x");
        using var session = new EstimationSession(spec, devices.Native);
        var fit = session.Fit(new FitOptions());
        double sigma = fit["sigma"];
        var sweep = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("sigma", 0.8 * sigma, 1.25 * sigma, 41)], Estimates = true });

        var plot = SurfacePlots.Curve(sweep, Path.Combine(_directory, "tiny.png"));

        var line = plot.GetPlottables<ScottPlot.Plottables.Scatter>().First();
        var points = line.Data.GetScatterPoints();
        Assert.True(points.Count > 41 && points.All(p => double.IsFinite(p.Y) && p.Y <= 0), "the curve's points");
        var interval = plot.Legend.ManualItems.Single(i => i.LabelText.Contains("95% interval", StringComparison.Ordinal)).LabelText;
        Assert.Contains("E-200", interval);
        Assert.DoesNotContain("0.0000", interval);
    }

    // An axis far from zero (μ near 10¹³ with σ fixed, a step of about 8 doubles between grid points): the curve's
    // samples between grid points lie on the log-likelihood, exactly quadratic in μ here, where they are drawn (their
    // places had rounded to the few doubles between two grid points while the parabola ran on evenly, drawing a
    // staircase, a trial), and the axis's ticks print to the decimals their spacing needs ("…1.6", not "…1.602").
    [Fact]
    public void AxesFarFromZeroDrawASmoothCurveAndTidyTicks()
    {
        var far = NormalSamples.Draw(1000, 7, 10, 2).Select(v => 1e13 + 1.5 + (v - 10)).ToArray();
        using var session = new EstimationSession(ModelCatalog.Normal(Dataset.FromColumns(("x", far)), "x"), devices.Native);
        const double sigma = 2.6;
        var sweep = Sweeper.Sweep(session, new SweepOptions
        {
            Axes = [new GridAxis("mu", 1e13 + 0.5, 1e13 + 2.5, 201)],
            At = new Dictionary<string, double> { ["sigma"] = sigma },
        });

        var plot = SurfacePlots.Curve(sweep, Path.Combine(_directory, "far.png"), 800, 500);

        // log L(μ) − max = −Σ(x − μ)²/(2σ²) + Σ(x − x̄)²/(2σ²) over the grid's best point: the drawn values against
        // the exact ones at the drawn places, to 1e-6 (a sample's place off by one double, 0.002, moved it by 0.01).
        double Exact(double mu) => -far.Sum(v => (v - mu) * (v - mu)) / (2 * sigma * sigma);
        var points = plot.GetPlottables<ScottPlot.Plottables.Scatter>().First().Data.GetScatterPoints();
        int best = Array.IndexOf(sweep.LogLikelihood, sweep.LogLikelihood.Max());
        double offset = Exact(sweep.Axes[0][best]) - (sweep.LogLikelihood[best] - sweep.Peak);
        Assert.True(points.Count > 400, $"{points.Count} points: the curve is sampled between grid points");
        Assert.All(points.Zip(points.Skip(1)), pair => Assert.True(pair.Second.X > pair.First.X, $"x {pair.Second.X:R} after {pair.First.X:R}"));
        Assert.All(points, p => Assert.True(Math.Abs(p.Y - (Exact(p.X) - offset)) < 1e-6, $"{p.Y} at mu = {p.X:R}, exact {Exact(p.X) - offset}"));

        var labels = plot.Axes.Bottom.TickGenerator.Ticks.Where(t => t.IsMajor && t.Position >= 1e13 + 0.5 && t.Position <= 1e13 + 2.5).Select(t => t.Label).ToArray();
        Assert.True(labels.Length >= 3, string.Join(" ", labels));
        Assert.All(labels, label => Assert.Matches(@"^1000000000000\d(\.\d{1,2})?$", label));
    }

    // A coarse grid whose parabola between the estimate and the next point would rise above the maximum (σ over 1 … 1000
    // in steps of 5 on three rows, a trial): drawn straight there, never above 0.
    [Fact]
    public void CoarseGridsNeverRiseAboveTheMaximum()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", [168.0, 171.5, 175.2])), "x");
        using var session = new EstimationSession(spec, devices.Native);
        var sweep = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("sigma", 1, 1000, 200)], Estimates = true });

        var plot = SurfacePlots.Curve(sweep, Path.Combine(_directory, "coarse-sigma.png"));

        var points = plot.GetPlottables<ScottPlot.Plottables.Scatter>().SelectMany(s => s.Data.GetScatterPoints()).ToList();
        Assert.All(points.Where(p => double.IsFinite(p.Y)), p => Assert.True(p.Y <= 1e-12, $"{p.Y} at sigma = {p.X}"));
        // Drawn straight there, not clipped flat at 0 (a plateau beside the estimate): only the estimate is at the top.
        Assert.Single(plot.GetPlottables<ScottPlot.Plottables.Scatter>().First().Data.GetScatterPoints(), p => p.Y > -1e-9);

        // Without a located estimate the grid's best point is not the maximum: the parabolas between grid points may
        // rise above it, and are drawn as they are (a review: clipped, they drew a flat top).
        using var wide = new EstimationSession(ModelCatalog.Normal(Dataset.FromColumns(("x", X)), "x"), devices.Native);
        var unlocated = Sweeper.Sweep(wide, new SweepOptions { Axes = [new GridAxis("sigma", 1, 3.4, 5)] });
        var free = SurfacePlots.Curve(unlocated, Path.Combine(_directory, "coarse-unlocated.png"));
        Assert.True(free.GetPlottables<ScottPlot.Plottables.Scatter>().First().Data.GetScatterPoints().Max(p => p.Y) > 1e-6, "the curve clipped at the grid's best point");
    }

    [Fact]
    public void CoarseGridsIntervalEndsAreInterpolatedRight()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X)), "x");
        using var session = new EstimationSession(spec, devices.Native);
        var fit = session.Fit(new FitOptions { Profile = ["mu"] });
        double mu = fit["mu"], sigma = fit["sigma"], half = 1.959963984540054 * sigma / Math.Sqrt(X.Length);
        double Printed(ScottPlot.Plot plot, int which) => plot.GetPlottables<ScottPlot.Plottables.Text>()
            .Select(t => double.Parse(t.LabelText.Replace(PlotText.Minus, '-'), System.Globalization.CultureInfo.InvariantCulture)).Order().ElementAt(which);
        string Interval(ScottPlot.Plot plot) => plot.Legend.ManualItems.Single(i => i.LabelText.Contains("95% interval", StringComparison.Ordinal)).LabelText;

        var held = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("mu", mu - 1.37, mu + 2.63, 3)], Estimates = true });
        var conditional = SurfacePlots.Curve(held, Path.Combine(_directory, "coarse-held.png"));
        Assert.Contains(PlotText.AtResolution(mu - half, 2 * half / 200), Interval(conditional));
        Assert.Contains(PlotText.AtResolution(mu + half, 2 * half / 200), Interval(conditional));
        Assert.True(Math.Abs(Printed(conditional, 0) - (mu - half)) <= 2 * half / 200 && Math.Abs(Printed(conditional, 1) - (mu + half)) <= 2 * half / 200,
            $"printed {Printed(conditional, 0)}, {Printed(conditional, 1)} against {mu - half}, {mu + half}");
        Assert.Contains(conditional.Legend.ManualItems, i => i.LabelText.StartsWith("coarse grid: 0 points inside", StringComparison.Ordinal));
        var marker = Assert.Single(conditional.GetPlottables<ScottPlot.Plottables.Marker>());
        Assert.Equal(mu, marker.Location.X);

        // A grid point a few ulps from the estimate (a review: the parabola through both divided their rounding by that
        // distance, and an end printed 168.70 for 167.71): the estimate is not put beside it.
        var near = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("mu", mu - 1 + 3e-14, mu + 1 + 3e-14, 3)], Estimates = true });
        var nearCurve = SurfacePlots.Curve(near, Path.Combine(_directory, "coarse-near.png"));
        Assert.True(Math.Abs(Printed(nearCurve, 0) - (mu - half)) <= 2 * half / 200 && Math.Abs(Printed(nearCurve, 1) - (mu + half)) <= 2 * half / 200,
            $"printed {Printed(nearCurve, 0)}, {Printed(nearCurve, 1)} against {mu - half}, {mu + half}");

        var profile = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("mu", mu - 2.1, mu + 1.9, 11)], Profile = true, Estimates = true });
        var curve = SurfacePlots.Curve(profile, Path.Combine(_directory, "coarse-profile.png"));
        var ends = fit.Get("mu").Profile!;
        double width = ends.Upper!.Value - ends.Lower!.Value;
        Assert.True(Math.Abs(Printed(curve, 0) - ends.Lower.Value) <= 1e-2 * width && Math.Abs(Printed(curve, 1) - ends.Upper.Value) <= 1e-2 * width,
            $"printed {Printed(curve, 0)}, {Printed(curve, 1)} against the profile interval {ends.Lower}, {ends.Upper}");
        Assert.Contains(curve.Legend.ManualItems, i => i.LabelText.StartsWith("coarse grid: ", StringComparison.Ordinal));
        // The curve is drawn on the same parabolas: at each printed end it crosses the dashed level (a review: straight
        // lines between the grid points stood well below it there).
        var drawn = curve.GetPlottables<ScottPlot.Plottables.Scatter>().First().Data.GetScatterPoints().ToArray();
        double drop = 0.5 * MathNet.Numerics.Distributions.ChiSquared.InvCDF(1, 0.95);
        foreach (int which in new[] { 0, 1 })
        {
            double end = Printed(curve, which);
            int k = Array.FindIndex(drawn, p => p.X >= end);
            double y = drawn[k - 1].Y + (end - drawn[k - 1].X) * (drawn[k].Y - drawn[k - 1].Y) / (drawn[k].X - drawn[k - 1].X);
            Assert.True(Math.Abs(y + drop) <= 0.02, $"the drawn curve at the end {end} is {y}, the level {-drop}");
        }
        Assert.DoesNotContain(SurfacePlots.Curve(Profile(-0.6, 0.6).Sweep, Path.Combine(_directory, "fine.png")).Legend.ManualItems,
            i => i.LabelText.StartsWith("coarse grid", StringComparison.Ordinal));

        var counts = Enumerable.Range(0, 300).Select(i => (double)(i % 7)).ToArray();
        using var poisson = new EstimationSession(ModelCatalog.Create("poisson", Dataset.FromColumns(("k", counts)), new ModelColumns("k")), devices.Native);
        var rate = Sweeper.Sweep(poisson, new SweepOptions { Axes = [new GridAxis("rate", 2.55, 3.45, 10)], Estimates = true });
        var one = SurfacePlots.Curve(rate, Path.Combine(_directory, "rate.png"));
        var mle = Assert.Single(one.GetPlottables<ScottPlot.Plottables.Marker>());
        Assert.Equal(counts.Average(), mle.Location.X, 12);
        Assert.StartsWith("MLE: rate = ", mle.LegendText);

        // A grid far wider than the interval prints the estimate to five significant digits, not the grid's resolution.
        var wide = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("mu", -1000, 1000, 201)], Estimates = true });
        var label = Assert.Single(SurfacePlots.Curve(wide, Path.Combine(_directory, "wide.png")).GetPlottables<ScottPlot.Plottables.Marker>()).LegendText;
        Assert.Equal($"MLE: mu = {PlotText.AtResolution(mu, Math.Abs(mu) * 1e-4)}", label);
        Assert.True(Math.Abs(double.Parse(label["MLE: mu = ".Length..], System.Globalization.CultureInfo.InvariantCulture) - mu) <= 1e-3 * Math.Abs(mu), label);
    }

    private (FitResult Fit, SweepResult Sweep) Profile(double below, double above)
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X)), "x");
        using var session = new EstimationSession(spec, devices.Native);
        var fit = session.Fit(new FitOptions { Profile = ["mu"] });
        int count = (int)Math.Round((above - below) / 0.01) + 1;
        var sweep = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("mu", fit["mu"] + below, fit["mu"] + above, count)], Profile = true });
        return (fit, sweep);
    }
}
