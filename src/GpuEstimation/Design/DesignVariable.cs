namespace GpuEstimation.Design;

/// <summary>
/// A column as a design term reads it: its numbers (one design column), or, for a factor, its levels (one indicator
/// column per level coded).
/// </summary>
/// <param name="Column">The data column.</param>
/// <param name="Factor">Whether the column is read as a factor (categorical) rather than as a number.</param>
public sealed record DesignVariable(string Column, bool Factor)
{
    /// <summary>As a formula writes it: <c>x</c>, or <c>C(g)</c> for a factor.</summary>
    public override string ToString() => Factor ? $"C({Column})" : Column;
}
