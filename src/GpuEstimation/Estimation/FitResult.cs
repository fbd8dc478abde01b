namespace GpuEstimation.Estimation;

/// <summary>The outcome of a fit, with enough to say what ran and whether it can be trusted.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Method">"mle" or "map".</param>
/// <param name="Optimizer">The search method: "newton", "levenberg-marquardt", "lbfgs" or "gradient-ascent"; under Laplace priors (a lasso) "owl-qn", or "owl-qn+newton" where the active set's searches are Newton's.</param>
/// <param name="Device">What evaluated: backend and device name.</param>
/// <param name="N">The number of observations.</param>
/// <param name="Parameters">Every parameter's estimate, in model order, fixed ones included.</param>
/// <param name="LogLikelihood">The log-likelihood at the estimate.</param>
/// <param name="LogPosterior">The log-posterior at the estimate (MAP only).</param>
/// <param name="Level">The confidence level of the intervals.</param>
/// <param name="Covariance">The estimates' covariance on the natural scale (zero rows for fixed parameters), or null where the Hessian allows none: the model-based one, or the robust one <see cref="CovType"/> names.</param>
/// <param name="Diagnostics">How the search ended and what the Hessian allows.</param>
/// <param name="ElapsedMs">Wall time of the fit.</param>
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
    /// <summary>
    /// The covariance the standard errors and Wald intervals come from, as statsmodels names it: "nonrobust", "HC0",
    /// "HC1", "HC2", "HC3" or "cluster" (<see cref="CovarianceType"/>).
    /// </summary>
    public string CovType { get; init; } = CovarianceType.NonRobust.Name;

    /// <summary>The estimate of parameter <paramref name="name"/>.</summary>
    public double this[string name] => Get(name).Estimate;

    /// <summary>
    /// A short summary for a console or a log: the model and method, each parameter's estimate and standard error
    /// (fixed, or "-" where there is none), the log-likelihood, and whether the fit converged and why (a library trial's
    /// <c>Console.WriteLine(fit)</c> printed the record's member types).
    /// </summary>
    public override string ToString()
    {
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        var parameters = Parameters.Select(p => p.Fixed ? $"{p.Name} = {p.Estimate.ToString("G10", culture)} (fixed)"
            : $"{p.Name} = {p.Estimate.ToString("G10", culture)} (se {(p.StdError is { } se ? se.ToString("G5", culture) : "-")})");
        // The robust covariance's name where the standard errors are one, and the log-posterior of a MAP fit.
        string errors = CovType == CovarianceType.NonRobust.Name ? "" : $"; standard errors {CovType}";
        string posterior = LogPosterior is { } value ? $"; log-posterior {value.ToString("G12", culture)}" : "";
        return $"{Model} ({Method}, n = {N}): {string.Join(", ", parameters)}{errors}; log-likelihood {LogLikelihood.ToString("G12", culture)}{posterior}; " +
            (Converged ? $"converged ({Reason})" : $"NOT CONVERGED ({Reason})");
    }

    /// <summary>The full record of parameter <paramref name="name"/>.</summary>
    public ParameterEstimate Get(string name) => Parameters[IndexOf(name, nameof(name))];

    /// <summary>
    /// The covariance of the estimates of parameters <paramref name="a"/> and <paramref name="b"/> (the variance where
    /// they are one) from <see cref="Covariance"/>, the matrix the standard errors come from (<see cref="CovType"/>);
    /// 0 where either is fixed; null where the fit has no covariance. The matrix's entry as it stands: where a standard
    /// error was left out (beyond the doubles' range, or a robust covariance's NaN) it is that ∞, NaN or subnormal.
    /// An unknown name is an <see cref="ArgumentException"/>.
    /// </summary>
    public double? CovarianceOf(string a, string b)
    {
        int i = IndexOf(a, nameof(a)), j = IndexOf(b, nameof(b));
        return Covariance?[i, j];
    }

    private int IndexOf(string name, string argument)
    {
        for (int k = 0; k < Parameters.Count; k++)
        {
            if (Parameters[k].Name == name)
                return k;
        }
        throw new ArgumentException($"no parameter '{name}' (parameters: {string.Join(", ", Parameters.Select(p => p.Name))})", argument);
    }

    /// <summary>Whether the fit converged: only at a point that is stationary in standard-error units.</summary>
    public bool Converged => Diagnostics.Converged;

    /// <summary>Why the search stopped, in words.</summary>
    public string Reason => Diagnostics.Reason;

    /// <summary>Optimizer iterations.</summary>
    public int Iterations => Diagnostics.Iterations;

    /// <summary>Likelihood evaluations in all.</summary>
    public int Evaluations => Diagnostics.Evaluations;

    /// <summary>
    /// The number of estimated parameters, k: the free ones, less those a MAP put exactly at their Laplace prior's
    /// location (<see cref="Diagnostics.AtPriorKink"/>): a lasso's degrees of freedom are its nonzero coefficients (Zou,
    /// Hastie and Tibshirani 2007; glmnet's df), and its zeros counted made AIC and BIC penalize coefficients the fit left out.
    /// </summary>
    public int FreeParameters => Parameters.Count(p => !p.Fixed && !Diagnostics.AtPriorKink.Contains(p.Name));

    /// <summary>Akaike: 2k − 2 log L.</summary>
    public double Aic => 2 * FreeParameters - 2 * LogLikelihood;

    /// <summary>
    /// The number of observations the rows stand for: <see cref="N"/>, or Σw with frequency weights (statsmodels' nobs
    /// for <c>freq_weights</c>).
    /// </summary>
    public double Observations { get; init; } = double.NaN;

    /// <summary>Bayesian (Schwarz): k log n − 2 log L, n the observations (Σw with frequency weights).</summary>
    public double Bic => FreeParameters * Math.Log(double.IsNaN(Observations) ? N : Observations) - 2 * LogLikelihood;

    /// <summary>
    /// A generalized linear model's deviance, Pearson χ², pseudo-R² and degrees of freedom
    /// (<see cref="Models.GlmStatistics.Of"/>); null for other models, and until <see cref="Results.RegressionReport.Complete"/>
    /// has added them to a fit.
    /// </summary>
    public Models.GlmStatistics? Glm { get; init; }

    /// <summary>
    /// A linear model's R², adjusted R² and overall F test (<see cref="Models.LinearStatistics.Of"/>); null for other
    /// models, and until <see cref="Results.RegressionReport.Complete"/> has added them to a fit (as for <see cref="Glm"/>).
    /// </summary>
    public Models.LinearStatistics? Linear { get; init; }

    /// <summary>A nonlinear regression's least-squares statistics (residual standard error, NIST/nls standard errors), or null.</summary>
    public NonlinearStatistics? Nonlinear { get; init; }

    /// <summary>
    /// NIST's standard errors per parameter (by name), from the residual variance RSS/(n − p): a nonlinear regression's
    /// (R <c>nls</c>), or a linear model's (R <c>lm</c>, statsmodels <c>OLS</c>, once <see cref="Linear"/> is added);
    /// null for other models.
    /// </summary>
    public IReadOnlyDictionary<string, double>? StdErrorNist => Nonlinear?.StdErrorNist ?? Linear?.StdErrorNist;

    /// <summary>The covariance behind <see cref="StdErrorNist"/> (s² (XᵀX)⁻¹ or s² (JᵀJ)⁻¹) in parameter order, or null.</summary>
    public double[,]? CovarianceNist => Nonlinear?.CovarianceNist ?? Linear?.CovarianceNist;

    /// <summary>The residual degrees of freedom n − p that go with <see cref="StdErrorNist"/> (t's), or null.</summary>
    public int? NistDegreesOfFreedom => Nonlinear?.DegreesOfFreedom ?? (Linear is { } l ? (int)l.DfResid : null);

    /// <summary>
    /// Parameter <paramref name="name"/>'s least-squares inference as R's <c>summary.lm</c> and <c>summary.nls</c> and
    /// statsmodels' <c>OLS</c> give it: the standard error of <see cref="StdErrorNist"/>, t = estimate / that, its
    /// two-sided p-value and the interval at <see cref="Level"/>, both of t on <see cref="NistDegreesOfFreedom"/>
    /// (the standard normal where those are not positive); null where the parameter has no such standard error (σ, a
    /// held one, a model other than a regression's, a robust covariance).
    /// </summary>
    public NistInference? Nist(string name)
    {
        if (StdErrorNist?.TryGetValue(name, out var se) != true || Parameters.FirstOrDefault(p => p.Name == name) is not { Fixed: false } parameter)
            return null;
        double t = parameter.Estimate / se;
        bool student = NistDegreesOfFreedom is > 0;
        double df = NistDegreesOfFreedom ?? 0;
        double pValue = student ? 2 * MathNet.Numerics.Distributions.StudentT.CDF(0, 1, df, -Math.Abs(t)) : 2 * MathNet.Numerics.Distributions.Normal.CDF(0, 1, -Math.Abs(t));
        double q = student ? MathNet.Numerics.Distributions.StudentT.InvCDF(0, 1, df, (1 + Level) / 2) : MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, (1 + Level) / 2);
        return new NistInference(se, t, pValue, new Interval(parameter.Estimate - q * se, parameter.Estimate + q * se));
    }

    /// <summary>A regression's design as fitted (formula, factor levels), for predictions on new rows, or null.</summary>
    public Design.FittedDesign? Design { get; init; }

    /// <summary>A nonlinear regression's mean as fitted (expression, columns, parameters), for predictions on new rows, or null.</summary>
    public Expressions.FittedMean? MeanFunction { get; init; }
}

/// <summary>A regression parameter's least-squares inference (<see cref="FitResult.Nist"/>).</summary>
/// <param name="StdError">The standard error from RSS/(n − p).</param>
/// <param name="T">The estimate over it.</param>
/// <param name="PValue">t's two-sided p-value on n − p degrees of freedom.</param>
/// <param name="Interval">The interval of t at the fit's level.</param>
public sealed record NistInference(double StdError, double T, double PValue, Interval Interval);
