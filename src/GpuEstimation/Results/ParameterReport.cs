using GpuEstimation.Estimation;

namespace GpuEstimation.Results;

/// <summary>One parameter of a fit as its JSON contract writes it; absent and non-finite numbers are null.</summary>
/// <param name="Name">The parameter's name.</param>
/// <param name="Estimate">Its estimate (natural scale).</param>
/// <param name="Fixed">Whether it was held at a given value rather than estimated.</param>
/// <param name="StdError">Its standard error.</param>
/// <param name="Z">Estimate / standard error.</param>
/// <param name="PValue">Two-sided p-value of z.</param>
/// <param name="Interval">The Wald interval as [lower, upper], an open end null; null where there is none.</param>
/// <param name="ProfileInterval">The profile-likelihood interval, likewise; null where not asked for.</param>
public sealed record ParameterReport(
    string Name,
    double Estimate,
    bool Fixed,
    double? StdError,
    double? Z,
    double? PValue,
    double?[]? Interval,
    double?[]? ProfileInterval)
{
    /// <summary>The report of <paramref name="parameter"/>.</summary>
    public static ParameterReport From(ParameterEstimate parameter) => new(
        parameter.Name, parameter.Estimate, parameter.Fixed, parameter.StdError, parameter.Z, parameter.PValue,
        Ends(parameter.Wald), Ends(parameter.Profile));

    /// <summary>
    /// A linear or nonlinear regression's mean parameter: its standard error as NIST, R's <c>lm</c> and <c>nls</c> and
    /// statsmodels' <c>OLS</c> report it (residual variance with n − p, from (XᵀX)⁻¹ or (JᵀJ)⁻¹); <c>stdError</c>,
    /// <c>z</c>, <c>pValue</c> and <c>interval</c> stay the MLE's. Left out for other parameters and models.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? StdErrorNist { get; init; }

    /// <summary>The estimate over <see cref="StdErrorNist"/> (R's t value).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? TNist { get; init; }

    /// <summary>t's two-sided p-value on the residual degrees of freedom (R's <c>Pr(&gt;|t|)</c>).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? PValueNist { get; init; }

    /// <summary>The interval of t at the fit's level (R's <c>confint.default</c> with t, statsmodels OLS's <c>conf_int</c>).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double?[]? IntervalNist { get; init; }

    /// <summary>An interval's ends as the JSON writes them, or null.</summary>
    internal static double?[]? Ends(Interval? interval) => interval is null ? null : [interval.Lower, interval.Upper];
}
