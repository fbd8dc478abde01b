using ScottPlot;

namespace GpuEstimation.Plots;

/// <summary>
/// Finds, in a rendered plot's pixel space, places for text boxes that stay inside the data area and clear of each
/// other and of blocked areas (markers, points), choosing among the candidates by a caller's score (e.g. distance from lines).
/// </summary>
internal sealed class LabelPlacer(PixelRect area)
{
    private readonly List<PixelRect> _taken = [];

    /// <summary>The boxes placed so far (and blocked areas such as markers).</summary>
    public IReadOnlyList<PixelRect> Taken => _taken;

    /// <summary>Blocks a box: no label may overlap it.</summary>
    public void Block(PixelRect rect) => _taken.Add(rect);

    /// <summary>Blocks a square of half-width <paramref name="radius"/> around a point (a marker).</summary>
    public void Block(Pixel at, float radius) => _taken.Add(new PixelRect(at.X - radius, at.X + radius, at.Y + radius, at.Y - radius));

    /// <summary>
    /// The size of a label's box as drawn (text, padding both sides) and two pixels to spare around it: the box as
    /// rendered can sit a pixel or so off the one measured (one to spare let two rendered boxes touch, 0.03 px over).
    /// </summary>
    public static PixelSize Measure(LabelStyle style, string text)
    {
        using var paint = Paint.NewDisposablePaint();
        var size = style.Measure(text, paint).Size;
        var padding = style.PixelPadding;
        return new PixelSize(size.Width + padding.Left + padding.Right + 4, size.Height + padding.Top + padding.Bottom + 4);
    }

    /// <summary>A box of <paramref name="size"/> centred at <paramref name="centre"/>.</summary>
    public static PixelRect Box(Pixel centre, PixelSize size) =>
        new(centre.X - size.Width / 2, centre.X + size.Width / 2, centre.Y + size.Height / 2, centre.Y - size.Height / 2);

    /// <summary>Whether the box lies inside the data area and overlaps no placed or blocked box.</summary>
    public bool IsFree(PixelRect box) =>
        box.Left >= area.Left + 2 && box.Right <= area.Right - 2 && box.Top >= area.Top + 2 && box.Bottom <= area.Bottom - 2
        && _taken.All(t => !Overlap(t, box));

    /// <summary>
    /// Places the free candidate box with the highest score (the earlier on ties) and returns it; null when none is free.
    /// </summary>
    public PixelRect? Place(IEnumerable<PixelRect> candidates, Func<PixelRect, double> score)
    {
        PixelRect? best = null;
        double bestScore = double.NegativeInfinity;
        foreach (var box in candidates)
        {
            if (!IsFree(box))
                continue;
            double value = score(box);
            if (value > bestScore)
                (best, bestScore) = (box, value);
        }
        if (best is { } placed)
            _taken.Add(placed);
        return best;
    }

    /// <summary>The distance in pixels from a box to the nearest of some polylines (infinity when there are none).</summary>
    public static double Clearance(PixelRect box, IEnumerable<IReadOnlyList<Pixel>> lines)
    {
        double least = double.PositiveInfinity;
        foreach (var line in lines)
        {
            for (int i = 1; i < line.Count; i++)
                least = Math.Min(least, Distance(box, line[i - 1], line[i]));
        }
        return least;
    }

    private static bool Overlap(PixelRect a, PixelRect b) =>
        a.Left < b.Right && b.Left < a.Right && a.Top < b.Bottom && b.Top < a.Bottom;

    // Distance from a segment to a box: zero when it crosses the box, else the least over the segment's samples.
    private static double Distance(PixelRect box, Pixel a, Pixel b)
    {
        double length = Math.Sqrt((b.X - a.X) * (b.X - a.X) + (b.Y - a.Y) * (b.Y - a.Y));
        int steps = Math.Max(1, (int)Math.Ceiling(length / 2));
        double least = double.PositiveInfinity;
        for (int s = 0; s <= steps; s++)
        {
            double x = a.X + (b.X - a.X) * s / steps, y = a.Y + (b.Y - a.Y) * s / steps;
            double dx = Math.Max(Math.Max(box.Left - x, x - box.Right), 0), dy = Math.Max(Math.Max(box.Top - y, y - box.Bottom), 0);
            least = Math.Min(least, Math.Sqrt(dx * dx + dy * dy));
        }
        return least;
    }
}
