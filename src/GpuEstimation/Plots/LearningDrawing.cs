using GpuEstimation.Estimation;
using ScottPlot;

namespace GpuEstimation.Plots;

/// <summary>Draws the learning example: data, outliers, the MLE and MAP lines, and for few points each point's log-likelihood.</summary>
internal static class LearningDrawing
{
    private const int MaxShown = 2000;
    private const int MaxLabelled = 40;

    /// <summary>A point this many σ̂ off the MLE line is an outlier, always drawn however the rest is thinned.</summary>
    private const double OutlierSds = 5;

    public static Plot Draw(double[] x, double[] y, double[] logDensities, FitResult mle, FitResult map, string path, int width, int height, double? slopePriorSd = null)
    {
        var plot = new Plot();
        var outliers = Outliers(x, y, mle);
        AddData(plot, x, y, outliers);
        AddLines(plot, x, mle, map, slopePriorSd);
        // The points over the lines: a labelled point on the line was hidden under it, its label floating (a newcomer).
        foreach (var points in plot.GetPlottables<ScottPlot.Plottables.Scatter>().ToList())
            plot.MoveToTop(points);
        TidyTicks.Apply(plot);
        plot.XLabel("x");
        plot.YLabel("y");
        bool labelled = x.Length <= MaxLabelled;
        plot.Title(labelled ? "The learning example: each point labelled with log f(y | x) under the MLE line" : "The learning example: MLE and MAP lines");
        LegendBelow.Show(plot, width);
        if (labelled)
        {
            // Lay out once, hold the frame, then place the labels in pixels clear of points, lines and each other.
            plot.RenderInMemory(width, height);
            plot.Axes.SetLimits(plot.Axes.GetLimits());
            LabelPoints(plot, x, y, logDensities, mle, map);
        }
        plot.SavePng(path, width, height);
        return plot;
    }

    private static HashSet<int> Outliers(double[] x, double[] y, FitResult mle)
    {
        double a = mle["intercept"], b = mle["x"], limit = OutlierSds * mle["sigma"];
        return Enumerable.Range(0, x.Length).Where(i => Math.Abs(y[i] - (a + b * x[i])) > limit).ToHashSet();
    }

