using GpuEstimation.Plots;
using Xunit;

namespace GpuEstimation.Tests.Plots;

/// <summary>Numbers as pictures print them: no negative zero, a true minus sign, decimals to a resolution.</summary>
public sealed class PlotTextTests
{
    [Theory]
    [InlineData(-0.04, 1, "0.0")]
    [InlineData(-0.0, 2, "0.00")]
    [InlineData(-0.06, 1, "−0.1")]
    [InlineData(2.26, 1, "2.3")]
    [InlineData(-3.0, 0, "−3")]
    public void FixedHasNoNegativeZero(double value, int decimals, string expected) => Assert.Equal(expected, PlotText.Fixed(value, decimals));

    [Theory]
    [InlineData(-0.0, "0")]
    [InlineData(-2.5, "−2.5")]
    [InlineData(0.30000000000000004, "0.3")]
    [InlineData(-1e-12, "−1E-12")]
    [InlineData(170.25, "170.25")]
    public void ShortPrintsPlainly(double value, string expected) => Assert.Equal(expected, PlotText.Short(value));

    [Theory]
    [InlineData(169.3271, 0.0109, "169.33")]
    [InlineData(169.3271, 0.1, "169.3")]
    [InlineData(-0.0001, 0.01, "0.00")]
    [InlineData(1234.6, 20, "1235")]
    [InlineData(170.00000001, 5e-7, "170.0000000")]
    [InlineData(1.5e-6, 1e-8, "1.50E-6")]
    [InlineData(9.817e-201, 1e-203, "9.82E-201")]
    [InlineData(-1.0234e-20, 1e-24, "−1.0234E-20")]
    [InlineData(0.0, 1e-24, "0.000000000000000")]
    public void AtResolutionKeepsTheNeededDecimals(double value, double resolution, string expected) => Assert.Equal(expected, PlotText.AtResolution(value, resolution));

    [Theory]
    [InlineData("linear", "x", "slope (x)")]
    [InlineData("linear", "intercept", "intercept")]
    [InlineData("linear", "sigma", "sigma (noise sd)")]
    [InlineData("normal", "sigma", "sigma")]
    public void AxisNamesUseTheModelsNames(string model, string parameter, string expected) => Assert.Equal(expected, PlotText.AxisName(model, parameter));

    // A range over 10¹² ± 0.5 printed as "1E+12 to 1E+12", and every tick of such an axis as "1E+12" (a trial): the
    // ends and the ticks carry the digits that tell them apart.
    [Fact]
    public void RangesAndTicksFarFromZeroAreToldApart()
    {
        Assert.Equal(("999999999999.5", "1000000000000.5"), PlotText.Apart(999999999999.5, 1000000000000.5));
        Assert.Equal(("1.5", "2.5"), PlotText.Apart(1.5, 2.5));
        var ticks = new TidyTicks();
        using var paint = ScottPlot.Paint.NewDisposablePaint();
        ticks.Regenerate(new ScottPlot.CoordinateRange(999999999999.5, 1000000000000.5), ScottPlot.Edge.Bottom, new ScottPlot.PixelLength(600), paint, new ScottPlot.LabelStyle());
        var labels = ticks.Ticks.Where(t => t.IsMajor).Select(t => t.Label).ToArray();
        Assert.True(labels.Length >= 3, string.Join(" ", labels));
        Assert.Equal(labels.Length, labels.Distinct().Count());
        Assert.All(ticks.Ticks.Where(t => t.IsMajor), t => Assert.Equal(t.Position, double.Parse(t.Label, System.Globalization.CultureInfo.InvariantCulture), 1e-3));
    }
    // Far from zero the ticks are the nearest doubles to their multiples of the spacing (10¹³ + 1.6 is 10¹³ + 1.6015625;
    // at 5·10¹⁴ doubles are 0.0625 apart): printed to the spacing's decimals, not every digit of the span's
    // (…1.602 beside …1.4, a trial of the pictures).
    [Theory]
    [InlineData(1e13)]
    [InlineData(5e14)]
    public void TicksFarFromZeroPrintTheirSpacingsDecimals(double at)
    {
        var ticks = new TidyTicks();
        using var paint = ScottPlot.Paint.NewDisposablePaint();
        ticks.Regenerate(new ScottPlot.CoordinateRange(at + 1.27, at + 1.85), ScottPlot.Edge.Bottom, new ScottPlot.PixelLength(600), paint, new ScottPlot.LabelStyle());
        var labels = ticks.Ticks.Where(t => t.IsMajor).Select(t => t.Label).ToArray();
        Assert.True(labels.Length >= 2, string.Join(" ", labels));
        Assert.All(labels, label => Assert.True(!label.Contains('.') || label.Length - label.IndexOf('.') - 1 <= 2, $"{label} among {string.Join(" ", labels)}"));
        Assert.Equal(labels.Length, labels.Distinct().Count());
    }
}
