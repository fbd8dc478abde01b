using GpuEstimation.Engine;
using GpuEstimation.Kernels;
using GpuEstimation.Models;
using GpuEstimation.Optimization;
using MathNet.Numerics.LinearAlgebra;

namespace GpuEstimation.Estimation;

/// <summary>
/// Stage 2 for a nonlinear regression (an engine with <see cref="ILikelihoodEngine.LeastSquares"/>): the mean's free
/// parameters by Levenberg–Marquardt on the normal equations summed on the device (<see cref="LevenbergMarquardt"/>),
/// σ then in closed form, √(RSS/n), the MLE whatever θ is. The result is an ordinary search result in the objective's
/// coordinates, so the rest of the pipeline (observed information, profiles, held parameters, report) is the same as
/// for any model; it carries the least-squares statistics (<see cref="NonlinearStatistics"/>) for the report. A search
/// that does not converge is reported so, never handed to another search that might stop at a false optimum.
/// </summary>
internal static class LeastSquaresSearch
{
    /// <summary>
    /// Whether Levenberg–Marquardt serves <paramref name="objective"/>: a nonlinear regression whose free mean
    /// parameters are real-valued, no free parameter with a prior (a MAP fit with priors is the generic search's), the
    /// default or Levenberg–Marquardt asked for. Levenberg–Marquardt asked for a model that is not a nonlinear
    /// regression, or for a fit it cannot serve, is refused.
    /// </summary>
    public static bool Applies(Objective objective, IModelSpec model, OptimizerSettings settings)
    {
        if (settings.Kind == OptimizerKind.LevenbergMarquardt && objective.LeastSquares is null)
            throw new InputException($"optimizer lm: model '{model.Name}' is not a nonlinear least-squares regression (Levenberg–Marquardt serves those); use auto, lbfgs or gradient", nameof(settings));
        bool serves = settings.Kind is OptimizerKind.Auto or OptimizerKind.LevenbergMarquardt && objective.LeastSquares is { } ls
            && objective.Map.Free.All(k => !objective.HasPrior(k) && (k >= ls.MeanParameterCount || objective.Map.Parameters[k].Domain == ParameterDomain.Real));
        // Asked for where it cannot serve (a prior on a free parameter): refused, not quietly replaced by L-BFGS.
        if (settings.Kind == OptimizerKind.LevenbergMarquardt && !serves)
            throw new InputException($"optimizer lm: Levenberg–Marquardt minimizes the sum of squares alone; a MAP fit with a prior on a free parameter is the generic search's: use auto, lbfgs or gradient", nameof(settings));
        return serves;
    }

