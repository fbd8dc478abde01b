using GpuEstimation.Estimation;
using GpuEstimation.Surfaces;
using ScottPlot;

namespace GpuEstimation.Plots;

/// <summary>Pictures of likelihood surfaces and of the learning example, as PNG files.</summary>
public static class SurfacePlots
{
    /// <summary>Δ log L at which the 68%, 95% and 99% regions of two parameters end (χ²₂ quantiles / 2).</summary>
    public static readonly double[] TwoParameterLevels = [1.15, 3.0, 4.6];

    /// <summary>
    /// A 2-D sweep as a heatmap of the log-likelihood (log-posterior for MAP) relative to its maximum, with contours at
    /// Δ = 1.15, 3.0, 4.6 (the 68/95/99% regions) and the MLE and MAP marked (or the grid's maximum); returns the plot for pixel queries.
    /// </summary>
    public static Plot Heatmap(SweepResult sweep, string path, int width = 800, int height = 600)
    {
        if (sweep.Axes.Count != 2)
            throw new InputException($"--png: a heatmap needs a two-axis grid, this one has {sweep.Axes.Count}");
        var values = sweep.LogPosterior ?? sweep.LogLikelihood;
        double top = values.Max();
        var (ax, ay) = (sweep.Axes[0], sweep.Axes[1]);
        var grid = new Coordinates3d[ay.Count, ax.Count];
        var intensities = new double[ay.Count, ax.Count];
        for (int i = 0; i < ax.Count; i++)
        {
            for (int j = 0; j < ay.Count; j++)
            {
                // Points run with the last axis (y) fastest; heatmap row 0 is drawn at the top, so flip.
                double delta = Math.Max(values[i * ay.Count + j] - top, -25);
                intensities[ay.Count - 1 - j, i] = delta;
                grid[j, i] = new Coordinates3d(ax[i], ay[j], delta);
            }
        }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(intensities);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        double dx = ax.Count > 1 ? (ax.High - ax.Low) / (ax.Count - 1) / 2 : 0.5, dy = ay.Count > 1 ? (ay.High - ay.Low) / (ay.Count - 1) / 2 : 0.5;
        heatmap.Extent = new CoordinateRect(ax.Low - dx, ax.High + dx, ay.Low - dy, ay.High + dy);
        plot.Add.ColorBar(heatmap).Label = sweep.LogPosterior is null ? "log L − max" : "log posterior − max";

        if (ax.Count > 1 && ay.Count > 1)
        {
            var contours = plot.Add.ContourLines(grid, TwoParameterLevels.Length);
            contours.ContourLineLevels = TwoParameterLevels.Select(level => -level).Reverse().ToArray();
            contours.Update(grid);
            contours.LineColor = Colors.White;
            contours.LineWidth = 2;
        }

        // The MLE as a red circle, the MAP as an orange diamond; without located estimates, the grid's maximum.
        int kx = IndexOf(sweep, ax.Name), ky = IndexOf(sweep, ay.Name);
        var marks = sweep.Estimates.Select(e => (e.Label, new Coordinates(e.Parameters[kx], e.Parameters[ky]))).ToList();
        if (marks.Count == 0)
            marks.Add(("grid maximum", Best(sweep, kx, ky)));
        var extent = heatmap.Extent!.Value;
        foreach (var (label, at) in marks)
        {
            bool map = label == "MAP";
            var marker = plot.Add.Marker(at.X, at.Y, map ? MarkerShape.FilledDiamond : MarkerShape.FilledCircle, 12, map ? Colors.Orange : Colors.Red);
            bool inside = at.X >= extent.Left && at.X <= extent.Right && at.Y >= extent.Bottom && at.Y <= extent.Top;
            marker.LegendText = inside ? label : FormattableString.Invariant($"{label} off the grid, at {ax.Name} = {at.X:G6}, {ay.Name} = {at.Y:G6}");
        }
        // The grid fills the frame: an estimate off the grid is named in the legend instead of shrinking the surface.
        plot.Axes.SetLimits(extent);
        plot.XLabel(ax.Name);
        plot.YLabel(ay.Name);
        plot.Title($"{sweep.Model}: {(sweep.Profile ? "profile " : "")}{(sweep.LogPosterior is null ? "log-likelihood" : "log-posterior")}, contours at Δ = 1.15, 3.0, 4.6");
        plot.ShowLegend();
        plot.SavePng(path, width, height);
        return plot;
    }

