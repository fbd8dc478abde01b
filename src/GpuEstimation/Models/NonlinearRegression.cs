using GpuEstimation.Data;
using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Models;

namespace GpuEstimation.Models;

/// <summary>
/// Nonlinear regression models, y ~ Normal(μ(row; θ), σ) over a mean function with its exact gradient
/// (<see cref="IMeanFunction{TSelf}"/>, written by hand or compiled from an expression): fitted by Levenberg–Marquardt
/// on the normal equations summed on the device, the rest of the pipeline as for any model.
/// </summary>
public static class NonlinearRegression
{
    /// <summary>The model's name in results.</summary>
    public const string Name = "nonlinear";

    /// <summary>The noise parameter's name, after the mean's.</summary>
    public const string Sigma = "sigma";

    /// <summary>
    /// The model y ~ Normal(μ(x; θ), σ) with the mean written as an expression over <paramref name="data"/>'s columns
    /// (<see cref="Expressions.MeanExpression"/>: every name that is not a column is a parameter), compiled with its
    /// exact gradient; the response is column <paramref name="y"/>, which the mean may not name. Every parameter needs
    /// a value in <paramref name="start"/> (least squares depends on where it starts: there is no safe guess); one
    /// missing, or a start that names no parameter, is an <see cref="InputException"/> naming it.
    /// </summary>
    public static IModelSpec FromExpression(string mean, Dataset data, string y, IReadOnlyDictionary<string, double> start)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(start);
        data.RequireWhole($"model '{Name}'");
        var byExpressionName = Expressions.CompiledExpression.ColumnsByName(data.ColumnNames);
        var compiled = Expressions.MeanExpression.Compile(mean, byExpressionName.Keys);
        if (compiled.Columns.Any(c => byExpressionName[c] == y))
            throw new InputException($"the mean '{mean}' names the response column '{y}'; the mean is a function of the predictors", nameof(mean));
        var names = compiled.ParameterNames;
        if (start.Keys.FirstOrDefault(k => !names.Contains(k)) is { } unknown)
            throw new InputException($"starting value for '{unknown}', which is not a parameter of the mean" +
                (data.ColumnNames.Contains(unknown) ? $": '{unknown}' is a data column, read by the mean" : "") + $" (parameters: {string.Join(", ", names)})", unknown);
        var missing = names.Where(n => !start.ContainsKey(n)).ToList();
        if (missing.Count > 0)
            throw new InputException($"no starting value for {string.Join(", ", missing)}: nonlinear least squares needs one for every parameter of the mean (parameters: {string.Join(", ", names)}; data columns: {string.Join(", ", data.ColumnNames)})", missing[0]);
        if (data.Rows == 0)
            throw new InputException($"{data.Source}: no data rows");
        var predictors = compiled.Columns.Select(c => data.Column(byExpressionName[c]).AsArray()).ToArray();
        var values = names.Select(n => start[n]).ToArray();
        // The one place the compiled mean's run-time type enters the generic model: Create<TMean>.
        var create = typeof(NonlinearRegression).GetMethod(nameof(Create))!.MakeGenericMethod(compiled.Type);
        try
        {
            var predictorNames = compiled.Columns.Select(c => byExpressionName[c]).ToArray();
            Func<long, string> describeRow = row => $"{data.Source}: {data.DescribeRow((int)row)}";
            return (IModelSpec)create.Invoke(null, [compiled.CreateMean(), names, data.Column(y).AsArray(), predictors, values, Name, predictorNames, describeRow])!;
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is InputException inner)
        {
            throw inner;
        }
    }

    /// <summary>
    /// The model y ~ Normal(μ(x; θ), σ) over <paramref name="mean"/>, whose parameters are named
    /// <paramref name="parameters"/> (in the mean's order) and start at <paramref name="start"/>; σ starts at the
    /// root mean square of the residuals there. <paramref name="predictors"/> are the mean's columns in its order.
    /// A row where the mean or its gradient is not finite at the start is named (an <see cref="InputException"/>), with
    /// its predictors' values under <paramref name="predictorNames"/> (default <c>c0</c>, <c>c1</c>, ...); so is data
    /// with no more rows than mean parameters (σ then has no estimate: the fit is exact or not identified).
    /// <paramref name="describeRow"/> names a row (its file and line) in such a message; default "row i", from 1.
    /// </summary>
    public static ModelSpec<NonlinearRegressionModel<TMean>> Create<TMean>(TMean mean, IReadOnlyList<string> parameters, double[] y,
        IReadOnlyList<double[]> predictors, IReadOnlyList<double> start, string name = Name, IReadOnlyList<string>? predictorNames = null,
        Func<long, string>? describeRow = null)
        where TMean : unmanaged, IMeanFunction<TMean>
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(predictors);
        ArgumentNullException.ThrowIfNull(start);
        if (parameters.Count != mean.ParameterCount)
            throw new ArgumentException($"the mean has {mean.ParameterCount} parameters, {parameters.Count} names were given", nameof(parameters));
        if (start.Count != mean.ParameterCount)
            throw new ArgumentException($"the mean has {mean.ParameterCount} parameters, {start.Count} starting values were given", nameof(start));
        if (predictors.Count != mean.ColumnCount)
            throw new ArgumentException($"the mean reads {mean.ColumnCount} columns, {predictors.Count} were given", nameof(predictors));
        if (predictorNames is not null && predictorNames.Count != predictors.Count)
            throw new ArgumentException($"{predictors.Count} predictors, {predictorNames.Count} names", nameof(predictorNames));
        if (parameters.Contains(Sigma))
            throw new InputException($"mean parameter '{Sigma}': the name is taken by the noise standard deviation; rename the parameter", Sigma);
        if (y.Length <= parameters.Count)
            throw new InputException($"{y.Length} row{(y.Length == 1 ? "" : "s")} for {parameters.Count} mean parameter{(parameters.Count == 1 ? "" : "s")} ({string.Join(", ", parameters)}) and sigma: nonlinear regression needs more rows than mean parameters", nameof(y));
        for (int k = 0; k < start.Count; k++)
        {
            if (!double.IsFinite(start[k]))
                throw new InputException($"starting value of {parameters[k]}: {start[k]} is not finite", parameters[k]);
        }
        var columns = new List<double[]> { y };
        columns.AddRange(predictors);
        var names = predictorNames ?? Enumerable.Range(0, predictors.Count).Select(c => $"c{c}").ToArray();
        var residuals = ResidualSquares(mean, parameters, names, columns, start, describeRow ?? (row => $"row {row + 1}"));
        // The passes sum the squares themselves: a sum beyond a double's range (residuals of 10¹⁵⁵ and more) is no start.
        if (!double.IsFinite(residuals.Sum))
            throw new InputException($"at the starting values ({string.Join(", ", parameters.Select((p, k) => $"{p} = {start[k]}"))}) the residual sum of squares is beyond the range of a double (residuals up to {residuals.Largest:G3}); give starting values nearer the data, or rescale the response", parameters.Count > 0 ? parameters[0] : nameof(start));
        double sigma = residuals.RootMean(y.Length);
        sigma = sigma > 0 ? sigma : 1.0;
        var info = parameters.Select(p => new ParameterInfo(p)).Append(new ParameterInfo(Sigma, ParameterDomain.Positive)).ToArray();
        return new ModelSpec<NonlinearRegressionModel<TMean>>(name, new NonlinearRegressionModel<TMean>(mean), [.. columns.Select(c => (ReadOnlyMemory<double>)c)], info, [.. start, sigma], dataChecked: true)
        {
            ScaleParameters = [Sigma],
            // Once here, not in every least-squares search (a profile sweep runs one per grid point).
            ResponseSquares = y.Sum(v => v * v),
        };
    }

    /// <summary>Σ (y − μ)² at <paramref name="theta"/> on the host, scaled, naming the first row where μ or its gradient is not finite.</summary>
    private static unsafe ScaledSquares ResidualSquares<TMean>(TMean mean, IReadOnlyList<string> parameters, IReadOnlyList<string> predictorNames,
        List<double[]> columns, IReadOnlyList<double> theta, Func<long, string> describeRow)
        where TMean : unmanaged, IMeanFunction<TMean>
    {
        long rows = columns[0].Length;
        var arguments = Engine.ModelArguments.OfMean<TMean, Twice<Twice<Twice<Twice<Vec4>>>>>(
            mean, theta.ToArray(), new double[Twice<Twice<Twice<Twice<Vec4>>>>.Capacity]);
        var rss = new ScaledSquares();
        // The columns read where they lie, each pinned for the scan (they were copied into one block).
        double** table = stackalloc double*[columns.Count];
        var pins = new System.Buffers.MemoryHandle[columns.Count];
        try
        {
            for (int c = 0; c < columns.Count; c++)
            {
                pins[c] = columns[c].AsMemory().Pin();
                table[c] = (double*)pins[c].Pointer;
            }
            var data = new HostRows(table, rows);
            for (long row = 0; row < rows; row++)
            {
                var gradient = default(Twice<Twice<Twice<Twice<Vec4>>>>);
                double mu = TMean.Evaluate(mean, arguments, data, 1, row, ref gradient);
                int bad = Enumerable.Range(0, parameters.Count).FirstOrDefault(k => !double.IsFinite(gradient.Get(k)), -1);
                if (!double.IsFinite(mu) || bad >= 0)
                {
                    string predictorValues = string.Join(", ", Enumerable.Range(1, columns.Count - 1).Select(c => $"{predictorNames[c - 1]} = {columns[c][row]}"));
                    string what = !double.IsFinite(mu) ? $"the mean is {mu}" : $"its derivative in {parameters[bad]} is {gradient.Get(bad)}";
                    throw new InputException($"{describeRow(row)}: at the starting values ({string.Join(", ", parameters.Select((p, k) => $"{p} = {theta[k]}"))}) {what} ({(predictorValues.Length > 0 ? predictorValues : "no predictors")}); " +
                        "give other starting values, or, where no values of the parameters give this row a finite mean (a log of a negative predictor), leave the row out", parameters[Math.Max(bad, 0)]);
                }
                rss.Add(columns[0][row] - mu);
            }
        }
        finally
        {
            foreach (var pin in pins)
                pin.Dispose();
        }
        return rss;
    }
}
