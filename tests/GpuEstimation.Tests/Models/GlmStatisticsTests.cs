using GpuEstimation.Data;
using System.Text.Json;
using GpuEstimation.Backends;
using GpuEstimation.Estimation;
using GpuEstimation.Models;
using GpuEstimation.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace GpuEstimation.Tests.Models;

/// <summary>
/// The GLM fit statistics against statsmodels' GLMResults on the reference datasets (Models/reference/glm, written by
/// bench/compare/glm_reference.py): deviance, null deviance, Pearson χ², dispersion (statsmodels' scale), the
/// constant-only log-likelihood and McFadden's pseudo-R², degrees of freedom.
/// </summary>
[Collection(DeviceCollection.Name)]
public class GlmStatisticsTests(DeviceFixture devices, ITestOutputHelper output)
{
    // Relative, for every statistic. The coefficients agree to about 1e-10 and the deviances are stationary in them;
    // Pearson's χ² is not, and is the statistic that would show a fit off its optimum.
    private const double Tolerance = 1e-8;

    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Models", "reference", "glm");

    public static IEnumerable<object[]> Cases =>
        Reference().RootElement.GetProperty("cases").EnumerateArray().Select(c => new object[] { c.GetProperty("name").GetString()! });

    [Theory]
    [MemberData(nameof(Cases))]
    public void StatisticsMatchStatsmodels(string name)
    {
        using var document = Reference();
        var reference = document.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        var expected = reference.GetProperty("statistics");
        var spec = GlmReferenceTests.Spec(reference);
        using var session = new EstimationSession(spec, devices.Native);
        var fit = session.Fit(new FitOptions());
        Assert.True(fit.Converged, fit.Reason);

        var statistics = GlmStatistics.Of(spec, fit, devices.Native);

        Assert.NotNull(statistics);
        var pairs = new (string Name, double Value, string Reference)[]
        {
            ("deviance", statistics.Deviance, "deviance"), ("null deviance", statistics.NullDeviance, "nullDeviance"),
            ("Pearson chi2", statistics.PearsonChi2, "pearsonChi2"), ("dispersion", statistics.Dispersion, "dispersion"),
            ("llnull", statistics.LogLikelihoodNull, "llnull"), ("pseudo-R2", statistics.PseudoR2, "pseudoR2"),
        };
        foreach (var (label, value, field) in pairs)
        {
            double want = expected.GetProperty(field).GetDouble(), error = Numerics.Relative(value, want);
            output.WriteLine($"{name} {label}: {value:R} vs statsmodels {want:R} ({error:G3})");
            Assert.True(error <= Tolerance, $"{name} {label}: {value:R} vs statsmodels {want:R} ({error:G3})");
        }
        Assert.Equal(expected.GetProperty("dfResid").GetDouble(), statistics.DfResid);
        // statsmodels' df_model is rank − 1 with or without an intercept; here it counts the coefficients besides the
        // intercept, so a model without one has one more.
        bool intercept = reference.GetProperty("intercept").GetBoolean();
        Assert.Equal(expected.GetProperty("dfModel").GetDouble() + (intercept ? 0 : 1), statistics.DfModel);
        Assert.Equal(reference.GetProperty("family").GetString() ?? "binomial", statistics.Family);
    }

    // The constant-only model is fitted on the fit's device: every backend present gives the native statistics.
    [Theory]
    [MemberData(nameof(DeviceFixture.Backends), MemberType = typeof(DeviceFixture))]
    public void StatisticsAreTheSameOnEveryBackend(Backend backend)
    {
        using var document = Reference();
        var reference = document.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "negbinomial");
        var expected = reference.GetProperty("statistics");
        var spec = GlmReferenceTests.Spec(reference);
        using var session = new EstimationSession(spec, devices[backend]);
        var fit = session.Fit(new FitOptions());

        var statistics = GlmStatistics.Of(spec, fit, devices[backend])!;

