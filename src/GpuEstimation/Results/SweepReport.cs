using System.Text.Json.Serialization;
using GpuEstimation.Surfaces;

namespace GpuEstimation.Results;

/// <summary>
/// The JSON contract of a sweep (<see cref="SurfaceReport.Json"/>). The arrays are the sweep's own (not copied).
/// <c>logPosterior</c> (MAP only), <c>estimates</c> (where located), <c>sweepMs</c> (timed only) and
/// <c>droppedRows</c> (last, where rows with missing values were dropped) are left out where absent; non-finite
/// numbers are null.
/// </summary>
/// <param name="Model">The model's name.</param>
/// <param name="Device">The device that evaluated.</param>
/// <param name="N">Observations.</param>
/// <param name="Profile">Whether the off-grid parameters were re-optimized at each point.</param>
/// <param name="Axes">The grid's axes.</param>
/// <param name="Parameters">All the model's parameters, the order of each point's vector.</param>
/// <param name="Points">Each grid point's full parameter vector, the last axis varying fastest.</param>
/// <param name="LogLikelihood">Log-likelihood at each point.</param>
/// <param name="LogPosterior">Log-posterior at each point (MAP only).</param>
/// <param name="Estimates">The located MLE and MAP by label, each a full parameter vector.</param>
/// <param name="NotConverged">Profile fits that did not converge.</param>
/// <param name="ElapsedMs">Wall time of the sweep reported.</param>
/// <param name="SweepMs">Median of warm repeated sweeps, where timed.</param>
public sealed record SweepReport(
    string Model,
    string Device,
    int N,
    bool Profile,
    IReadOnlyList<AxisReport> Axes,
    IReadOnlyList<string> Parameters,
    IReadOnlyList<double[]> Points,
    double[] LogLikelihood,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double[]? LogPosterior,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, double[]>? Estimates,
    int NotConverged,
    double ElapsedMs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? SweepMs)
{
    /// <summary>The report of <paramref name="sweep"/>, with <paramref name="sweepMs"/> where timed.</summary>
    public static SweepReport From(SweepResult sweep, double? sweepMs = null) => new(
        sweep.Model, sweep.Device, sweep.N, sweep.Profile, sweep.Axes.Select(AxisReport.From).ToArray(), sweep.Parameters,
        sweep.Points, sweep.LogLikelihood, sweep.LogPosterior, Located(sweep.Estimates), sweep.NotConverged,
        sweep.ElapsedMs, sweepMs);

    /// <summary>The data rows left out for a missing value (<c>Data.MissingValues.Drop</c>), where they were dropped.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? DroppedRows { get; init; }

    // An ordered dictionary: the estimates are written in the sweep's order (MLE, then MAP).
    private static OrderedDictionary<string, double[]>? Located(IReadOnlyList<SweepEstimate> estimates) =>
        estimates.Count == 0 ? null : new(estimates.Select(e => KeyValuePair.Create(e.Label, e.Parameters)));
}
