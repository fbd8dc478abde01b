using GpuEstimation.Kernels;

namespace GpuEstimation.Expressions;

/// <summary>
/// A log-density of one row written as an expression (for example
/// <c>-log(beta) - (x-mu)/beta - exp(-(x-mu)/beta)</c>), compiled with its exact gradient into a struct implementing
/// <see cref="ILikelihoodModel{TSelf}"/> that the generic kernels run on every backend. See the README for the
/// language; <c>ExpressionModel.Create</c> makes a model ready to fit from it.
/// </summary>
public sealed class LogDensityExpression : CompiledExpression
{
    private LogDensityExpression(string text, IReadOnlyList<ParameterInfo> parameters, IReadOnlyList<string> columns, string source, Type type, double ms,
        bool parameterKinks)
        : base(text, columns, parameters.Select(p => p.Name).ToArray(), source, type, ms)
    {
        Parameters = parameters;
        HasParameterKinks = parameterKinks;
    }

    /// <summary>The parameters with their domains, in the model's order.</summary>
    public IReadOnlyList<ParameterInfo> Parameters { get; }

    /// <summary>Whether the log-density takes abs, min, max or sign of something that depends on a parameter: kinks (or steps) that move with the parameters.</summary>
    public bool HasParameterKinks { get; }

    /// <summary>
    /// Parses <paramref name="text"/> over <paramref name="parameters"/> and the data columns named
    /// <paramref name="columns"/> (as expressions name them, see <see cref="CompiledExpression.ExpressionName"/>),
    /// differentiates it and compiles the model struct (cached for the process by content). A syntax error or an
    /// unknown name is an <see cref="InputException"/> that shows the place.
    /// </summary>
    public static LogDensityExpression Compile(string text, IReadOnlyList<ParameterInfo> parameters, IReadOnlyCollection<string> columns)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(columns);
        if (parameters.Count == 0)
            throw new InputException("a log-density expression needs at least one parameter to estimate", nameof(parameters));
        CheckNames(parameters);
        long start = Start();
        var (roots, used, names) = Differentiate(text, parameters.Select(p => p.Name).ToArray(), columns);
        if (used.Count == 0)
            throw new InputException($"the log-density '{text}' reads no data column (columns: {string.Join(", ", columns)})", nameof(text));
        for (int k = 0; k < names.Count; k++)
        {
            if (roots[1 + k].IsConst(0))
                throw new InputException($"parameter '{names[k]}' does not appear in the log-density '{text}' (or cancels out of it): it cannot be estimated", names[k]);
        }
        var typeName = TypeName("LogDensity", text, names, used);
        var source = ExpressionCode.LogDensity(typeName, text, roots, names.Count, used.Count);
        var type = ExpressionCompiler.Compile(typeName, source);
        return new LogDensityExpression(text, parameters, used, source, type, Elapsed(start), Kinked(roots[0], []));
    }

    // Whether some abs, min, max or sign below node has an argument that depends on a parameter (each node once).
    private static bool Kinked(Node node, HashSet<int> seen)
    {
        if (!node.ParameterDependent || !seen.Add(node.Id))
            return false;
        if (node.Op is Op.Abs or Op.Min or Op.Max or Op.Sign)
            return true;
        return node.Args.Any(a => Kinked(a, seen));
    }
}
