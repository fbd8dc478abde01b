namespace GpuEstimation.Estimation;

/// <summary>The outcome of a fit, with enough to say what ran and whether it can be trusted.</summary>
public sealed record FitResult(
    string Model,
    string Method,
    string Optimizer,
    string Device,
    int N,
    IReadOnlyList<ParameterEstimate> Parameters,
    double LogLikelihood,
    double? LogPosterior,
    double Level,
    double[,]? Covariance,
    Diagnostics Diagnostics,
    double ElapsedMs)
{
    /// <summary>The estimate of parameter <paramref name="name"/>.</summary>
    public double this[string name] => Get(name).Estimate;

    /// <summary>The full record of parameter <paramref name="name"/>.</summary>
    public ParameterEstimate Get(string name) =>
        Parameters.FirstOrDefault(p => p.Name == name) ?? throw new ArgumentException($"no parameter '{name}'", nameof(name));

    public bool Converged => Diagnostics.Converged;

    public string Reason => Diagnostics.Reason;

    public int Iterations => Diagnostics.Iterations;

    public int Evaluations => Diagnostics.Evaluations;

    /// <summary>The number of estimated (free) parameters, k.</summary>
    public int FreeParameters => Parameters.Count(p => !p.Fixed);

    /// <summary>Akaike: 2k − 2 log L.</summary>
    public double Aic => 2 * FreeParameters - 2 * LogLikelihood;

    /// <summary>Bayesian (Schwarz): k log n − 2 log L.</summary>
    public double Bic => FreeParameters * Math.Log(N) - 2 * LogLikelihood;
}
