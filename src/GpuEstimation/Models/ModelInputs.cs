namespace GpuEstimation.Models;

/// <summary>Which data columns a model reads (see <see cref="ModelColumns"/>).</summary>
public enum ModelInputs
{
    /// <summary>One column (<see cref="ModelColumns.Column"/>).</summary>
    Column,

    /// <summary>One column of counts, and the number of trials for every row or from a column.</summary>
    ColumnWithTrials,

    /// <summary>A response (<see cref="ModelColumns.Y"/>) and feature columns (<see cref="ModelColumns.X"/>).</summary>
    ResponseAndFeatures,

    /// <summary>
    /// A family (<see cref="ModelColumns.Family"/>), optionally a link, a response and feature columns, and optionally
    /// an offset, weights, trials (binomial) and no intercept: model <c>glm</c>.
    /// </summary>
    FamilyResponseAndFeatures,

    /// <summary>A 0/1 response (or successes with trials) and feature columns, optionally an offset, weights and no intercept: logit, probit.</summary>
    BinomialResponseAndFeatures,
}
