namespace GpuEstimation.Design;

/// <summary>
/// What a regression's design is made of, before any data: the response, the terms (columns, factors, interactions),
/// whether there is an intercept, and an offset column. A formula (<see cref="Formula.Parse"/>) and the column lists
/// (<see cref="FromColumns"/>) both give one; <see cref="DesignMatrix.Build"/> turns it into numeric columns.
/// </summary>
public sealed class DesignSpec
{
    /// <summary>
    /// A design of <paramref name="terms"/>: a term given twice counts once, and the terms are ordered by their number
    /// of variables (main effects, then two-way interactions, ...), keeping their order within each, as R orders them.
    /// </summary>
    /// <param name="response">The response column.</param>
    /// <param name="terms">The terms, besides the intercept.</param>
    /// <param name="intercept">Whether the design has an intercept.</param>
    /// <param name="offset">A column added to the linear predictor with coefficient 1, or null.</param>
    /// <param name="references">
    /// A factor column's reference level, where it is not the first in sorted order (the formula's
    /// <c>C(g, Treatment('b'))</c>): the level the others are contrasted with.
    /// </param>
    /// <param name="offsetLog">Whether the offset is the log of column <paramref name="offset"/> (the formula's <c>offset(log(col))</c>).</param>
    public DesignSpec(string response, IEnumerable<DesignTerm> terms, bool intercept = true, string? offset = null, IReadOnlyDictionary<string, string>? references = null,
        bool offsetLog = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(response);
        Response = response;
        Terms = terms.Distinct().OrderBy(t => t.Order).ToArray();
        Intercept = intercept;
        Offset = offset;
        if (Terms.SelectMany(t => t.Variables).FirstOrDefault(v => v.Column == response) is { } both)
            throw new InputException($"design: the response '{response}' is also a term ({both}); a response cannot explain itself", nameof(terms));
        if (offset == response)
            throw new InputException($"design: the response '{response}' cannot also be the offset", nameof(offset));
        // The offset may also be a term, as in R and statsmodels: y ~ log_e + offset(log_e) estimates the term's
        // coefficient less 1, the usual test of an exposure's coefficient against 1 (a trial found it refused).
        if (Terms.Count == 0 && !intercept)
            throw new InputException("design: no terms and no intercept; a regression needs at least one coefficient", nameof(terms));
        References = references ?? new Dictionary<string, string>();
        OffsetLog = offsetLog && offset is not null;
        if (References.Keys.FirstOrDefault(c => !FactorColumns.Contains(c)) is { } notFactor)
            throw new InputException($"design: a reference level is given for '{notFactor}', which is not a factor of the design", nameof(references));
    }

    /// <summary>Each factor column's reference level where one was chosen (else the first level in sorted order is).</summary>
    public IReadOnlyDictionary<string, string> References { get; }

    /// <summary>The response column.</summary>
    public string Response { get; }

    /// <summary>The terms besides the intercept, in the design's order.</summary>
    public IReadOnlyList<DesignTerm> Terms { get; }

    /// <summary>Whether the design has an intercept.</summary>
    public bool Intercept { get; }

    /// <summary>The offset column, or null.</summary>
    public string? Offset { get; }

    /// <summary>Whether the offset is the log of <see cref="Offset"/> (R's and patsy's <c>offset(log(exposure))</c>).</summary>
    public bool OffsetLog { get; }

    /// <summary>The columns read as numbers: the response, the numeric variables, the offset.</summary>
    public IReadOnlyList<string> NumericColumns =>
        [.. new[] { Response }.Concat(Variables.Where(v => !v.Factor).Select(v => v.Column)).Concat(Offset is null ? [] : [Offset]).Distinct()];

    /// <summary>The columns read as factors (text or numeric codes).</summary>
    public IReadOnlyList<string> FactorColumns => [.. Variables.Where(v => v.Factor).Select(v => v.Column).Distinct()];

    private IEnumerable<DesignVariable> Variables => Terms.SelectMany(t => t.Variables).Distinct();

    /// <summary>
    /// The design of response <paramref name="y"/> on numeric columns <paramref name="x"/> then the factors
    /// <paramref name="factors"/>, each a main effect: the same design as the formula <c>y ~ x1 + x2 + C(g)</c>.
    /// </summary>
    public static DesignSpec FromColumns(string y, IReadOnlyList<string> x, IReadOnlyList<string> factors, bool intercept = true)
    {
        if (x.Concat(factors).Distinct().Count() == 0 && !intercept)
            throw new InputException("design: no feature columns, no factors and no intercept; a regression needs at least one coefficient", nameof(x));
        if (factors.GroupBy(f => f).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new InputException($"design: factor '{twice.Key}' given twice; each factor once", nameof(factors));
        var terms = x.Select(c => new DesignVariable(c, false)).Concat(factors.Select(c => new DesignVariable(c, true)))
            .Select(v => new DesignTerm([v]));
        return new DesignSpec(y, terms, intercept);
    }

    /// <summary>The design as a formula: <c>y ~ x1 + C(g) + x1:C(g)</c>, with <c>- 1</c> or <c>offset(o)</c> where they apply.</summary>
    public override string ToString()
    {
        var parts = Terms.Select(t => string.Join(":", t.Variables.Select(Written))).ToList();
        if (Offset is not null)
            parts.Add(OffsetLog ? $"offset(log({DesignVariable.Quoted(Offset)}))" : $"offset({DesignVariable.Quoted(Offset)})");
        var rhs = parts.Count == 0 ? "1" : string.Join(" + ", parts);
        return $"{DesignVariable.Quoted(Response)} ~ {rhs}{(Intercept ? "" : " - 1")}";
    }

    // A variable as the formula writes it, a factor with its chosen reference as patsy does: C(g, Treatment('b')).
    private string Written(DesignVariable variable) =>
        variable.Factor && References.TryGetValue(variable.Column, out var reference)
            ? $"C({DesignVariable.Quoted(variable.Column)}, Treatment({Literal(reference)}))"
            : variable.ToString();

    // A level as a formula's literal: in quotes (single, or double where it holds a single one), numbers too (a level
    // matches a number by value, and a bare −1 or 1E-05 would not read back).
    private static string Literal(string level) => level.Contains('\'') ? $"\"{level}\"" : $"'{level}'";
}
