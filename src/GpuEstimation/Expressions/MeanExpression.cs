using GpuEstimation.Kernels;

namespace GpuEstimation.Expressions;

/// <summary>
/// The mean of a nonlinear regression written as an expression (for example <c>b1*(1-exp(-b2*x))</c>): every name
/// that is not a data column (nor a function or <c>pi</c>) is a parameter, in the order the expression first names
/// them. Compiled with its exact gradient into a struct implementing <see cref="IMeanFunction{TSelf}"/>
/// (<see cref="CompiledExpression.Type"/>), whose predictor c is the data column <see cref="CompiledExpression.Columns"/>[c].
/// </summary>
public sealed class MeanExpression : CompiledExpression
{
    private MeanExpression(string text, IReadOnlyList<string> parameters, IReadOnlyList<string> columns, string source, Type type, double ms)
        : base(text, columns, parameters, source, type, ms)
    {
    }

    /// <summary>
    /// Parses <paramref name="text"/> over the data columns named <paramref name="columns"/>, differentiates it in
    /// each parameter and compiles the mean struct (cached for the process by content).
    /// </summary>
    public static MeanExpression Compile(string text, IReadOnlyCollection<string> columns)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(columns);
        long start = Start();
        var (roots, used, names) = Differentiate(text, null, columns);
        if (names.Count == 0)
            throw new InputException($"the mean '{text}' has no parameter: every name in it is a data column", nameof(text));
        CheckNames(names.Select(n => new ParameterInfo(n)).ToArray());
        // As a log-density's (a trial's '... + 0*d' stalled "at a singular point" without naming d).
        for (int k = 0; k < names.Count; k++)
        {
            if (roots[1 + k].IsConst(0))
                throw new InputException($"parameter '{names[k]}' cancels out of the mean '{text}': it cannot be estimated", names[k]);
        }
        var typeName = TypeName("Mean", text, names, used);
        var source = ExpressionCode.Mean(typeName, text, roots, names.Count, used.Count);
        var type = ExpressionCompiler.Compile(typeName, source);
        return new MeanExpression(text, names, used, source, type, Elapsed(start));
    }

    /// <summary>An instance of the mean struct (a default value: it has no fields), boxed.</summary>
    public object CreateMean() => Activator.CreateInstance(Type)!;
}
