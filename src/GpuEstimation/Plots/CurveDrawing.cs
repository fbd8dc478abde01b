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
        // The located estimate is a point of the curve too (the maximum in the swept space, usually between grid
        // points): drawn through, and the interval's ends found with it (on a coarse grid the straight lines between
        // grid points left the estimate floating above the curve and the interval 1/17 of its width).
        // Not where it all but repeats a grid point: the fit's and the sweep's values there differ by rounding, which the
        // parabola through them would divide by a distance of ulps (a review: a grid centred on the MLE to 2e-14 printed
        // 168.70 for an end at 167.71).
        var estimate = Located(sweep);
        double step = xs.Length > 1 ? (xs[^1] - xs[0]) / (xs.Length - 1) : 0;
        if (estimate is { } at && at.X > xs[0] && at.X < xs[^1] && xs.All(x => Math.Abs(x - at.X) > 1e-3 * step))
        {
            int place = Array.FindIndex(xs, x => x > at.X);
            xs = [.. xs[..place], at.X, .. xs[place..]];
            ys = [.. ys[..place], at.Value - top, .. ys[place..]];
        }
        double drop = 0.5 * MathNet.Numerics.Distributions.ChiSquared.InvCDF(1, 0.95);
        var (lower, upper) = Interval(xs, ys, -drop);

        var plot = new Plot();
        var (drawnX, drawnY) = Drawn(xs, ys);
        var curve = plot.Add.ScatterLine(drawnX, drawnY);
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
        {
            DrawEnds(plot, lower, upper, resolution, -Depth * drop, axis, conditional);
            int inside = Enumerable.Range(0, axis.Count).Count(i => axis[i] >= (lower ?? axis.Low) && axis[i] <= (upper ?? axis.High));
            if (inside < CoarseGrid)
                plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"coarse grid: {inside} point{(inside == 1 ? "" : "s")} inside the interval; its ends interpolated by parabolas" });
        }
        else
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"no 95% interval on this grid: it stays {PlotText.Fixed(-ys.Max(), 2)} or more below the maximum" });
        }
        MarkEstimate(plot, sweep, estimate, xs, ys, resolution);
        TidyTicks.Apply(plot);
        // Room for half the last tick's label beyond the frame (a narrow grid's "169.69" was cut at the picture's edge).
        plot.Axes.Right.MinimumSize = 36;
        var quantity = sweep.LogPosterior is null ? "log L" : "log posterior";
        plot.XLabel(PlotText.AxisName(sweep.Model, axis.Name));
        plot.YLabel(sweep.Profile ? $"profile {quantity} − max" : $"{quantity} − max");
        plot.Title(PlotText.Title(sweep.Model, sweep.Profile ? $"profile of {axis.Name} (95% interval: above the dashed line)"
            : conditional ? $"{axis.Name}, the others held (a conditional interval)"
            : $"{axis.Name} (95% interval: above the dashed line)", width));
        LegendBelow.Show(plot);
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

    /// <summary>
    /// Where the curve crosses <paramref name="level"/> between points i − 1 and i: on the parabola through them and
    /// their neighbour towards the maximum (<see cref="Parabola"/>: exact for a quadratic log-likelihood, second order
    /// otherwise), else on the straight line between them.
    /// </summary>
    private static double Crossing(double[] xs, double[] ys, int i, double level)
    {
        double linear = xs[i - 1] + (level - ys[i - 1]) * (xs[i] - xs[i - 1]) / (ys[i] - ys[i - 1]);
        if (Parabola(xs, ys, i) is not var (a, b, c0))
            return linear;
        // a u² + b u + (y₀ − level) = 0 in u = x − x₀, its root in [0, x₁ − x₀].
        double c = c0 - level, width = xs[i] - xs[i - 1];
        double discriminant = b * b - 4 * a * c;
        if (a == 0 || !(discriminant >= 0))
            return linear;
        double q = -0.5 * (b + Math.CopySign(Math.Sqrt(discriminant), b));
        foreach (double u in new[] { q / a, c / q })
        {
            if (u >= 0 && u <= width && double.IsFinite(u))
                return xs[i - 1] + u;
        }
        return linear;
    }

    /// <summary>
    /// The parabola a u² + b u + c (u = x − x₀, c = y₀) through points i − 1, i and their neighbour towards the maximum;
    /// null where there is no such neighbour, a value is not finite, or the points nearly sit on one another (their
    /// rounding, not a curvature).
    /// </summary>
    private static (double A, double B, double C)? Parabola(double[] xs, double[] ys, int i)
    {
        int third = ys[i] >= ys[i - 1] ? i + 1 : i - 2;
        if (third < 0 || third >= xs.Length || !double.IsFinite(ys[third]) || !double.IsFinite(ys[i]) || !double.IsFinite(ys[i - 1]))
            return null;
        double x0 = xs[i - 1], x1 = xs[i], x2 = xs[third];
        if (Math.Min(Math.Abs(x2 - x1), Math.Abs(x2 - x0)) < 1e-3 * Math.Abs(x1 - x0))
            return null;
        // Newton's form y₀ + d₀₁ (x − x₀) + d₀₁₂ (x − x₀)(x − x₁), in u.
        double d01 = (ys[i] - ys[i - 1]) / (x1 - x0), d12 = (ys[third] - ys[i]) / (x2 - x1), d012 = (d12 - d01) / (x2 - x0);
        return (d012, d01 - d012 * (x1 - x0), ys[i - 1]);
    }

    /// <summary>
    /// The curve as drawn: each stretch between points on the parabola that <see cref="Crossing"/> reads its ends from
    /// (a review: on a coarse grid the straight lines stood well below the dashed level where the ends were printed),
    /// straight where there is none.
    /// </summary>
    private static (double[] X, double[] Y) Drawn(double[] xs, double[] ys)
    {
        const int Samples = 16;
        var (x, y) = (new List<double> { xs[0] }, new List<double> { ys[0] });
        for (int i = 1; i < xs.Length; i++)
        {
            if (Parabola(xs, ys, i) is var (a, b, c))
            {
                for (int s = 1; s < Samples; s++)
                {
                    double u = (xs[i] - xs[i - 1]) * s / Samples;
                    x.Add(xs[i - 1] + u);
                    y.Add((a * u + b) * u + c);
                }
            }
            x.Add(xs[i]);
            y.Add(ys[i]);
        }
        return ([.. x], [.. y]);
    }

    /// <summary>Fewer grid points than this inside the interval: its ends come from the interpolation more than from the grid, said in the legend.</summary>
    private const int CoarseGrid = 5;

    /// <summary>The estimate located in the swept space that the curve's quantity peaks at (the MLE, or the MAP of a MAP sweep): its place on the axis and value.</summary>
    private static (double X, double Value, string Label)? Located(SweepResult sweep)
    {
        var label = sweep.LogPosterior is null ? "MLE" : "MAP";
        return sweep.Estimates.FirstOrDefault(e => e.Label == label && double.IsFinite(e.Value)) is { } e
            ? (e.Parameters[sweep.IndexOf(sweep.Axes[0].Name)], e.Value, label)
            : null;
    }

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
        // Each value printed away from the interval (the lower to the line's left, the upper to its right): centred on
        // the lines, the two ends of a narrow interval printed over each other.
        foreach (var (end, alignment) in new[] { (lower, Alignment.LowerRight), (upper, Alignment.LowerLeft) })
        {
            if (end is not { } x)
                continue;
            plot.Add.VerticalLine(x, 1.5f, Colors.Red, LinePattern.Dotted);
            var text = plot.Add.Text(PlotText.AtResolution(x, resolution), x, bottom);
            text.LabelStyle.FontSize = 12;
            text.LabelStyle.Bold = true;
            text.LabelStyle.ForeColor = Colors.DarkRed;
            text.LabelStyle.BackgroundColor = Colors.White.WithAlpha(0.9);
            text.LabelStyle.PixelPadding = new PixelPadding(3);
            text.LabelStyle.Alignment = alignment;
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

    // The estimate located in the swept space (else the base fit's, else the grid's maximum), on the curve's top: a
    // model of one parameter has no base fit, and its picture marked the grid's maximum beside the MLE.
    private static void MarkEstimate(Plot plot, SweepResult sweep, (double X, double Value, string Label)? located, double[] xs, double[] ys, double resolution)
    {
        var name = sweep.Axes[0].Name;
        var estimate = sweep.Base?.Parameters.FirstOrDefault(p => p.Name == name);
        double at = located?.X ?? estimate?.Estimate ?? xs[Array.IndexOf(ys, ys.Max())];
        var label = located?.Label ?? (estimate is null ? "grid maximum" : sweep.Base!.Method.ToUpperInvariant());
        var marker = plot.Add.Marker(at, located is { } l ? l.Value - sweep.Peak : 0, MarkerShape.FilledCircle, 9, Colors.Black);
        // At least five significant digits: on a grid two thousand wide the interval's resolution printed 169.68 as 170.
        // (Not finer than a thousandth of the interval's resolution: an estimate at 3e-17 printed twenty decimals.)
        marker.LegendText = $"{label}: {name} = {PlotText.AtResolution(at, Math.Max(Math.Min(resolution, Math.Abs(at) * 1e-4), resolution * 1e-3))}";
    }
}
