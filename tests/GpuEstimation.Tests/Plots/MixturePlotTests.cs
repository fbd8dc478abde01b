using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Mixtures;
using GpuEstimation.Plots;
using GpuEstimation.Tests.Mixtures;
using SkiaSharp;
using Xunit;

namespace GpuEstimation.Tests.Plots;

/// <summary>The mixture picture: histogram bars, the mixture density over them, each weighted component where it peaks.</summary>
public sealed class MixturePlotTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gpuest-mixture-plot").FullName;

    [Fact]
    public void DrawsTheDensityAndEachComponentWhereTheyAre()
    {
        var x = MixtureEstimatorTests.ThreeNormals(2000, 9);
        var spec = MixtureSpec.Create(Dataset.FromColumns(("x", x)), "x", ["normal", "normal", "normal"]);
        using var device = ComputeDevice.Open(Backend.Native);
        var fit = MixtureEstimator.Fit(spec, device, new MixtureOptions { Starts = 2 });
        var path = Path.Combine(_directory, "mixture.png");

        var plot = MixtureDrawing.Draw(fit, path, 900, 550);

        using var bitmap = SKBitmap.Decode(path);
        Assert.Equal(900, bitmap.Width);
        // At each component's mean, its own colour is drawn near its weighted density's height (w / (σ√2π)).
        for (int c = 0; c < 3; c++)
        {
            double mu = fit.Result[$"mu{c + 1}"], sigma = fit.Result[$"sigma{c + 1}"], w = fit.Components[c].Weight;
            var pixel = plot.GetPixel(new ScottPlot.Coordinates(mu, w / (sigma * Math.Sqrt(2 * Math.PI))));
            var colour = MixtureDrawing.ComponentColors[c];
            // ±12 pixels along the curve, which is flat at its peak: a dash of the pattern, not one of its gaps.
            bool found = Enumerable.Range(-12, 25).Any(dx => Enumerable.Range(-4, 9).Any(dy =>
                Near(bitmap.GetPixel((int)Math.Round(pixel.X) + dx, (int)Math.Round(pixel.Y) + dy), colour)));
            Assert.True(found, $"component {c + 1}'s line not at its peak ({pixel.X:F0}, {pixel.Y:F0})");
        }
        // The mixture density (black) passes over the tallest bar's neighbourhood; the bars are grey.
        var (total, _) = fit.Densities([fit.Result["mu2"]]);
        var top = plot.GetPixel(new ScottPlot.Coordinates(fit.Result["mu2"], total[0]));
        Assert.True(Enumerable.Range(-3, 7).Any(dy => IsDark(bitmap.GetPixel((int)Math.Round(top.X), (int)Math.Round(top.Y) + dy))), "the mixture density line");
        var bar = plot.GetPixel(new ScottPlot.Coordinates(fit.Result["mu2"], 0.3 * total[0]));
        // A few pixels across: one may be a bar's darker outline.
        var greys = Enumerable.Range(1, 6).Select(dx => bitmap.GetPixel((int)Math.Round(bar.X) + dx, (int)Math.Round(bar.Y))).ToList();
        Assert.True(greys.Any(grey => grey.Red > 180 && grey.Red < 240 && Math.Abs(grey.Red - grey.Blue) < 10), $"a grey bar under the density, got {string.Join(", ", greys)}");
    }

    // Heavy tails (Cauchy draws, a trial's 100,000 spanning ±80,000 around a bulk within ±5): the axis spans the 0.5% to
    // 99.5% quantiles and a tenth more each side, not the extremes, so the main component's peak is drawn where it is
    // (it had been squeezed between two of the curve's samples), and the label counts the rows left out.
    [Fact]
    public void HeavyTailsDoNotHideTheBulk()
    {
        var random = new Random(5);
        var x = Enumerable.Range(0, 20_000).Select(_ => Math.Tan(Math.PI * (random.NextDouble() - 0.5))).ToArray();
        var spec = MixtureSpec.Create(Dataset.FromColumns(("x", x)), "x", ["normal", "normal"]);
        using var device = ComputeDevice.Open(Backend.Native);
        var fit = MixtureEstimator.Fit(spec, device, new MixtureOptions { Starts = 2 });
        var path = Path.Combine(_directory, "tails.png");

        var plot = MixtureDrawing.Draw(fit, path, 900, 550);

        var sorted = x.Order().ToArray();
        double q1 = sorted[(int)(0.005 * (sorted.Length - 1))], q2 = sorted[(int)Math.Ceiling(0.995 * (sorted.Length - 1))];
        var limits = plot.Axes.GetLimits();
        // (The curves run 5% past the range and the axis keeps its margins.)
        Assert.True(limits.Left >= q1 - 0.5 * (q2 - q1) && limits.Right <= q2 + 0.5 * (q2 - q1) && limits.Left > x.Min() && limits.Right < x.Max(),
            $"x from {limits.Left} to {limits.Right}; quantiles {q1}, {q2}; data {x.Min()} to {x.Max()}");
        int outside = x.Count(v => v < q1 - 0.1 * (q2 - q1) || v > q2 + 0.1 * (q2 - q1));
        Assert.Contains($"{outside} of 20000 rows outside the range shown", plot.Axes.Bottom.Label.Text);
        // The narrow component's peak is on the axis's scale: the top of the y axis within twice the mixture's peak.
        int narrow = fit.Result["sigma1"] < fit.Result["sigma2"] ? 1 : 2;
        var (total, _) = fit.Densities([fit.Result[$"mu{narrow}"]]);
        Assert.True(limits.Top >= total[0] && limits.Top <= 2.5 * total[0], $"y to {limits.Top}, the peak {total[0]}");
    }

    // A narrow normal beside a wide gamma: the bars at most half the normal's σ wide, so that its peak shows in them (bars
    // 1.5 wide under a σ of 0.48 peaked at 0.146 under a density of 0.25, and the fit looked wrong, a newcomer).
    [Fact]
    public void BarsAreNarrowEnoughForTheNarrowestComponent()
    {
        var random = new Random(2);
        var x = Enumerable.Range(0, 1000).Select(i => i < 400 ? MathNet.Numerics.Distributions.Normal.Sample(random, 2, 0.48) : 0.1 + MathNet.Numerics.Distributions.Gamma.Sample(random, 3, 0.5)).ToArray();
        var spec = MixtureSpec.Create(Dataset.FromColumns(("g", x)), "g", ["normal", "gamma"]);
        using var device = ComputeDevice.Open(Backend.Native);
        var fit = MixtureEstimator.Fit(spec, device, new MixtureOptions { Starts = 2 });

        var plot = MixtureDrawing.Draw(fit, Path.Combine(_directory, "narrow.png"), 900, 550);

        var bars = plot.GetPlottables<ScottPlot.Plottables.BarPlot>().Single().Bars;
        Assert.True(bars[0].Size <= 0.5 * fit.Result["sigma1"] + 1e-12, $"bars {bars[0].Size} wide, sigma1 {fit.Result["sigma1"]}");
    }

    internal static bool Near(SKColor pixel, ScottPlot.Color colour) =>
        Math.Abs(pixel.Red - colour.R) < 60 && Math.Abs(pixel.Green - colour.G) < 60 && Math.Abs(pixel.Blue - colour.B) < 60;

    private static bool IsDark(SKColor pixel) => pixel.Red < 60 && pixel.Green < 60 && pixel.Blue < 60;

    // Counts over more than 200 values (two Poissons at 50 and 500, a trial): bars several values wide cover every count
    // (every count past the 200th value had gone into one bar), each bar's height its values' mean probability, so the
    // bars' areas add to 1; a discrete mixture is a probability, joined without marks over so many values.
    [Fact]
    public void WideCountsAreBinnedAcrossTheirRange()
    {
        var random = new Random(3);
        double[] x = [.. Enumerable.Range(0, 2000).Select(_ => (double)MathNet.Numerics.Distributions.Poisson.Sample(random, 50)),
            .. Enumerable.Range(0, 2000).Select(_ => (double)MathNet.Numerics.Distributions.Poisson.Sample(random, 500))];
        var spec = MixtureSpec.Create(Dataset.FromColumns(("k", x)), "k", ["poisson", "poisson"]);
        using var device = ComputeDevice.Open(Backend.Native);
        var fit = MixtureEstimator.Fit(spec, device, new MixtureOptions { Starts = 2 });

        var plot = MixtureDrawing.Draw(fit, Path.Combine(_directory, "counts.png"), 900, 550);

        var bars = plot.GetPlottables<ScottPlot.Plottables.BarPlot>().SelectMany(b => b.Bars).ToList();
        Assert.True(bars.Count <= 200, $"{bars.Count} bars");
        double size = bars[0].Size;
        Assert.True(size > 1 && size == Math.Round(size), $"bars {size} values wide");
        Assert.True(bars[^1].Position + size / 2 >= x.Max() + 0.5 - 1e-9, $"the last bar ends at {bars[^1].Position + size / 2}, the counts at {x.Max()}");
        Assert.Equal(1, bars.Sum(b => b.Value * b.Size), 1e-9);
        // The last bar as wide as the values left (it counted values past the data at its full width: a review).
        int values = (int)(x.Max() - x.Min()) + 1;
        Assert.Equal(values - (bars.Count - 1) * size, bars[^1].Size);
        // No bar holds the second component's rows alone: the tallest near 500 is about its peak probability.
        double peak = bars.Where(b => Math.Abs(b.Position - 500) < 30).Max(b => b.Value);
        Assert.InRange(peak, 0.5 * 0.5 * 0.0178, 2 * 0.5 * 0.0178);
        Assert.Contains(plot.GetPlottables<ScottPlot.Plottables.Scatter>(), s => s.LegendText == "mixture probability" && s.MarkerSize == 0);
    }

    // A component of σ 0.01 beside one of σ 10 (half the rows each, a trial): its peak is drawn at its height (it was
    // 18.9 for 20.3, between two samples), and the wide one, flat under it, is said to be; a component far outside the
    // range shown (a normal at 400 beside Cauchy data) is said to be.
    [Fact]
    public void SpikesAndFarComponentsAreSaid()
    {
        var random = new Random(4);
        double[] x = [.. Enumerable.Range(0, 3000).Select(_ => MathNet.Numerics.Distributions.Normal.Sample(random, 0, 0.01)),
            .. Enumerable.Range(0, 3000).Select(_ => MathNet.Numerics.Distributions.Normal.Sample(random, 0, 10))];
        var spec = MixtureSpec.Create(Dataset.FromColumns(("x", x)), "x", ["normal", "normal"]);
        using var device = ComputeDevice.Open(Backend.Native);
        var fit = MixtureEstimator.Fit(spec, device, new MixtureOptions { Starts = 2 });
        int narrow = fit.Result["sigma1"] < fit.Result["sigma2"] ? 0 : 1;
        double peak = fit.Components[narrow].Weight / (fit.Result[$"sigma{narrow + 1}"] * Math.Sqrt(2 * Math.PI));

        var plot = MixtureDrawing.Draw(fit, Path.Combine(_directory, "spike.png"));

        var mixture = plot.GetPlottables<ScottPlot.Plottables.Scatter>().Single(p => p.LegendText == "mixture density");
        Assert.InRange(mixture.Data.GetScatterPoints().Max(p => p.Y), 0.99 * peak, 1.05 * peak);
        string legend = string.Join(" ", plot.Legend.ManualItems.Select(i => i.LabelText));
        Assert.Contains($"component {2 - narrow} peaks ", legend);
        Assert.Contains("times lower than the tallest: flat at this height", legend);

        double[] far = [.. Enumerable.Range(0, 2000).Select(_ => Math.Tan(Math.PI * (random.NextDouble() - 0.5))), .. Enumerable.Repeat(400.0, 5).Select((v, i) => v + i)];
        var farSpec = MixtureSpec.Create(Dataset.FromColumns(("x", far)), "x", ["cauchy", "normal"]);
        var farFit = MixtureEstimator.Fit(farSpec, device, new MixtureOptions { Starts = 2 });
        var farPlot = MixtureDrawing.Draw(farFit, Path.Combine(_directory, "far.png"));
        Assert.Contains(farPlot.Legend.ManualItems, i => i.LabelText.StartsWith("component 2 lies mostly outside the range shown", StringComparison.Ordinal));
    }

    // Two gamma components over positive data: the curves start inside the support (they had been drawn flat at 0 from
    // x = −0.9, 5% of the range below the data, a review of the pictures), still below the data's smallest value.
    [Fact]
    public void CurvesStayInsideTheComponentsSupport()
    {
        var random = new Random(3);
        var x = Enumerable.Range(0, 1000).Select(i => i < 700 ? MathNet.Numerics.Distributions.Gamma.Sample(random, 2, 1)
            : MathNet.Numerics.Distributions.Gamma.Sample(random, 20, 2)).ToArray();
        var spec = MixtureSpec.Create(Dataset.FromColumns(("x", x)), "x", ["gamma", "gamma"]);
        using var device = ComputeDevice.Open(Backend.Native);
        var fit = MixtureEstimator.Fit(spec, device, new MixtureOptions { Starts = 2 });

        var plot = MixtureDrawing.Draw(fit, Path.Combine(_directory, "gamma.png"), 900, 550);

        var lines = plot.GetPlottables<ScottPlot.Plottables.Scatter>().ToList();
        Assert.NotEmpty(lines);
        double leftmost = lines.Min(l => l.Data.GetScatterPoints().Min(p => p.X));
        Assert.True(leftmost > 0 && leftmost < x.Min(), $"a curve drawn from x = {leftmost}: outside the gamma's support, or not from below the data ({x.Min()})");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
