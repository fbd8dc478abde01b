using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels.Models;
using MathNet.Numerics;

namespace GpuEstimation.Models;

/// <summary>
/// A linear model's goodness of fit as R's <c>summary.lm</c> and statsmodels' <c>OLSResults</c> report it: R², the
/// adjusted R², the overall F statistic and its p-value, with the degrees of freedom. With the intercept estimated the
/// total sum of squares is about the mean (Σ (y − ȳ)²); with it held (at 0, say), about zero (Σ y²), as R's
/// <c>summary.lm</c> does for a model without an intercept. Held coefficients are an offset, as R's <c>offset()</c>:
/// the sums are of y less the held terms. These use the residual sum of squares at the estimate and
/// no variance estimate, so they do not depend on σ's convention (the MLE √(RSS/n) here).
/// </summary>
/// <param name="ResidualSumOfSquares">Σ (y − ŷ)² at the estimate.</param>
/// <param name="TotalSumOfSquares">Σ (z − z̄)², or Σ z² where the intercept is held, z = y less the held terms.</param>
/// <param name="RSquared">1 − RSS/TSS (statsmodels' <c>rsquared</c>, R's <c>r.squared</c>).</param>
/// <param name="AdjustedRSquared">1 − (1 − R²)(n − i)/<paramref name="DfResid"/>, i = 1 with an estimated intercept, else 0 (<c>rsquared_adj</c>, <c>adj.r.squared</c>).</param>
/// <param name="FStatistic">((TSS − RSS)/<paramref name="DfModel"/>) / (RSS/<paramref name="DfResid"/>) (<c>fvalue</c>, R's <c>fstatistic</c>); NaN without a coefficient to test.</param>
/// <param name="FPValue">P(F ≥ <paramref name="FStatistic"/>) on (<paramref name="DfModel"/>, <paramref name="DfResid"/>) degrees of freedom (<c>f_pvalue</c>).</param>
/// <param name="DfModel">Estimated coefficients besides an estimated intercept.</param>
/// <param name="DfResid">n − estimated coefficients (σ not counted).</param>
public sealed record LinearStatistics(
    double ResidualSumOfSquares,
    double TotalSumOfSquares,
    double RSquared,
    double AdjustedRSquared,
    double FStatistic,
    double FPValue,
    double DfModel,
    double DfResid)
{
    /// <summary>The statistics of <paramref name="fit"/> where <paramref name="model"/> is the linear model; null for any other.</summary>
    public static LinearStatistics? Of(IModelSpec model, FitResult fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        if (model is not ModelSpec<LinearModel> linear)
            return null;
        // Columns: y and each feature centred at its mean; the arguments: the centred intercept, then the slopes
        // (LinearModel.Prepare, as the engine evaluates it).
        var x = linear.Columns.Skip(1).ToArray();
        int features = linear.Model.Features;
        var arguments = new double[LinearModel.ArgumentCount(linear.Model)];
        LinearModel.Prepare(linear.Model, fit.Parameters.Select(p => p.Estimate).ToArray(), arguments);
        int n = linear.Columns[0].Length;
        bool intercept = !fit.Parameters[0].Fixed;
        // Held coefficients are an offset (R's lm(y ~ x1 + offset(5 * x2)), statsmodels' offset): the null model is the
        // offset alone, plus the intercept where it is estimated, and the sums of squares are of z = y − offset. A held
        // intercept is part of the offset (held at 0: R's model without an intercept, the total about zero).
        var held = Enumerable.Range(0, features).Where(j => fit.Parameters[1 + j].Fixed).ToArray();
        // In the centred response's units: with the intercept held the total is about zero, of z = (y − ȳ) − (offset − ȳ);
        // with it estimated, about z's mean, which ȳ does not move (so z stays small: summing y near 10¹² in order put R²'s
        // total 1.1e-3 off, a review found).
        double heldConstant = (intercept ? 0 : fit.Parameters[0].Estimate - linear.Model.ResponseMean) + held.Sum(j => fit.Parameters[1 + j].Estimate * linear.Model.Mean(j));
        // The fitted values and z = y − offset in blocks of rows, a column at a time (each row's terms in the model's
        // order, as row by row): the residuals and z's mean, then z's squares about it, for which the offset alone is
        // summed again. No array the data's length. Runs of rows are summed on their own and then in order
        // (RowSpread.Runs: over rows spread across ranks, each rank's own).
        const int Block = 4096;
        double centredIntercept = arguments[LinearModel.InterceptArgument];
        var slopes = arguments[(LinearModel.InterceptArgument + 1)..(LinearModel.InterceptArgument + 1 + features)];
        ReadOnlyMemory<double>[] heldColumns = [.. held.Select(j => x[j])];
        double[] heldValues = [.. held.Select(j => fit.Parameters[1 + j].Estimate)];
        var response = linear.Columns[0];
        // Each block of a run: its offsets, and the response's rows.
        void Blocks(long from, long to, Action<int, int, double[], ReadOnlySpan<double>> block)
        {
            var offset = new double[Block];
            for (int begin = (int)from; begin < to; begin += Block)
            {
                int count = (int)Math.Min(Block, to - begin);
                Array.Fill(offset, heldConstant, 0, count);
                ColumnArrays.AddTerms(offset.AsSpan(0, count), begin, heldColumns, heldValues);
                block(begin, count, offset, response.Span.Slice(begin, count));
            }
        }
        // The sums of squares scaled (ScaledSquares): residuals of 10⁻¹⁶² have squares below the doubles' range and those of
        // 10¹⁵⁵ above it, which made R² 0.91 for 0.83, and the residual standard error 0 or ∞ (a trial).
        var first = RowSpread.Runs(linear.Spread, n, 3, (from, to, values) =>
        {
            var fitted = new double[Block];
            var squares = new ScaledSquares();
            double sum = 0;
            Blocks(from, to, (begin, count, offset, rows) =>
            {
                Array.Fill(fitted, centredIntercept, 0, count);
                ColumnArrays.AddTerms(fitted.AsSpan(0, count), begin, x, slopes);
                for (int i = 0; i < count; i++)
                {
                    squares.Add(rows[i] - fitted[i]);
                    sum += rows[i] - offset[i];
                }
            });
            (values[0], values[1]) = squares.Parts;
            values[2] = sum;
        });
        var (residuals, mean) = ScaledSquares.Total(first, 3);
        mean /= n;
        var second = RowSpread.Runs(linear.Spread, n, 2, (from, to, values) =>
        {
            var squares = new ScaledSquares();
            Blocks(from, to, (_, count, offset, rows) =>
            {
                for (int i = 0; i < count; i++)
                {
                    double z = rows[i] - offset[i];
                    squares.Add(intercept ? z - mean : z);
                }
            });
            (values[0], values[1]) = squares.Parts;
        });
        var (total, _) = ScaledSquares.Total(second, 2);
        double rss = residuals.Sum, sumSquares = total.Sum;
        // RSS/TSS and √(RSS/(n − p)) from the scaled sums, at any scale a double holds.
        double unexplained = residuals.Ratio(total);
        int estimated = ModelCatalog.EstimatedRank(model, fit, 1 + features);
        double dfModel = estimated - (intercept ? 1 : 0);
        double dfResid = n - estimated;
        double r2 = 1 - unexplained;
        double adjusted = 1 - (1 - r2) * (n - (intercept ? 1 : 0)) / dfResid;
        // No F test of a MAP fit: its residuals are a penalized estimate's, not least squares' (a trial saw one printed).
        double f = dfModel > 0 && fit.Method != "map" ? (1 / unexplained - 1) * dfResid / dfModel : double.NaN;
        // The upper tail directly, I_x(d₂/2, d₁/2) with x = d₂/(d₂ + d₁F), not 1 − CDF (which loses a small p-value).
        double p = double.IsFinite(f) && f >= 0
            ? SpecialFunctions.BetaRegularized(dfResid / 2, dfModel / 2, dfResid / (dfResid + dfModel * f))
            : double.NaN;
        double residualError = residuals.RootMean((long)dfResid);
        double scale = OrdinaryScale(fit, residualError, dfResid);
        return new LinearStatistics(rss, sumSquares, r2, adjusted, f, p, dfModel, dfResid)
        {
            ResidualStdError = dfResid > 0 ? residualError : double.NaN,
            StdErrorNist = OrdinaryStdErrors(fit, scale),
            CovarianceNist = OrdinaryCovariance(fit, scale),
        };
    }

    /// <summary>
    /// s/σ̂, s² = RSS/(n − p), σ̂ the fit's σ (estimated, √(RSS/n), or held): the MLE's σ̂² (XᵀX)⁻¹ times its square is
    /// ordinary least squares' s² (XᵀX)⁻¹. NaN where that does not hold: a robust covariance (it does not involve σ), a
    /// MAP fit (its posterior is not least squares'), no residual degrees of freedom.
    /// </summary>
    private static double OrdinaryScale(FitResult fit, double residualError, double dfResid)
    {
        var sigma = fit.Parameters[^1];
        if (fit.Method != "mle" || fit.CovType != CovarianceType.NonRobust.Name || dfResid <= 0 || !(sigma.Estimate > 0))
            return double.NaN;
        return residualError / sigma.Estimate;
    }

    // s² (XᵀX)⁻¹ in the fit's parameter order, σ's row and column 0 (R's vcov of an lm fit); null without a scale.
    private static double[,]? OrdinaryCovariance(FitResult fit, double scale)
    {
        if (double.IsNaN(scale) || fit.Covariance is not { } covariance)
            return null;
        int count = fit.Parameters.Count;
        var ordinary = new double[count, count];
        for (int i = 0; i < count - 1; i++)
        {
            for (int j = 0; j < count - 1; j++)
                ordinary[i, j] = covariance[i, j] * scale * scale;
        }
        return ordinary;
    }

    /// <summary>
    /// √(s² (XᵀX)⁻¹ₖₖ) with s² = RSS/(n − p), per estimated coefficient (by name): NIST's certified standard deviations,
    /// R's <c>summary.lm</c> and statsmodels' <c>OLS</c> standard errors. From the MLE's, σ̂² (XᵀX)⁻¹ at σ̂ (estimated,
    /// √(RSS/n), or held), rescaled by s/σ̂. Only for the model-based covariance of a maximum-likelihood fit (a robust
    /// one does not involve σ; a MAP fit's posterior is not least squares'): empty otherwise.
    /// </summary>
    private static Dictionary<string, double> OrdinaryStdErrors(FitResult fit, double scale)
    {
        var errors = new Dictionary<string, double>(StringComparer.Ordinal);
        if (double.IsNaN(scale))
            return errors;
        foreach (var parameter in fit.Parameters.Take(fit.Parameters.Count - 1))
        {
            if (!parameter.Fixed && parameter.StdError is { } se)
                errors[parameter.Name] = se * scale;
        }
        return errors;
    }

    /// <summary>
    /// √(RSS/<see cref="DfResid"/>): R's residual standard error (<c>sigma()</c>), statsmodels' √<c>scale</c>; from the
    /// scaled sum of squares, so right where RSS itself is beyond the doubles' range. NaN without residual degrees of freedom.
    /// </summary>
    public double ResidualStdError { get; init; }

    /// <summary>
    /// Per estimated coefficient (by name), the standard error of ordinary least squares: √(s² (XᵀX)⁻¹ₖₖ), s² =
    /// RSS/(n − p), as NIST certifies and R's <c>lm</c> and statsmodels' <c>OLS</c> report (the fit's own are the MLE's,
    /// from σ̂² = RSS/n). Empty for a robust covariance or a MAP fit.
    /// </summary>
    public IReadOnlyDictionary<string, double> StdErrorNist { get; init; } = new Dictionary<string, double>();

    /// <summary>s² (XᵀX)⁻¹ over the fit's parameters in order (σ's row and column 0; R's <c>vcov</c> of an <c>lm</c> fit), or null as <see cref="StdErrorNist"/> is empty.</summary>
    public double[,]? CovarianceNist { get; init; }
}
