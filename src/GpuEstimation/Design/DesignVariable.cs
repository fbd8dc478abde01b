namespace GpuEstimation.Design;

/// <summary>
/// A column as a design term reads it: its numbers (one design column), or, for a factor, its levels (one indicator
/// column per level coded).
/// </summary>
/// <param name="Column">The data column.</param>
/// <param name="Factor">Whether the column is read as a factor (categorical) rather than as a number.</param>
public sealed record DesignVariable(string Column, bool Factor)
{
    /// <summary>As a formula writes it: <c>x</c>, or <c>C(g)</c> for a factor; a name that is not an identifier in backquotes.</summary>
    public override string ToString() => Factor ? $"C({Quoted(Column)})" : Quoted(Column);

    /// <summary><paramref name="column"/> as a formula writes it: as it is if an identifier, else in backquotes.</summary>
    public static string Quoted(string column) =>
        column.Length > 0 && (char.IsLetter(column[0]) || column[0] is '_' or '.') && column.All(c => char.IsLetterOrDigit(c) || c is '_' or '.')
            ? column
            : $"`{column}`";
}
