using System.Globalization;
using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Kernels;
using GpuEstimation.Models;

namespace GpuEstimation.Expressions;

/// <summary>
/// Models written as a log-density expression: compiled (<see cref="LogDensityExpression"/>) and wrapped as a
/// <see cref="ModelSpec{TModel}"/> of the generated struct, so that fits, evaluations, sweeps, profiles, priors and
/// robust covariances run through the same generic engine as the built-in models.
/// </summary>
public static class ExpressionModel
{
    /// <summary>
    /// The model whose log-density of one row is <paramref name="logDensity"/>, over <paramref name="data"/> (whose
    /// columns the expression names; a column named by its index, as in .npy files, is c0, c1, ...). Starting values
    /// come from <paramref name="start"/>; a parameter without one starts at 0 (real), 1 (positive) or ½ (unit
    /// interval), and where that guess makes the log-density of some row not finite the parameter is named in the
    /// error. A row whose log-density is not finite at the start is an <see cref="InputException"/> naming it.
    /// </summary>
    public static IModelSpec Create(string logDensity, IReadOnlyList<ParameterInfo> parameters, Dataset data,
        IReadOnlyDictionary<string, double>? start = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var byExpressionName = CompiledExpression.ColumnsByName(data.ColumnNames);
        var expression = LogDensityExpression.Compile(logDensity, parameters, byExpressionName.Keys);
        return Create(expression, data, start, byExpressionName);
    }

    /// <summary>As <see cref="Create(string, IReadOnlyList{ParameterInfo}, Dataset, IReadOnlyDictionary{string, double}?)"/>, from a compiled expression.</summary>
    public static IModelSpec Create(LogDensityExpression expression, Dataset data, IReadOnlyDictionary<string, double>? start = null) =>
        Create(expression, data, start, CompiledExpression.ColumnsByName(data.ColumnNames));

    private static IModelSpec Create(LogDensityExpression expression, Dataset data, IReadOnlyDictionary<string, double>? start,
        Dictionary<string, string> byExpressionName)
    {
        ArgumentNullException.ThrowIfNull(expression);
        data.RequireWhole("an expression model");
        if (data.Rows == 0)
            throw new InputException($"{data.Source}: no data rows");
        start ??= new Dictionary<string, double>();
        if (start.Keys.FirstOrDefault(name => !expression.ParameterNames.Contains(name)) is { } unknown)
            throw new InputException($"start value for '{unknown}', which is not a parameter (parameters: {string.Join(", ", expression.ParameterNames)})", unknown);
        // A start outside its parameter's domain is named as such, not found later as a NaN log-density. Its closed edge
        // (p = 1, a rate of 0) is let through: where a fit reports a maximum, eval takes it back.
        foreach (var p in expression.Parameters)
        {
            if (start.TryGetValue(p.Name, out var v) && !Estimation.ParameterMap.Reaches(p.Domain, v))
                throw new InputException($"value {p.Name} = {v.ToString("R", CultureInfo.InvariantCulture)}: {p.Name} must {Estimation.ParameterMap.Describe(p.Domain)}", p.Name);
        }
        var guessed = expression.Parameters.Where(p => !start.ContainsKey(p.Name)).ToList();
        var values = expression.Parameters.Select(p => start.TryGetValue(p.Name, out var v) ? v : Guess(p.Domain)).ToArray();
        var columns = expression.Columns.Select(name => data.Column(byExpressionName[name])).ToArray();
        // The one place a run-time model type enters the generic engine: ModelSpec<TModel> of the generated struct.
        var specType = typeof(ModelSpec<>).MakeGenericType(expression.Type);
        IModelSpec spec;
        try
        {
            spec = (IModelSpec)Activator.CreateInstance(specType, expression.Text, Activator.CreateInstance(expression.Type), columns,
                expression.Parameters, values, null, null, null, null, null, true)!;
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
        {
            // The constructor's own error (bad data, a bad start), not reflection's wrapper around it.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
        if (expression.HasParameterKinks)
            specType.GetProperty(nameof(IModelSpec.HasParameterKinks))!.SetValue(spec, true);
        specType.GetProperty(nameof(IModelSpec.StartFromData))!.SetValue(spec, false);
        CheckStart(spec, expression, data, columns, values, guessed);
        return spec;
    }

    private static double Guess(ParameterDomain domain) => domain switch
    {
        ParameterDomain.Positive => 1.0,
        ParameterDomain.UnitInterval => 0.5,
        _ => 0.0,
    };

    // The log-density of every row at the start, on the host: the first row where it is not finite is named.
    private static void CheckStart(IModelSpec spec, LogDensityExpression expression, Dataset data, ReadOnlyMemory<double>[] columns, double[] start,
        IReadOnlyList<ParameterInfo> guessed)
    {
        using var device = ComputeDevice.Open(Backend.Native);
        using var engine = spec.CreateEngine(device);
        var densities = engine.LogDensities(start);
        int row = Array.FindIndex(densities, d => !double.IsFinite(d));
        if (row < 0)
            return;
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var at = string.Join(", ", expression.Columns.Select((name, c) => $"{name} = {F(columns[c].Span[row])}"));
        var point = string.Join(", ", expression.ParameterNames.Select((name, k) => $"{name} = {F(start[k])}{(guessed.Any(p => p.Name == name) ? " guessed" : "")}"));
        // −∞: the row is outside the support of a density in the expression (a count that is not whole, a negative x
        // under an exponential), which may hold whatever the parameters are.
        // +∞ is no density's at all (a trial's '... + 1/0'): the expression, whatever the start.
        string outside = double.IsNegativeInfinity(densities[row]) ? " (the row is outside the support of the log-density there: check the row, or the expression)"
            : double.IsPositiveInfinity(densities[row]) ? " (no density has a log of +Infinity: check the expression, e.g. for a division by 0)" : "";
        if (guessed.Count > 0)
        {
            var names = string.Join(", ", guessed.Select(p => p.Name));
            // The values given may be the cause as well (a real-valued scale given as −1).
            var given = expression.ParameterNames.Where(name => guessed.All(p => p.Name != name)).ToList();
            string orGiven = given.Count == 0 ? "" : $" (or other values for {string.Join(", ", given)})";
            throw new InputException($"no starting value for {names}, and the start ({point}) gives a log-density of {F(densities[row])} at {data.Source}: {data.DescribeRow(row)} ({at}){outside}; give a start for {names}{orGiven}", guessed[0].Name);
        }
        // The values are a fit's start, or the point eval and sweep evaluate at: named as values, not as a start.
        throw new InputException($"{data.Source}: {data.DescribeRow(row)} ({at}): the log-density is {F(densities[row])} at {point}, not finite{outside}");
    }
}
