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
        // Whether the curve's maximum is one of its points (the located estimate, put in or on a grid point): only then
        // is a parabola rising above it between two points an overshoot, not the maximum between grid points.
        bool peakIsAPoint = estimate is { } located && located.X >= xs[0] && located.X <= xs[^1];
        if (estimate is { } at && at.X > xs[0] && at.X < xs[^1] && xs.All(x => Math.Abs(x - at.X) > 1e-3 * step))
        {
            int place = Array.FindIndex(xs, x => x > at.X);
            xs = [.. xs[..place], at.X, .. xs[place..]];
            ys = [.. ys[..place], at.Value - top, .. ys[place..]];
        }
        double drop = 0.5 * MathNet.Numerics.Distributions.ChiSquared.InvCDF(1, 0.95);
        var (lower, upper) = Interval(xs, ys, -drop);

        var plot = new Plot();
        // The curve in stretches of finite values (a −∞ outside a domain or a NaN left the whole line undrawn, a trial).
        var segments = Drawn(xs, ys, width, peakIsAPoint);
        var curve = plot.Add.ScatterLine(segments[0].X, segments[0].Y);
        curve.LineWidth = 2;
        foreach (var (x, y) in segments.Skip(1))
        {
            var more = plot.Add.ScatterLine(x, y, curve.Color);
            more.LineWidth = 2;
        }
        // The parameters a plain sweep holds, with their values (a trial's --at mu=2.5 was said nowhere); a model of one
        // parameter holds none, and its interval is the likelihood interval itself, not a conditional one.
        var others = sweep.OffGrid;
        bool conditional = !sweep.Profile && others.Count > 0;
        string held = string.Join(", ", others.Take(3).Select(name => $"{name} = {PlotText.Held(sweep.Points[0][sweep.IndexOf(name)])}"))
            + (others.Count > 3 ? ", …" : "");
        curve.LegendText = sweep.Profile ? "profile" : conditional ? $"sweep, {held} held" : "sweep";
        plot.Add.HorizontalLine(-drop, 1, Colors.Gray, LinePattern.Dashed).LegendText = $"Δ = {PlotText.Fixed(-drop, 2)} (χ²₁(0.95) / 2)";
        var (xLow, xHigh) = XFrame(xs, ys, drop);
        var finite = ys.Where(double.IsFinite).ToArray();
        if (finite.Length == 0)
        {
            // No finite value anywhere (a grid outside the domain): the whole grid's span, nothing to mark.
            double pad = xs.Length > 1 ? 0.02 * (xs[^1] - xs[0]) : Math.Max(0.5, 0.01 * Math.Abs(xs[0]));
            plot.Axes.SetLimits(xs[0] - pad, xs[^1] + pad, -Depth * drop, 0.15 * drop);
            NonFinite(plot, sweep);
            return Finish(plot, sweep, axis, conditional, path, width, height);
        }
        if (finite.Max() < -Depth * drop)
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
            {
                var (runLow, runHigh) = PlotText.Apart(axis.Low, axis.High);
                plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"frame: where Δ ≥ {PlotText.Fixed(-Depth * drop, 1)} (the grid runs {runLow} to {runHigh})" });
            }
        }
        double resolution = ((upper?.X ?? axis.High) - (lower?.X ?? axis.Low)) / 200;
        if (ys.Max() >= -drop)
        {
            var limits = plot.Axes.GetLimits();
            DrawEnds(plot, lower, upper, resolution, -Depth * drop, axis, conditional, (limits.Left, limits.Right), width);
            int inside = Enumerable.Range(0, axis.Count).Count(i => axis[i] >= (lower?.X ?? axis.Low) && axis[i] <= (upper?.X ?? axis.High));
            if (inside < CoarseGrid && lower?.Kind is null or EndKind.Crossing && upper?.Kind is null or EndKind.Crossing && (lower is not null || upper is not null))
                plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"coarse grid: {inside} point{(inside == 1 ? "" : "s")} inside the interval; its ends interpolated by parabolas" });
        }
        else
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"no 95% interval on this grid: it stays {PlotText.Fixed(-ys.Max(), 2)} or more below the maximum" });
        }
        NonFinite(plot, sweep);
        MarkEstimate(plot, sweep, estimate, xs, ys, resolution, (xs[0], xs[^1]));
        return Finish(plot, sweep, axis, conditional, path, width, height);
    }

    // Ticks, labels, title and legend, and the picture saved.
    private static Plot Finish(Plot plot, SweepResult sweep, GridAxis axis, bool conditional, string path, int width, int height)
    {
        TidyTicks.Apply(plot);
        // Room for half the last tick's label beyond the frame (a narrow grid's "169.69" was cut at the picture's edge).
        plot.Axes.Right.MinimumSize = 36;
        var quantity = sweep.LogPosterior is null ? "log L" : "log posterior";
        plot.XLabel(PlotText.AxisName(sweep.Model, axis.Name));
        plot.YLabel(sweep.Profile ? $"profile {quantity} − max" : $"{quantity} − max");
        plot.Title(PlotText.Title(sweep.Model, sweep.Profile ? $"profile of {axis.Name} (95% interval: above the dashed line)"
            : conditional ? $"{axis.Name}, the others held (a conditional interval)"
            : $"{axis.Name} (95% interval: above the dashed line)", width));
        LegendBelow.Show(plot, width);
        plot.SavePng(path, width, height);
        return plot;
    }

    /// <summary>How an end of the interval was found.</summary>
    private enum EndKind
    {
        /// <summary>Where the curve crosses the level, between two grid points.</summary>
        Crossing,

        /// <summary>Within a grid step where the value falls to −∞ (the edge of a domain): X is the last finite point.</summary>
        Edge,

        /// <summary>Not found: the next grid point's value is not a number. X is the last point that is.</summary>
        Undefined,
    }

    /// <summary>An end of the interval: where it lies, and how it was found; <paramref name="Beyond"/> the grid point past it.</summary>
    private readonly record struct End(double X, EndKind Kind, double Beyond = double.NaN);

    /// <summary>
    /// Where the curve crosses the level either side of its maximum; null where it stays above it to the grid's end. A
    /// value of −∞ next to one above the level ends the interval within that step (a domain's edge); a NaN ends the
    /// search there, the end unknown (a NaN had read as "below the grid").
    /// </summary>
    private static (End? Lower, End? Upper) Interval(double[] xs, double[] ys, double level)
    {
        int peak = Array.IndexOf(ys, ys.Max());
        End? lower = null, upper = null;
        for (int i = peak; i > 0 && lower is null; i--)
            lower = EndBetween(xs, ys, i - 1, i, level);
        for (int i = peak + 1; i < xs.Length && upper is null; i++)
            upper = EndBetween(xs, ys, i, i - 1, level);
        return (lower, upper);
    }

    // The end between grid point inside (at or above the level) and its neighbour outside, or null where there is none.
    private static End? EndBetween(double[] xs, double[] ys, int outside, int inside, double level)
    {
        if (double.IsNaN(ys[outside]))
            return new End(xs[inside], EndKind.Undefined, xs[outside]);
        if (!(ys[inside] >= level) || ys[outside] >= level)
            return null;
        if (double.IsNegativeInfinity(ys[outside]))
            return new End(xs[inside], EndKind.Edge, xs[outside]);
        return new End(Crossing(xs, ys, Math.Max(outside, inside), level), EndKind.Crossing);
    }

    /// <summary>
    /// Where the curve crosses <paramref name="level"/> between points i − 1 and i: on the parabola through them and
    /// their neighbour towards the maximum (<see cref="Parabola"/>: exact for a quadratic log-likelihood, second order
    /// otherwise), else on the straight line between them.
    /// </summary>
    private static double Crossing(double[] xs, double[] ys, int i, double level)
    {
        double linear = xs[i - 1] + (level - ys[i - 1]) * (xs[i] - xs[i - 1]) / (ys[i] - ys[i - 1]);
        if (Parabola(xs, ys, i, overshoot: true) is not var (a, b, c0))
            return linear;
        // a t² + b t + (y₀ − level) = 0 in t = (x − x₀)/(x₁ − x₀), its root in [0, 1].
        double c = c0 - level;
        double discriminant = b * b - 4 * a * c;
        if (a == 0 || !(discriminant >= 0))
            return linear;
        double q = -0.5 * (b + Math.CopySign(Math.Sqrt(discriminant), b));
        foreach (double t in new[] { q / a, c / q })
        {
            if (t >= 0 && t <= 1 && double.IsFinite(t))
                return xs[i - 1] + t * (xs[i] - xs[i - 1]);
        }
        return linear;
    }

    /// <summary>
    /// The parabola a t² + b t + c (t = (x − x₀)/(x₁ − x₀), from 0 at point i − 1 to 1 at point i; c = y₀) through points
    /// i − 1, i and their neighbour towards the maximum; null where there is no such neighbour, a value is not finite, or
    /// the points nearly sit on one another (their rounding, not a curvature). In t, not in x − x₀: a grid over 10⁻²⁰⁰
    /// squared its steps to 0, and the curve was not drawn (a trial).
    /// </summary>
    private static (double A, double B, double C)? Parabola(double[] xs, double[] ys, int i, bool overshoot)
    {
        int third = ys[i] >= ys[i - 1] ? i + 1 : i - 2;
        if (third < 0 || third >= xs.Length || !double.IsFinite(ys[third]) || !double.IsFinite(ys[i]) || !double.IsFinite(ys[i - 1]))
            return null;
        double h = xs[i] - xs[i - 1], t2 = (xs[third] - xs[i - 1]) / h;
        if (Math.Min(Math.Abs(t2 - 1), Math.Abs(t2)) < 1e-3)
            return null;
        // Newton's form y₀ + d₀₁ t + d₀₁₂ t (t − 1) in t, with t = 0, 1 and t₂ at the three points.
        double d01 = ys[i] - ys[i - 1], d12 = (ys[third] - ys[i]) / (t2 - 1), d012 = (d12 - d01) / t2;
        double a = d012, b = d01 - d012, c = ys[i - 1];
        // A maximum between the two points well above both (by a tenth of their difference), where the curve's maximum
        // is a point of it (the located estimate; `overshoot`): a coarse grid's parabola overshooting (a trial: the curve
        // a unit above its peak, off the frame); a profile's slight asymmetry next to the estimate is not.
        double vertex = -b / (2 * a);
        if (overshoot && a < 0 && vertex > 0 && vertex < 1 && (a * vertex + b) * vertex + c > Math.Max(ys[i], ys[i - 1]) + 0.1 * Math.Abs(ys[i] - ys[i - 1]) + 1e-9)
            return null;
        return (a, b, c);
    }

    /// <summary>
    /// The curve as drawn, one stretch per run of finite values: each step between points on the parabola that
    /// <see cref="Crossing"/> reads its ends from (a review: on a coarse grid the straight lines stood well below the
    /// dashed level where the ends were printed), straight where there is none, with at most as many samples as the
    /// picture's <paramref name="width"/> has pixels for; past a few points per pixel, each pixel's lowest and highest
    /// point in order (a trial's 700,000-point grid, 16 samples a step, aborted the process in the drawing library).
    /// An all-non-finite curve is one empty stretch.
    /// </summary>
    private static List<(double[] X, double[] Y)> Drawn(double[] xs, double[] ys, int width, bool peakIsAPoint)
    {
        int samples = Math.Clamp(2 * width / Math.Max(1, xs.Length - 1), 1, 16);
        var segments = new List<(double[] X, double[] Y)>();
        var (x, y) = (new List<double>(), new List<double>());
        void Close()
        {
            if (x.Count > 0)
                segments.Add(Thinned([.. x], [.. y], width));
            x.Clear();
            y.Clear();
        }
        for (int i = 0; i < xs.Length; i++)
        {
            if (!double.IsFinite(ys[i]))
            {
                Close();
                continue;
            }
            if (i > 0 && double.IsFinite(ys[i - 1]) && samples > 1 && Parabola(xs, ys, i, overshoot: peakIsAPoint) is var (a, b, c))
            {
                for (int s = 1; s < samples; s++)
                {
                    // The sample's place as a double, and the parabola where that place is: on an axis far from zero
                    // (μ near 10¹³, a step of 8 ulps) the places round to the few doubles between two grid points while
                    // t ran evenly, and the curve was drawn as a staircase (a trial of the pictures).
                    double place = xs[i - 1] + (double)s / samples * (xs[i] - xs[i - 1]);
                    if (!(place > x[^1] && place < xs[i]))
                        continue;
                    double t = (place - xs[i - 1]) / (xs[i] - xs[i - 1]);
                    x.Add(place);
                    // Where the maximum is a point, never above it: on a coarse grid the parabola through three points
                    // can overshoot it between them (a trial: a curve above its own peak, off the frame).
                    double y0 = (a * t + b) * t + c;
                    y.Add(peakIsAPoint ? Math.Min(y0, 0) : y0);
                }
            }
            x.Add(xs[i]);
            y.Add(ys[i]);
        }
        Close();
        return segments.Count > 0 ? segments : [([], [])];
    }

    // Points in x order kept to each of 2·width columns' first, lowest, highest and last: the same line on the screen.
    private static (double[] X, double[] Y) Thinned(double[] x, double[] y, int width)
    {
        int columns = 2 * Math.Max(1, width);
        if (x.Length <= 4 * columns)
            return (x, y);
        double low = x[0], span = x[^1] - x[0];
        var keep = new SortedSet<int>();
        int start = 0;
        while (start < x.Length)
        {
            int column = (int)Math.Min(columns - 1, (x[start] - low) / span * columns), end = start, lowest = start, highest = start;
            while (end < x.Length && (int)Math.Min(columns - 1, (x[end] - low) / span * columns) == column)
            {
                if (y[end] < y[lowest])
                    lowest = end;
                if (y[end] > y[highest])
                    highest = end;
                end++;
            }
            keep.UnionWith([start, lowest, highest, end - 1]);
            start = end;
        }
        return ([.. keep.Select(i => x[i])], [.. keep.Select(i => y[i])]);
    }

    // The grid's points whose value is −∞ or NaN, said in the legend (they are not drawn).
    private static void NonFinite(Plot plot, SweepResult sweep)
    {
        if (sweep.NonFiniteParts(meaning: false) is not { Count: > 0 } parts)
            return;
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"not drawn: {string.Join(", ", parts)} of the {sweep.Points.Count:N0} grid points" });
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
    private static void DrawEnds(Plot plot, End? lower, End? upper, double resolution, double bottom, GridAxis axis, bool conditional,
        (double Left, double Right) frame, int width)
    {
        // Each value printed away from the interval (the lower to the line's left, the upper to its right): centred on
        // the lines, the two ends of a narrow interval printed over each other. Where that side has no room for the
        // label (about 8 pixels a character of the 12-point bold font, the data area about width − 150 pixels), on the
        // other side: at the frame's edge a label was cut to its last digit ("6" for 4.596, a trial).
        double pixels = (frame.Right - frame.Left) / Math.Max(100, width - 150);
        foreach (var (end, toLeft) in new[] { (lower, true), (upper, false) })
        {
            if (end is not { } found || found.Kind == EndKind.Undefined)
                continue;
            double x = found.X;
            string printed = EndText(found, resolution, toLeft);
            double room = toLeft ? x - frame.Left : frame.Right - x;
            bool left = room >= (printed.Length * 8 + 10) * pixels ? toLeft : !toLeft;
            plot.Add.VerticalLine(x, 1.5f, Colors.Red, LinePattern.Dotted);
            var text = plot.Add.Text(printed, x, bottom);
            text.LabelStyle.FontSize = 12;
            text.LabelStyle.Bold = true;
            text.LabelStyle.ForeColor = Colors.DarkRed;
            text.LabelStyle.BackgroundColor = Colors.White.WithAlpha(0.9);
            text.LabelStyle.PixelPadding = new PixelPadding(3);
            text.LabelStyle.Alignment = left ? Alignment.LowerRight : Alignment.LowerLeft;
            text.OffsetY = -4;
        }
        string low = lower is { } l ? EndLegend(l, resolution, true) : $"below the grid (< {PlotText.Short(axis.Low)})";
        string high = upper is { } u ? EndLegend(u, resolution, false) : $"above the grid (> {PlotText.Short(axis.High)})";
        plot.Legend.ManualItems.Add(new LegendItem
        {
            LabelText = $"{(conditional ? "conditional 95% interval (others held)" : "95% interval")}: {low} to {high}",
            LineStyle = new LineStyle { Width = 1.5f, Color = Colors.Red, Pattern = LinePattern.Dotted },
        });
    }

    // The grid step an edge lies in, its ends told apart (a fine grid's step printed "between 1.5000 and 1.5000").
    private static string Bracket(End end, double resolution)
    {
        double low = Math.Min(end.X, end.Beyond), high = Math.Max(end.X, end.Beyond);
        var (a, b) = (PlotText.AtResolution(low, resolution), PlotText.AtResolution(high, resolution));
        if (a == b)
            (a, b) = (PlotText.Significant(low, 12), PlotText.Significant(high, 12));
        return $"{a} and {b}";
    }

    // An end as printed at its line: the crossing, or beyond the last finite point where the value falls to −∞ ("≥ 1.025"
    // for an upper end, "≤" for a lower).
    private static string EndText(End end, double resolution, bool lower) =>
        end.Kind == EndKind.Edge ? $"{(lower ? "≤" : "≥")} {PlotText.AtResolution(end.X, resolution)}" : PlotText.AtResolution(end.X, resolution);

    // An end in the legend's words, with the grid step it lies in where the grid does not show it.
    private static string EndLegend(End end, double resolution, bool lower) => end.Kind switch
    {
        EndKind.Edge => $"the domain's edge, between {Bracket(end, resolution)} (the value is −∞ {(lower ? "below" : "above")})",
        EndKind.Undefined => $"unknown (the value is not a number at {PlotText.AtResolution(end.Beyond, resolution)}, {(lower ? "below" : "above")} {PlotText.AtResolution(end.X, resolution)})",
        _ => PlotText.AtResolution(end.X, resolution),
    };

    // The estimate located in the swept space (else the base fit's, else the grid's maximum), on the curve's top: a
    // model of one parameter has no base fit, and its picture marked the grid's maximum beside the MLE.
    // Off the grid (range), the estimate is named in the legend, not marked (a trial: a legend's marker that the
    // picture did not have). Held off-grid values other than the fit's make it the maximum given them, said so.
    private static void MarkEstimate(Plot plot, SweepResult sweep, (double X, double Value, string Label)? located, double[] xs, double[] ys, double resolution,
        (double Low, double High) range)
    {
        var name = sweep.Axes[0].Name;
        var estimate = sweep.Base?.Parameters.FirstOrDefault(p => p.Name == name);
        double at = located?.X ?? estimate?.Estimate ?? xs[Array.IndexOf(ys, ys.Max())];
        var label = (located?.Label ?? (estimate is null ? "grid maximum" : sweep.Base!.Method.ToUpperInvariant())) +
            (sweep.Estimates.FirstOrDefault(e => e.Label == located?.Label) is { } found ? PlotText.Given(sweep.HeldApart, sweep, found.Parameters) : "");
        if (at < range.Low || at > range.High)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{label} off the grid, at {name} = {PlotText.Significant(at, 6)}" });
            return;
        }
        var marker = plot.Add.Marker(at, located is { } l ? l.Value - sweep.Peak : 0, MarkerShape.FilledCircle, 9, Colors.Black);
        // At least five significant digits: on a grid two thousand wide the interval's resolution printed 169.68 as 170.
        // (Not finer than a thousandth of the interval's resolution: an estimate at 3e-17 printed twenty decimals.)
        marker.LegendText = $"{label}: {name} = {PlotText.AtResolution(at, Math.Max(Math.Min(resolution, Math.Abs(at) * 1e-4), resolution * 1e-3))}";
    }
}
