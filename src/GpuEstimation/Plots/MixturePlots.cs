using GpuEstimation.Mixtures;
using ScottPlot;

namespace GpuEstimation.Plots;

/// <summary>Pictures of fitted Gaussian mixtures, as PNG files.</summary>
public static class MixturePlots
{
    /// <summary>The probabilities of the drawn ellipses: the 68% (solid) and 95% (dashed) regions of each component.</summary>
    public static readonly double[] Levels = [0.68, 0.95];

    /// <summary>At most this many points are drawn (every m-th row beyond it, in row order).</summary>
    public const int MaxPoints = 20_000;

    /// <summary>
    /// The points of the first two columns in grey (or the one column against the row number when d = 1 is not
    /// drawn: d must be at least 2) with each component's 68% and 95% ellipses (the 2-D marginal's regions
    /// (x − μ)ᵀ Σ⁻¹ (x − μ) ≤ χ²₂(p) = −2 log(1 − p)) and its mean marked, in the component's colour; returns the plot
    /// for pixel queries.
    /// </summary>
    public static Plot Ellipses(GaussianMixtureResult fit, IReadOnlyList<double[]> columns, string path, int width = 800, int height = 600)
    {
        if (columns.Count < 2)
            throw new InputException("a picture of a Gaussian mixture needs at least two columns (it draws the first two)");
        var plot = new Plot();
        long n = columns[0].LongLength;
        long step = Math.Max(1, (n + MaxPoints - 1) / MaxPoints);
        var xs = new List<double>();
        var ys = new List<double>();
        for (long i = 0; i < n; i += step)
        {
            xs.Add(columns[0][i]);
            ys.Add(columns[1][i]);
        }
        var points = plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray());
        points.Color = Colors.Gray.WithAlpha(0.35);
        points.MarkerSize = 3;
        points.LegendText = step == 1 ? $"{n} points" : $"every {step}th of {n} points";
        var palette = new ScottPlot.Palettes.Category10();
        for (int c = 0; c < fit.Components.Count; c++)
        {
            var component = fit.Components[c];
            var colour = palette.GetColor(c);
            double sxx = component.Covariance[0][0], sxy = component.Covariance[0][1], syy = component.Covariance[1][1];
            // The 2 × 2 block's Cholesky factor maps the unit circle onto the ellipse of Mahalanobis radius 1.
            double l11 = Math.Sqrt(sxx), l21 = sxy / l11, l22 = Math.Sqrt(Math.Max(0, syy - l21 * l21));
            foreach (var level in Levels)
            {
                double radius = Math.Sqrt(-2 * Math.Log(1 - level));
                const int segments = 180;
                var ex = new double[segments + 1];
                var ey = new double[segments + 1];
                for (int s = 0; s <= segments; s++)
                {
                    double t = 2 * Math.PI * s / segments, u = radius * Math.Cos(t), v = radius * Math.Sin(t);
                    ex[s] = component.Mean[0] + l11 * u;
                    ey[s] = component.Mean[1] + l21 * u + l22 * v;
                }
                var line = plot.Add.ScatterLine(ex, ey, colour);
                line.LineWidth = 2;
                line.LinePattern = level == Levels[0] ? LinePattern.Solid : LinePattern.Dashed;
                if (level == Levels[0])
                    line.LegendText = $"component {c + 1}: weight {PlotText.Fixed(component.Weight, 3)}";
            }
            var mean = plot.Add.Marker(component.Mean[0], component.Mean[1], MarkerShape.FilledCircle, 9, colour);
            mean.LegendText = "";
        }
        plot.XLabel(fit.Columns[0]);
        plot.YLabel(fit.Columns[1]);
        // With more than two columns the picture is the first two's margin: the title says so.
        var margin = fit.Columns.Count > 2 ? $"; {fit.Columns[0]}, {fit.Columns[1]} of {fit.Columns.Count} columns" : "";
        plot.Title($"Gaussian mixture, K = {fit.Components.Count} ({fit.Covariance.ToString().ToLowerInvariant()}{margin}): 68% solid, 95% dashed");
        LegendBelow.Show(plot);
        plot.SavePng(path, width, height);
        return plot;
    }
}
