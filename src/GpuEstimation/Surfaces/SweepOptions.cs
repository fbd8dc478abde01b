using GpuEstimation.Estimation;

namespace GpuEstimation.Surfaces;

/// <summary>What to sweep: the axes, where the other parameters sit, and whether to re-optimize them (profile).</summary>
public sealed record SweepOptions
{
    /// <summary>The grid's axes, one per swept parameter; points run with the last axis fastest.</summary>
    public IReadOnlyList<GridAxis> Axes { get; init; } = [];

    /// <summary>Values of the parameters off the grid; those not given are set at the fit's estimate.</summary>
    public IReadOnlyDictionary<string, double> At { get; init; } = new Dictionary<string, double>();

    /// <summary>Re-optimize the off-grid parameters at every grid point (a profile likelihood).</summary>
    public bool Profile { get; init; }

    /// <summary>MLE or MAP (priors, fixed parameters, starts) for the base fit, the profile fits and the log-posterior.</summary>
    public FitOptions Fit { get; init; } = new();

    /// <summary>
    /// Also locate the MLE (and, for MAP, the MAP) within the swept space, for pictures: with the off-grid parameters
    /// held where the sweep holds them (re-optimized too for a profile). Costs a fit or two.
    /// </summary>
    public bool Estimates { get; init; }

    /// <summary>The number of grid points, or null where it exceeds what one sweep can hold (2³¹ − 1).</summary>
    public long? PointCount()
    {
        long total = 1;
        foreach (var axis in Axes)
        {
            total *= axis.Count;
            if (total > int.MaxValue)
                return null;
        }
        return total;
    }
}
