namespace GpuEstimation.Models;

/// <summary>
/// Which data columns a model reads: <c>Column</c> for the one-column families, <c>Y</c> and <c>X</c> for regression;
/// for the binomial, trials per row from <c>TrialsColumn</c> or the same <c>Trials</c> for every row.
/// </summary>
/// <param name="Column">The one column of a distribution family.</param>
/// <param name="Y">The response of a regression.</param>
/// <param name="X">The feature columns of a regression.</param>
/// <param name="Trials">The number of trials, the same for every row (binomial).</param>
/// <param name="TrialsColumn">A column holding each row's number of trials (binomial).</param>
public sealed record ModelColumns(string? Column = null, string? Y = null, IReadOnlyList<string>? X = null, double? Trials = null, string? TrialsColumn = null)
{
    /// <summary>Whether a regression has an intercept (true unless a design leaves it out).</summary>
    public bool Intercept { get; init; } = true;

    /// <summary>A column added to a regression's linear predictor with coefficient 1 (a log exposure, say), or null.</summary>
    public string? Offset { get; init; }
}
