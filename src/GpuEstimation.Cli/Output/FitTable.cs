using System.Globalization;
using GpuEstimation.Estimation;

namespace GpuEstimation.Cli.Output;

/// <summary>A fit as a table like statsmodels': estimate, standard error, z, p-value, Wald interval, profile interval.</summary>
internal static class FitTable
{
    /// <summary>
    /// The whole summary: header, one row per parameter, likelihood and information criteria, diagnostics. For a
    /// nonlinear or linear regression also the residual standard error; with <paramref name="nist"/> the mean parameters'
    /// (coefficients') standard errors (with t, p and the interval on n − p degrees of freedom, as R's summary.nls and
    /// summary.lm) are NIST's, R's and statsmodels OLS's, from RSS/(n − p) and JᵀJ (XᵀX), instead of the MLE's.
    /// </summary>
    public static void Write(TextWriter output, FitResult fit, bool nist = false)
    {
        output.WriteLine($"model {fit.Model} ({fit.Method.ToUpperInvariant()}), {fit.N:N0} observations, device {fit.Device}");
        WriteGlm(output, fit);
        // A tail that ten decimals do not hold in powers of ten (a level of 0.9999999999 printed [0.0000000001 1], a trial).
        double tail = (1 - fit.Level) / 2;
        string lo = Numbers.Fixed(tail, "0.##########"), hi = Numbers.Fixed((1 + fit.Level) / 2, "0.##########");
        if (!(Math.Abs(double.Parse(lo, System.Globalization.CultureInfo.InvariantCulture) - tail) <= 1e-6 * tail))
            (lo, hi) = (tail.ToString("G3", System.Globalization.CultureInfo.InvariantCulture), $"1-{tail.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)}");
        bool profiles = fit.Parameters.Any(p => p.Profile is not null);
        // NIST's errors go with t on n − p degrees of freedom, as R's summary.nls gives them.
        int? df = nist && fit.NistDegreesOfFreedom is > 0 and var degrees ? degrees : null;
        // The names' column as wide as the longest name (x1:urban[1]:grp[B] pushed its row out of line, a trial).
        int width = Math.Max(14, fit.Parameters.Max(p => p.Name.Length));
        output.WriteLine($"{"parameter".PadRight(width)} {"estimate",16} {"std err",12} {(df is null ? "z" : "t"),9} {(df is null ? "P>|z|" : "P>|t|"),8} {"[" + lo,13} {hi + "]",13}" +
            (profiles ? $" {"profile [" + lo,17} {hi + "]",13}" : ""));
        foreach (var p in fit.Parameters)
        {
            var least = nist ? fit.Nist(p.Name) : null;
            output.WriteLine(Row(nist ? Nist(p, least) : p, profiles, width, least?.PValue));
        }
        if (fit.Nonlinear is { } nl)
            output.WriteLine($"residual standard error {Numbers.Significant(nl.ResidualStdError, 10)} on {nl.DegreesOfFreedom} degrees of freedom (sqrt(RSS/(n - p)), NIST and R nls); " +
                $"RSS {Numbers.Significant(nl.ResidualSumOfSquares, 10)}" + (!fit.Converged ? " where the search stopped"
                    : fit.Method == "map" ? "; standard errors: the posterior standard deviations (Laplace approximation)"
                    : $"; standard errors: {(nist ? "NIST's (RSS/(n - p), from J'J)" : "the MLE's (--se nist for NIST's)")}"));
        if (fit.Linear is { } linear)
            output.WriteLine($"residual standard error {Numbers.Significant(linear.ResidualStdError, 10)} on {(long)linear.DfResid} degrees of freedom (sqrt(RSS/(n - p)), R lm)" +
                (fit.StdErrorNist is not { Count: > 0 } ? ""
                    : $"; standard errors: {(nist ? "ordinary least squares' (RSS/(n - p)), as R lm, statsmodels OLS and NIST" : "the MLE's (sigma^2 = RSS/n; --se nist for R lm's and statsmodels OLS's)")}"));
        output.WriteLine($"log-likelihood {Numbers.Full(fit.LogLikelihood)}" + (fit.LogPosterior is { } lp ? $", log-posterior {Numbers.Full(lp)}" : "") +
            $"; k = {fit.FreeParameters} estimated{(fit.Diagnostics.AtPriorKink.Count > 0 ? $" (the {fit.Diagnostics.AtPriorKink.Count} at the prior's kink not counted)" : "")}, n = {Observations(fit)}; AIC {Numbers.Significant(fit.Aic, 10)}, BIC {Numbers.Significant(fit.Bic, 10)}");
        if (fit.Linear is { } l)
            output.WriteLine($"R-squared {Numbers.Significant(l.RSquared, 10)}, adjusted {Numbers.Significant(l.AdjustedRSquared, 10)}" +
                (double.IsFinite(l.FStatistic) ? $"; F {Numbers.Significant(l.FStatistic, 10)} on {(long)l.DfModel} and {(long)l.DfResid} DF, p {Numbers.Significant(l.FPValue, 4)}" : "") +
                (fit.Method == "map" ? " (of the MAP estimate's residuals; no F test: the estimate is penalized)"
                    : $" (R summary.lm; {(fit.Parameters[0].Fixed ? "about zero: the intercept is held" : "about the mean")}" +
                        // The F test is the model-based one under any covariance (statsmodels' robust fvalue is a Wald F).
                        (fit.CovType == CovarianceType.NonRobust.Name ? ")" : $"; the F test model-based, not {fit.CovType})")));
        WriteConvergence(output, fit);
        // Without a Hessian there are no standard-error units to measure the gradient in: say so rather than print NaN.
        output.WriteLine(double.IsNaN(fit.Diagnostics.GradientNorm) && double.IsNaN(fit.Diagnostics.Edm)
            ? $"Hessian at the optimum: {fit.Diagnostics.Hessian}; so no gradient or EDM in standard-error units"
            : $"Hessian at the optimum: {fit.Diagnostics.Hessian}; gradient {Exponent(fit.Diagnostics.GradientNorm)} (standard-error units), EDM {Exponent(fit.Diagnostics.Edm)}");
        output.WriteLine($"covariance type: {fit.CovType}");
        foreach (var note in fit.Diagnostics.Notes)
            output.WriteLine($"note: {(nist ? NistNote(fit, note) : note)}");
    }

    // With NIST's standard errors in the table (from J'J, whatever the log-likelihood's Hessian), a note that the MLE's
    // are missing says which are missing: "no standard errors" under a table of them contradicted it (an exact nonlinear
    // fit, whose log-likelihood at σ → 0 has no negative definite Hessian).
    private static string NistNote(FitResult fit, string note)
    {
        const string none = "no standard errors: ";
        if (!note.StartsWith(none, StringComparison.Ordinal) || !fit.Parameters.Any(p => fit.Nist(p.Name) is not null))
            return note;
        return $"no maximum-likelihood standard errors ({note[none.Length..]}); the table's are NIST's, from J'J";
    }

    /// <summary>
    /// A generalized linear model's statistics, in two columns as statsmodels' <c>GLM.summary()</c> header: family, link,
    /// deviance, null deviance, Pearson χ², McFadden's pseudo-R² beside observations, degrees of freedom, scale and
    /// the log-likelihood. Nothing for other models.
    /// </summary>
    public static void WriteGlm(TextWriter output, FitResult fit)
    {
        if (fit.Glm is not { } g)
            return;
        // A statistic that does not exist (the null model of an all-zero response separates too) prints "-", as
        // the JSON's null, not NaN.
        static string Stat(double value, int digits) => double.IsFinite(value) ? Numbers.Significant(value, digits) : "-";
        (string, string)[] left =
        [
            ("Model Family:", g.Family), ("Link Function:", g.Link), ("Deviance:", Stat(g.Deviance, 10)),
            ("Null Deviance:", Stat(g.NullDeviance, 10)), ("Pearson chi2:", Stat(g.PearsonChi2, 10)),
            ("Pseudo R-squ. (McF.):", Stat(g.PseudoR2, 6)),
        ];
        (string, string)[] right =
        [
            ("No. Observations:", fit.N.ToString(CultureInfo.InvariantCulture)), ("Df Residuals:", Numbers.Significant(g.DfResid, 12)),
            ("Df Model:", Numbers.Significant(g.DfModel, 12)), ("Scale:", Stat(g.Dispersion, 6)),
            ("Log-Likelihood:", Stat(fit.LogLikelihood, 10)), ("LL-Null:", Stat(g.LogLikelihoodNull, 10)),
        ];
        // A fit that did not converge has these at the point where it stopped (a trial read a pseudo-R² of 0.96 there
        // as a result): said above them.
        if (!fit.Converged)
            output.WriteLine("(not converged: the statistics below are those of the point where the search stopped)");
        for (int i = 0; i < left.Length; i++)
            output.WriteLine($"{left[i].Item1,-22}{left[i].Item2,16}    {right[i].Item1,-18}{right[i].Item2,16}");
    }

    // BIC's n: the rows, or with frequency weights Σw, which the line says is over the rows.
    private static string Observations(FitResult fit) => fit.Glm?.SumWeights is { } sum
        ? $"{Numbers.Significant(sum, 15)} (frequency weights over {fit.N} rows)"
        : fit.N.ToString(CultureInfo.InvariantCulture);

    /// <summary>Whether the search converged, why it stopped, and what it cost.</summary>
    public static void WriteConvergence(TextWriter output, FitResult fit) =>
        output.WriteLine(
            $"{(fit.Converged ? "converged" : "NOT CONVERGED")} ({fit.Reason}); {fit.Optimizer}, {fit.Iterations} iterations, " +
            $"{fit.Evaluations} evaluations, {fit.ElapsedMs.ToString("0.0", CultureInfo.InvariantCulture)} ms");

    // Interval ends get the decimals the standard error needs, so ends of a large estimate do not print as 1E+09.
    // tPValue: a least-squares row's p-value of t (FitResult.Nist), in place of z's.
    private static string Row(ParameterEstimate p, bool profiles, int width, double? tPValue = null)
    {
        var line = $"{p.Name.PadRight(width)} {Numbers.Significant(p.Estimate, 10, p.StdError, 3),16} ";
        double? pValue = tPValue ?? p.PValue;
        if (p.Fixed)
            line += $"{"(fixed)",12}";
        else
            line += $"{Numbers.Significant(p.StdError, 5, "-"),12} {Statistic(p.Z),9} {Numbers.Fixed(pValue, "0.000"),8} " +
                $"{End(p.Wald?.Lower, p, "-"),13} {End(p.Wald?.Upper, p, "-"),13}";
        if (profiles && p.Profile is { } profile)
            line += $" {End(profile.Lower, p, "open"),17} {End(profile.Upper, p, "open"),13}";
        return line.TrimEnd();
    }

    // A mean parameter (coefficient) with NIST's standard error and the interval from it (FitResult.Nist: t on the
    // residual degrees of freedom, R's summary.nls and summary.lm); sigma has none (NIST reports s instead).
    private static ParameterEstimate Nist(ParameterEstimate p, NistInference? nist) =>
        p.Fixed ? p
            : nist is not null ? p with { StdError = nist.StdError, Wald = nist.Interval }
            : p with { StdError = null, Wald = null };

    // z (or t) in its column of 9: two decimals, or as 5.68E+16 from 10⁶ on (an exact fit's 56808594964540500.00
    // pushed the row out of line, a trial found).
    private static string Statistic(double? z) =>
        z is { } v && Math.Abs(v) >= 1e6 ? Numbers.Fixed(v, "0.00E+00") : Numbers.Fixed(z, "0.00");

    private static string End(double? value, ParameterEstimate p, string missing) =>
        value is { } v ? Numbers.Significant(v, 6, p.StdError, 3) : missing;

    private static string Exponent(double value) => Numbers.Fixed(value, "0.00E+00");
}
