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
        _inner.Regenerate(range, edge, size, paint, labelStyle);
        // Ticks are multiples of their spacing; one that should be zero misses it by far less than a millionth of the span.
        double tiny = Math.Abs(range.Span) * 1e-9;
        Ticks = _inner.Ticks.Select(t =>
        {
            double at = Math.Abs(t.Position) < tiny ? 0 : t.Position;
            return new Tick(at, t.IsMajor ? PlotText.Short(at) : string.Empty, t.IsMajor);
        }).ToArray();
    }

    /// <summary>Puts tidy ticks on the plot's bottom and left axes.</summary>
    public static void Apply(Plot plot)
    {
        plot.Axes.Bottom.TickGenerator = new TidyTicks();
        plot.Axes.Left.TickGenerator = new TidyTicks();
    }
}
