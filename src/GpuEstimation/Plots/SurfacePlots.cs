using GpuEstimation.Estimation;
using GpuEstimation.Surfaces;
using ScottPlot;

namespace GpuEstimation.Plots;

/// <summary>Pictures of likelihood surfaces and of the learning example, as PNG files.</summary>
public static class SurfacePlots
{
    private static readonly Lazy<string?> MissingText = new(() => SkiaSharp.SKTypeface.Default.GlyphCount > 0
        ? null
        : "no fonts found on this machine, so the pictures have no text (titles, axis labels, ticks, legend); " +
          "install a font (on Debian: fonts-dejavu-core) and draw them again");

    /// <summary>
    /// Why pictures drawn here would have no text, or null: on a machine with no fonts (a minimal container or chroot)
    /// SkiaSharp draws every label as nothing, silently. Callers that write pictures should pass this on.
    /// </summary>
    public static string? TextProblem => MissingText.Value;

    /// <summary>Δ log L at which the 68%, 95% and 99% regions of two parameters end (χ²₂ quantiles / 2).</summary>
    public static readonly double[] TwoParameterLevels = [1.15, 3.0, 4.6];

    /// <summary>
    /// A 2-D sweep as a heatmap of the log-likelihood (log-posterior for MAP) relative to its maximum, with labelled
    /// contours at Δ = 1.15, 3.0, 4.6 (the 68/95/99% regions) and the MLE and MAP marked (or the grid's maximum),
    /// framed on the 99% region; returns the plot for pixel queries.
    /// </summary>
    public static Plot Heatmap(SweepResult sweep, string path, int width = 800, int height = 600) =>
        Heatmap(sweep, path, new HeatmapOptions { Width = width, Height = height });

    /// <summary>A 2-D sweep as a heatmap drawn as <paramref name="options"/> say; returns the plot for pixel queries.</summary>
    public static Plot Heatmap(SweepResult sweep, string path, HeatmapOptions options)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        ArgumentNullException.ThrowIfNull(options);
        if (sweep.Axes.Count != 2)
            throw new ArgumentException($"a heatmap needs a sweep over two parameters, this one has {sweep.Axes.Count}", nameof(sweep));
        return HeatmapDrawing.Draw(sweep, path, options);
    }

    /// <summary>
    /// A 1-D sweep (usually a profile) as Δ log L against the parameter, framed on its 95% interval (where the curve
    /// is above Δ = −χ²₁(0.95)/2), whose ends are drawn and printed; returns the plot for pixel queries.
    /// </summary>
    public static Plot Curve(SweepResult sweep, string path, int width = 800, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        if (sweep.Axes.Count != 1)
            throw new ArgumentException($"a curve needs a sweep over one parameter, this one has {sweep.Axes.Count}", nameof(sweep));
        return CurveDrawing.Draw(sweep, path, width, height);
    }

    /// <summary>
    /// The learning example: the data (at most 2,000 points drawn, and every point more than 5σ̂ off the MLE line),
    /// the MLE and MAP lines, and for at most 40 points each point labelled with its log-likelihood under the MLE line.
    /// With <paramref name="slopePriorSd"/> the MAP's legend names its prior, and that σ is estimated with the line (the
    /// joint mode: the ridge line at that σ̂, which a strong prior inflates, pulling the line further).
    /// </summary>
    public static Plot LearningExample(double[] x, double[] y, FitResult mle, FitResult map, double[] logDensities, string path, int width = 900, int height = 600,
        double? slopePriorSd = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(logDensities);
        ArgumentNullException.ThrowIfNull(mle);
        ArgumentNullException.ThrowIfNull(map);
        if (y.Length != x.Length || logDensities.Length != x.Length || x.Length == 0)
            throw new ArgumentException($"x, y and the log-densities need the same, non-zero length (here {x.Length}, {y.Length}, {logDensities.Length})", nameof(y));
        return LearningDrawing.Draw(x, y, logDensities, mle, map, path, width, height, slopePriorSd);
    }
}
