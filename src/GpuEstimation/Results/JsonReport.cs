using System.Text.Json;
using GpuEstimation.Estimation;

namespace GpuEstimation.Results;

/// <summary>
/// The JSON contract of <c>gpuest fit</c> and <c>gpuest eval</c> (<see cref="FitReport"/>, <see cref="EvaluationReport"/>).
/// Fields may be added; none is ever renamed.
/// </summary>
public static class JsonReport
{
    /// <summary>
    /// A fit: model, method, device, n, parameters (estimate, fixed, stdError, z, pValue, interval, profileInterval),
    /// logLikelihood, logPosterior (MAP only), aic, bic, covariance, the convergence fields and diagnostics, timing.
    /// </summary>
    public static string Fit(FitResult fit, double? fitMs = null) =>
        JsonSerializer.Serialize(FitReport.From(fit, fitMs), ReportJsonContext.Files.FitReport);

    /// <summary>An evaluation: the point, logLikelihood, gradient (one entry per parameter) and evalMs where timed.</summary>
    public static string Evaluation(string model, Evaluation evaluation, double? evalMs) =>
        JsonSerializer.Serialize(EvaluationReport.From(model, evaluation, evalMs), ReportJsonContext.Files.EvaluationReport);
}
