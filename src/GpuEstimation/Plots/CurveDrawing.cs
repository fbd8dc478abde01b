using GpuEstimation.Surfaces;
using ScottPlot;

namespace GpuEstimation.Plots;

/// <summary>Draws a one-axis sweep: Δ against the parameter, framed on the 95% interval, whose ends are drawn and printed.</summary>
internal static class CurveDrawing
{
    /// <summary>The frame reaches this many times the interval's drop below the maximum.</summary>
    private const double Depth = 2.5;

    public static Plot Draw(SweepResult sweep, string path, int width, int height)
    {
        var values = sweep.LogPosterior ?? sweep.LogLikelihood;
        double top = sweep.Peak;
        var axis = sweep.Axes[0];
        var xs = Enumerable.Range(0, axis.Count).Select(i => axis[i]).ToArray();
        var ys = values.Select(v => v - top).ToArray();
        double drop = 0.5 * MathNet.Numerics.Distributions.ChiSquared.InvCDF(1, 0.95);
        var (lower, upper) = Interval(xs, ys, -drop);

        var plot = new Plot();
        var curve = plot.Add.ScatterLine(xs, ys);
        curve.LineWidth = 2;
        // The parameters a plain sweep holds, with their values (a trial's --at mu=2.5 was said nowhere); a model of one
        // parameter holds none, and its interval is the likelihood interval itself, not a conditional one.
        var others = sweep.Parameters.Where(name => name != axis.Name).ToArray();
        bool conditional = !sweep.Profile && others.Length > 0;
        string held = string.Join(", ", others.Take(3).Select(name => $"{name} = {PlotText.Short(sweep.Points[0][sweep.IndexOf(name)])}"))
            + (others.Length > 3 ? ", …" : "");
        curve.LegendText = sweep.Profile ? "profile" : conditional ? $"sweep, {held} held" : "sweep";
        plot.Add.HorizontalLine(-drop, 1, Colors.Gray, LinePattern.Dashed).LegendText = $"Δ = {PlotText.Fixed(-drop, 2)} (χ²₁(0.95) / 2)";
        var (xLow, xHigh) = XFrame(xs, ys, drop);
        var finite = ys.Where(double.IsFinite).ToArray();
        if (finite.Length > 0 && finite.Max() < -Depth * drop)
        {
            // The whole grid lies deeper than the usual frame (a grid far from the maximum): all of it, at its depth
            // (its finite values: a −∞ at a domain's edge is not drawn).
            double span = Math.Max(1, finite.Max() - finite.Min());
            double pad = xs.Length > 1 ? 0.02 * (xs[^1] - xs[0]) : 0.5;
            plot.Axes.SetLimits(xs[0] - pad, xs[^1] + pad, finite.Min() - 0.05 * span, finite.Max() + 0.05 * span);
        }
        else
        {
            plot.Axes.SetLimits(xLow, xHigh, -Depth * drop, 0.15 * drop);
            if (xLow > xs[0] || xHigh < xs[^1])
                plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"frame: where Δ ≥ {PlotText.Fixed(-Depth * drop, 1)} (the grid runs {PlotText.Short(axis.Low)} to {PlotText.Short(axis.High)})" });
        }
        double resolution = ((upper ?? axis.High) - (lower ?? axis.Low)) / 200;
        if (ys.Max() >= -drop)
            DrawEnds(plot, lower, upper, resolution, -Depth * drop, axis, conditional);
        else
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"no 95% interval on this grid: it stays {PlotText.Fixed(-ys.Max(), 2)} or more below the maximum" });
        MarkEstimate(plot, sweep, xs, ys, resolution);
        TidyTicks.Apply(plot);
        var quantity = sweep.LogPosterior is null ? "log L" : "log posterior";
        plot.XLabel(PlotText.AxisName(sweep.Model, axis.Name));
        plot.YLabel(sweep.Profile ? $"profile {quantity} − max" : $"{quantity} − max");
        // Short enough for the picture's width with a model name of 20 characters (a longer title was cut at both sides).
        plot.Title(sweep.Profile ? $"{sweep.Model}: profile of {axis.Name} (95% interval: above the dashed line)"
            : conditional ? $"{sweep.Model}: {axis.Name}, the others held (a conditional interval)"
            : $"{sweep.Model}: {axis.Name} (95% interval: above the dashed line)");
        plot.ShowLegend(Edge.Bottom);
        plot.SavePng(path, width, height);
        return plot;
    }

    /// <summary>Where the curve crosses the level either side of its maximum; null where it stays above it to the grid's end.</summary>
    private static (double? Lower, double? Upper) Interval(double[] xs, double[] ys, double level)
    {
        int peak = Array.IndexOf(ys, ys.Max());
        double? lower = null, upper = null;
        for (int i = peak; i > 0 && lower is null; i--)
        {
            if (ys[i - 1] < level && ys[i] >= level)
                lower = Crossing(xs, ys, i, level);
        }
        for (int i = peak + 1; i < xs.Length && upper is null; i++)
        {
            if (ys[i - 1] >= level && ys[i] < level)
                upper = Crossing(xs, ys, i, level);
        }
        return (lower, upper);
    }

    private static double Crossing(double[] xs, double[] ys, int i, double level) =>
        xs[i - 1] + (level - ys[i - 1]) * (xs[i] - xs[i - 1]) / (ys[i] - ys[i - 1]);

    // The stretch of the grid where the curve is within the frame's depth, a step and a tenth wider each side.
    private static (double Low, double High) XFrame(double[] xs, double[] ys, double drop)
    {
        int first = Array.FindIndex(ys, y => y >= -Depth * drop), last = Array.FindLastIndex(ys, y => y >= -Depth * drop);
        int i0 = Math.Max(0, first - 1), i1 = Math.Min(xs.Length - 1, last + 1);
        if (i1 == i0)
            return (xs[i0] - 0.5, xs[i0] + 0.5);
        double margin = 0.1 * (xs[i1] - xs[i0]);
        return (Math.Max(xs[0], xs[i0] - margin), Math.Min(xs[^1], xs[i1] + margin));
    }

    // Red dotted lines at the interval's ends, each value printed at its foot; an end beyond the grid is said so in the legend.
    private static void DrawEnds(Plot plot, double? lower, double? upper, double resolution, double bottom, GridAxis axis, bool conditional)
    {
        foreach (var end in new[] { lower, upper }.OfType<double>())
        {
            plot.Add.VerticalLine(end, 1.5f, Colors.Red, LinePattern.Dotted);
            var text = plot.Add.Text(PlotText.AtResolution(end, resolution), end, bottom);
            text.LabelStyle.FontSize = 12;
            text.LabelStyle.Bold = true;
            text.LabelStyle.ForeColor = Colors.DarkRed;
            text.LabelStyle.BackgroundColor = Colors.White.WithAlpha(0.9);
            text.LabelStyle.PixelPadding = new PixelPadding(3);
            text.LabelStyle.Alignment = Alignment.LowerCenter;
            text.OffsetY = -4;
        }
        string low = lower is { } l ? PlotText.AtResolution(l, resolution) : $"below the grid (< {PlotText.Short(axis.Low)})";
        string high = upper is { } u ? PlotText.AtResolution(u, resolution) : $"above the grid (> {PlotText.Short(axis.High)})";
        plot.Legend.ManualItems.Add(new LegendItem
        {
            LabelText = $"{(conditional ? "conditional 95% interval (others held)" : "95% interval")}: {low} to {high}",
            LineStyle = new LineStyle { Width = 1.5f, Color = Colors.Red, Pattern = LinePattern.Dotted },
        });
    }

    // The fit's estimate of the swept parameter where the sweep holds one (else the grid's maximum), on the curve's top.
    private static void MarkEstimate(Plot plot, SweepResult sweep, double[] xs, double[] ys, double resolution)
    {
        var name = sweep.Axes[0].Name;
        var estimate = sweep.Base?.Parameters.FirstOrDefault(p => p.Name == name);
        double at = estimate?.Estimate ?? xs[Array.IndexOf(ys, ys.Max())];
        var label = estimate is null ? "grid maximum" : sweep.Base!.Method.ToUpperInvariant();
        var marker = plot.Add.Marker(at, 0, MarkerShape.FilledCircle, 9, Colors.Black);
        marker.LegendText = $"{label}: {name} = {PlotText.AtResolution(at, resolution)}";
    }
}
