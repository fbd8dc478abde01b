using GpuEstimation.Estimation;

namespace GpuEstimation.Results;

/// <summary>The <c>diagnostics</c> object of a fit's JSON: how the search ended and what the Hessian allows.</summary>
/// <param name="Converged">Whether the search met its convergence rule.</param>
/// <param name="Reason">Why the search stopped.</param>
/// <param name="Iterations">Optimizer iterations.</param>
/// <param name="Evaluations">Objective evaluations.</param>
/// <param name="GradientNorm">Norm of the gradient at the end.</param>
/// <param name="Edm">Estimated distance to the maximum.</param>
/// <param name="Hessian">What the Hessian at the end allows.</param>
/// <param name="AtBound">Parameters that ended at a bound.</param>
/// <param name="Notes">Warnings for the reader.</param>
public sealed record DiagnosticsReport(
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
    /// <summary>The report of <paramref name="diagnostics"/>.</summary>
    public static DiagnosticsReport From(Diagnostics diagnostics) => new(
        diagnostics.Converged, diagnostics.Reason, diagnostics.Iterations, diagnostics.Evaluations,
        diagnostics.GradientNorm, diagnostics.Edm, diagnostics.Hessian, diagnostics.AtBound, diagnostics.Notes);
}