    // A regular thinning of the ordinary points; the outliers, few by definition, are all drawn on top in their own colour.
    private static void AddData(Plot plot, double[] x, double[] y, HashSet<int> outliers)
    {
        int step = Math.Max(1, x.Length / MaxShown);
        var shown = Enumerable.Range(0, x.Length).Where(i => i % step == 0 && !outliers.Contains(i)).ToArray();
        var points = plot.Add.ScatterPoints(shown.Select(i => x[i]).ToArray(), shown.Select(i => y[i]).ToArray());
        // Labelled points are drawn larger, so that each label's point is easy to find; past them the size falls with the
        // points shown (at 41 points it fell from 6 to 3 pixels at once, and they hid under the lines, a trial): 6 down to
        // 3 at a thousand and more.
        points.MarkerSize = x.Length <= MaxLabelled ? 6 : (float)Math.Clamp(6 * Math.Pow(MaxLabelled / (double)shown.Length, 0.25), 3, 6);
        points.LegendText = step > 1 ? $"data (1 in {step} of {x.Length:N0})" : "data";
        if (outliers.Count == 0)
        {
            // Thinned data hide single points: say that none is far off the line, rather than leave the reader to guess.
            if (step > 1)
                plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"outliers (over {OutlierSds:0}σ̂ off the MLE line): none" });
            return;
        }
        var marked = plot.Add.ScatterPoints(outliers.Select(i => x[i]).ToArray(), outliers.Select(i => y[i]).ToArray(), Colors.Purple);
        marked.MarkerSize = 8;
        marked.MarkerShape = MarkerShape.FilledDiamond;
        marked.LegendText = $"outliers: {outliers.Count:N0} point{(outliers.Count == 1 ? "" : "s")} over {OutlierSds:0}σ̂ off the MLE line, all drawn";
    }

    // MLE solid and wide, MAP dashed and narrower on top of it: where the two lines coincide, both still show. The MAP's
    // legend names its prior and σ̂ where the prior is given (a trial's reader took a strongly pulled line for a fault).
    private static void AddLines(Plot plot, double[] x, FitResult mle, FitResult map, double? slopePriorSd)
    {
        double lo = x.Min(), hi = x.Max();
        foreach (var (fit, color, width, pattern) in new[] { (mle, Colors.Red, 4f, LinePattern.Solid), (map, Colors.Orange, 2f, LinePattern.Dashed) })
        {
            double a = fit["intercept"], b = fit["x"];
            var line = plot.Add.Line(lo, a + b * lo, hi, a + b * hi);
            line.LineColor = color;
            line.LineWidth = width;
            line.LinePattern = pattern;
            string prior = fit == map && slopePriorSd is { } sd
                ? $" (slope ~ Normal(0, {PlotText.Significant(sd, 3)}), σ̂ = {PlotText.Significant(fit["sigma"], 3)} with it)" : "";
            line.LegendText = $"{fit.Method.ToUpperInvariant()}{prior}: y = {PlotText.Significant(a, 4)} {(b < 0 ? PlotText.Minus : '+')} {PlotText.Significant(Math.Abs(b), 4)}·x";
        }
    }

    private static void LabelPoints(Plot plot, double[] x, double[] y, double[] logDensities, FitResult mle, FitResult map)
    {
        var placer = new LabelPlacer(plot.LastRender.DataRect);
        var pixels = Enumerable.Range(0, x.Length).Select(i => plot.GetPixel(new Coordinates(x[i], y[i]))).ToArray();
        foreach (var pixel in pixels)
            placer.Block(pixel, 2.5f);
        var lines = new[] { mle, map }.Select(fit => (IReadOnlyList<Pixel>)LinePixels(plot, x, fit)).ToList();
        for (int i = 0; i < x.Length; i++)
        {
            var text = plot.Add.Text(PlotText.Fixed(logDensities[i], 1), x[i], y[i]);
            text.LabelStyle.FontSize = 10;
            text.LabelStyle.BackgroundColor = Colors.White.WithAlpha(0.8);
            text.LabelStyle.PixelPadding = new PixelPadding(1);
            text.LabelStyle.Alignment = Alignment.MiddleCenter;
            var size = LabelPlacer.Measure(text.LabelStyle, text.LabelText);
            // Nearest wins, but a box across a line loses to one up to 15 px farther that clears both lines.
            var box = placer.Place(Around(pixels[i], size), b => -Distance(b, pixels[i]) - (LabelPlacer.Clearance(b, lines) >= 1 ? 0 : 15));
            if (box is { } placed)
                text.Location = plot.GetCoordinates(new Pixel((placed.Left + placed.Right) / 2, (placed.Top + placed.Bottom) / 2));
            else
                plot.Remove(text);
        }
    }

    private static List<Pixel> LinePixels(Plot plot, double[] x, FitResult fit)
    {
        double lo = x.Min(), hi = x.Max(), a = fit["intercept"], b = fit["x"];
        return [plot.GetPixel(new Coordinates(lo, a + b * lo)), plot.GetPixel(new Coordinates(hi, a + b * hi))];
    }

    // Boxes beside the point in eight directions, on three rings outwards.
    private static IEnumerable<PixelRect> Around(Pixel at, PixelSize size)
    {
        foreach (float gap in new[] { 4f, 12f, 22f })
        {
            float dx = size.Width / 2 + gap, dy = size.Height / 2 + gap * 0.6f;
            foreach (var (sx, sy) in new[] { (1, 0), (-1, 0), (0, -1), (0, 1), (1, -1), (1, 1), (-1, -1), (-1, 1) })
                yield return LabelPlacer.Box(new Pixel(at.X + sx * dx, at.Y + sy * dy), size);
        }
    }

    private static double Distance(PixelRect box, Pixel to)
    {
        double cx = (box.Left + box.Right) / 2 - to.X, cy = (box.Top + box.Bottom) / 2 - to.Y;
        return Math.Sqrt(cx * cx + cy * cy);
    }
}
