namespace GpuEstimation.Plots;

/// <summary>How a heatmap is drawn: its size, its frame and where its colour scale stops.</summary>
public sealed record HeatmapOptions
{
    /// <summary>Width of the picture in pixels.</summary>
    public int Width { get; init; } = 800;

    /// <summary>Height of the picture in pixels.</summary>
    public int Height { get; init; } = 600;

    /// <summary>
    /// Frame the 99% region (Δ ≥ −4.6, with a margin, and the estimates on the grid) instead of the whole grid, where
    /// the grid is larger; false draws every grid point.
    /// </summary>
    public bool FitToRegion { get; init; } = true;

    /// <summary>The lowest Δ the colour scale resolves; lower cells take its last colour and the scale says "≤".</summary>
    public double Floor { get; init; } = -20;
}