    /// <summary>The search's result, with the least-squares statistics in <see cref="OptimizationResult.LeastSquares"/>.</summary>
    /// <param name="objective">The objective.</param>
    /// <param name="observations">The rows.</param>
    /// <param name="responseSquares">Σ y² (<see cref="IModelSpec.ResponseSquares"/>), which tells an exact fit to rounding, or null.</param>
    /// <param name="settings">The optimizer's settings.</param>
    public static OptimizationResult Run(Objective objective, int observations, double? responseSquares, OptimizerSettings settings)
    {
        var ls = objective.LeastSquares!;
        var map = objective.Map;
        int pm = ls.MeanParameterCount;
        var natural = objective.Natural(objective.Start());
        var theta = natural[..pm];
        var free = map.Free.Where(k => k < pm).ToArray();
        int p = free.Length;
        var fullGradient = new double[pm];
        var fullGram = new double[pm * pm];
        double Pass(ReadOnlySpan<double> x, Span<double> g, Span<double> a)
        {
            for (int i = 0; i < p; i++)
                theta[free[i]] = x[i];
            objective.Cancellation.ThrowIfCancellationRequested();
            double rss = ls.Evaluate(theta, fullGradient, fullGram);
            FreeBlock(fullGradient, fullGram, free, g, a);
            return rss;
        }
        LeastSquaresResult fit;
        if (p > 0)
        {
            fit = LevenbergMarquardt.Minimize(Pass, free.Select(k => natural[k]).ToArray(), observations, settings.MaxIterations, responseSquares ?? double.NaN);
        }
        else
        {
            var g = Array.Empty<double>();
            double rss = Pass([], g, []);
            fit = new LeastSquaresResult([], rss, g, [], double.IsFinite(rss), "every mean parameter is held", 0, 1, 0);
        }
        for (int i = 0; i < p; i++)
            natural[free[i]] = fit.Point[i];
        double sigma = Math.Sqrt(fit.Rss / observations);
        int sigmaIndex = pm;
        if (!map.IsHeld(sigmaIndex))
            natural[sigmaIndex] = sigma > 0 ? sigma : double.Epsilon;

        var u = map.ToCoordinates(natural);
        var gu = new double[u.Length];
        double value = objective.Evaluate(u, gu);
        var inverse = p > 0 ? LevenbergMarquardt.Inverse(fit.Gram, p, fit.ExactFit ? LevenbergMarquardt.ExactFitSingularPivot : LevenbergMarquardt.SingularPivot) : [];
        // Residuals all zero leave σ no positive estimate (σ → 0, the likelihood unbounded), as the linear model's exact
        // fit is refused: a library trial's y = 2x came back "not converged" with σ = 5e-324 and a NaN log-likelihood.
        // (Residuals at rounding are a fit of their own: σ is theirs.) Not where the parameters are not identified there,
        // which the result says.
        if (fit.Converged && fit.Rss == 0 && inverse is not null && !map.IsHeld(sigmaIndex))
        {
            string name = map.Parameters[sigmaIndex].Name;
            string at = p == 0 ? "" : $", at {string.Join(", ", free.Select((k, i) => $"{map.Parameters[k].Name} = {fit.Point[i]:G10}"))}";
            throw new InputException($"the mean fits the response exactly (every residual is zero{at}), " +
                $"so {name} has no positive maximum-likelihood estimate ({name} → 0; hold {name} fixed, at any value, for the mean parameters of the exact fit)", name);
        }
        var transform = Transform(map, free, inverse, natural[sigmaIndex], observations);
        double norm = 0;
        for (int i = 0; i < u.Length; i++)
        {
            double w = 0;
            for (int r = 0; r < u.Length; r++)
                w += gu[r] * transform[r, i];
            norm = Math.Max(norm, Math.Abs(w));
        }
        bool converged = fit.Converged && double.IsFinite(value) && inverse is not null;
        string reason = fit.Converged && inverse is null ? "JᵀJ is singular at the end point: the parameters are not identified there" : fit.Reason;
        int n = observations;
        var statistics = converged ? Statistics(map, free, fit, inverse!, n) with { ExactFit = fit.ExactFit } : null;
        return new OptimizationResult(u, value, converged, reason, fit.Iterations, fit.Evaluations + 1, norm, 0.5 * fit.RelativeOffset * fit.RelativeOffset * p, transform)
        {
            Method = LevenbergMarquardt.Name,
            LeastSquares = statistics,
        };
    }

    /// <summary>
    /// The least-squares statistics at the natural estimates <paramref name="natural"/> of another search (L-BFGS,
    /// gradient ascent) of a nonlinear regression: one pass for RSS and JᵀJ; null where the objective is no least-squares
    /// one or JᵀJ is singular there. Without <paramref name="errors"/> (a fit that did not converge, a MAP fit) the RSS
    /// and the residual standard error alone, no standard errors.
    /// </summary>
    public static NonlinearStatistics? StatisticsAt(Objective objective, double[] natural, int observations, bool errors = true)
    {
        if (objective.LeastSquares is not { } ls)
            return null;
        var map = objective.Map;
        int pm = ls.MeanParameterCount;
        var free = map.Free.Where(k => k < pm).ToArray();
        int p = free.Length;
        var gradient = new double[pm];
        var gram = new double[pm * pm];
        double rss = ls.Evaluate(natural[..pm], gradient, gram);
        if (!double.IsFinite(rss))
            return null;
        if (!errors)
            return Statistics(map, free, rss, inverse: null, observations, relativeOffset: double.NaN);
        var freeGram = new double[p * p];
        FreeBlock(gradient, gram, free, new double[p], freeGram);
        return (p > 0 ? LevenbergMarquardt.Inverse(freeGram, p) : []) is { } inverse
            ? Statistics(map, free, rss, inverse, observations, relativeOffset: double.NaN)
            : null;
    }

