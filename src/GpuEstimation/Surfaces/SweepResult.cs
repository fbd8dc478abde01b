using GpuEstimation.Estimation;

namespace GpuEstimation.Surfaces;

/// <summary>
/// A likelihood surface: every grid point's parameter vector (for a profile, with the off-grid parameters
/// re-optimized there), log-likelihood, and log-posterior for MAP. Points run with the last axis fastest.
/// </summary>
/// <param name="Model">The model's name.</param>
/// <param name="Device">What evaluated: backend and device name.</param>
/// <param name="N">The number of observations.</param>
/// <param name="Axes">The grid's axes.</param>
/// <param name="Parameters">The model's parameter names, in model order.</param>
/// <param name="Points">Each grid point's full parameter vector.</param>
/// <param name="LogLikelihood">The log-likelihood at each point.</param>
/// <param name="LogPosterior">The log-posterior at each point (MAP sweeps only).</param>
/// <param name="Profile">Whether the off-grid parameters were re-optimized at each point.</param>
/// <param name="NotConverged">How many profile maximizations did not converge.</param>
/// <param name="Base">The fit that placed the off-grid parameters, where one was made.</param>
/// <param name="ElapsedMs">Wall time of the sweep.</param>
public sealed record SweepResult(
    string Model,
    string Device,
    int N,
    IReadOnlyList<GridAxis> Axes,
    IReadOnlyList<string> Parameters,
    IReadOnlyList<double[]> Points,
    double[] LogLikelihood,
    double[]? LogPosterior,
    bool Profile,
    int NotConverged,
    FitResult? Base,
    double ElapsedMs)
{
    /// <summary>
    /// One line: the model, the axes (each name, count and range), what was swept (log-likelihood or log-posterior, a
    /// profile or the others held), the grid's best point and its value (a library trial's <c>Console.WriteLine</c> of a
    /// sweep printed the record's collections by their type names).
    /// </summary>
    public override string ToString()
    {
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        string G(double v) => v.ToString("G10", culture);
        var values = LogPosterior ?? LogLikelihood;
        string axes = string.Join(" × ", Axes.Select(a => $"{a.Name} ({a.Count} value{(a.Count == 1 ? "" : "s")}, {G(a.Low)} to {G(a.High)})"));
        string kind = (LogPosterior is null ? "log-likelihood" : "log-posterior") + (Profile ? " (profile)" : OffGrid.Count > 0 ? " (the others held)" : "");
        int best = values.Length == 0 ? -1 : Array.IndexOf(values, values.Max());
        string top = best < 0 || !double.IsFinite(values[best]) ? "no finite value"
            : $"largest {values[best].ToString("G12", culture)} at {string.Join(", ", Parameters.Select((name, j) => $"{name} = {G(Points[best][j])}"))}";
        return $"{Model} (n = {N}): sweep of the {kind} over {axes}: {Points.Count} points; {top}";
    }

    /// <summary>The MLE and MAP located in the swept space (<see cref="SweepOptions.Estimates"/>), else empty.</summary>
    public IReadOnlyList<SweepEstimate> Estimates { get; init; } = [];

    /// <summary>
    /// The surface's maximum as far as it is known: the largest value on the grid, or the located estimate's value
    /// (<see cref="Estimates"/>: the MAP's log-posterior for a MAP sweep, else the MLE's log-likelihood) where that is
    /// higher, as it is when the maximum lies off the grid or between its points. Δ in pictures is measured from it.
    /// </summary>
    public double Peak
    {
        get
        {
            var values = LogPosterior ?? LogLikelihood;
            double peak = values.Length == 0 ? double.NegativeInfinity : values.Max();
            var label = LogPosterior is null ? "MLE" : "MAP";
            foreach (var estimate in Estimates.Where(e => e.Label == label && double.IsFinite(e.Value)))
                peak = Math.Max(peak, estimate.Value);
            return peak;
        }
    }

    /// <summary>
    /// The off-grid parameters of a plain (not profile) sweep that are held away from the base fit's estimates (given
    /// values, <see cref="SweepOptions.At"/>), with their values: the estimates located in the swept space are then the
    /// maxima given those values, not the model's MLE or MAP (a trial's picture labelled a maximum at ν = 30 "MLE").
    /// </summary>
    public IReadOnlyList<(string Name, double Value)> HeldApart =>
        Profile || Points.Count == 0 ? []
            : [.. OffGrid.Select(name => (Name: name, Value: Points[0][IndexOf(name)]))
                .Where(p => Base?.Parameters.FirstOrDefault(e => e.Name == p.Name)?.Estimate != p.Value)];

    /// <summary>The parameters on no axis of the grid, in model order: held (a plain sweep) or re-optimized (a profile).</summary>
    public IReadOnlyList<string> OffGrid => [.. Parameters.Where(name => Axes.All(a => a.Name != name))];

    /// <summary>
    /// The grid points where the swept quantity (the log-posterior of a MAP sweep, else the log-likelihood) is −∞
    /// (data impossible there, or past the doubles' range) and where it is not a number (the model not defined there).
    /// </summary>
    public (int Infinite, int Undefined) NonFinite
    {
        get
        {
            var values = LogPosterior ?? LogLikelihood;
            return (values.Count(double.IsNegativeInfinity), values.Count(double.IsNaN));
        }
    }

    /// <summary>
    /// <see cref="NonFinite"/> in words, one part for each kind present ("3 where it is −∞ (...)"), the meaning of NaN
    /// said where <paramref name="meaning"/>: the text summary's and the curve legend's.
    /// </summary>
    public IReadOnlyList<string> NonFiniteParts(bool meaning = true)
    {
        var (infinite, undefined) = NonFinite;
        var parts = new List<string>();
        if (infinite > 0)
            parts.Add($"{infinite:N0} where it is −∞ (data impossible there, or past the doubles' range)");
        if (undefined > 0)
            parts.Add($"{undefined:N0} where it is not a number{(meaning ? " (the model is not defined there)" : "")}");
        return parts;
    }

    /// <summary>Grid points times observations per second of sweeping (the throughput figure).</summary>
    public double PointEvaluationsPerSecond => (double)Points.Count * N / (ElapsedMs / 1000);

    /// <summary>The index of parameter <paramref name="name"/> in <see cref="Parameters"/> and in each point.</summary>
    public int IndexOf(string name)
    {
        for (int k = 0; k < Parameters.Count; k++)
        {
            if (Parameters[k] == name)
                return k;
        }
        throw new ArgumentException($"no parameter '{name}' (parameters: {string.Join(", ", Parameters)})", nameof(name));
    }
}
