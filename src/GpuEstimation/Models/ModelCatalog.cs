using GpuEstimation.Data;
using GpuEstimation.Kernels.Models;
using MathNet.Numerics.LinearAlgebra;

namespace GpuEstimation.Models;

/// <summary>Which data columns a model reads: <c>Column</c> for one-column models, <c>Y</c> and <c>X</c> for regression.</summary>
public sealed record ModelColumns(string? Column = null, string? Y = null, IReadOnlyList<string>? X = null);

/// <summary>The built-in models, by name: each builds its device struct, columns, starting values and scales from a dataset.</summary>
public static class ModelCatalog
{
    /// <summary>The names <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["normal", "linear"];

    /// <summary>The built-in model <paramref name="name"/> over <paramref name="data"/>.</summary>
    public static IModelSpec Create(string name, Dataset data, ModelColumns columns) => name switch
    {
        "normal" => Normal(data, columns.Column ?? throw new InputException("--model normal needs --column NAME")),
        "linear" => Linear(data,
            columns.Y ?? throw new InputException("--model linear needs --y NAME"),
            columns.X is { Count: > 0 } x ? x : throw new InputException("--model linear needs --x NAME[,NAME...]")),
        _ => throw new InputException($"--model: unknown model '{name}' (available: {string.Join(", ", Names)})"),
    };

    /// <summary>Normal(mu, sigma) over one column; starts at the sample mean and standard deviation (divisor n).</summary>
    public static ModelSpec<NormalModel> Normal(Dataset data, string column)
    {
        var x = data.Column(column);
        RequireRows(data);
        double mean = Mean(x);
        double sd = Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / x.Length);
        return new ModelSpec<NormalModel>(
            "normal",
            new NormalModel(),
            [x],
            [new ParameterInfo("mu"), new ParameterInfo("sigma", ParameterDomain.Positive)],
            [mean, sd > 0 ? sd : 1.0],
            [sd > 0 ? sd : 1.0, 0.1]);
    }

    /// <summary>
    /// Linear regression of <paramref name="y"/> on <paramref name="x"/> with an intercept; parameters
    /// <c>intercept</c>, one per feature column (named after it) and <c>sigma</c>. Starts at least squares from the
    /// centred normal equations.
    /// </summary>
    public static ModelSpec<LinearModel> Linear(Dataset data, string y, IReadOnlyList<string> x)
    {
        var yValues = data.Column(y);
        var features = x.Select(data.Column).ToArray();
        RequireRows(data);
        var names = new[] { "intercept" }.Concat(x).Append("sigma").ToArray();
        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InputException($"--x: parameter name '{duplicate.Key}' would appear twice (a feature column may not be named intercept or sigma, nor given twice)");

        var (start, scales) = LeastSquaresStart(yValues, features);
        var columns = new List<double[]> { yValues };
        columns.AddRange(features);
        return new ModelSpec<LinearModel>(
            "linear",
            new LinearModel(features.Length),
            columns,
            names.Select((n, k) => new ParameterInfo(n, k == names.Length - 1 ? ParameterDomain.Positive : ParameterDomain.Real)).ToArray(),
            start,
            scales);
    }

    private static (double[] Start, double[] Scales) LeastSquaresStart(double[] y, double[][] features)
    {
        int n = y.Length, k = features.Length;
        double meanY = Mean(y);
        var means = features.Select(Mean).ToArray();
        var gram = Matrix<double>.Build.Dense(k, k);
        var rhs = Vector<double>.Build.Dense(k);
        for (int a = 0; a < k; a++)
        {
            for (int i = 0; i < n; i++)
                rhs[a] += (features[a][i] - means[a]) * (y[i] - meanY);
            for (int b = 0; b <= a; b++)
            {
                double s = 0;
                for (int i = 0; i < n; i++)
                    s += (features[a][i] - means[a]) * (features[b][i] - means[b]);
                gram[a, b] = gram[b, a] = s;
            }
        }

        var slopes = Vector<double>.Build.Dense(k);
        try
        {
            if (k > 0)
                slopes = gram.Cholesky().Solve(rhs);
        }
        catch (ArgumentException)
        {
            // Singular design (e.g. a duplicated column): start flat and let the fit report what it finds.
        }
        if (slopes.Any(v => !double.IsFinite(v)))
            slopes.Clear();

        double intercept = meanY - Enumerable.Range(0, k).Sum(j => slopes[j] * means[j]);
        double ss = 0;
        for (int i = 0; i < n; i++)
        {
            double r = y[i] - intercept;
            for (int j = 0; j < k; j++)
                r -= slopes[j] * features[j][i];
            ss += r * r;
        }
        double sigma = Math.Sqrt(ss / n);
        double sdY = Math.Sqrt(y.Sum(v => (v - meanY) * (v - meanY)) / n);
        double yScale = sdY > 0 ? sdY : 1.0;

        var start = new double[k + 2];
        var scales = new double[k + 2];
        start[0] = intercept;
        scales[0] = yScale;
        for (int j = 0; j < k; j++)
        {
            start[j + 1] = slopes[j];
            double sdX = Math.Sqrt(gram[j, j] / n);
            scales[j + 1] = sdX > 0 ? yScale / sdX : 1.0;
            scales[0] += Math.Abs(means[j]) * scales[j + 1];
        }
        start[k + 1] = sigma > 0 ? sigma : yScale;
        scales[k + 1] = 0.1;
        return (start, scales);
    }

    private static void RequireRows(Dataset data)
    {
        if (data.Rows == 0)
            throw new InputException($"{data.Source}: the dataset is empty");
    }

    private static double Mean(double[] values) => values.Length == 0 ? 0 : values.Sum() / values.Length;
}
