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
    public static void Show(Plot plot, int width = 800)
    {
        Wrap(plot, width);
        plot.ShowLegend(Edge.Bottom);
        plot.Legend.Orientation = Orientation.Vertical;
    }

    /// <summary>
    /// The notes' lines (the legend's manual items) wider than the picture split at a "; " or ", " into lines of their
    /// own, the symbol on the first: a single row is drawn as wide as its text, and past the picture's edge it was cut
    /// (a newcomer's "held: …; a profile sweep re-optim").
    /// </summary>
    private static void Wrap(Plot plot, int width)
    {
        // About 7 pixels a character of the legend's font, within the data area's width (the box is clipped to it).
        int most = Math.Max(40, (width - 200) / 7);
        var items = plot.Legend.ManualItems.ToList();
        plot.Legend.ManualItems.Clear();
        foreach (var item in items)
        {
            var lines = Lines(item.LabelText, most);
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = lines[0], LineStyle = item.LineStyle, MarkerStyle = item.MarkerStyle, FillStyle = item.FillStyle });
            foreach (var line in lines.Skip(1))
                plot.Legend.ManualItems.Add(new LegendItem { LabelText = "   " + line });
        }
    }

    // Text in lines of at most `most` characters, broken after a "; " or else a ", " (a single longer run stays whole).
    private static List<string> Lines(string text, int most)
    {
        var lines = new List<string>();
        while (text.Length > most)
        {
            int cut = text.LastIndexOf("; ", most, StringComparison.Ordinal);
            if (cut < 10)
                cut = text.LastIndexOf(", ", most, StringComparison.Ordinal);
            if (cut < 10)
                break;
            lines.Add(text[..(cut + 1)]);
            text = text[(cut + 2)..];
        }
        lines.Add(text);
        return lines;
    }
}
