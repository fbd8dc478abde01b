using System.Text.Json.Serialization;
using GpuEstimation.Design;
using GpuEstimation.Estimation;

namespace GpuEstimation.Results;

/// <summary>
/// The JSON contract of a fit (<see cref="JsonReport.Fit"/>), field by field in the order written. Fields may be
/// added; none is ever renamed. Absent and non-finite numbers are null; <c>logPosterior</c> (MAP only) and
/// <c>fitMs</c> (timed only) are left out where absent, as are the generalized linear models' statistics
/// (<c>family</c> ... <c>dfResid</c>) for other models and <c>design</c> for a fit without one.
/// </summary>
/// <param name="Model">The model's name.</param>
/// <param name="Method">"mle" or "map".</param>
/// <param name="Device">The device that evaluated.</param>
/// <param name="N">Observations.</param>
/// <param name="Level">Confidence level of the intervals.</param>
/// <param name="Parameters">Each parameter's estimate, error and intervals.</param>
/// <param name="LogLikelihood">Log-likelihood at the estimate.</param>
/// <param name="LogPosterior">Log-posterior at the estimate (MAP only).</param>
/// <param name="K">Free (estimated) parameters.</param>
/// <param name="Aic">Akaike's criterion.</param>
/// <param name="Bic">Schwarz's criterion.</param>
/// <param name="Covariance">Covariance of the estimates, row by row; null where the Hessian does not allow one.</param>
/// <param name="CovType">Which covariance the standard errors come from: "nonrobust", "HC0", "HC1", "HC2", "HC3" or "cluster" (statsmodels' names).</param>
/// <param name="Converged">Whether the search converged (repeated in diagnostics).</param>
/// <param name="Reason">Why the search stopped.</param>
/// <param name="Iterations">Optimizer iterations.</param>
/// <param name="Evaluations">Objective evaluations.</param>
/// <param name="GradientNorm">Norm of the gradient at the end.</param>
/// <param name="Edm">Estimated distance to the maximum.</param>
/// <param name="Optimizer">The search method.</param>
/// <param name="Diagnostics">Convergence and Hessian diagnostics.</param>
/// <param name="ElapsedMs">Wall time of the fit reported.</param>
/// <param name="FitMs">Median of warm repeated fits, where timed.</param>
public sealed record FitReport(
    string Model,
    string Method,
    string Device,
    int N,
    double Level,
    IReadOnlyList<ParameterReport> Parameters,
    double LogLikelihood,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? LogPosterior,
    int K,
    double Aic,
    double Bic,
    double[][]? Covariance,
    string CovType,
    bool Converged,
    string Reason,
    int Iterations,
    int Evaluations,
    double GradientNorm,
    double Edm,
    string Optimizer,
    Diagnostics Diagnostics,
    double ElapsedMs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? FitMs)
{
    /// <summary>The report of <paramref name="fit"/>, with <paramref name="fitMs"/> where timed.</summary>
    public static FitReport From(FitResult fit, double? fitMs = null)
    {
        var d = fit.Diagnostics;
        // The convergence fields stand at the top level (the engine-core contract) and again in diagnostics.
        return WithGlmAndDesign(fit, new(fit.Model, fit.Method, fit.Device, fit.N, fit.Level, fit.Parameters.Select(p => WithNist(fit, ParameterReport.From(p))).ToArray(),
            fit.LogLikelihood, fit.LogPosterior, fit.FreeParameters, fit.Aic, fit.Bic, Rows(fit.Covariance), fit.CovType,
            d.Converged, d.Reason, d.Iterations, d.Evaluations, d.GradientNorm, d.Edm, fit.Optimizer,
            d, fit.ElapsedMs, fitMs));
    }

    /// <summary>The GLM family (statsmodels' Model Family), where the model is one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Family { get; init; }

    /// <summary>The GLM link (statsmodels' Link Function).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Link { get; init; }

    /// <summary>The deviance (statsmodels' <c>deviance</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Deviance { get; init; }

    /// <summary>The constant-only model's deviance (<c>null_deviance</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? NullDeviance { get; init; }

    /// <summary>Pearson's χ² (<c>pearson_chi2</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? PearsonChi2 { get; init; }

    /// <summary>The dispersion (statsmodels' <c>scale</c>): 1, or Pearson χ² / dfResid for gamma and normal.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Dispersion { get; init; }

    /// <summary>The constant-only model's maximum log-likelihood (<c>llnull</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? LogLikelihoodNull { get; init; }

    /// <summary>McFadden's pseudo-R², 1 − logLikelihood / logLikelihoodNull (<c>prsquared</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? PseudoR2 { get; init; }

    /// <summary>Estimated coefficients besides the intercept (<c>df_model</c>), for a GLM or the linear model.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? DfModel { get; init; }

    /// <summary>
    /// Σ w with frequency weights (statsmodels' <c>wnobs</c>): the observations the rows stand for, the n of BIC and
    /// dfResid (<c>n</c> stays the rows, as statsmodels' <c>nobs</c>); absent without weights.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? SumWeights { get; init; }

    /// <summary>Σ weights − estimated coefficients (<c>df_resid</c>); for a nonlinear regression n − p, p the estimated mean parameters (R's <c>df.residual</c>); for the linear model n − estimated coefficients.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? DfResid { get; init; }

    /// <summary>A nonlinear regression's residual standard error √(RSS/(n − p)) (NIST's residual standard deviation, R's <c>sigma()</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? ResidualStdError { get; init; }

    /// <summary>A nonlinear or linear regression's residual sum of squares Σ (y − μ̂)² (R's <c>deviance()</c> of an <c>nls</c> or <c>lm</c> fit, statsmodels' <c>ssr</c>, 2 × scipy's <c>least_squares</c> cost).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? ResidualSumOfSquares { get; init; }

    /// <summary>A linear model's R² about the mean (about zero with the intercept held) (statsmodels' <c>rsquared</c>, R's <c>r.squared</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? RSquared { get; init; }

    /// <summary>A linear model's adjusted R² (<c>rsquared_adj</c>, <c>adj.r.squared</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? AdjustedRSquared { get; init; }

    /// <summary>A linear model's overall F statistic on (dfModel, dfResid) degrees of freedom (<c>fvalue</c>); null without a coefficient to test.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? FStatistic { get; init; }

    /// <summary>The F statistic's upper-tail probability (<c>f_pvalue</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), JsonPropertyName("fPValue")] public double? FPValue { get; init; }

    /// <summary>A regression's design as fitted (formula, columns, intercept, offset, factor levels): what predictions need.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public FittedDesign? Design { get; init; }

    /// <summary>
    /// A linear or nonlinear regression's least-squares covariance, s² (XᵀX)⁻¹ or s² (JᵀJ)⁻¹ with s² = RSS/(n − p)
    /// (R's <c>vcov</c>), P × P in parameter order (σ's and held parameters' rows 0): ordinary predictions (<see cref="FittedRegression.Predict(Data.Dataset, double, bool)"/>) read it.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double[][]? CovarianceNist { get; init; }

    /// <summary>A nonlinear regression's mean as fitted (expression, response, columns, parameters): what predictions need.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Expressions.FittedMean? MeanFunction { get; init; }

    /// <summary>A nonlinear or linear regression's parameter with its NIST (nls, lm) inference, where it has one.</summary>
    private static ParameterReport WithNist(FitResult fit, ParameterReport parameter) =>
        fit.Nist(parameter.Name) is { } nist
            ? parameter with { StdErrorNist = nist.StdError, TNist = nist.T, PValueNist = nist.PValue, IntervalNist = ParameterReport.Ends(nist.Interval) }
            : parameter;

    private static FitReport WithGlmAndDesign(FitResult fit, FitReport report) => fit.Glm is not { } g ? report with
    {
        Design = fit.Design,
        MeanFunction = fit.MeanFunction,
        CovarianceNist = Rows(fit.CovarianceNist),
        ResidualStdError = fit.Nonlinear?.ResidualStdError ?? fit.Linear?.ResidualStdError,
        ResidualSumOfSquares = fit.Nonlinear?.ResidualSumOfSquares ?? fit.Linear?.ResidualSumOfSquares,
        DfResid = fit.Nonlinear?.DegreesOfFreedom ?? fit.Linear?.DfResid,
        DfModel = fit.Linear?.DfModel,
        RSquared = fit.Linear?.RSquared,
        AdjustedRSquared = fit.Linear?.AdjustedRSquared,
        FStatistic = fit.Linear?.FStatistic,
        FPValue = fit.Linear?.FPValue,
    } : report with
    {
        Family = g.Family,
        Link = g.Link,
        Deviance = g.Deviance,
        NullDeviance = g.NullDeviance,
        PearsonChi2 = g.PearsonChi2,
        Dispersion = g.Dispersion,
        LogLikelihoodNull = g.LogLikelihoodNull,
        PseudoR2 = g.PseudoR2,
        DfModel = g.DfModel,
        DfResid = g.DfResid,
        SumWeights = g.SumWeights,
        Design = fit.Design,
    };

    private static double[][]? Rows(double[,]? matrix)
    {
        if (matrix is null)
            return null;
        var rows = new double[matrix.GetLength(0)][];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = new double[matrix.GetLength(1)];
            for (int j = 0; j < rows[i].Length; j++)
                rows[i][j] = matrix[i, j];
        }
        return rows;
    }
}
