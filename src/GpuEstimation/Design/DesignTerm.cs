namespace GpuEstimation.Design;

/// <summary>
/// One term of a design: a column, a factor, or an interaction of several (their product), with its variables in the
/// order they first appear in the formula. Two terms with the same variables are the same term, whatever the order.
/// </summary>
public sealed class DesignTerm : IEquatable<DesignTerm>
{
    /// <summary>A term of <paramref name="variables"/>, in that order (a variable given twice counts once).</summary>
    public DesignTerm(IEnumerable<DesignVariable> variables)
    {
        Variables = variables.Distinct().ToArray();
        if (Variables.Count == 0)
            throw new ArgumentException("a term needs at least one variable", nameof(variables));
    }

    /// <summary>The variables whose product the term is.</summary>
    public IReadOnlyList<DesignVariable> Variables { get; }

    /// <summary>The number of variables: 1 for a main effect, 2 for a two-way interaction.</summary>
    public int Order => Variables.Count;

    /// <summary>The term without <paramref name="variable"/> (null when that leaves nothing: the intercept's place).</summary>
    public DesignTerm? Without(DesignVariable variable) =>
        Variables.Count == 1 ? null : new DesignTerm(Variables.Where(v => v != variable));

    /// <inheritdoc/>
    public bool Equals(DesignTerm? other) =>
        other is not null && other.Variables.Count == Variables.Count && other.Variables.All(Variables.Contains);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as DesignTerm);

    /// <inheritdoc/>
    public override int GetHashCode() => Variables.Aggregate(0, (hash, v) => hash ^ v.GetHashCode());

    /// <summary>As a formula writes it: <c>x1:C(g)</c>.</summary>
    public override string ToString() => string.Join(":", Variables);
}
