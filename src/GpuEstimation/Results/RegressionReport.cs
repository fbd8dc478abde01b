using GpuEstimation.Backends;
using GpuEstimation.Design;
using GpuEstimation.Estimation;
using GpuEstimation.Expressions;
using GpuEstimation.Models;

namespace GpuEstimation.Results;

/// <summary>
/// What a regression's report holds beside its estimates: a GLM's deviance, Pearson χ² and pseudo-R² (its null model
/// fitted on the same device), with a note where its model-based standard errors are not statsmodels' GLM defaults or
/// the fit is exact; a linear model's R², F test and least squares' standard errors; and the design (a nonlinear
/// regression's mean function) that predictions need (<see cref="FittedRegression.Of"/>). <c>gpuest fit</c> adds them
/// after its timed fits, which they are no part of; a library user after <see cref="EstimationSession.Fit"/>.
/// </summary>
public static class RegressionReport
{
    /// <summary>
    /// <paramref name="fit"/> of <paramref name="model"/> with its statistics (<see cref="FitResult.Glm"/>,
    /// <see cref="FitResult.Linear"/>, where the model is a GLM or the linear model; unchanged otherwise) and
    /// <paramref name="design"/> (<see cref="FittedDesign.Of"/> of the <see cref="DesignMatrix"/> the model was built
    /// from, for a design of factors or a formula) or <paramref name="mean"/> (a nonlinear regression's).
    /// </summary>
    public static FitResult Complete(FitResult fit, IModelSpec model, ComputeDevice device, FittedDesign? design = null, FittedMean? mean = null)
    {
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(device);
        var glm = GlmStatistics.Of(model, fit, device);
        bool modelBased = fit.Method == "mle" && fit.CovType == CovarianceType.NonRobust.Name && fit.Covariance is not null;
        // A GLM's scale (gamma's shape, normal's sigma) is its last parameter; held, the notes say so.
        double? heldScale = glm is not null && fit.Parameters[^1] is { Fixed: true } last && last.Name == GlmNames.ExtraParameter(GlmNames.Family(glm.Family)) ? last.Estimate : null;
        // Each note once, where a fit is completed again.
        var notes = new[] { modelBased ? glm?.StdErrorNote(heldScale) : null, glm?.ExactFitNote(heldScale is not null, fit.Converged), glm?.QuasiNote(robust: fit.CovType != CovarianceType.NonRobust.Name), glm?.WeightsNote() }.OfType<string>().Except(fit.Diagnostics.Notes).ToArray();
        var diagnostics = notes.Length > 0 ? fit.Diagnostics with { Notes = [.. fit.Diagnostics.Notes, .. notes] } : fit.Diagnostics;
        return fit with { Glm = glm, Linear = LinearStatistics.Of(model, fit), Design = design ?? fit.Design, MeanFunction = mean ?? fit.MeanFunction, Diagnostics = diagnostics };
    }
}
