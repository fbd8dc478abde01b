namespace GpuEstimation.Estimation;

/// <summary>How the search ended and what the Hessian at the end allows.</summary>
/// <param name="Converged">Whether the search ended at a maximum: the gradient small in standard-error units derived at the end point (or the maximum at an edge of the domain), and the end point finite.</param>
/// <param name="Reason">Why the search stopped, in words.</param>
/// <param name="Iterations">Optimizer iterations.</param>
/// <param name="Evaluations">Likelihood evaluations in all (search, Hessian, profiles).</param>
/// <param name="GradientNorm">The largest gradient component at the end, in standard-error units.</param>
/// <param name="Edm">Estimated distance to the maximum, ½ gᵀ(−H)⁻¹g.</param>
/// <param name="Hessian">The state of the Hessian at the optimum, in words.</param>
/// <param name="AtBound">Parameters found at the edge of their domain (reported there: p = 0, rate = 0) or at a limit (nu → ∞); they have no Wald interval.</param>
/// <param name="Notes">What else the user should know, one sentence each.</param>
public sealed record Diagnostics(
    bool Converged,
    string Reason,
    int Iterations,
    int Evaluations,
    double GradientNorm,
    double Edm,
    string Hessian,
    IReadOnlyList<string> AtBound,
    IReadOnlyList<string> Notes)
{
    /// <summary>
    /// Parameters whose MAP is exactly their Laplace prior's location (a lasso's zeros): not counted among the estimated
    /// parameters (<see cref="FitResult.FreeParameters"/>).
    /// </summary>
    public IReadOnlyList<string> AtPriorKink { get; init; } = [];
}
