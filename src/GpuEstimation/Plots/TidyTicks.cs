using ScottPlot;
using ScottPlot.TickGenerators;

namespace GpuEstimation.Plots;

/// <summary>
/// ScottPlot's automatic ticks with labels printed by <see cref="PlotText"/>: a tick a rounding error away from zero
/// is zero (no "-0", no "5.6E-17"), and negative labels carry a minus sign.
/// </summary>
internal sealed class TidyTicks : ITickGenerator
{
    private readonly NumericAutomatic _inner = new();

    public Tick[] Ticks { get; set; } = [];

    public int MaxTickCount { get => _inner.MaxTickCount; set => _inner.MaxTickCount = value; }

    public void Regenerate(CoordinateRange range, Edge edge, PixelLength size, Paint paint, LabelStyle labelStyle)
    {
        // Ticks are multiples of their spacing; one that should be zero misses it by far less than a millionth of the span.
        double tiny = Math.Abs(range.Span) * 1e-9;
        var decimals = Decimals(range);
        Func<double, string> label = decimals is { } d ? v => PlotText.Trimmed(v, d) : PlotText.Short;
        // The inner generator measures the labels it will get, so that long ones (10¹² + 0.25) are spaced apart.
        _inner.LabelFormatter = v => label(Math.Abs(v) < tiny ? 0 : v);
        _inner.Regenerate(range, edge, size, paint, labelStyle);
        // Printed to the decimals that the ticks' spacing needs, where fewer: far from zero a tick is the nearest
        // double to its multiple of the spacing (10¹³ + 1.6 is 10¹³ + 1.6015625), which all the span's digits printed
        // as "…1.602" beside "…1.4" (a trial of the pictures).
        if (decimals is { } all && Spacing(_inner.Ticks) is { } spacing)
        {
            // The spacing from rounded places (a double is 0.0625 apart at 5·10¹⁴), taken to two significant digits.
            double round = Math.Round(spacing, Math.Clamp(1 - (int)Math.Floor(Math.Log10(spacing)), 0, 15));
            int needed = Enumerable.Range(0, all + 1).First(k => k == all || Math.Abs(round * Math.Pow(10, k) - Math.Round(round * Math.Pow(10, k))) < 0.01 * round * Math.Pow(10, k));
            label = v => PlotText.Trimmed(v, needed);
        }
        Ticks = _inner.Ticks.Select(t =>
        {
            double at = Math.Abs(t.Position) < tiny ? 0 : t.Position;
            return new Tick(at, t.IsMajor ? label(at) : string.Empty, t.IsMajor);
        }).ToArray();
    }

    /// <summary>
    /// How ticks over <paramref name="range"/> print: <see cref="PlotText.Short"/> (null), or where that cannot tell
    /// ticks a tenth of the span apart (an axis over 10¹² ± 0.5 printed "1E+12" at every tick, a trial), all the digits
    /// down to a hundredth of the span (their decimals).
    /// </summary>
    private static int? Decimals(CoordinateRange range)
    {
        double span = Math.Abs(range.Span);
        return PlotText.FinerDecimals(range.Min, range.Min + span / 10, span, Math.Max(Math.Abs(range.Min), Math.Abs(range.Max)));
    }

    // The spacing of the major ticks, where two or more.
    private static double? Spacing(Tick[] ticks)
    {
        var majors = ticks.Where(t => t.IsMajor).Select(t => t.Position).Order().ToArray();
        return majors.Length >= 2 && majors[^1] > majors[0] ? (majors[^1] - majors[0]) / (majors.Length - 1) : null;
    }

    /// <summary>Puts tidy ticks on the plot's bottom and left axes.</summary>
    public static void Apply(Plot plot)
    {
        plot.Axes.Bottom.TickGenerator = new TidyTicks();
        plot.Axes.Left.TickGenerator = new TidyTicks();
    }
}
