using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Models;

namespace GpuEstimation.Demo;

/// <summary>
/// The learning example fitted: the data and its model, the MLE and the MAP (slope prior Normal(0, SlopePriorSd)),
/// the closed forms beside them (least squares: intercept, slope, sigma; ridge: intercept, slope at the MAP's sigma),
/// and each point's log-density under the MLE.
/// </summary>
public sealed record LearningFit(
    Dataset Data,
    IModelSpec Model,
    double SlopePriorSd,
    FitResult Mle,
    FitResult Map,
    double[] LeastSquares,
    double[] Ridge,
    double[] LogDensities)
{
    /// <summary>Both fits converged.</summary>
    public bool Converged => Mle.Converged && Map.Converged;
}
