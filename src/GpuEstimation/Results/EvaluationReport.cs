using System.Text.Json.Serialization;
using GpuEstimation.Estimation;

namespace GpuEstimation.Results;

/// <summary>
/// The JSON contract of an evaluation (<see cref="JsonReport.Evaluation"/>); <c>evalMs</c> is left out where not timed.
/// </summary>
/// <param name="Model">The model's name.</param>
/// <param name="Device">The device that evaluated.</param>
/// <param name="N">Observations.</param>
/// <param name="At">The point, one entry per parameter.</param>
/// <param name="LogLikelihood">Log-likelihood at the point.</param>
/// <param name="Gradient">Its gradient (natural scale), one entry per parameter.</param>
/// <param name="EvalMs">Median of warm repeated evaluations, where timed.</param>
public sealed record EvaluationReport(
    string Model,
    string Device,
    int N,
    IReadOnlyList<NamedValueReport> At,
    double LogLikelihood,
    IReadOnlyList<NamedValueReport> Gradient,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? EvalMs)
{
    /// <summary>The report of <paramref name="evaluation"/> of <paramref name="model"/>.</summary>
    public static EvaluationReport From(string model, Evaluation evaluation, double? evalMs = null) => new(
        model, evaluation.Device, evaluation.N, Named(evaluation, evaluation.At), evaluation.LogLikelihood,
        Named(evaluation, evaluation.Gradient), evalMs);

    private static NamedValueReport[] Named(Evaluation evaluation, double[] values) =>
        evaluation.Names.Select((name, k) => new NamedValueReport(name, values[k])).ToArray();
}
