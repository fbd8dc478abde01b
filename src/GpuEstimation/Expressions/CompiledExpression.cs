using System.Diagnostics;
using GpuEstimation.Kernels;

namespace GpuEstimation.Expressions;

/// <summary>
/// What every compiled expression shares: its text, the data columns it reads (in the struct's column order), its
/// parameters (in the struct's parameter order), the generated C# source and the loaded struct type.
/// </summary>
public abstract class CompiledExpression
{
    private protected CompiledExpression(string text, IReadOnlyList<string> columns, IReadOnlyList<string> parameters, string source, Type type, double compileMs)
    {
        Text = text;
        Columns = columns;
        ParameterNames = parameters;
        Source = source;
        Type = type;
        CompileMilliseconds = compileMs;
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    /// <summary>The data columns the expression reads, in the order the generated struct reads them.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The parameters, in the generated struct's order.</summary>
    public IReadOnlyList<string> ParameterNames { get; }

    /// <summary>The generated C# source.</summary>
    public string Source { get; }

    /// <summary>The generated struct, loaded.</summary>
    public Type Type { get; }

    /// <summary>How long parsing, differentiation, code generation and compilation took (near 0 when the type came from the cache).</summary>
    public double CompileMilliseconds { get; }

    /// <summary>The name of column <paramref name="name"/> in expressions: itself, or c + the index for a column named by its index (.npy).</summary>
    public static string ExpressionName(string name) => name.Length > 0 && name.All(char.IsAsciiDigit) ? $"c{name}" : name;

    /// <summary>
    /// Data columns <paramref name="names"/> by the names expressions give them (<see cref="ExpressionName"/>), and a
    /// column named by its index also by that index, which backquotes reach (`` `1` ``, as a response named 1 is; a
    /// trial found it taken for a parameter). The first column of a name keeps it.
    /// </summary>
    public static Dictionary<string, string> ColumnsByName(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var columns = names.Where(n => n.Length > 0).ToList();
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in columns)
            byName.TryAdd(ExpressionName(name), name);
        foreach (var name in columns)
            byName.TryAdd(name, name);
        return byName;
    }

    // Parse, bind, differentiate, generate: the roots are the value and its derivative in each parameter.
    internal static (IReadOnlyList<Node> Roots, IReadOnlyList<string> Columns, IReadOnlyList<string> Parameters) Differentiate(
        string text, IReadOnlyList<string>? parameters, IReadOnlyCollection<string> columns)
    {
        var table = new NodeTable();
        var (root, used, names) = ExpressionBinder.Bind(table, text, parameters, columns);
        var roots = new List<Node> { root };
        for (int k = 0; k < names.Count; k++)
            roots.Add(Derivative.Of(table, root, k));
        return (roots, used, names);
    }

    private protected static long Start() => Stopwatch.GetTimestamp();

    private protected static double Elapsed(long start) => Stopwatch.GetElapsedTime(start).TotalMilliseconds;

    // A type name from the source's content, so that equal expressions share a type and a cache entry.
    private protected static string TypeName(string prefix, string text, IEnumerable<string> parameters, IEnumerable<string> columns) =>
        prefix + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            $"{text}\n{string.Join(",", parameters)}\n{string.Join(",", columns)}")))[..16];

    /// <summary>Checks that <paramref name="parameters"/> are distinct identifiers.</summary>
    private protected static void CheckNames(IReadOnlyList<ParameterInfo> parameters)
    {
        foreach (var p in parameters)
        {
            if (p.Name.Length == 0 || !(char.IsAsciiLetter(p.Name[0]) || p.Name[0] == '_') || !p.Name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                throw new InputException($"parameter '{p.Name}': a name of letters, digits and _ that starts with a letter is needed in an expression", p.Name);
            if (p.Name == "pi" || ExpressionFunctions.All.ContainsKey(p.Name))
                throw new InputException($"parameter '{p.Name}': the name is taken by the expression language ({(p.Name == "pi" ? "the constant π" : "a function")})", p.Name);
        }
        if (parameters.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new InputException($"parameter '{twice.Key}' is declared twice", twice.Key);
    }
}
