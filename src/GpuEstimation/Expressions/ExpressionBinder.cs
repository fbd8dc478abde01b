using GpuEstimation.Kernels;

namespace GpuEstimation.Expressions;

/// <summary>
/// Turns a parsed expression into nodes: each name a parameter, a data column or <c>pi</c>, each call a function of
/// <see cref="ExpressionFunctions"/>. Columns are numbered in the order the expression first names them. With
/// <c>parameters</c> null (a mean function), every name that is not a column is a parameter, numbered likewise.
/// </summary>
internal sealed class ExpressionBinder
{
    private readonly NodeTable _table;
    private readonly string _text;
    private readonly IReadOnlyList<string>? _parameters;
    private readonly IReadOnlyCollection<string> _columns;
    private readonly List<string> _usedColumns = [];
    private readonly List<string> _foundParameters = [];

    private ExpressionBinder(NodeTable table, string text, IReadOnlyList<string>? parameters, IReadOnlyCollection<string> columns)
    {
        _table = table;
        _text = text;
        _parameters = parameters;
        _columns = columns;
    }

    /// <summary>The expression's root node, the columns it reads (in index order) and its parameters (in index order).</summary>
    public static (Node Root, IReadOnlyList<string> Columns, IReadOnlyList<string> Parameters) Bind(
        NodeTable table, string text, IReadOnlyList<string>? parameters, IReadOnlyCollection<string> columns)
    {
        var syntax = ExpressionParser.Parse(text);
        var binder = new ExpressionBinder(table, text, parameters, columns);
        if (parameters?.FirstOrDefault(columns.Contains) is { } both)
            throw new InputException($"'{both}' names both a parameter and a data column; rename the parameter", both);
        var root = binder.Node(syntax);
        return (root, binder._usedColumns, parameters ?? binder._foundParameters);
    }

    private Node Node(Syntax syntax) => syntax switch
    {
        NumberSyntax n => _table.Const(n.Value),
        NameSyntax name => Name(name),
        UnarySyntax { Operator: '-' } u => _table.Neg(Node(u.Operand)),
        UnarySyntax u => Node(u.Operand),
        BinarySyntax b => Binary(b.Operator, Node(b.Left), Node(b.Right)),
        CallSyntax call => Call(call),
        _ => throw new InvalidOperationException(syntax.GetType().Name),
    };

    private Node Binary(char op, Node a, Node b) => op switch
    {
        '+' => _table.Add(a, b),
        '-' => _table.Sub(a, b),
        '*' => _table.Mul(a, b),
        '/' => _table.Div(a, b),
        _ => _table.Pow(a, b),
    };

    private Node Name(NameSyntax name)
    {
        if (_parameters is not null && IndexOf(_parameters, name.Name) is var p and >= 0)
            return _table.Param(p, name.Name);
        if (name.Name == "pi" && !name.Quoted && _columns.Contains(name.Name))
        {
            throw ExpressionParser.Error(_text, name.Position,
                "'pi' is the constant π, and the data have a column named pi too: write `pi` in backquotes for the column (or rename it)");
        }
        if (_columns.Contains(name.Name))
        {
            int c = _usedColumns.IndexOf(name.Name);
            if (c < 0)
            {
                c = _usedColumns.Count;
                _usedColumns.Add(name.Name);
            }
            return _table.Column(c, name.Name);
        }
        if (name.Name == "pi" && !name.Quoted)
            return _table.Const(KernelConstants.Pi);
        if (ExpressionFunctions.All.ContainsKey(name.Name) && !name.Quoted)
            throw ExpressionParser.Error(_text, name.Position, $"'{name.Name}' is a function: call it as {name.Name}(...)");
        if (_parameters is null)
        {
            int found = _foundParameters.IndexOf(name.Name);
            if (found < 0)
            {
                found = _foundParameters.Count;
                _foundParameters.Add(name.Name);
            }
            return _table.Param(found, name.Name);
        }
        throw ExpressionParser.Error(_text, name.Position,
            $"unknown name '{name.Name}': not a parameter ({List(_parameters)}) nor a data column ({List(_columns)})");
    }

    private Node Call(CallSyntax call)
    {
        if (!ExpressionFunctions.All.TryGetValue(call.Name, out var function))
        {
            var what = _columns.Contains(call.Name) || _parameters?.Contains(call.Name) == true ? $"'{call.Name}' is a value, not a function" : $"unknown function '{call.Name}'";
            throw ExpressionParser.Error(_text, call.Position, $"{what} (functions: {string.Join(", ", ExpressionFunctions.All.Keys)})");
        }
        if (function.Arguments is { } names ? call.Arguments.Count != names.Length : call.Arguments.Count < 1)
        {
            var expected = function.Arguments is { } n ? $"{n.Length} argument{(n.Length == 1 ? "" : "s")} ({string.Join(", ", n)})" : "one or more arguments";
            throw ExpressionParser.Error(_text, call.Position, $"{call.Name} takes {expected}, not {call.Arguments.Count}");
        }
        return function.Build(_table, call.Arguments.Select(Node).ToArray());
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
                return i;
        }
        return -1;
    }

    private static string List(IEnumerable<string> names) => names.Any() ? string.Join(", ", names) : "none";
}
