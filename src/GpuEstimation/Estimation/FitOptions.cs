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
}

/// <summary>One parameter's estimate (natural scale).</summary>
public sealed record ParameterEstimate(string Name, double Estimate, bool Fixed);

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
    bool Converged,
    string Reason,
    int Iterations,
    int Evaluations,
    double GradientNorm,
    double Edm,
    double ElapsedMs)
{
    /// <summary>The estimate of parameter <paramref name="name"/>.</summary>
    public double this[string name] => Parameters.First(p => p.Name == name).Estimate;
}

/// <summary>The log-likelihood and its gradient (natural scale) at one point.</summary>
public sealed record Evaluation(IReadOnlyList<string> Names, double[] At, double LogLikelihood, double[] Gradient, string Device, int N);
