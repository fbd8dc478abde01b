namespace GpuEstimation.Estimation;

/// <summary>
/// Where a maximization ended, without inference: what profile sweeps and profile intervals need (see
/// <see cref="EstimationSession.Maximize"/>). Estimates are on the natural scale, in model order, held ones included.
/// </summary>
/// <param name="Estimates">Every parameter's value at the end point, in model order.</param>
/// <param name="LogLikelihood">The log-likelihood there.</param>
/// <param name="LogPosterior">Log-likelihood + Σ log prior (MAP only; every parameter with a prior, held ones too).</param>
/// <param name="Converged">Whether the search met its stopping rules at a finite point.</param>
/// <param name="Reason">Why the search stopped.</param>
/// <param name="Iterations">Optimizer iterations.</param>
/// <param name="Evaluations">Likelihood evaluations.</param>
public sealed record Maximum(double[] Estimates, double LogLikelihood, double? LogPosterior, bool Converged, string Reason, int Iterations, int Evaluations)
{
    /// <summary>Model indices of the parameters whose maximum is at the edge of their domain (reported there: p = 0, not 10⁻¹⁴).</summary>
    public IReadOnlyList<int> Edges { get; init; } = [];

    /// <summary>A summary: the estimates, the log-likelihood (and log-posterior), whether and why the search stopped.</summary>
    public override string ToString()
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        string posterior = LogPosterior is { } p ? $", log-posterior {p.ToString("G12", invariant)}" : "";
        return $"maximum at ({string.Join(", ", Estimates.Select(e => e.ToString("G10", invariant)))}): log-likelihood {LogLikelihood.ToString("G12", invariant)}{posterior}; " +
            $"{(Converged ? "converged" : "not converged")} ({Reason}), {Iterations} iterations";
    }
}