    // The free mean parameters' gradient and JᵀJ (p and p × p) out of the full ones (pm and pm × pm).
    private static void FreeBlock(ReadOnlySpan<double> fullGradient, ReadOnlySpan<double> fullGram, int[] free, Span<double> g, Span<double> a)
    {
        int p = free.Length, pm = fullGradient.Length;
        for (int i = 0; i < p; i++)
        {
            g[i] = fullGradient[free[i]];
            for (int j = 0; j < p; j++)
                a[i * p + j] = fullGram[free[i] * pm + free[j]];
        }
    }

    private static NonlinearStatistics Statistics(ParameterMap map, int[] free, LeastSquaresResult fit, double[] inverse, int n) =>
        Statistics(map, free, fit.Rss, inverse, n, fit.RelativeOffset);

    // The statistics from the RSS, with NIST's standard errors where the inverse of JᵀJ over the free mean parameters is
    // given (none without it).
    private static NonlinearStatistics Statistics(ParameterMap map, int[] free, double rss, double[]? inverse, int n, double relativeOffset)
    {
        int p = free.Length;
        int df = n - p;
        double variance = df > 0 ? rss / df : double.NaN;
        var errors = new Dictionary<string, double>();
        var covariance = inverse is null ? null : new double[map.Parameters.Count, map.Parameters.Count];
        for (int i = 0; inverse is not null && i < p; i++)
        {
            errors[map.Parameters[free[i]].Name] = Math.Sqrt(variance * inverse[i * p + i]);
            for (int j = 0; j < p; j++)
                covariance![free[i], free[j]] = variance * inverse[i * p + j];
        }
        return new NonlinearStatistics(rss, df, Math.Sqrt(variance), errors, relativeOffset) { CovarianceNist = covariance };
    }

    /// <summary>
    /// T with Tᵀ I T = I for the Gauss–Newton information I of the free coordinates: σ M over the mean's (M Mᵀ =
    /// (JᵀJ)⁻¹), 1/√(2n) over log σ (the MLE's information there), so the observed information is differenced in
    /// units of about one standard error. The identity where JᵀJ is singular.
    /// </summary>
    private static Matrix<double> Transform(ParameterMap map, int[] free, double[]? inverse, double sigma, int n)
    {
        int count = map.Free.Count, p = free.Length;
        var transform = Matrix<double>.Build.DenseIdentity(count);
        if (inverse is null)
            return transform;
        var factor = p > 0 ? Factor(Matrix<double>.Build.Dense(p, p, (r, c) => inverse[r * p + c])) : null;
        var position = map.Free.Select((k, i) => (k, i)).ToDictionary(t => t.k, t => t.i);
        for (int r = 0; r < p; r++)
        {
            for (int c = 0; c <= r; c++)
                transform[position[free[r]], position[free[c]]] = sigma * factor![r, c];
        }
        foreach (int k in map.Free.Where(k => !free.Contains(k)))
            transform[position[k], position[k]] = 1 / Math.Sqrt(2.0 * n);
        return transform;
    }

    /// <summary>
    /// M with M Mᵀ = <paramref name="inverse"/> (lower triangular): D L, L the Cholesky factor of the matrix scaled to unit
    /// diagonal by D = √diag. Unscaled, a mean whose columns differ in scale by 10¹² (x³ with x up to 900: NIST's Hahn1
    /// from far starts) left (JᵀJ)⁻¹ not positive definite to rounding, and the fit ended in MathNet's exception, exit 1
    /// (a hunt). Where even the scaled matrix does not factor, D alone: units along each axis.
    /// </summary>
    private static Matrix<double> Factor(Matrix<double> inverse)
    {
        int p = inverse.RowCount;
        var d = Vector<double>.Build.Dense(p, i => Math.Sqrt(Math.Max(inverse[i, i], 0)));
        if (d.Any(v => !(v > 0) || !double.IsFinite(v)))
            return Matrix<double>.Build.DenseIdentity(p);
        var scaled = Matrix<double>.Build.Dense(p, p, (r, c) => inverse[r, c] / (d[r] * d[c]));
        try
        {
            var lower = scaled.Cholesky().Factor;
            var factor = Matrix<double>.Build.Dense(p, p, (r, c) => d[r] * lower[r, c]);
            if (factor.Enumerate().All(double.IsFinite))
                return factor;
        }
        catch (ArgumentException)
        {
        }
        return Matrix<double>.Build.DiagonalOfDiagonalVector(d);
    }
}
