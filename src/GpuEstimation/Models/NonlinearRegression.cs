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
    /// The model y ~ Normal(μ(x; θ), σ) over <paramref name="mean"/>, whose parameters are named
    /// <paramref name="parameters"/> (in the mean's order) and start at <paramref name="start"/>; σ starts at the
    /// root mean square of the residuals there. <paramref name="predictors"/> are the mean's columns in its order.
    /// A row where the mean or its gradient is not finite at the start is named (an <see cref="InputException"/>).
    /// </summary>
    public static ModelSpec<NonlinearRegressionModel<TMean>> Create<TMean>(TMean mean, IReadOnlyList<string> parameters, double[] y,
        IReadOnlyList<double[]> predictors, IReadOnlyList<double> start, string name = Name)
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
        if (parameters.Contains(Sigma))
            throw new InputException($"mean parameter '{Sigma}': the name is taken by the noise standard deviation; rename the parameter", Sigma);
        for (int k = 0; k < start.Count; k++)
        {
            if (!double.IsFinite(start[k]))
                throw new InputException($"starting value of {parameters[k]}: {start[k]} is not finite", parameters[k]);
        }
        var columns = new List<double[]> { y };
        columns.AddRange(predictors);
        double rss = ResidualSumOfSquares(mean, parameters, columns, start);
        double sigma = rss > 0 && y.Length > 0 ? Math.Sqrt(rss / y.Length) : 1.0;
        var info = parameters.Select(p => new ParameterInfo(p)).Append(new ParameterInfo(Sigma, ParameterDomain.Positive)).ToArray();
        return new ModelSpec<NonlinearRegressionModel<TMean>>(name, new NonlinearRegressionModel<TMean>(mean), columns, info, [.. start, sigma])
        {
            ScaleParameters = [Sigma],
        };
    }

    /// <summary>Σ (y − μ)² at <paramref name="theta"/> on the host, naming the first row where μ or its gradient is not finite.</summary>
    private static unsafe double ResidualSumOfSquares<TMean>(TMean mean, IReadOnlyList<string> parameters, List<double[]> columns, IReadOnlyList<double> theta)
        where TMean : unmanaged, IMeanFunction<TMean>
    {
        long rows = columns[0].Length;
        var values = new double[Math.Max(1, rows * columns.Count)];
        for (int c = 0; c < columns.Count; c++)
            columns[c].CopyTo(values, c * rows);
        var scratch = new double[Twice<Twice<Twice<Twice<Vec4>>>>.Capacity];
        TMean.Prepare(mean, theta.ToArray(), scratch);
        var arguments = default(Twice<Twice<Twice<Twice<Vec4>>>>);
        for (int k = 0; k < scratch.Length; k++)
            arguments.Set(k, scratch[k]);
        double rss = 0;
        fixed (double* pointer = values)
        {
            var data = new HostRows(pointer, rows);
            for (long row = 0; row < rows; row++)
            {
                var gradient = default(Twice<Twice<Twice<Twice<Vec4>>>>);
                double mu = TMean.Evaluate(mean, arguments, data, 1, row, ref gradient);
                int bad = Enumerable.Range(0, parameters.Count).FirstOrDefault(k => !double.IsFinite(gradient.Get(k)), -1);
                if (!double.IsFinite(mu) || bad >= 0)
                {
                    string predictorValues = string.Join(", ", Enumerable.Range(1, columns.Count - 1).Select(c => $"c{c - 1} = {columns[c][row]}"));
                    string what = !double.IsFinite(mu) ? $"the mean is {mu}" : $"its derivative in {parameters[bad]} is {gradient.Get(bad)}";
                    throw new InputException($"row {row + 1}: at the starting values ({string.Join(", ", parameters.Select((p, k) => $"{p} = {theta[k]}"))}) {what} ({(predictorValues.Length > 0 ? predictorValues : "no predictors")}); give other starting values", parameters[Math.Max(bad, 0)]);
                }
                double r = columns[0][row] - mu;
                rss += r * r;
            }
        }
        return rss;
    }
}
