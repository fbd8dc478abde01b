namespace GpuEstimation.Models;

/// <summary>
/// Which data columns a model reads: <c>Column</c> for the one-column families, <c>Y</c> and <c>X</c> for regression;
/// for the binomial, trials per row from <c>TrialsColumn</c> or the same <c>Trials</c> for every row. The generalized
/// linear models (<c>glm</c>, <c>logit</c>, <c>probit</c>) also read <see cref="Family"/>, <see cref="Link"/>,
/// <see cref="Offset"/>, <see cref="Weights"/> and <see cref="Intercept"/>.
/// </summary>
/// <param name="Column">The one column of a distribution family.</param>
/// <param name="Y">The response of a regression.</param>
/// <param name="X">The feature columns of a regression.</param>
/// <param name="Trials">The number of trials, the same for every row (binomial).</param>
/// <param name="TrialsColumn">A column holding each row's number of trials (binomial).</param>
public sealed record ModelColumns(string? Column = null, string? Y = null, IReadOnlyList<string>? X = null, double? Trials = null, string? TrialsColumn = null)
{
    /// <summary>Whether a regression has an intercept parameter (<c>intercept</c>); only <c>glm</c>, <c>logit</c> and <c>probit</c> may leave it out.</summary>
    public bool Intercept { get; init; } = true;

    /// <summary>A column added to a GLM's linear predictor with coefficient 1 (for example log exposure), as a formula's <c>offset()</c> gives it.</summary>
    public string? Offset { get; init; }

    /// <summary>A column of frequency weights for a GLM: each row counts that many times (non-negative, not all 0).</summary>
    public string? Weights { get; init; }

    /// <summary>The family of model <c>glm</c>: binomial, poisson, negbinomial, gamma or normal.</summary>
    public string? Family { get; init; }

    /// <summary>The link of model <c>glm</c> (logit, probit, cloglog, log, identity, inverse); by default the family's, as R's glm.</summary>
    public string? Link { get; init; }
}