        Assert.True(Numerics.Relative(statistics.NullDeviance, expected.GetProperty("nullDeviance").GetDouble()) <= Tolerance, $"{backend}: {statistics.NullDeviance:R}");
        Assert.True(Numerics.Relative(statistics.LogLikelihoodNull, expected.GetProperty("llnull").GetDouble()) <= Tolerance, $"{backend}: {statistics.LogLikelihoodNull:R}");
        Assert.True(Numerics.Relative(statistics.PearsonChi2, expected.GetProperty("pearsonChi2").GetDouble()) <= Tolerance, $"{backend}: {statistics.PearsonChi2:R}");
    }

    [Fact]
    public void OtherModelsHaveNone()
    {
        var data = GpuEstimation.Data.Dataset.FromColumns(("x", [1.0, 2.5, 2.0, 4.0, 3.5]));
        var spec = ModelCatalog.Create("normal", data, new ModelColumns("x"));
        using var session = new EstimationSession(spec, devices.Native);

        Assert.Null(GlmStatistics.Of(spec, session.Fit(new FitOptions()), devices.Native));
    }

    // The negative binomial with the identity link: the null model at the fit's α has μ = ȳ (its score is Σ (y − μ)/V(μ)
    // with V(μ) > 0), so the null deviance is 2 Σ [y log(y/ȳ) − (y + 1/α) log(1 + α(y − ȳ)/(1 + αȳ))]. It was not printed
    // (JSON null): Newton from the null model's start took its first steps for a ray and ended without a maximum.
    [Fact]
    public void NegativeBinomialIdentityLinkHasItsNullDeviance()
    {
        var random = new Random(5);
        int n = 2000;
        var x = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
        var z = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
        var y = x.Select((v, i) => (double)MathNet.Numerics.Distributions.NegativeBinomial.Sample(random, 2.0, 1 / (1 + 0.5 * (1 + 2 * v + z[i])))).ToArray();
        var data = GpuEstimation.Data.Dataset.FromColumns(("y", y), ("x", x), ("z", z));
        var spec = ModelCatalog.Create("glm", data, new ModelColumns(Y: "y", X: ["x", "z"]) { Family = "negbinomial", Link = "identity" });
        using var session = new EstimationSession(spec, devices.Native);
        var fit = session.Fit(new FitOptions());
        Assert.True(fit.Converged, fit.Reason);

        var statistics = GlmStatistics.Of(spec, fit, devices.Native)!;

        double alpha = fit["alpha"], mean = y.Average();
        double expected = 2 * y.Sum(v => (v > 0 ? v * Math.Log(v / mean) : 0) - (v + 1 / alpha) * Math.Log(1 + alpha * (v - mean) / (1 + alpha * mean)));
        Assert.True(Numerics.Relative(statistics.NullDeviance, expected) <= 1e-9, $"null deviance {statistics.NullDeviance:R} vs {expected:R}");
    }

    // A held coefficient is an offset in the null model too (R's glm with offset(), statsmodels' offset): a Poisson fit
    // with x1 held at 0.3 has the null deviance and constant-only log-likelihood of the fit on x2 with offset 0.3·x1.
    // The null model left the held term out: with x1 held at 2 (the trial's case) its null deviance came out below the
    // model's deviance and McFadden's R² was −0.71. A held intercept stays held in the null model.
    [Fact]
    public void HeldCoefficientsAreAnOffsetInTheNullModel()
    {
        var random = new Random(21);
        int n = 80;
        var x1 = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2).ToArray();
        var x2 = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var k = x1.Select((v, i) => (double)MathNet.Numerics.Distributions.Poisson.Sample(random, Math.Exp(0.2 + 0.4 * v - 0.8 * x2[i]))).ToArray();
        var offset = x1.Select(v => 0.3 * v).ToArray();
        var data = GpuEstimation.Data.Dataset.FromColumns(("k", k), ("x1", x1), ("x2", x2), ("o", offset));
        var spec = ModelCatalog.Create("glm", data, new ModelColumns(Y: "k", X: ["x1", "x2"]) { Family = "poisson" });
        var offsetSpec = ModelCatalog.Create("glm", data, new ModelColumns(Y: "k", X: ["x2"]) { Family = "poisson", Offset = "o" });
        GlmStatistics Statistics(IModelSpec model, Dictionary<string, double> held)
        {
            using var session = new EstimationSession(model, devices.Native);
            var fit = session.Fit(new FitOptions { Fixed = held });
            Assert.True(fit.Converged, fit.Reason);
            return GlmStatistics.Of(model, fit, devices.Native)!;
        }

        var heldSlope = Statistics(spec, new() { ["x1"] = 0.3 });
        var withOffset = Statistics(offsetSpec, []);
        Assert.True(Numerics.Relative(heldSlope.NullDeviance, withOffset.NullDeviance) <= Tolerance, $"null deviance {heldSlope.NullDeviance:R} vs {withOffset.NullDeviance:R}");
        Assert.True(Numerics.Relative(heldSlope.LogLikelihoodNull, withOffset.LogLikelihoodNull) <= Tolerance, $"LL-Null {heldSlope.LogLikelihoodNull:R} vs {withOffset.LogLikelihoodNull:R}");
        Assert.True(Numerics.Relative(heldSlope.Deviance, withOffset.Deviance) <= Tolerance, $"deviance {heldSlope.Deviance:R} vs {withOffset.Deviance:R}");

        // The intercept held too: the null model is the held terms alone, μ = exp(0.2 + 0.3·x1), whose deviance is
        // 2 Σ [k log(k/μ) − (k − μ)], and at least the model's.
        var heldBoth = Statistics(spec, new() { ["intercept"] = 0.2, ["x1"] = 0.3 });
        double expected = 2 * k.Select((v, i) => (v > 0 ? v * Math.Log(v / Math.Exp(0.2 + offset[i])) : 0) - (v - Math.Exp(0.2 + offset[i]))).Sum();
        Assert.True(Numerics.Relative(heldBoth.NullDeviance, expected) <= Tolerance, $"null deviance {heldBoth.NullDeviance:R} vs {expected:R}");
        Assert.True(heldBoth.NullDeviance >= heldBoth.Deviance, $"null deviance {heldBoth.NullDeviance:R} below the deviance {heldBoth.Deviance:R}");
    }

    // A held σ, shape or α stays held in the null model (statsmodels' GLM with the scale or α given): the constant-only
    // model's mean is then ȳ, so LL-Null has a closed form. It was estimated again, and with σ held at 0.1 (a trial's
    // case) LL-Null came out far above the model's log-likelihood and McFadden's R² was −35.6.
    [Fact]
    public void AHeldFamilyParameterStaysHeldInTheNullModel()
    {
        var random = new Random(23);
        int n = 120;
        var x = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var y = x.Select(v => MathNet.Numerics.Distributions.Gamma.Sample(random, 2.0, 2.0 / Math.Exp(0.5 + 0.6 * v))).ToArray();
        var data = GpuEstimation.Data.Dataset.FromColumns(("y", y), ("x", x));
        double mean = y.Average();
        GlmStatistics Statistics(string family, string link, string held, double value)
        {
            var spec = ModelCatalog.Create("glm", data, new ModelColumns(Y: "y", X: ["x"]) { Family = family, Link = link });
            using var session = new EstimationSession(spec, devices.Native);
            var fit = session.Fit(new FitOptions { Fixed = new Dictionary<string, double> { [held] = value } });
            Assert.True(fit.Converged, fit.Reason);
            var statistics = GlmStatistics.Of(spec, fit, devices.Native)!;
            Assert.True(statistics.LogLikelihoodNull <= fit.LogLikelihood, $"{family}: LL-Null {statistics.LogLikelihoodNull:R} above log L {fit.LogLikelihood:R}");
            return statistics;
        }

        double sigma = 0.1;
        double normal = y.Sum(v => -0.5 * Math.Log(2 * Math.PI * sigma * sigma) - (v - mean) * (v - mean) / (2 * sigma * sigma));
        var normalNull = Statistics("normal", "identity", "sigma", sigma).LogLikelihoodNull;
        Assert.True(Numerics.Relative(normalNull, normal) <= 1e-9, $"normal: {normalNull:R} vs {normal:R}");

        double k = 20;
        double gamma = y.Sum(v => k * Math.Log(k / mean) + (k - 1) * Math.Log(v) - k * v / mean - MathNet.Numerics.SpecialFunctions.GammaLn(k));
        var gammaNull = Statistics("gamma", "log", "shape", k).LogLikelihoodNull;
        Assert.True(Numerics.Relative(gammaNull, gamma) <= 1e-9, $"gamma: {gammaNull:R} vs {gamma:R}");
    }

    // With every weight doubled the rows count twice: the sums double, the degrees of freedom follow n = Σ w.
    [Fact]
    public void FrequencyWeightsCountAsRows()
    {
        using var document = Reference();
        var reference = document.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "gamma_log");
        var plain = GlmReferenceTests.Spec(reference);
        var data = GpuEstimation.Data.DataFile.Read(Path.Combine(Folder, "gamma_log.csv"), ["y", "x1", "x2"]);
        var twice = ModelCatalog.Create("glm", data.With([KeyValuePair.Create("w", Enumerable.Repeat(2.0, data.Rows).ToArray())]),
            new ModelColumns(Y: "y", X: ["x1", "x2"]) { Family = "gamma", Link = "log", Weights = "w" });
        GlmStatistics Statistics(IModelSpec spec)
        {
            using var session = new EstimationSession(spec, devices.Native);
            return GlmStatistics.Of(spec, session.Fit(new FitOptions()), devices.Native)!;
        }
        var one = Statistics(plain);
        var two = Statistics(twice);

        Assert.True(Numerics.Relative(two.Deviance, 2 * one.Deviance) <= Tolerance, $"{two.Deviance:R} vs 2 × {one.Deviance:R}");
        Assert.True(Numerics.Relative(two.NullDeviance, 2 * one.NullDeviance) <= Tolerance, $"{two.NullDeviance:R} vs 2 × {one.NullDeviance:R}");
        Assert.True(Numerics.Relative(two.PearsonChi2, 2 * one.PearsonChi2) <= Tolerance, $"{two.PearsonChi2:R} vs 2 × {one.PearsonChi2:R}");
        Assert.Equal(2 * data.Rows - 3, two.DfResid);
        Assert.Equal(data.Rows - 3, one.DfResid);
    }

    // The gamma's Pearson χ² and dispersion do not change when the response is rescaled, and a Poisson quasi-likelihood's
    // χ² scales with it: at 10¹⁶⁰ and 10⁻²⁰⁰ as at 1, to 1e-10 (each term was (y − μ)² over V(μ): "-" past 10¹⁵⁴, 3.5e-5
    // off at 10⁻¹⁶⁰, 0 at 10⁻²⁰⁰; a hunt). NB2's terms take the same form.
    [Theory]
    [InlineData("gamma", 1e160)]
    [InlineData("gamma", 1e-160)]
    [InlineData("gamma", 1e-200)]
    [InlineData("poisson", 1e-200)]
    [InlineData("poisson", 1e160)]
    public void PearsonChiSquareHoldsAtExtremeScales(string family, double scale)
    {
        var random = new Random(29);
        int n = 300;
        var x = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var y = x.Select(v => Math.Exp(0.3 + 0.5 * v) * (family == "gamma" ? -Math.Log(random.NextDouble()) - Math.Log(random.NextDouble()) : 2 * random.NextDouble())).ToArray();
        GlmStatistics Statistics(double factor)
        {
            var data = GpuEstimation.Data.Dataset.FromColumns(("y", y.Select(v => v * factor).ToArray()), ("x", x));
            var spec = ModelCatalog.Create("glm", data, new ModelColumns(Y: "y", X: ["x"]) { Family = family, Link = "log" });
            using var session = new EstimationSession(spec, devices.Native);
            var fit = session.Fit(new FitOptions());
            Assert.True(fit.Converged, $"{family} × {factor:G3}: {fit.Reason}");
            return GlmStatistics.Of(spec, fit, devices.Native)!;
        }
        var one = Statistics(1);
        var scaled = Statistics(scale);

        double expected = family == "gamma" ? one.PearsonChi2 : one.PearsonChi2 * scale;
        output.WriteLine($"{family} × {scale:G3}: Pearson {scaled.PearsonChi2:R} (expected {expected:R}), dispersion {scaled.Dispersion:R}");
        Assert.True(Numerics.Relative(scaled.PearsonChi2, expected) <= 1e-10, $"Pearson {scaled.PearsonChi2:R} vs {expected:R}");
        if (family == "gamma")
            Assert.True(Numerics.Relative(scaled.Dispersion, one.Dispersion) <= 1e-10, $"dispersion {scaled.Dispersion:R} vs {one.Dispersion:R}");
    }

    // Binary responses whose fitted probabilities are 0 or 1 to the doubles: a cloglog's η past 6.6 (1 − μ = exp(−e^η)
    // underflows), a probit's past ±38, or an offset of ∓60 against the response. The deviance of 0/1 responses is
    // −2 log L (their saturated log-likelihood is 0), to 1e-10; the Pearson χ² finite where every such row's response is
    // at its fitted end (each term's limit, n q/p, below the doubles), and above the sum of the other rows' terms. Both
    // were "-" (a trial): log(1/0) in the deviance, 0/0 in Pearson's terms.
    [Theory]
    [InlineData("cloglog", 2.5, false)]
    [InlineData("probit", 25.0, false)]
    [InlineData("probit", 0.8, true)]
    public void BinaryStatisticsHoldWhereProbabilitiesReachZeroOrOne(string link, double slope, bool offsetAgainst)
    {
        var random = new Random(13);
        int n = 1000;
        var x = Enumerable.Range(0, n).Select(_ => 6 * random.NextDouble() - 3).ToArray();
        var y = x.Select(v => random.NextDouble() < (link == "cloglog" ? 1 - Math.Exp(-Math.Exp(-0.5 + slope * v)) : MathNet.Numerics.Distributions.Normal.CDF(0, 1, 0.3 + slope * v)) ? 1.0 : 0.0).ToArray();
        var offset = y.Select((v, i) => offsetAgainst && i < 20 ? (v == 1 ? -60.0 : 60.0) : 0.0).ToArray();
        var data = GpuEstimation.Data.Dataset.FromColumns(("y", y), ("x", x), ("o", offset));
        var spec = ModelCatalog.Create("glm", data, new ModelColumns(Y: "y", X: ["x"]) { Family = "binomial", Link = link, Offset = "o" });
        using var session = new EstimationSession(spec, devices.Native);
        var fit = session.Fit(new FitOptions());
        Assert.True(fit.Converged, fit.Reason);

        var statistics = GlmStatistics.Of(spec, fit, devices.Native)!;

        output.WriteLine($"{link}: deviance {statistics.Deviance:R}, -2 log L {-2 * fit.LogLikelihood:R}, Pearson {statistics.PearsonChi2:R}");
        Assert.True(Numerics.Relative(statistics.Deviance, -2 * fit.LogLikelihood) <= 1e-10, $"deviance {statistics.Deviance:R} vs −2 log L {-2 * fit.LogLikelihood:R}");
        Assert.True(double.IsFinite(statistics.NullDeviance), $"null deviance {statistics.NullDeviance:R}");
        if (offsetAgainst)
            return;   // those rows' Pearson terms, 1/Φ(−60), are beyond the doubles: the χ² is infinite
        double eta(int i) => fit.Parameters[0].Estimate + fit.Parameters[1].Estimate * x[i];
        double others = Enumerable.Range(0, n).Select(i => (Mu: GlmMean.Of(GlmNames.Link(link), eta(i)), Q: GlmMean.Complement(GlmNames.Link(link), eta(i)), i))
            .Where(r => r.Mu * r.Q > 0).Sum(r => (y[r.i] - r.Mu) * (y[r.i] - r.Mu) / (r.Mu * r.Q));
        Assert.True(double.IsFinite(statistics.PearsonChi2) && statistics.PearsonChi2 >= others * (1 - 1e-12), $"Pearson {statistics.PearsonChi2:R}, the other rows' {others:R}");
    }

    private static JsonDocument Reference() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "reference.json")));

    // The note on how the standard errors differ from statsmodels' GLM and R's summary.glm: none for the canonical
    // links of binomial and Poisson (they agree), the Pearson dispersion for gamma and normal, the expected
    // information for a non-canonical link (NB2's log link included: not canonical for the NB2 GLM).
    [Theory]
    [InlineData("binomial", "logit", null)]
    [InlineData("poisson", "log", null)]
    [InlineData("binomial", "probit", "expected information under the probit link (statsmodels' Probit agrees")]
    [InlineData("binomial", "cloglog", "statsmodels' GLM and R's glm use the expected information under the cloglog link")]
    [InlineData("negbinomial", "log", "expected information under the log link (statsmodels' NegativeBinomial agrees")]
    [InlineData("gamma", "inverse", "shape at its maximum-likelihood estimate; statsmodels' GLM and R's summary.glm use the Pearson dispersion (0.25, Scale) instead")]
    [InlineData("normal", "log", "sigma at its maximum-likelihood estimate; statsmodels' GLM and R's summary.glm use the Pearson dispersion (0.25, Scale) and, under the log link, the expected information instead")]
    public void TheStandardErrorNoteSaysWhereStatsmodelsDiffers(string family, string link, string? expected)
    {
        var statistics = new GlmStatistics(family, link, 1, 2, 3, 0.25, -4, 0.5, 2, 97);
        var note = statistics.StdErrorNote();
        if (expected is null)
            Assert.Null(note);
        else
            Assert.Contains(expected, note);
    }
    // NB2's score in alpha, −r²[ψ(y + r) − ψ(r) + log(r/(r + μ)) + (μ − y)/(r + μ)] (r = 1/α), against 60-digit mpmath
    // (mp.diff of the log-density at μ = e^(log μ) as the doubles give it, the intercept's exp): where the counts pass r, the difference in brackets cancels terms
    // of y/r, 10⁶ at counts of 10¹² with α = 10⁻⁶ (a hunt: α stopped 8e-6 relative short, "at rounding level"); each
    // row's score to 1e-9 of its size (four rows of the same y, the intercept at log μ).
    [Theory]
    [InlineData(1003000000000.0, 1000000000000.0, 1e-06, 3991011.6436273768374)]
    [InlineData(2000000000000.0, 1500000000000.0, 1e-06, 45650705326.214983915)]
    [InlineData(500000000000.0, 1000000000000.0, 0.001, 192647.09672761982848)]
    [InlineData(1000000000000.0, 1000000000000.0, 1e-09, -499500499.58383271959)]
    [InlineData(3.0, 2.5, 0.5, -0.64516802402357384329)]
    [InlineData(1000001000000.0, 1000000000000.0, 1e-12, -125000166429.69948893)]
    public void NegativeBinomialAlphaScoreAtLargeCounts(double y, double mu, double alpha, double expected)
    {
        var data = Dataset.FromColumns(("y", [y, y, y, y]));
        using var session = new EstimationSession(ModelCatalog.Create("glm", data, new ModelColumns(Y: "y", X: []) { Family = "negbinomial" }), devices.Native);
        var gradient = session.Evaluate([Math.Log(mu), alpha]).Gradient;
        double score = gradient[1] / 4;
        Assert.True(Math.Abs(score - expected) <= 1e-9 * Math.Abs(expected) + 1e-12, $"score {score:R} vs {expected:R}");
    }
    // Below α ≈ 1e-154 the score's r² passes the doubles: there it is the limit ½((y − μ)² − y) per row (a hunt: eval
    // at α = 1e-200 said "no derivative at the edge", at 1e-100 it printed the same −387.42 as the limit).
    [Fact]
    public void NegativeBinomialAlphaScoreNearZeroIsTheLimit()
    {
        double[] y = [0, 3, 1, 7, 2, 2, 5, 0, 1, 4];
        double mu = y.Average();
        using var session = new EstimationSession(ModelCatalog.Create("glm", Dataset.FromColumns(("y", y)), new ModelColumns(Y: "y", X: []) { Family = "negbinomial" }), devices.Native);
        double limit = y.Sum(v => 0.5 * ((v - mu) * (v - mu) - v));
        foreach (double alpha in new[] { 1e-100, 1e-200, 1e-300 })
        {
            double score = session.Evaluate([Math.Log(mu), alpha]).Gradient[1];
            Assert.True(Math.Abs(score - limit) <= 1e-9 * Math.Abs(limit), $"alpha {alpha}: {score:R} vs {limit:R}");
        }
    }
}
