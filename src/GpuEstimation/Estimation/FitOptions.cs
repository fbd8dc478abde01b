using GpuEstimation.Optimization;
using GpuEstimation.Priors;

namespace GpuEstimation.Estimation;

/// <summary>What to estimate and how: MLE or MAP, priors, fixed parameters, starting values, optimizer.</summary>
public sealed record FitOptions
{
    /// <summary>Maximum a posteriori (log-likelihood + log prior) instead of maximum likelihood.</summary>
    public bool Map { get; init; }

    /// <summary>Priors by parameter name (MAP only); a parameter without one has the flat prior.</summary>
    public IReadOnlyDictionary<string, Prior> Priors { get; init; } = new Dictionary<string, Prior>();

    /// <summary>Parameters held at the given natural-scale values.</summary>
    public IReadOnlyDictionary<string, double> Fixed { get; init; } = new Dictionary<string, double>();

    /// <summary>Starting values (natural scale) that replace the model's data-driven ones.</summary>
    public IReadOnlyDictionary<string, double> Start { get; init; } = new Dictionary<string, double>();

    /// <summary>Search method and stopping rules.</summary>
    public OptimizerSettings Optimizer { get; init; } = new();

    /// <summary>Confidence level of the Wald and profile intervals.</summary>
    public double Level { get; init; } = 0.95;

    /// <summary>Parameters whose profile-likelihood intervals are wanted.</summary>
    public IReadOnlyList<string> Profile { get; init; } = [];
}

/// <summary>An interval; a null end is open (no bound found on that side).</summary>
public sealed record Interval(double? Lower, double? Upper);

/// <summary>
/// One parameter's estimate (natural scale), with its standard error (observed information, delta method; null where
/// the Hessian is unsound or the parameter fixed), Wald interval, and profile interval where asked for.
/// </summary>
public sealed record ParameterEstimate(string Name, double Estimate, bool Fixed, double? StdError = null, Interval? Wald = null, Interval? Profile = null)
{
    /// <summary>Estimate / standard error.</summary>
    public double? Z => StdError is { } se && se > 0 ? Estimate / se : null;

    /// <summary>Two-sided p-value of z against the standard normal.</summary>
    public double? PValue => Z is { } z ? 2 * MathNet.Numerics.Distributions.Normal.CDF(0, 1, -Math.Abs(z)) : null;
}

/// <summary>How the search ended and what the Hessian at the end allows.</summary>
public sealed record Diagnostics(
    bool Converged,
    string Reason,
    int Iterations,
    int Evaluations,
    double GradientNorm,
    double Edm,
    string Hessian,
    IReadOnlyList<string> AtBound,
    IReadOnlyList<string> Notes);

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

/// <summary>The log-likelihood and its gradient (natural scale) at one point.</summary>
public sealed record Evaluation(IReadOnlyList<string> Names, double[] At, double LogLikelihood, double[] Gradient, string Device, int N);
