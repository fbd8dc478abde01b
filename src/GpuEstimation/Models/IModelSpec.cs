using GpuEstimation.Backends;
using GpuEstimation.Engine;
using GpuEstimation.Kernels;

namespace GpuEstimation.Models;

/// <summary>
/// A model ready to fit, whatever its struct type: what an estimation session and the sweeps need of it.
/// <see cref="ModelSpec{TModel}"/> is the implementation.
/// </summary>
public interface IModelSpec
{
    /// <summary>The model's name, for results.</summary>
    string Name { get; }

    /// <summary>The parameters, in the model's order.</summary>
    IReadOnlyList<ParameterInfo> Parameters { get; }

    /// <summary>
    /// The names of the regression coefficients, the intercept left out: what a prior on every coefficient
    /// (<c>FitOptions.CoefficientPrior</c>) applies to. Empty for a model without covariates.
    /// </summary>
    IReadOnlyList<string> Coefficients => [];

    /// <summary>Starting values on the natural scale.</summary>
    IReadOnlyList<double> Start { get; }

    /// <summary>More starting values on the natural scale, each searched from too, the highest maximum kept (Student-t's heavy-tailed start).</summary>
    IReadOnlyList<IReadOnlyList<double>> OtherStarts => [];

    /// <summary>Typical uncertainty of each parameter on the optimizer's scale (finite-difference steps).</summary>
    IReadOnlyList<double> Scales { get; }

    /// <summary>The number of observations.</summary>
    int Rows { get; }

    /// <summary>
    /// The Fisher information of one observation at natural-scale <paramref name="parameters"/> (P×P, row by row) for a
    /// model whose observed information does not exist at its maximum (a kink); null where the observed one serves.
    /// </summary>
    double[]? FisherInformation(IReadOnlyList<double> parameters);

    /// <summary>
    /// Whether the log-density has kinks that move with the parameters (an expression's abs, min, max or sign of a
    /// parameter, such as <c>abs(x - m)</c>), where no Fisher information is known: the observed information is then
    /// checked for smoothness at the optimum (<see cref="Inference.ObservedInformation"/>), and none is reported where a
    /// kink lies within its steps.
    /// </summary>
    bool HasParameterKinks => false;

    /// <summary>
    /// Whether <see cref="Start"/> comes from the data (closed forms, moments, quantiles): false for a model of one's own,
    /// whose start is the one given, so that a restart says it restarted from that.
    /// </summary>
    bool StartFromData => true;

    /// <summary>
    /// A parameter (model index) whose MLE is every value of a closed interval, with the interval's ends (Laplace's
    /// location between the middle two of an even number of points); null where the maximum is unique.
    /// </summary>
    (int Parameter, double Low, double High)? FlatMaximum => null;

    /// <summary>
    /// Parameters that the small-sample corrections of robust covariances (HC1, cluster) do not count in k: a scale
    /// that statsmodels' equivalent model does not estimate as a parameter (the linear model's sigma, as for OLS).
    /// </summary>
    IReadOnlyCollection<string> ScaleParameters => [];

    /// <summary>
    /// Each row's frequency weight (how many observations it stands for; a GLM's <see cref="ModelColumns.Weights"/>), or null where every
    /// row is one observation. Robust covariances count Σw observations and only clusters of positive weight.
    /// </summary>
    IReadOnlyList<double>? FrequencyWeights => null;

    /// <summary>
    /// The size of one row's term in the log-likelihood where it is below 1 regardless of the weights (a Poisson
    /// quasi-likelihood of responses near 10⁻¹⁵: each term ~y), else 1. The search's stopping rules are measured
    /// against it times the weights' mean (<see cref="Optimization.OptimizerSettings.Unit"/>).
    /// </summary>
    double TermSize => 1;

    /// <summary>
    /// Each row's leverage hᵢ (the diagonal of the hat matrix X(XᵀX)⁻¹Xᵀ of a linear model's design, intercept
    /// included), for the HC2 and HC3 covariances; null where the model has no hat matrix (they are refused there).
    /// </summary>
    IReadOnlyList<double>? Leverages => null;

    /// <summary>
    /// The coefficients that <paramref name="rows"/> (rows of leverage 1, <see cref="Leverages"/>) alone determine: those
    /// that move when such a row's response does (a factor level only that row has), whose HC2 and HC3 standard errors
    /// are undefined; empty where the model has no hat matrix.
    /// </summary>
    IReadOnlyList<string> FittedOnlyBy(IReadOnlyList<int> rows) => [];

    /// <summary>
    /// Σ y² of a least-squares regression's response (a nonlinear regression's y), or null: it tells residuals at the
    /// response's rounding level (an exact fit) from a stall short of the least-squares point.
    /// </summary>
    double? ResponseSquares => null;

    /// <summary>The model this one becomes as <paramref name="parameter"/> runs to infinity ("the normal limit"), or null.</summary>
    string? LimitAtInfinity(string parameter);

    /// <summary>
    /// The model this one is with <paramref name="parameter"/> at the finite edge of its domain (a GLM's NB2 alpha = 0:
    /// "the Poisson GLM"), or null: what notes name when a maximum lies there.
    /// </summary>
    string? ModelAtEdge(string parameter) => null;

    /// <summary>
    /// Where <paramref name="value"/> is the edge of <paramref name="parameter"/>'s domain at which this model becomes
    /// another (<see cref="ModelAtEdge"/>), words for a refusal of that value that point there; otherwise null.
    /// </summary>
    string? EdgeHint(string parameter, double value) =>
        value is 0 or 1 && ModelAtEdge(parameter) is { } model ? $"{parameter} = {value} is {model}: fit that model instead" : null;

    /// <summary>
    /// Why a fit has no finite maximum, where the log-likelihood keeps rising as <paramref name="parameters"/> (each
    /// written with its way, "g[c] → +∞") run off together (a binomial model's separation, say, in its own words).
    /// </summary>
    string NoFiniteMaximum(IReadOnlyList<string> parameters) =>
        $"no finite maximum: the log-likelihood keeps rising without bound as {string.Join(", ", parameters)}";

    /// <summary>
    /// The first row whose mean is at (to rounding) or past a bound of the family's range at <paramref name="parameters"/>
    /// (natural values in model order), in words, for a link that does not keep every mean inside it (a GLM whose
    /// identity link puts a Poisson mean at or below 0); null where there is none. A search that found no stationary
    /// point and ended there ran against that bound (the likelihood rises towards a region the link cannot enter); an
    /// evaluation there has no log-likelihood. With <paramref name="outside"/>, a row strictly outside the range is named
    /// first where there is one (the row that makes a log-likelihood NaN, not one merely near the edge).
    /// </summary>
    string? MeansAtBound(IReadOnlyList<double> parameters, bool outside = false) => null;

    /// <summary>
    /// Starting values (natural scale, model order) for a fit with the parameters <paramref name="held"/> (name → value)
    /// fixed, where the model computes its start differently then (a GLM's held coefficients' terms join the offset,
    /// so that the free ones start where the held ones leave the means inside their range); null where
    /// <see cref="Start"/> with the held values put in serves.
    /// </summary>
    IReadOnlyList<double>? StartHolding(IReadOnlyDictionary<string, double> held) => null;

    /// <summary>Uploads the data to <paramref name="device"/> and loads the kernels: an engine ready to evaluate.</summary>
    ILikelihoodEngine CreateEngine(ComputeDevice device);
}
