namespace GpuEstimation.Expressions;

/// <summary>
/// One node of an expression graph. Nodes are made only by a <see cref="NodeTable"/>, which interns them: two
/// structurally equal nodes are one object, so a subexpression that occurs twice (in the value and in a derivative,
/// say) is computed once in the generated code.
/// </summary>
internal sealed class Node
{
    internal Node(int id, Op op, double value, int index, string? name, Node[] args)
    {
        Id = id;
        Op = op;
        Value = value;
        Index = index;
        Name = name;
        Args = args;
        RowDependent = op == Op.Column || args.Any(a => a.RowDependent);
        ParameterDependent = op == Op.Param || args.Any(a => a.ParameterDependent);
    }

    /// <summary>The order of creation: arguments always have smaller ids than the nodes that use them.</summary>
    public int Id { get; }

    public Op Op { get; }

    /// <summary>A constant's value.</summary>
    public double Value { get; }

    /// <summary>A column's or parameter's index.</summary>
    public int Index { get; }

    /// <summary>A column's or parameter's name.</summary>
    public string? Name { get; }

    public Node[] Args { get; }

    /// <summary>Whether the value changes from row to row (reads a column).</summary>
    public bool RowDependent { get; }

    /// <summary>Whether the value depends on a parameter.</summary>
    public bool ParameterDependent { get; }

    public bool IsConst(double value) => Op == Op.Const && Value.Equals(value);

    public override string ToString() => Op switch
    {
        Op.Const => Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        Op.Column or Op.Param => Name!,
        _ => $"{Op}({string.Join(", ", Args.Select(a => a.ToString()))})",
    };
}
