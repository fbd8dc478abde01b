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
            bool found = Enumerable.Range(-4, 9).Any(dx => Enumerable.Range(-4, 9).Any(dy =>
                Near(bitmap.GetPixel((int)Math.Round(pixel.X) + dx, (int)Math.Round(pixel.Y) + dy), colour)));
            Assert.True(found, $"component {c + 1}'s line not at its peak ({pixel.X:F0}, {pixel.Y:F0})");
        }
        // The mixture density (black) passes over the tallest bar's neighbourhood; the bars are grey.
        var (total, _) = fit.Densities([fit.Result["mu2"]]);
        var top = plot.GetPixel(new ScottPlot.Coordinates(fit.Result["mu2"], total[0]));
        Assert.True(Enumerable.Range(-3, 7).Any(dy => IsDark(bitmap.GetPixel((int)Math.Round(top.X), (int)Math.Round(top.Y) + dy))), "the mixture density line");
        var bar = plot.GetPixel(new ScottPlot.Coordinates(fit.Result["mu2"], 0.3 * total[0]));
        var grey = bitmap.GetPixel((int)Math.Round(bar.X) + 3, (int)Math.Round(bar.Y));
        Assert.True(grey.Red > 180 && grey.Red < 240 && Math.Abs(grey.Red - grey.Blue) < 10, $"a grey bar under the density, got {grey}");
    }

    private static bool Near(SKColor pixel, ScottPlot.Color colour) =>
        Math.Abs(pixel.Red - colour.R) < 60 && Math.Abs(pixel.Green - colour.G) < 60 && Math.Abs(pixel.Blue - colour.B) < 60;

    private static bool IsDark(SKColor pixel) => pixel.Red < 60 && pixel.Green < 60 && pixel.Blue < 60;

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
