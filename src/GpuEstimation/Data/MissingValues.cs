namespace GpuEstimation.Data;

/// <summary>
/// What a reader does with a row that lacks a value in a column it reads: a Parquet or Arrow null, a NaN in a float
/// column, or in CSV an empty cell or one of <c>NA</c>, <c>N/A</c>, <c>NaN</c>, <c>null</c> (any case).
/// </summary>
public enum MissingValues
{
    /// <summary>A missing value is an error naming the file, its row and its column.</summary>
    Error,

    /// <summary>A row with a missing value in any column read is skipped, and counted in <see cref="Dataset.DroppedRows"/>.</summary>
    Drop,
}
