using GpuEstimation.Estimation;

namespace GpuEstimation.Mixtures;

/// <summary>One component of a fitted mixture, for reports.</summary>
/// <param name="Index">Its number, from 1.</param>
/// <param name="Family">Its family's name.</param>
/// <param name="Weight">Its weight.</param>
/// <param name="WeightStdError">The weight's standard error (for the last weight, from the others' covariance), or null.</param>
/// <param name="Parameters">Its parameters (names with its number appended) as the fit reports them.</param>
public sealed record MixtureComponent(int Index, string Family, double Weight, double? WeightStdError, IReadOnlyList<ParameterEstimate> Parameters);

/// <summary>
/// A fitted mixture of catalogue families: the exact-likelihood <see cref="FitResult"/> (parameters w1 … w(K−1) and the
/// components', standard errors, intervals) from the best start, every start's outcome, and the components with all K
/// weights.
/// </summary>
public sealed class MixtureFit : IMixtureResult
{
    internal MixtureFit(MixtureSpec spec, FitResult fit, IReadOnlyList<MixtureStart> starts, int bestStart)
    {
        Spec = spec;
        Result = fit;
        Starts = starts;
        BestStart = bestStart;
        var point = fit.Parameters.Select(p => p.Estimate).ToArray();
        var weights = MixtureEstimator.Weights(spec, point);
        int k = spec.Components;
        Components = [.. Enumerable.Range(0, k).Select(c => new MixtureComponent(c + 1, spec.Families[c].Name, weights[c], WeightError(fit, k, c),
            [.. spec.ComponentParameters(c).Select(fit.Get)]))];
    }

    /// <summary>The mixture that was fitted.</summary>
    public MixtureSpec Spec { get; }

    /// <summary>
    /// The fit in one line: each component's family, weight and parameters, the log-likelihood, and how many starts
    /// reached it (the exact-likelihood finish's own line is <see cref="Result"/>'s).
    /// </summary>
    public override string ToString()
    {
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        var components = Components.Select(c => $"{c.Family} {c.Weight.ToString("G6", culture)} ({string.Join(", ", c.Parameters.Select(p => $"{p.Name} = {p.Estimate.ToString("G8", culture)}"))})");
        return $"mixture of {Components.Count} (n = {Rows}): {string.Join(" + ", components)}; log-likelihood {LogLikelihood.ToString("G12", culture)}; " +
            $"best of {Starts.Count} start{(Starts.Count == 1 ? "" : "s")}; " + (Result.Converged ? $"converged ({Result.Reason})" : $"NOT CONVERGED ({Result.Reason})");
    }

    /// <summary>The exact-likelihood fit from the best start.</summary>
    public FitResult Result { get; }

    /// <summary>Every start's outcome, in order.</summary>
    public IReadOnlyList<MixtureStart> Starts { get; }

    /// <summary>The number of the start whose optimum was kept.</summary>
    public int BestStart { get; }

    /// <summary>The components, in their reported order.</summary>
    public IReadOnlyList<MixtureComponent> Components { get; }

    int IMixtureResult.Components => Spec.Components;

    /// <inheritdoc/>
    public int Rows => Spec.X.Length;

    /// <inheritdoc/>
    public double LogLikelihood => Result.LogLikelihood;

    /// <inheritdoc/>
    public int ParameterCount => Result.FreeParameters;

    /// <inheritdoc/>
    public string? NotConverged => Result.Converged ? null : $"not converged: {Result.Reason}";

    /// <inheritdoc/>
    public double[] Responsibilities() => MixtureRows.Evaluate(Spec.Model, Spec.Columns, Point).Responsibilities;

    /// <inheritdoc/>
    public string? Spurious => SpuriousComponent.Find([.. Components.Select(c => c.Weight)], Rows,
        c => SpuriousComponent.ForParameters(Spec.Families[c].Parameters.Count), c => $"component {c + 1} ({Spec.Families[c].Name})");

    /// <summary>The fitted parameters, natural scale, model order.</summary>
    public double[] Point => [.. Result.Parameters.Select(p => p.Estimate)];

    /// <summary>
    /// The mixture density and each weighted component's density (wₖ fₖ) at <paramref name="grid"/>: for drawing. A
    /// discrete family's density is its probability mass at the grid's whole numbers (0 between them).
    /// </summary>
    public (double[] Total, double[][] Components) Densities(double[] grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        var (columns, _) = Spec.ColumnsOf(grid);
        var (log, r) = MixtureRows.Evaluate(Spec.Model, columns, Point);
        int k = Spec.Components;
        var total = log.Select(v => double.IsFinite(v) ? Math.Exp(v) : 0).ToArray();
        var parts = Enumerable.Range(0, k).Select(c => grid.Select((_, i) => double.IsFinite(r[(long)i * k + c]) ? r[(long)i * k + c] * total[i] : 0).ToArray()).ToArray();
        return (total, parts);
    }

    // The last weight is 1 − Σ the others: its variance is the sum of their covariance block.
    private static double? WeightError(FitResult fit, int k, int c)
    {
        if (c < k - 1)
            return fit.Parameters[c].StdError;
        if (fit.Covariance is not { } cov || k == 1)
            return null;
        double sum = 0;
        for (int a = 0; a < k - 1; a++)
        {
            for (int b = 0; b < k - 1; b++)
                sum += cov[a, b];
        }
        return sum >= 0 ? Math.Sqrt(sum) : null;
    }
}
