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

    /// <summary>
    /// A prior on every regression coefficient but the intercept (the model's <c>Coefficients</c>: not on sigma, a
    /// shape or a dispersion) (MAP only): Normal(0, a) gives ridge, Laplace(0, b) the lasso. A prior in
    /// <see cref="Priors"/> for one of them takes its place there. Null: none.
    /// </summary>
    public Prior? CoefficientPrior { get; init; }

    /// <summary>Parameters held at the given natural-scale values.</summary>
    public IReadOnlyDictionary<string, double> Fixed { get; init; } = new Dictionary<string, double>();

    /// <summary>Starting values (natural scale) that replace the model's data-driven ones.</summary>
    public IReadOnlyDictionary<string, double> Start { get; init; } = new Dictionary<string, double>();

    /// <summary>Search method and stopping rules.</summary>
    public OptimizerSettings Optimizer { get; init; } = new();

    /// <summary>Confidence level of the Wald and profile intervals.</summary>
    public double Level { get; init; } = 0.95;

    /// <summary>
    /// The covariance of the standard errors and Wald intervals (maximum likelihood only for a robust one); profile
    /// intervals are likelihood-based and do not depend on it.
    /// </summary>
    public CovarianceType Covariance { get; init; } = CovarianceType.NonRobust;

    /// <summary>Parameters whose profile-likelihood intervals are wanted.</summary>
    public IReadOnlyList<string> Profile { get; init; } = [];

    /// <summary>
    /// Whether regression coefficient <paramref name="coefficient"/> is held, or under MAP has a normal or Laplace prior
    /// (its own, else <see cref="CoefficientPrior"/>): what may let a fit go on where its design column is a combination
    /// of others (a ridge's posterior has one mode there; a lasso's where the design has fewer rows than columns and no
    /// column is a combination of others whatever the rows: the model tells them apart at the fit).
    /// </summary>
    public bool Resolves(string coefficient) =>
        Fixed.ContainsKey(coefficient) || (Map && PriorOf(coefficient, coefficient: true) is NormalPrior or LaplacePrior);

    /// <summary>
    /// The prior on parameter <paramref name="name"/>: its own, else <see cref="CoefficientPrior"/> where it is one of
    /// the model's <paramref name="coefficient"/>s and not fixed (a fixed coefficient is simply not estimated), else null.
    /// </summary>
    internal Prior? PriorOf(string name, bool coefficient) =>
        Priors.TryGetValue(name, out var own) ? own : coefficient && !Fixed.ContainsKey(name) ? CoefficientPrior : null;
}
