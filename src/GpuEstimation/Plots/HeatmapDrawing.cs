using System.Globalization;
using GpuEstimation.Surfaces;
using ScottPlot;
using ScottPlot.Plottables;

namespace GpuEstimation.Plots;

/// <summary>Draws a two-axis sweep: Δ as colour, the 68/95/99% contours labelled, the MLE and MAP marked.</summary>
internal static class HeatmapDrawing
{
    /// <summary>Margin around the 99% region, as a fraction of its span, when the frame is fitted to it.</summary>
    private const double RegionMargin = 0.15;

    private static readonly Color LabelBackground = Colors.White.WithAlpha(0.85);

    public static Plot Draw(SweepResult sweep, string path, HeatmapOptions options)
    {
        var grid = SurfaceGrid.From(sweep);
        var marks = Marks(sweep, grid);
        if (options.FitToRegion)
            grid.FrameRegion(SurfacePlots.TwoParameterLevels[^1], marks.Select(m => m.At), RegionMargin);
        var plot = new Plot();
        // Colours from the frame's best point where it lies outside the 99% region (the estimate off the grid, or between
        // points spaced wider than the region): from the maximum, every cell was at the floor, one flat colour (a trial).
        // They then span the frame's values (to a thousand units), whose slope towards the estimate is what there is to see.
        double best = grid.FrameMaximum();
        bool offRegion = best < -SurfacePlots.TwoParameterLevels.Max() && double.IsFinite(best);
        double top = offRegion ? best : 0;
        double floor = offRegion ? Math.Min(top + options.Floor, Math.Max(grid.FrameMinimum(), top + 50 * options.Floor)) : options.Floor;
        AddSurface(plot, grid, floor, top, sweep.LogPosterior is null ? "log L − max" : "log posterior − max");
        var contours = AddContours(plot, grid);
        AddMarkers(plot, marks, grid, sweep.Model);
        Decorate(plot, sweep, grid, offRegion ? best : null, options.Width);
        // Lay the picture out once so that contour labels can be placed in pixels, clear of each other and of other lines.
        plot.RenderInMemory(options.Width, options.Height);
        LabelContours(plot, contours, marks);
        plot.SavePng(path, options.Width, options.Height);
        return plot;
    }

    // The colours run from `top` (0, the maximum, or the frame's best point) down to `floor` or the frame's least Δ.
    private static void AddSurface(Plot plot, SurfaceGrid grid, double floor, double top, string label)
    {
        double least = grid.FrameMinimum();
        bool clipped = least < floor;
        double low = clipped ? floor : Math.Min(least, top - 1e-6);
        var heatmap = plot.Add.Heatmap(grid.Intensities(floor));
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        // The outer edges of the cells (Extent is the edge cells' centres: every cell was drawn N/(N − 1) too wide, a trial).
        heatmap.Rectangle = grid.Extent();
        heatmap.ManualRange = new ScottPlot.Range(low, top);
        var bar = plot.Add.ColorBar(heatmap);
        bar.Label = label;
        bar.Axis.TickGenerator = ColourTicks(low, top, clipped);
    }

