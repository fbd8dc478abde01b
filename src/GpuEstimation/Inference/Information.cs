using MathNet.Numerics.LinearAlgebra;

namespace GpuEstimation.Inference;

/// <summary>The covariance of the free parameters on the optimizer's scale, and how it was judged.</summary>
/// <param name="Status">What the Hessian allows.</param>
/// <param name="Covariance">The covariance on the optimizer's scale, where the Hessian allows one.</param>
/// <param name="Edm">Estimated distance to the maximum, ½ gᵀ(−H)⁻¹g.</param>
/// <param name="Evaluations">Objective evaluations the differencing took.</param>
public sealed record Information(HessianStatus Status, Matrix<double>? Covariance, double Edm, int Evaluations)
{
    /// <summary>Whether the covariance comes from the Fisher (expected) information rather than the observed one.</summary>
    public bool Expected { get; init; }
}
