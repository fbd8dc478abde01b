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
}