    /// <summary>
    /// A 1-D sweep (usually a profile) as Δ log L against the parameter, with the level-0.95 line
    /// (Δ = −χ²₁(0.95)/2) and the interval where the curve is above it.
    /// </summary>
    public static Plot Curve(SweepResult sweep, string path, int width = 800, int height = 500)
    {
        if (sweep.Axes.Count != 1)
            throw new InputException($"--png: a curve needs a one-axis grid, this one has {sweep.Axes.Count}");
        var values = sweep.LogPosterior ?? sweep.LogLikelihood;
        double top = values.Max();
        var axis = sweep.Axes[0];
        var xs = Enumerable.Range(0, axis.Count).Select(i => axis[i]).ToArray();
        var ys = values.Select(v => v - top).ToArray();
        double drop = 0.5 * MathNet.Numerics.Distributions.ChiSquared.InvCDF(1, 0.95);

        var plot = new Plot();
        plot.Add.ScatterLine(xs, ys).LineWidth = 2;
        plot.Add.HorizontalLine(-drop, 1, Colors.Gray, LinePattern.Dashed);
        foreach (var end in Crossings(xs, ys, -drop))
            plot.Add.VerticalLine(end, 1.5f, Colors.Red, LinePattern.Dotted);
        plot.XLabel(axis.Name);
        plot.YLabel(sweep.Profile ? "profile log L − max" : "log L − max");
        plot.Title($"{sweep.Model}: {(sweep.Profile ? "profile" : "sweep")} of {axis.Name}, 95% interval where the curve is above the dashed line");
        plot.SavePng(path, width, height);
        return plot;
    }

    /// <summary>
    /// The learning example: the data (at most 2,000 points drawn), the MLE and MAP lines, and for at most 40 points
    /// each point labelled with its log-likelihood under the MLE line.
    /// </summary>
    public static Plot LearningExample(double[] x, double[] y, FitResult mle, FitResult map, double[] logDensities, string path, int width = 900, int height = 600)
    {
        var plot = new Plot();
        int step = Math.Max(1, x.Length / 2000);
        var shownX = x.Where((_, i) => i % step == 0).ToArray();
        var shownY = y.Where((_, i) => i % step == 0).ToArray();
        var points = plot.Add.ScatterPoints(shownX, shownY);
        points.MarkerSize = 3;
        points.LegendText = x.Length > shownX.Length ? $"data (1 in {step} of {x.Length:N0})" : "data";
        double lo = x.Min(), hi = x.Max();
        foreach (var (fit, color) in new[] { (mle, Colors.Red), (map, Colors.Orange) })
        {
            var line = plot.Add.Line(lo, fit["intercept"] + fit["x"] * lo, hi, fit["intercept"] + fit["x"] * hi);
            line.LineColor = color;
            line.LineWidth = 2;
            line.LegendText = $"{fit.Method.ToUpperInvariant()}: y = {fit["intercept"]:G4} + {fit["x"]:G4}·x";
        }
        if (x.Length <= 40)
        {
            for (int i = 0; i < x.Length; i++)
                plot.Add.Text($"{logDensities[i]:F1}", x[i], y[i]).LabelFontSize = 10;
        }
        plot.XLabel("x");
        plot.YLabel("y");
        plot.Title(x.Length <= 40 ? "The learning example: each point labelled with log f(y | x) under the MLE line" : "The learning example: MLE and MAP lines");
        plot.ShowLegend();
        plot.SavePng(path, width, height);
        return plot;
    }

    /// <summary>The grid point of a 2-D sweep with the largest value.</summary>
    private static Coordinates Best(SweepResult sweep, int kx, int ky)
    {
        var values = sweep.LogPosterior ?? sweep.LogLikelihood;
        var point = sweep.Points[Array.IndexOf(values, values.Max())];
        return new Coordinates(point[kx], point[ky]);
    }

    private static IEnumerable<double> Crossings(double[] xs, double[] ys, double level)
    {
        for (int i = 1; i < xs.Length; i++)
        {
            if ((ys[i - 1] - level) * (ys[i] - level) < 0)
                yield return xs[i - 1] + (level - ys[i - 1]) * (xs[i] - xs[i - 1]) / (ys[i] - ys[i - 1]);
        }
    }

    private static int IndexOf(SweepResult sweep, string name)
    {
        for (int k = 0; k < sweep.Parameters.Count; k++)
        {
            if (sweep.Parameters[k] == name)
                return k;
        }
        throw new ArgumentException($"no parameter '{name}'", nameof(name));
    }
}
