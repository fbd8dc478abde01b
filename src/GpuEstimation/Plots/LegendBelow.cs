using ScottPlot;

namespace GpuEstimation.Plots;

/// <summary>The pictures' legend: below the data, one item a row.</summary>
internal static class LegendBelow
{
    /// <summary>
    /// Shows <paramref name="plot"/>'s legend below its data, one item a row. ScottPlot measures a bottom legend's panel
    /// from the items laid out side by side, then wraps them to the picture's width when it draws: long items took more
    /// rows than were measured, and the last ones were cut off (a coarse sweep's interval and its notes). One item a row
    /// is drawn as measured.
    /// </summary>
    public static void Show(Plot plot)
    {
        plot.ShowLegend(Edge.Bottom);
        plot.Legend.Orientation = Orientation.Vertical;
    }
}
