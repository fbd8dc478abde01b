using GpuEstimation.Backends;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Models;

namespace GpuEstimation.Models;

/// <summary>
/// A generalized linear model's fit statistics, as statsmodels' <c>GLMResults</c> names them: the deviance, the null
/// deviance, Pearson's χ², the dispersion (statsmodels' <c>scale</c>), McFadden's pseudo-R² and the degrees of
/// freedom. Frequency weights count as rows (statsmodels' <c>freq_weights</c>): n = Σ w.
/// </summary>
/// <param name="Family">The family's name.</param>
/// <param name="Link">The link's name.</param>
/// <param name="Deviance">
/// 2 Σ w [log f(y; y) − log f(y; μ̂)] with the family's unit deviance, which no scale enters: binomial
/// 2[y log(y/μ) + (n − y) log((n − y)/(n − μ))], Poisson 2[y log(y/μ) − (y − μ)], NB2 at the fitted α
/// 2[y log(y/μ) − (y + 1/α) log((1 + αy)/(1 + αμ))], gamma 2[(y − μ)/μ − log(y/μ)], normal (y − μ)².
/// </param>
/// <param name="NullDeviance">The deviance of the constant-only model with the same offset, weights and trials (and NB2's α), fitted.</param>
/// <param name="PearsonChi2">Σ w (y − μ̂)²/V(μ̂), V the family's variance function (NB2: μ + αμ²; binomial nπ(1 − π)).</param>
/// <param name="Dispersion">statsmodels' scale: 1 for binomial, Poisson and NB2; Pearson χ² / <paramref name="DfResid"/> for gamma and normal (NaN where <paramref name="DfResid"/> ≤ 0).</param>
/// <param name="LogLikelihoodNull">The constant-only model's maximum log-likelihood, its own α, shape or σ estimated again (statsmodels' discrete models' <c>llnull</c>), or held where the fit held it.</param>
/// <param name="PseudoR2">McFadden's 1 − log L / log L₀ (statsmodels' <c>prsquared</c>, <c>pseudo_rsquared(kind="mcf")</c>).</param>
/// <param name="DfModel">Estimated coefficients besides the intercept.</param>
/// <param name="DfResid">n − estimated coefficients, n = Σ w (the family's own parameter not counted, as statsmodels).</param>
public sealed record GlmStatistics(
    string Family,
    string Link,
    double Deviance,
    double NullDeviance,
    double PearsonChi2,
    double Dispersion,
    double LogLikelihoodNull,
    double PseudoR2,
    double DfModel,
    double DfResid)
{
    /// <summary>
    /// Σ w, the observations that frequency weights make of the rows (statsmodels' <c>wnobs</c>; the n of BIC and of
    /// <see cref="DfResid"/>); null for a fit without weights, whose n is its rows.
    /// </summary>
    public double? SumWeights { get; init; }

    /// <summary>The rows of a Poisson GLM whose response is not an integer (a quasi-likelihood fit, <see cref="QuasiNote"/>); 0 otherwise.</summary>
    public int NonIntegerResponses { get; init; }

    /// <summary>The rows whose frequency weight is not a whole number (<see cref="WeightsNote"/>); 0 without weights.</summary>
    public int NonIntegerWeights { get; init; }

    /// <summary>
    /// Where frequency weights are not whole numbers, how they were taken, in one sentence (a hunt: 531.157
    /// observations over 400 rows, without a word); null otherwise.
    /// </summary>
    public string? WeightsNote() => NonIntegerWeights == 0 ? null :
        $"{NonIntegerWeights:N0} frequency weight{(NonIntegerWeights == 1 ? " is" : "s are")} not whole: each row counts as that many observations " +
        $"(n = Σw = {SumWeights:G10}), as statsmodels' freq_weights; weights that are precisions (statsmodels' var_weights, R glm's prior weights) " +
        "would give other standard errors, n, AIC and BIC";

    /// <summary>
    /// Where a Poisson GLM's response has non-integer values, what the fit is, in one sentence: the Poisson
    /// quasi-likelihood (pseudo-Poisson, PPML), consistent for a log-linear mean whatever the response's distribution,
    /// with model-based standard errors that assume the Poisson variance; null otherwise.
    /// </summary>
    /// <param name="robust">Whether the fit's standard errors are a robust (sandwich) covariance's.</param>
    public string? QuasiNote(bool robust = false) => NonIntegerResponses == 0 ? null :
        $"the response has {NonIntegerResponses:N0} non-integer value{(NonIntegerResponses == 1 ? "" : "s")}: fitted by the Poisson quasi-likelihood (pseudo-Poisson, PPML), " +
        "as statsmodels' GLM and R's glm (with a warning) fit it; the coefficients estimate a log-linear mean whatever the response's distribution, but the " +
        (robust ? "log-likelihood, AIC and BIC assume Poisson counts (the standard errors shown are robust ones, which do not)"
            : "model-based standard errors, the log-likelihood, AIC and BIC assume Poisson counts: robust (sandwich) standard errors do not");

    /// <summary>
    /// How the model-based standard errors of a fit with these statistics differ from the defaults of statsmodels'
    /// <c>GLM</c> and R's <c>summary.glm</c>, in one sentence; null where they agree (a canonical link and no scale
    /// to estimate: binomial logit, Poisson log). Here every standard error comes from the observed information at
    /// the joint maximum-likelihood estimate; those use the Pearson dispersion for gamma and normal and the expected
    /// information under a non-canonical link.
    /// </summary>
    public string? StdErrorNote() => StdErrorNote(null);

    /// <summary>As <see cref="StdErrorNote()"/>, for a fit that held the scale parameter (gamma's shape, normal's sigma) at <paramref name="heldScale"/> where not null.</summary>
    public string? StdErrorNote(double? heldScale)
    {
        var family = GlmNames.Family(Family);
        var link = GlmNames.Link(Link);
        bool scale = family is GlmFamily.Gamma or GlmFamily.Normal;
        bool canonical = family != GlmFamily.NegativeBinomial && link == GlmNames.DefaultLink(family);
        if (!scale && canonical)
            return null;
        var expected = canonical ? "" : $" and, under the {Link} link, the expected information";
        if (scale)
            return $"standard errors from the observed information with {GlmNames.ExtraParameter(family)} {(heldScale is { } held ? $"held at {held:g6}" : "at its maximum-likelihood estimate")}; " +
                (double.IsFinite(Dispersion)
                    ? $"statsmodels' GLM and R's summary.glm use the Pearson dispersion ({Dispersion:g6}, Scale){expected} instead"
                    : DfResid > 0
                        ? $"statsmodels' GLM and R's summary.glm would use the Pearson dispersion (beyond the doubles' range here: rescale the response to see it){expected}"
                        : $"statsmodels' GLM and R's summary.glm would use the Pearson dispersion (undefined here: {(SumWeights is { } sum ? $"the weights sum to {sum:g6}" : "the rows are")}, no more than the estimated coefficients, {DfResid:g3} residual degrees of freedom){expected}");
        // statsmodels' NegativeBinomial has the log link only (MASS's glm.nb takes identity and sqrt too).
        var agrees = family == GlmFamily.NegativeBinomial && link == GlmLink.Log ? " (statsmodels' NegativeBinomial agrees with these)"
            : link == GlmLink.Probit ? " (statsmodels' Probit agrees with these)" : "";
        return $"standard errors from the observed information; statsmodels' GLM and R's glm use the expected information under the {Link} link{agrees}";
    }

    /// <summary>Whether some residual's square is below the doubles' range (a normal response of 10⁻¹⁶²), so that a deviance of 0 is no exact fit.</summary>
    public bool DevianceUnderflows { get; init; }

    /// <summary>
    /// Where the mean fits every response exactly (a deviance of 0, or below 10⁻²⁰ of the null deviance, or for gamma a
    /// dispersion below 10⁻²⁰: rounding) in a
    /// family with a scale (gamma, normal), why the fit cannot end at a maximum, in one sentence: the likelihood rises
    /// without bound as the shape runs to ∞ (σ to 0); null otherwise, and where the fit <paramref name="converged"/> with
    /// the scale free on a deviance above 0 (a maximum found, beyond where R's <c>glm</c> reports a dispersion of about 0).
    /// </summary>
    public string? ExactFitNote(bool scaleHeld = false, bool converged = false)
    {
        var family = GlmNames.Family(Family);
        // Gamma's squared relative residuals need no scale: all y equal (a null deviance of 0) is caught too.
        // Both finite: a deviance past the doubles' range (residuals of 10¹⁵⁵) is no exact fit (a trial was told it was).
        bool exact = (Deviance == 0 && !DevianceUnderflows) || (double.IsFinite(NullDeviance) && Deviance <= 1e-20 * NullDeviance) || (family == GlmFamily.Gamma && DfResid > 0 && Dispersion <= 1e-20);
        // Nearly exact with the scale free and the fit converged: its maximum was found, finite.
        if (family is not (GlmFamily.Gamma or GlmFamily.Normal) || !exact || (converged && !scaleHeld && Deviance > 0))
            return null;
        var edge = family == GlmFamily.Gamma ? "shape → ∞" : "sigma → 0";
        // A deviance above 0 is a fit to within rounding's reach, not an exact one: its maximum may be finite, beyond what
        // doubles resolve (a trial: responses off the log-linear mean by 10⁻¹¹, shape ≈ 10²², were told it had none).
        string fits = Deviance == 0 ? $"exactly (deviance {Deviance:g3})" : $"to within rounding's reach (deviance {Deviance:g3}{(NullDeviance > 0 ? $", {Deviance / NullDeviance:g2} of the null deviance" : "")})";
        string none = Deviance == 0 ? $"no finite maximum ({edge})" : $"no finite maximum ({edge}) that doubles resolve, if any";
        return scaleHeld
            ? $"the mean fits every response {fits}: with {GlmNames.ExtraParameter(family)} held, the coefficients are the exact fit's (free, it has {none}); R's glm reports a dispersion of about 0 here"
            : $"the mean fits every response {fits}: the likelihood has {none}; R's glm reports a dispersion of about 0 here";
    }

    /// <summary>
    /// The statistics of <paramref name="fit"/>, a fit of <paramref name="model"/>; null where the model is not a
    /// generalized linear model. The residual sums are one host pass over the rows at the fitted linear predictor;
    /// the constant-only model is fitted on <paramref name="device"/> as the model was (twice for NB2: with its α
    /// estimated for the log-likelihood, held at the fit's for the deviance).
    /// </summary>
    public static GlmStatistics? Of(IModelSpec model, FitResult fit, ComputeDevice device)
    {
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(device);
        if (model is not ModelSpec<GlmModel> glm)
            return null;
        var m = glm.Model;
        var estimates = fit.Parameters.Select(p => p.Estimate).ToArray();
        double alpha = m.Family == GlmFamily.NegativeBinomial ? estimates[m.Coefficients] : 0.0;

        // η = c + Σ bⱼ x̃ⱼ + offset over the centred columns the device reads (c the centred intercept).
        var arguments = new double[GlmModel.ArgumentCount(m)];
        GlmModel.Prepare(m, estimates, arguments);
        int rows = glm.Rows;
        var eta = new double[rows];
        Array.Fill(eta, arguments[GlmModel.InterceptArgument]);
        for (int j = 0; j < m.Features; j++)
        {
            var column = glm.Columns[m.FirstFeature + j].Span;
            double b = arguments[GlmModel.InterceptArgument + 1 + j];
            for (int i = 0; i < rows; i++)
                eta[i] += b * column[i];
        }
        AddOffset(m, glm.Columns, eta);
        var (deviance, pearson, underflow) = Sums(m, glm.Columns, eta, alpha);

        var coefficients = fit.Parameters.Take(m.Coefficients).ToArray();
        int free = ModelCatalog.EstimatedRank(model, fit, m.Coefficients);
        bool intercept = m.Intercept == 1 && !coefficients[0].Fixed;
        // A held α, shape or σ stays held in the null model too (statsmodels' GLM with the family's parameter given).
        double? heldExtra = GlmModel.HasExtraParameter(m.Family) && fit.Parameters[m.Coefficients].Fixed ? estimates[m.Coefficients] : null;
        var (logLikelihoodNull, nullDeviance) = NullModel(glm, alpha, device, Held(glm, coefficients), m.Intercept == 1 && !intercept ? estimates[0] : null,
            heldExtra);

        double? sumWeights = m.WeightsColumn >= 0 ? Moments.Sum(glm.Columns[m.WeightsColumn].Span) : null;
        double n = sumWeights ?? rows;
        double dfResid = n - free;
        // Weights summing to no more than the estimated coefficients leave no residual degrees of freedom: no dispersion.
        double dispersion = m.Family is GlmFamily.Gamma or GlmFamily.Normal ? (dfResid > 0 ? pearson / dfResid : double.NaN) : 1.0;
        return new GlmStatistics(GlmNames.Name(m.Family), GlmNames.Name(m.Link), deviance, nullDeviance, pearson, dispersion,
            logLikelihoodNull, 1.0 - fit.LogLikelihood / logLikelihoodNull, free - (intercept ? 1 : 0), dfResid)
        {
            SumWeights = sumWeights,
            DevianceUnderflows = underflow,
            NonIntegerResponses = m.Family == GlmFamily.Poisson ? CountNonIntegers(glm.Columns[0].Span) : 0,
            NonIntegerWeights = m.WeightsColumn >= 0 ? CountNonIntegers(glm.Columns[m.WeightsColumn].Span) : 0,
        };
    }

    private static int CountNonIntegers(ReadOnlySpan<double> y)
    {
        int count = 0;
        foreach (double v in y)
        {
            if (v != Math.Floor(v))
                count++;
        }
        return count;
    }

    /// <summary>
    /// The held slopes' terms Σ bⱼ xⱼ per row (on the columns as given, not centred), or null where no slope is held:
    /// held coefficients are an offset, in the null model too (R's <c>offset()</c>, statsmodels' <c>offset</c>).
    /// </summary>
    private static double[]? Held(ModelSpec<GlmModel> glm, ParameterEstimate[] coefficients)
    {
        var m = glm.Model;
        var held = Enumerable.Range(0, m.Features).Where(j => coefficients[m.Intercept + j].Fixed).ToArray();
        if (held.Length == 0)
            return null;
        var terms = new double[glm.Rows];
        foreach (int j in held)
        {
            var column = glm.Columns[m.FirstFeature + j].Span;
            double b = coefficients[m.Intercept + j].Estimate, mean = m.Mean(j);
            for (int i = 0; i < terms.Length; i++)
                terms[i] += b * (column[i] + mean);
        }
        return terms;
    }

    // The constant-only model fitted (the held terms in its offset, a held intercept held): its maximum log-likelihood
    // (the family's parameter free, or held where the fit held it) and its deviance (at α).
    private static (double LogLikelihood, double Deviance) NullModel(ModelSpec<GlmModel> glm, double alpha, ComputeDevice device, double[]? held,
        double? heldIntercept, double? heldExtra)
    {
        var nullSpec = Glm.NullModel(glm, held);
        using var session = new EstimationSession(nullSpec, device);
        var fixedIntercept = heldIntercept is { } c ? new Dictionary<string, double> { [nullSpec.Parameters[0].Name] = c } : [];
        var fixedFree = heldExtra is { } e ? new Dictionary<string, double>(fixedIntercept) { [nullSpec.Parameters[1].Name] = e } : fixedIntercept;
        var free = session.Fit(new FitOptions { Fixed = fixedFree });
        var atAlpha = glm.Model.Family == GlmFamily.NegativeBinomial
            // α = 0 is the fit at its edge, the Poisson limit: the null model is held at 10⁻¹² there, which is the
            // Poisson's to ~10⁻¹² (the log-density keeps its digits as α → 0).
            ? session.Fit(new FitOptions { Fixed = new Dictionary<string, double>(fixedIntercept) { [nullSpec.Parameters[1].Name] = Math.Max(alpha, 1e-12) } })
            : free;
        double logLikelihood = free.Converged ? free.LogLikelihood : double.NaN;
        if (!atAlpha.Converged)
            return (logLikelihood, double.NaN);
        var eta = new double[glm.Rows];
        Array.Fill(eta, atAlpha.Parameters[0].Estimate);
        AddOffset(glm.Model, glm.Columns, eta);
        if (held is not null)
        {
            for (int i = 0; i < eta.Length; i++)
                eta[i] += held[i];
        }
        return (logLikelihood, Sums(glm.Model, glm.Columns, eta, alpha).Deviance);
    }

    private static void AddOffset(in GlmModel m, IReadOnlyList<ReadOnlyMemory<double>> columns, double[] eta)
    {
        if (m.OffsetColumn < 0)
            return;
        var offset = columns[m.OffsetColumn].Span;
        for (int i = 0; i < eta.Length; i++)
            eta[i] += offset[i];
    }

    // Σ w × unit deviance and Σ w × (y − μ)²/V(μ), in row order.
    // The deviance and Pearson χ², and whether a row of weight has a unit deviance of 0 that is not (its square below
    // the doubles' range: a normal response of 10⁻¹⁶², whose deviance of 0 is no exact fit).
    private static (double Deviance, double Pearson, bool Underflow) Sums(in GlmModel m, IReadOnlyList<ReadOnlyMemory<double>> columns, double[] eta, double alpha)
    {
        var y = columns[0].Span;
        var trials = m.TrialsColumn >= 0 ? columns[m.TrialsColumn].Span : default;
        var weights = m.WeightsColumn >= 0 ? columns[m.WeightsColumn].Span : default;
        double deviance = 0, pearson = 0;
        bool underflow = false;
        for (int i = 0; i < y.Length; i++)
        {
            double w = weights.IsEmpty ? 1.0 : weights[i];
            if (w == 0)
                continue;
            var (d, r) = Unit(m.Family, m.Link, y[i], trials.IsEmpty ? 1.0 : trials[i], eta[i], alpha);
            deviance += w * d;
            pearson += w * r;
            underflow |= m.Family == GlmFamily.Normal && d == 0 && y[i] != GlmMean.Of(m.Link, eta[i]);
        }
        return (deviance, pearson, underflow);
    }

    // One row's unit deviance and squared Pearson residual.
    private static (double Deviance, double Pearson) Unit(GlmFamily family, GlmLink link, double y, double n, double eta, double alpha)
    {
        if (family == GlmFamily.Binomial)
        {
            double p = GlmMean.Of(link, eta), q = GlmMean.Complement(link, eta), f = n - y;
            // Where a probability is 0 or subnormal (a probit's η of −40 beside y = 1, a cloglog's η past 6.6, whose
            // 1 − μ is exp(−e^η)), its log from the link's own: the term was infinite, and the deviance "-" where the
            // log-likelihood was finite (a trial).
            double Term(double count, double probability, Func<GlmLink, double, double> logOf)
            {
                double direct = count == 0 ? 0 : count * Math.Log(count / (n * probability));
                return double.IsFinite(direct) ? direct : count * (Math.Log(count / n) - logOf(link, eta));
            }
            // Many trials: y log(y/np) + f log(f/nq) as −y L(np, y) − f L(nq, f), L(a, b) = log(a/b) − (a/b − 1), the
            // linear parts (np − y) + (nq − f) being 0: the direct terms cancel (2.2e-5 of the deviance at 10¹² trials).
            double deviance = n > BinomialModel.StableTrials && y >= 1 && f >= 1
                ? -2 * (y * DeviceMath.Log1pMinusXOfRatio(n * p, y) + f * DeviceMath.Log1pMinusXOfRatio(n * q, f))
                : 2 * (Term(y, p, GlmMean.LogOf) + Term(f, q, GlmMean.LogComplement));
            double residual = y - n * p, variance = n * p * q;
            // A variance that underflowed to 0: the row's term is 0 where the response is at that end (its limit, n q/p
            // or n p/q, below the doubles), else unbounded; 0/0 made the Pearson χ² "-" (a cloglog trial).
            double pearson = variance > 0 ? residual * residual / variance : (p == 0 ? y == 0 : f == 0) ? 0 : double.PositiveInfinity;
            return (deviance, pearson);
        }
        double mu = GlmMean.Of(link, eta);
        double e = y - mu;
        // For y ≥ 1 the count deviances as differences of small terms: with t = (μ − y)/y, y log(y/μ) − (y − μ) is
        // −y (log(1 + t) − t), and NB2's adds (y + r)(log(1 + s) − s), s = (μ − y)/(y + r), r = 1/α; the direct forms
        // subtract terms ~y·t (at counts of 10¹² the Poisson deviance was 1.3e-6 off).
        double PoissonUnit() => y == 0 ? 2 * mu : -2 * y * DeviceMath.Log1pMinusXOfRatio(mu, y);
        // The squared Pearson residuals as products of ratios, each of the data's size or 1: e²/μ squared e first, and
        // overflowed past responses of 10¹⁵⁴ (a Pearson χ² of "-" for a gamma fit of 10¹⁶⁰) or underflowed below 10⁻¹⁵⁴
        // (3.5e-5 off at 10⁻¹⁶⁰, 0 at 10⁻²⁰⁰), where the gamma's is the same at any scale (a hunt).
        double poissonPearson = e * (e / mu);
        return family switch
        {
            GlmFamily.Poisson => (PoissonUnit(), poissonPearson),
            // At α = 0 (the edge: the Poisson limit) the unit deviance and Pearson residual are the Poisson's.
            GlmFamily.NegativeBinomial when alpha == 0 => (PoissonUnit(), poissonPearson),
            GlmFamily.NegativeBinomial when y == 0 => (-2 * (1 / alpha) * DeviceMath.Log1p(alpha * e / (1 + alpha * mu)), poissonPearson / (1 + alpha * mu)),
            GlmFamily.NegativeBinomial => (
                2 * ((y + 1 / alpha) * DeviceMath.Log1pMinusX((mu - y) / (y + 1 / alpha)) - y * DeviceMath.Log1pMinusX((mu - y) / y)),
                poissonPearson / (1 + alpha * mu)),
            GlmFamily.Gamma => (-2 * DeviceMath.Log1pMinusXOfRatio(y, mu), (e / mu) * (e / mu)),
            _ => (e * e, e * e),
        };
    }
}