    // Round steps from the top (0, or the frame's best point, itself marked to three digits) down to the scale's end; a
    // clipped end reads "≤ −20", since cells below it share its colour.
    private static ScottPlot.TickGenerators.NumericManual ColourTicks(double low, double top, bool clipped)
    {
        double step = NiceStep((top - low) / 4);
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        double first = Math.Floor(top / step) * step;
        if (top - first > 0.4 * step)
            ticks.AddMajor(top, PlotText.Short(double.Parse(top.ToString("G3", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)));
        for (int k = 0; first - k * step > low + 0.4 * step; k++)
            ticks.AddMajor(first - k * step, PlotText.Short(first - k * step));
        // To three significant digits (to one decimal, a narrow grid's −1e-6 read "0" at the bottom of the scale).
        string end = PlotText.Short(double.Parse(low.ToString("G3", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
        ticks.AddMajor(low, clipped ? "≤ " + end : end);
        return ticks;
    }

    private static double NiceStep(double rough)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        return new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * power).First(s => s >= rough * 0.999);
    }

    private static List<(double Level, Coordinates[] Path)> AddContours(Plot plot, SurfaceGrid grid)
    {
        if (grid.X1 - grid.X0 < 1 || grid.Y1 - grid.Y0 < 1)
            return [];
        // Too few points inside the 95% region to trace the regions: lines interpolated between so few points drew a
        // 95% contour that left the MLE outside it, and no 68% one (a trial); Decorate says why there are none.
        if (InsideRegion(grid) < CoarseRegion)
            return [];
        var source = new ContourLines { ContourLineLevels = SurfacePlots.TwoParameterLevels.Select(level => -level).Reverse().ToArray() };
        // Traced over the cells' indices and mapped back to the axes: over axes of 10⁻¹⁰⁰ a contour that left the grid's
        // edge was closed by a straight line across it (a trial), where the same grid in units was drawn right.
        var cells = grid.Points();
        var indexed = new Coordinates3d[cells.GetLength(0), cells.GetLength(1)];
        for (int r = 0; r < cells.GetLength(0); r++)
        {
            for (int c = 0; c < cells.GetLength(1); c++)
                indexed[r, c] = new Coordinates3d(c, r, cells[r, c].Z);
        }
        source.Update(indexed);
        var contours = new List<(double Level, Coordinates[] Path)>();
        foreach (var line in source.Lines)
        {
            var traced = line.Path.Close ? [.. line.Path.Points, line.Path.Points[0]] : line.Path.Points;
            var points = traced.Select(p => new Coordinates(AtIndex(grid.X, grid.X0 + p.X), AtIndex(grid.Y, grid.Y0 + p.Y))).ToArray();
            var drawn = plot.Add.ScatterLine(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), Colors.White);
            drawn.LineWidth = 2;
            contours.Add((-line.Z, points));
        }
        return contours;
    }

    /// <summary>The located MLE and MAP in the plane of the two axes; without them, the grid's maximum.</summary>
    private static List<(string Label, Coordinates At)> Marks(SweepResult sweep, SurfaceGrid grid)
    {
        int kx = sweep.IndexOf(grid.X.Name), ky = sweep.IndexOf(grid.Y.Name);
        var marks = sweep.Estimates.Select(e => (e.Label + PlotText.Given(sweep.HeldApart, sweep, e.Parameters), new Coordinates(e.Parameters[kx], e.Parameters[ky]))).ToList();
        if (marks.Count == 0)
        {
            var values = sweep.LogPosterior ?? sweep.LogLikelihood;
            var best = sweep.Points[Array.IndexOf(values, values.Max())];
            marks.Add(("grid maximum", new Coordinates(best[kx], best[ky])));
        }
        return marks;
    }

    // The MLE as a red circle, the MAP as a smaller orange diamond on top, so that both show where they coincide.
    private static void AddMarkers(Plot plot, List<(string Label, Coordinates At)> marks, SurfaceGrid grid, string model)
    {
        var extent = grid.Shown();
        foreach (var (label, at) in marks.OrderBy(m => m.Label.StartsWith("MAP", StringComparison.Ordinal)))
        {
            bool map = label.StartsWith("MAP", StringComparison.Ordinal);
            var marker = plot.Add.Marker(at.X, at.Y, map ? MarkerShape.FilledDiamond : MarkerShape.FilledCircle, map ? 12 : 14, map ? Colors.Orange : Colors.Red);
            marker.MarkerStyle.OutlineColor = Colors.Black;
            marker.MarkerStyle.OutlineWidth = 1;
            bool inside = at.X >= extent.Left && at.X <= extent.Right && at.Y >= extent.Bottom && at.Y <= extent.Top;
            marker.LegendText = inside ? label : $"{label} off the grid, at {PlotText.AxisName(model, grid.X.Name)} = {PlotText.Significant(at.X, 6)}, " +
                $"{PlotText.AxisName(model, grid.Y.Name)} = {PlotText.Significant(at.Y, 6)}";
        }
    }

    /// <summary>Fewer grid points than this inside the 95% region: no contours are drawn, and the legend says why.</summary>
    private const int CoarseRegion = 9;

    // The axis's value at a fractional index, between its points.
    private static double AtIndex(GridAxis axis, double index)
    {
        int below = Math.Clamp((int)Math.Floor(index), 0, axis.Count - 1);
        if (below == axis.Count - 1)
            return axis[below];
        return axis[below] + (index - below) * (axis[below + 1] - axis[below]);
    }

    // The grid's points inside the 95% region.
    private static int InsideRegion(SurfaceGrid grid) => grid.Delta.Cast<double>().Count(d => d >= -SurfacePlots.TwoParameterLevels[1]);

    // `offRegion`: the frame's best point where it lies outside the 99% region (Draw's, which the colours run from).
    private static void Decorate(Plot plot, SweepResult sweep, SurfaceGrid grid, double? offRegion, int width)
    {
        // The frame is the grid's (or the 99% region's): an estimate off it is named in the legend, not stretched to.
        plot.Axes.SetLimits(grid.Shown());
        TidyTicks.Apply(plot);
        plot.XLabel(PlotText.AxisName(sweep.Model, grid.X.Name));
        plot.YLabel(PlotText.AxisName(sweep.Model, grid.Y.Name));
        plot.Title(PlotText.Title(sweep.Model, $"{(sweep.Profile ? "profile " : "")}{(sweep.LogPosterior is null ? "log-likelihood" : "log-posterior")}, " +
            $"contours at Δ = {string.Join(", ", SurfacePlots.TwoParameterLevels.Select(LevelText))} (68/95/99%)", width));
        if (offRegion is { } best)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"no contour on this grid: its best point is Δ = {PlotText.Fixed(best, 2)}, outside the 99% region " +
                "(the estimate is off the grid, or between points spaced wider than the region); the colours run from that point down" });
        // The off-grid parameters of a plain sweep are held (a trial's ν = 30 was said nowhere, so the regions read as
        // joint ones): the regions are conditional on them.
        var held = sweep.Profile || sweep.Points.Count == 0 ? [] : sweep.OffGrid;
        if (held.Count > 0)
        {
            plot.Legend.ManualItems.Add(new LegendItem
            {
                LabelText = $"held: {string.Join(", ", held.Take(4).Select(n => $"{n} = {PlotText.Held(sweep.Points[0][sweep.IndexOf(n)])}"))}{(held.Count > 4 ? ", …" : "")}; " +
                    "the regions are conditional on these values (a profile sweep re-optimizes them)",
            });
        }
        // A few points inside the 95% region drew its contours as specks between them (a trial's 60 × 60 grid over a
        // narrow ridge), or as lines the MLE lay outside (another's 9 × 5): none are drawn, and this says why.
        // A grid inside the 68% region draws no contour either (a trial: nothing said); said so, and not also called coarse.
        bool allInside = grid.FrameMinimum() > -SurfacePlots.TwoParameterLevels[0];
        if (allInside)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"no contour on this grid: all of it lies inside the 68% region (Δ > −{LevelText(SurfacePlots.TwoParameterLevels[0])}); sweep a wider grid" });
        int inside = InsideRegion(grid);
        if (inside < CoarseRegion && offRegion is null && !allInside)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"coarse grid: {inside} point{(inside == 1 ? "" : "s")} inside the 95% region, too few to draw the contours; sweep a finer grid around the estimate" });
        if (grid.Cropped)
        {
            // One line, or two where the ranges' digits make it wider than a legend line (a grid over 10¹² was cut).
            string frame = $"frame: {(offRegion is not null ? "around the estimates" : "the 99% region")}; the grid spans";
            string x = $"{grid.X.Name} {Range(grid.X)}", y = $"{grid.Y.Name} {Range(grid.Y)}";
            string[] lines = frame.Length + x.Length + y.Length > 80 ? [$"{frame} {x},", y] : [$"{frame} {x}, {y}"];
            foreach (var line in lines)
                plot.Legend.ManualItems.Add(new LegendItem { LabelText = line });
        }
        LegendBelow.Show(plot, width);
    }

    private static string Range(GridAxis axis)
    {
        var (low, high) = PlotText.Apart(axis.Low, axis.High);
        return $"{low} to {high}";
    }

    /// <summary>Labels each contour "Δ = level" in a box on the line, clear of the other contours, labels and markers.</summary>
    private static void LabelContours(Plot plot, List<(double Level, Coordinates[] Path)> contours, List<(string Label, Coordinates At)> marks)
    {
        var placer = new LabelPlacer(plot.LastRender.DataRect);
        foreach (var (_, at) in marks)
            placer.Block(plot.GetPixel(at), 9);
        var pixels = contours.Select(c => (c.Level, Path: (IReadOnlyList<Pixel>)c.Path.Select(plot.GetPixel).ToList())).ToList();
        foreach (double level in SurfacePlots.TwoParameterLevels)
        {
            var text = plot.Add.Text($"Δ = {LevelText(level)}", new Coordinates(0, 0));
            Style(text.LabelStyle);
            var size = LabelPlacer.Measure(text.LabelStyle, text.LabelText);
            var own = pixels.Where(p => p.Level == level).Select(p => p.Path).ToList();
            var others = pixels.Where(p => p.Level != level).Select(p => p.Path).ToList();
            var box = placer.Place(OnLine(own, size), b => Score(b, others, 2))
                ?? placer.Place(BesideLine(own, size), b => Score(b, pixels.Select(p => p.Path), 1));
            if (box is { } placed)
                text.Location = plot.GetCoordinates(new Pixel((placed.Left + placed.Right) / 2, (placed.Top + placed.Bottom) / 2));
            else
                plot.Remove(text);
        }
    }

    /// <summary>A level as the title and the labels print it: 3.0, 4.6, 1.15.</summary>
    public static string LevelText(double level) => level.ToString(level == Math.Round(level, 1) ? "0.0" : "0.##", System.Globalization.CultureInfo.InvariantCulture);

    private static void Style(LabelStyle style)
    {
        style.FontSize = 12;
        style.ForeColor = Colors.Black;
        style.BackgroundColor = LabelBackground;
        style.PixelPadding = new PixelPadding(3);
        style.Alignment = Alignment.MiddleCenter;
    }

    // Clear of the given lines by at least `least` pixels; beyond that, farther is better up to a point, then lower right.
    private static double Score(PixelRect box, IEnumerable<IReadOnlyList<Pixel>> lines, double least)
    {
        double clearance = LabelPlacer.Clearance(box, lines);
        return clearance < least ? double.NegativeInfinity : Math.Min(clearance, 24) * 1e4 + box.Right + box.Bottom;
    }

    // On the line itself, where the contour is big enough that a box centred on it does not cover its other side.
    private static IEnumerable<PixelRect> OnLine(List<IReadOnlyList<Pixel>> paths, PixelSize size)
    {
        foreach (var path in paths)
        {
            float width = path.Max(p => p.X) - path.Min(p => p.X), height = path.Max(p => p.Y) - path.Min(p => p.Y);
            if (width < 1.6 * size.Width || height < 2.5 * size.Height)
                continue;
            foreach (var point in path)
                yield return LabelPlacer.Box(point, size);
        }
    }

    // Beside a contour too small to carry its label: just right of, left of, above or below it.
    private static IEnumerable<PixelRect> BesideLine(List<IReadOnlyList<Pixel>> paths, PixelSize size)
    {
        foreach (var path in paths)
        {
            var right = path.MaxBy(p => p.X);
            var left = path.MinBy(p => p.X);
            var top = path.MinBy(p => p.Y);
            var bottom = path.MaxBy(p => p.Y);
            yield return LabelPlacer.Box(new Pixel(right.X + size.Width / 2 + 4, right.Y), size);
            yield return LabelPlacer.Box(new Pixel(left.X - size.Width / 2 - 4, left.Y), size);
            yield return LabelPlacer.Box(new Pixel(bottom.X, bottom.Y + size.Height / 2 + 4), size);
            yield return LabelPlacer.Box(new Pixel(top.X, top.Y - size.Height / 2 - 4), size);
        }
    }
}
