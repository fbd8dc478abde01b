using GpuEstimation;
using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Models;
using GpuEstimation.Tests.Engine;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Estimation;

/// <summary>
/// Log-likelihoods at large values, whose direct forms subtract terms far larger than themselves: beyond
/// GammaModel.StableShape, PoissonModel.StableRate and GlmModel.LargeCount the log-densities are taken in
/// cancellation-free forms. References: mpmath at 50-60 digits for data written out here.
/// <list type="bullet">
/// <item>Gamma data with a small spread about a huge mean (shape 10¹⁰ and 10¹⁸): a newcomer's 10⁹ ± 1 gave a
/// log-likelihood of −114,432 for −66.2, "converged", with a standard error 10⁵ times too small. The shape from the
/// profile equation log α − ψ(α) = −mean log(x/x̄), the log-likelihood at that MLE, the inverse Fisher information,
/// for x = c + ((7919 i) mod 101 − 50)/29, i &lt; 50.</item>
/// <item>Poisson counts of 10⁷ to 10¹⁴: a newcomer's log-likelihood at rate 10¹⁴ was 11 off in 875 (10¹²: 1.7e-4
/// relative), quantized to steps of 2⁻⁸. The log-likelihood at the MLE (the mean), for k = c + ((7919 i) mod 101 − 50) s.</item>
/// </list>
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class LargeValueTests(DeviceFixture devices)
{
    public static IEnumerable<object[]> Backends => DeviceFixture.Present.Select(b => new object[] { b });

    private static double[] Data(double centre) => [.. Enumerable.Range(0, 50).Select(i => centre + ((i * 7919) % 101 - 50) / 29.0)];

    // Data scaled to 1e-160 or 1e155: a variance past the doubles' range while the standard error is not was printed as
    // 0 (with a zero-width interval) or Infinity, z = 0, p = 1, exit 0 (a trial). A Weibull's scale (a positive
    // parameter: |dθ/du|·√C_u) gets its standard error, the unit fit's times the factor, to 1e-6; a Laplace's location
    // and scale, whose Fisher information itself overflows, get none, and a note says why.
    [Fact]
    public void StandardErrorsPastTheRangeOfADoubleAreLeftOutWithANote()
    {
        var unit = Enumerable.Range(0, 100).Select(i => 1 + ((i * 7919) % 101) / 25.0).ToArray();
        FitResult Fit(string model, double factor)
        {
            using var session = new EstimationSession(ModelCatalog.Create(model, Dataset.FromColumns(("x", unit.Select(v => v * factor).ToArray())), new ModelColumns(Column: "x")), devices.Native);
            return session.Fit(new FitOptions());
        }
        var weibull = Fit("weibull", 1);
        foreach (double factor in new[] { 1e-160, 1e155 })
        {
            var scaled = Fit("weibull", factor);
            Assert.True(scaled.Converged, scaled.Reason);
            Assert.True(Numerics.Relative(scaled.Get("scale").StdError!.Value, weibull.Get("scale").StdError!.Value * factor) <= 1e-6,
                $"x {factor:G}: se(scale) {scaled.Get("scale").StdError:R}");
            var laplace = Fit("laplace", factor);
            Assert.Null(laplace.Get("scale").StdError);
            Assert.Contains(laplace.Diagnostics.Notes, note => note.StartsWith("no standard error for", StringComparison.Ordinal) && note.Contains("beyond the range of a double"));
        }
    }

    // A normal sample of scale 1e-155 and 1e-158: μ's variance σ̂²/n is a subnormal, 3.6e-312 with ~11 digits and
    // 3.6e-318 with ~6. The first keeps its standard error (σ̂/√n to 1e-9); the second had one 4e-7 off, silently (at
    // 1e-160, 4e-3; a hunt against scipy), and now has none, with the note.
    [Fact]
    public void AStandardErrorFromASubnormalVarianceIsKeptOnlyWithItsDigits()
    {
        var unit = Enumerable.Range(0, 20).Select(i => ((i * 7919) % 101 - 50) / 25.0).ToArray();
        foreach (double factor in new[] { 1e-155, 1e-158 })
        {
            var x = unit.Select(v => v * factor).ToArray();
            using var session = new EstimationSession(ModelCatalog.Normal(Dataset.FromColumns(("x", x)), "x"), devices.Native);
            var fit = session.Fit(new FitOptions());
            Assert.True(fit.Converged, fit.Reason);
            double mean = x.Average(), sd = Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / x.Length);
            var se = fit.Get("mu").StdError;
            if (factor == 1e-155)
            {
                Assert.True(Numerics.Relative(se!.Value, sd / Math.Sqrt(x.Length)) <= 1e-9, $"se(mu) {se:R} vs {sd / Math.Sqrt(x.Length):R}");
            }
            else
            {
                Assert.Null(se);
                Assert.Contains(fit.Diagnostics.Notes, note => note.StartsWith("no standard error for mu:", StringComparison.Ordinal));
            }
            Assert.NotNull(fit.Get("sigma").StdError);
        }
    }

    // An OpenCL trial: exponential data of scale 1e-200 (rate 1e200) fitted by Newton "converged" with a standard error
    // 1e7 times rate/√n, every backend: −n/rate² had underflowed to 0 in the exact Hessian, leaving the gradient's
    // rounding as the information on the log scale. Past 10^±130 the gradient is differenced on the optimizer's scale:
    // the standard error is rate/√n (the inverse Fisher information) to 1e-6, at 1e-200 and 1e+200 as at 1.
    [Fact]
    public void ARateFarFromOneGetsTheStandardErrorOfItsFisherInformation()
    {
        var unit = Enumerable.Range(0, 1000).Select(i => -Math.Log((i + 0.5) / 1000)).ToArray();
        foreach (double factor in new[] { 1.0, 1e-200, 1e200 })
        {
            var x = unit.Select(v => v * factor).ToArray();
            using var session = new EstimationSession(ModelCatalog.Create("exponential", Dataset.FromColumns(("x", x)), new ModelColumns(Column: "x")), devices.Native);
            var fit = session.Fit(new FitOptions());
            Assert.True(fit.Converged, fit.Reason);
            double rate = 1 / x.Average();
            Assert.True(Numerics.Relative(fit.Get("rate").Estimate, rate) <= 1e-12, $"x {factor:G}: rate {fit.Get("rate").Estimate:R}, {rate:R}");
            Assert.True(Numerics.Relative(fit.Get("rate").StdError!.Value, rate / Math.Sqrt(x.Length)) <= 1e-6,
                $"x {factor:G}: se(rate) {fit.Get("rate").StdError:R}, rate/√n {rate / Math.Sqrt(x.Length):R}");
        }
    }

    // A review: a first rule that distrusted the exact information of any parameter beyond 10^±130 took the correct
    // standard errors away from fits whose curvature is in range (a Normal of data ×1e150: −n/σ² ~ 1e-297). They keep
    // them, from the one pass that confirms the closed form: se(μ) = σ̂/√n and se(σ) = σ̂/√(2n) to 1e-10.
    [Fact]
    public void AParameterFarFromOneWhoseCurvatureIsInRangeKeepsItsExactStandardErrors()
    {
        var unit = Data(0.7);
        foreach (double factor in new[] { 1e150, 1e-140 })
        {
            var x = unit.Select(v => v * factor).ToArray();
            using var session = new EstimationSession(ModelCatalog.Normal(Dataset.FromColumns(("x", x)), "x"), devices.Native);
            var fit = session.Fit(new FitOptions());
            Assert.True(fit.Converged, fit.Reason);
            Assert.True(fit.Evaluations <= 2, $"x {factor:G}: {fit.Evaluations} passes");
            double sigma = fit.Get("sigma").Estimate;
            Assert.True(Numerics.Relative(fit.Get("mu").StdError!.Value, sigma / Math.Sqrt(x.Length)) <= 1e-10, $"x {factor:G}: se(mu) {fit.Get("mu").StdError:R}");
            Assert.True(Numerics.Relative(fit.Get("sigma").StdError!.Value, sigma / Math.Sqrt(2.0 * x.Length)) <= 1e-10, $"x {factor:G}: se(sigma) {fit.Get("sigma").StdError:R}");
        }
    }

    // Binomial rows of 10¹² trials (a trial's log-likelihood was 0.139 off at 10¹², 1.4e-3 at 10¹⁰: log C(n, k) ~ n
    // added to k log p + (n − k) log(1 − p) ~ −n): beyond BinomialModel.StableTrials the saddle-point form. Reference
    // for few successes: log C(n, k) = Σᵢ₌₁ᵏ log((n − k + i)/i), each term a log of a ratio, and (n − k) log(1 − p) by its series; to
    // 1e-12 of the value. The Hessian pass's value (Newton) is the same form.
    [Theory]
    [MemberData(nameof(Backends))]
    public void BinomialOfATrillionTrialsKeepsItsDigits(Backend backend)
    {
        const double n = 1e12, p = 3e-12;
        double[] k = [0, 1, 2, 3, 5, 8, 4, 2];
        using var session = new EstimationSession(ModelCatalog.Create("binomial", Dataset.FromColumns(("k", k)), new ModelColumns("k", Trials: n)), devices[backend]);

        double value = session.Evaluate([p]).LogLikelihood;

        double expected = 0;
        foreach (double successes in k)
        {
            for (int i = 1; i <= successes; i++)
                expected += Math.Log((n - successes + i) / i);
            // log(1 − p) by its series: p = 3e-12, so −p − p²/2 − p³/3 is exact to a double.
            expected += successes * Math.Log(p) + (n - successes) * (-p - p * p / 2 - p * p * p / 3);
        }
        Assert.True(Math.Abs(value - expected) <= 1e-12 * Math.Abs(expected), $"{value:R} vs {expected:R}");
    }

    // Centre 10⁵: shape 9.6e9. Estimates to 1e-8, the log-likelihood to 1e-12, standard errors to 1e-6 (all relative).
    [Theory]
    [MemberData(nameof(Backends))]
    public void ShapeTenToTheTenKeepsItsDigits(Backend backend)
    {
        using var session = new EstimationSession(ModelCatalog.Create("gamma", Dataset.FromColumns(("x", Data(1e5))), new ModelColumns("x")), devices[backend]);

        var fit = session.Fit(new FitOptions());

        Assert.True(fit.Converged, fit.Reason);
        Assert.True(Numerics.Relative(fit["shape"], 9625520022.6088141) <= 1e-8, $"shape {fit["shape"]:R}");
        Assert.True(Numerics.Relative(fit["rate"], 96255.232089889109) <= 1e-8, $"rate {fit["rate"]:R}");
        Assert.True(Numerics.Relative(fit.LogLikelihood, -71.901089755692285) <= 1e-12, $"log L {fit.LogLikelihood:R}");
        Assert.True(Numerics.Relative(fit.Get("shape").StdError!.Value, 1925104004.4884295) <= 1e-6, $"se(shape) {fit.Get("shape").StdError:R}");
        Assert.True(Numerics.Relative(fit.Get("rate").StdError!.Value, 19251.046418144488) <= 1e-6, $"se(rate) {fit.Get("rate").StdError:R}");
    }

    // Centre 10⁹: shape 9.6e17, where 1 − ρ² of shape and rate (about 1/(2α)) is below a double's resolution. The
    // estimates and the log-likelihood are still right (1e-6, 1e-12); standard errors, where given, to 1e-3.
    [Fact]
    public void ShapeTenToTheEighteenHasTheRightLikelihood()
    {
        using var session = new EstimationSession(ModelCatalog.Create("gamma", Dataset.FromColumns(("x", Data(1e9))), new ModelColumns("x")), devices.Native);

        var fit = session.Fit(new FitOptions());

        Assert.True(Numerics.Relative(fit.LogLikelihood, -71.901088471084819) <= 1e-12, $"log L {fit.LogLikelihood:R}");
        Assert.True(Numerics.Relative(fit["shape"], 9.625526890000389e+17) <= 1e-6, $"shape {fit["shape"]:R}");
        if (fit.Get("shape").StdError is { } se)
            Assert.True(Numerics.Relative(se, 1.9251053780000778e+17) <= 1e-3, $"se(shape) {se:R}");
        else
            Assert.Contains(fit.Diagnostics.Notes, n => n.StartsWith("no standard errors", StringComparison.Ordinal));
    }

    // A point far below the mean at a shape beyond StableShape (x = 1e-12, mean 10⁵): d = x/m − 1 rounds to −1 and
    // log1p(d) to −∞ (found by a review); below d = −½ the ratio's log is log x − log m. Against MathNet's gamma
    // log-density (its terms add there), to 1e-13.
    [Fact]
    public void APointFarBelowTheMeanStaysFinite()
    {
        using var session = new EstimationSession(ModelCatalog.Create("gamma", Dataset.FromColumns(("x", [1e-12, 1e5])), new ModelColumns("x")), devices.Native);

        double value = session.Evaluate([1e5, 1.0]).LogLikelihood;

        var gamma = new MathNet.Numerics.Distributions.Gamma(1e5, 1.0);
        double expected = gamma.DensityLn(1e-12) + gamma.DensityLn(1e5);
        Assert.True(Numerics.Relative(value, expected) <= 1e-13, $"{value:R} vs {expected:R}");
    }

    public static IEnumerable<object[]> PoissonCases =>
        from backend in DeviceFixture.Present
        from c in new[] { (1e7, 3000.0, 9997120.0, -20114.16555615402), (1e12, 1e5, 999999904000.0, -955.15207492853994), (1e14, 1e6, 99999999040000.0, -1070.281311245117) }
        select new object[] { backend, c.Item1, c.Item2, c.Item3, c.Item4 };

    // The rate to 1e-15 (the mean), the log-likelihood to 1e-13 relative.
    [Theory]
    [MemberData(nameof(PoissonCases))]
    public void PoissonLogLikelihoodKeepsItsDigits(Backend backend, double centre, double step, double rate, double logLikelihood)
    {
        var k = Enumerable.Range(0, 50).Select(i => centre + ((i * 7919) % 101 - 50) * step).ToArray();
        using var session = new EstimationSession(ModelCatalog.Create("poisson", Dataset.FromColumns(("k", k)), new ModelColumns("k")), devices[backend]);

        var fit = session.Fit(new FitOptions());

        Assert.True(fit.Converged, fit.Reason);
        Assert.True(Numerics.Relative(fit["rate"], rate) <= 1e-15, $"rate {fit["rate"]:R}");
        Assert.True(Numerics.Relative(fit.LogLikelihood, logLikelihood) <= 1e-13, $"log L {fit.LogLikelihood:R} vs {logLikelihood:R}");
    }

    // The Poisson GLM (log link) on counts of 10¹²: y log μ − μ − log y! had the same cancellation (log L −945.51 for
    // −945.59). GlmModel.LargeCounts takes it as y (log(1 + t) − t) + (y log y − y − log y!), t = (μ − y)/y. mpmath at 60
    // digits, Newton to 1e-40: the MLE and its log-likelihood, for x = ((37 i) mod 11)/10 and y = round(10¹² e^{0.1 x})
    // + ((7919 i) mod 101 − 50)·10⁵. Coefficients to 1e-10; the log-likelihood to 1e-10 (relative): μ = e^η itself rounds
    // by ~1e-4 at 10¹², and ∂ log f/∂μ = −t ~ 5e-6 turns that into ~5e-10 a row (measured: 2.6e-11 of the whole).
    [Theory]
    [MemberData(nameof(Backends))]
    public void PoissonGlmLogLikelihoodKeepsItsDigits(Backend backend)
    {
        var x = Enumerable.Range(0, 50).Select(i => ((i * 37) % 11) / 10.0).ToArray();
        var y = x.Select((v, i) => Math.Round(1e12 * Math.Exp(0.1 * v)) + ((i * 7919) % 101 - 50) * 1e5).ToArray();
        var spec = ModelCatalog.Create("glm", Dataset.FromColumns(("y", y), ("x", x)), new ModelColumns(Y: "y", X: ["x"]) { Family = "poisson" });
        using var session = new EstimationSession(spec, devices[backend]);

        var fit = session.Fit(new FitOptions());

        Assert.True(fit.Converged, fit.Reason);
        Assert.True(Numerics.Relative(fit["intercept"], 27.631020771763876112) <= 1e-10, $"intercept {fit["intercept"]:R}");
        Assert.True(Numerics.Relative(fit["x"], 0.1000005015300127322) <= 1e-10, $"x {fit["x"]:R}");
        Assert.True(Numerics.Relative(fit.LogLikelihood, -945.5935178965006556) <= 1e-10, $"log L {fit.LogLikelihood:R}");
        // The deviance had the same cancellation (1.3e-6 off, found by a review); mpmath's at the MLE is 415.2721314950604.
        // 1e-8: the host's μ = e^η rounds by ~4e-3 at 10¹², ~7e-8 of a row's deviance (2t per unit of μ, t ~ 5e-6).
        var statistics = GlmStatistics.Of(spec, fit, devices[backend])!;
        Assert.True(Numerics.Relative(statistics.Deviance, 415.27213149506040625) <= 1e-8, $"deviance {statistics.Deviance:R}");
    }

    // Negative binomial counts near 5·10⁹ (r = 30): log Γ(k + r) and log k!, each ~10¹¹, cancelled to 2.9e-3 nats over
    // 300 such counts (a trial's 7.8e-4). Beyond NegativeBinomialModel.LargeCount, log(r/(k + r)) plus the binomial
    // saddle point of r successes in k + r trials, as R's dnbinom. mpmath at 60 digits for k = 5·10⁹ + ((7919 i) mod 101
    // − 50)·3·10⁷, i < 50, at r = 30, p = 6e-9 and at r = 0.5, p = 1e-10: to 1e-12 (relative).
    [Theory]
    [MemberData(nameof(Backends))]
    public void NegativeBinomialCountsOfBillionsKeepTheirDigits(Backend backend)
    {
        var k = Enumerable.Range(0, 50).Select(i => 5e9 + ((i * 7919) % 101 - 50) * 3e7).ToArray();
        using var session = new EstimationSession(ModelCatalog.Create("negbinomial", Dataset.FromColumns(("k", k)), new ModelColumns("k")), devices[backend]);

        double value = session.Evaluate([30, 6e-9]).LogLikelihood;
        // r below 1 as well (a review: the saddle point had been taken from r = 1 on, and log L jumped by 3.2e-4 there).
        double small = session.Evaluate([0.5, 1e-10]).LogLikelihood;

        Assert.True(Numerics.Relative(value, -1101.207401109093459755086) <= 1e-12, $"{value:R}");
        Assert.True(Numerics.Relative(small, -1186.883694514147372081461) <= 1e-12, $"r = 0.5: {small:R}");
    }

    // The NB2 GLM at μ ~ 10¹⁰ with α = 0.01 (a trial: 0.030 nats off over 2,000 rows, silently): its large-count form
    // cancelled terms ~y log y where αμ is large too; now the binomial saddle point (r ≥ 1). And the logit on rows of
    // 10¹² trials (a trial: 0.21 nats off; the catalogue binomial had been mended, the GLM's rows had not): the
    // saddle point beyond BinomialModel.StableTrials. mpmath at 60 digits at the given coefficients, for x = ((37 i) mod
    // 11)/10 and the counts written here; to 1e-11.
    [Theory]
    [MemberData(nameof(Backends))]
    public void GlmRowsOfHugeCountsAndTrialsKeepTheirDigits(Backend backend)
    {
        var x = Enumerable.Range(0, 50).Select(i => ((i * 37) % 11) / 10.0).ToArray();
        var y = x.Select((v, i) => Math.Round(1e10 * Math.Exp(0.1 * v)) + ((i * 7919) % 101 - 50) * 1e8).ToArray();
        var nb = ModelCatalog.Create("glm", Dataset.FromColumns(("y", y), ("x", x)), new ModelColumns(Y: "y", X: ["x"]) { Family = "negbinomial" });
        using (var session = new EstimationSession(nb, devices[backend]))
        {
            double value = session.Evaluate([23.03, 0.1, 0.01]).LogLikelihood;
            Assert.True(Numerics.Relative(value, -1302.791418588399849331372) <= 1e-11, $"NB2: {value:R}");
        }

        var k = x.Select((v, i) => Math.Round(1e12 / (1 + Math.Exp(-(-1 + 0.2 * v)))) + ((i * 7919) % 101 - 50) * 1e5).ToArray();
        var trials = new double[x.Length];
        Array.Fill(trials, 1e12);
        var logit = ModelCatalog.Create("logit", Dataset.FromColumns(("k", k), ("n", trials), ("x", x)), new ModelColumns(Y: "k", X: ["x"], TrialsColumn: "n"));
        using (var session = new EstimationSession(logit, devices[backend]))
        {
            double value = session.Evaluate([-1, 0.2]).LogLikelihood;
            Assert.True(Numerics.Relative(value, -1764.318311307444633444648) <= 1e-11, $"logit: {value:R}");
        }
    }

    // Zeros beside counts of 10⁶ and more under the identity link: the large-count form gave a finite log-density for a
    // zero count at a negative mean (−μ), and the fit went on into negative means, "converged" with log L +8.9e6 (found
    // by a review). A zero count takes the direct form, NaN below 0, and the fit stops at the edge of the means, as
    // with small counts: refused, naming the row.
    [Fact]
    public void IdentityLinkStopsAtTheEdgeOfTheMeansWithLargeCounts()
    {
        double[] x = [0, 1, 2, 3, 4, 5, 6, 7];
        double[] y = [0, 0, 3e6, 6e6, 9e6, 1.2e7, 1.5e7, 1.8e7];
        var spec = ModelCatalog.Create("glm", Dataset.FromColumns(("y", y), ("x", x)), new ModelColumns(Y: "y", X: ["x"]) { Family = "poisson", Link = "identity" });
        using var session = new EstimationSession(spec, devices.Native);

        var error = Assert.Throws<InputException>(() => session.Fit(new FitOptions()));

        Assert.Contains("the identity link drives this row's mean to", error.Message);
    }

    // A count far above the rate (2⁵³ at rate 10⁷): t = (λ − k)/k is −1 + 1e-9, whose log1p keeps no digit of the 1e-9
    // (and is log 0 once λ/k is below 1e-16; found by a review). Below t = −½ the form k (log λ − log k) + (k − λ) is
    // used; against the direct form (no cancellation there: its terms add) and MathNet's log-gamma, to 1e-13.
    [Fact]
    public void ACountFarAboveTheRateKeepsItsDigits()
    {
        double k = 9007199254740992.0, rate = 1e7;
        using var session = new EstimationSession(ModelCatalog.Create("poisson", Dataset.FromColumns(("k", [k])), new ModelColumns("k")), devices.Native);

        double value = session.Evaluate([rate]).LogLikelihood;

        double expected = k * Math.Log(rate) - rate - MathNet.Numerics.SpecialFunctions.GammaLn(k + 1);
        Assert.True(Numerics.Relative(value, expected) <= 1e-13, $"{value:R} vs {expected:R}");
    }

    // A geometric count of 10³⁰⁰ beside one of 3: the closed-form MLE p = n/Σk = 2·10⁻³⁰⁰ (log L = log p + (k − 1)
    // log(1 − p) summed, −1382.1648 by mpmath) was started at the clamp 10⁻⁶, and the search ended at p = 0 with log L
    // −7.4·10¹³⁸, "converged" (a hunt against scipy); 10¹⁰⁰ took 220 Newton steps. The start is the MLE now.
    [Theory]
    [InlineData(1e300, 2e-300 / (1 + 3e-300), -1382.1647614353076)]
    [InlineData(1e100, 2e-100 / (1 + 3e-100), -461.13072423768926)]
    public void AGeometricCountOfAHugeSizeStartsAtItsClosedForm(double huge, double p, double logLikelihood)
    {
        var fit = Estimator.Fit(ModelCatalog.Create("geometric", Dataset.FromColumns(("k", [huge, 3.0])), new ModelColumns("k")), new FitOptions(), Backend.Native);
        Assert.True(fit.Converged, fit.ToString());
        Assert.True(Numerics.Relative(fit["p"], p) <= 1e-12, fit.ToString());
        Assert.True(Numerics.Relative(fit.LogLikelihood, logLikelihood) <= 1e-12, $"{fit.LogLikelihood:R}");
    }

    // Counts 10¹⁵⁵, 1, 3 under a negative binomial: the moments' variance overflows, and the start was r = NaN
    // ("starting value r = NaN: not a finite number", exit 2, a hunt against scipy); at 10⁵⁰ the start's p clamped to
    // 10⁻⁶ ended at r = 3e-16, exit 3. The maximum by mpmath at 420 digits: r = 0.00413848734971,
    // p = 1.24154620491e-157, log L = −377.473967280533.
    [Fact]
    public void NegativeBinomialCountsPastTheSquareRootOfTheLargestDoubleFit()
    {
        var fit = Estimator.Fit(ModelCatalog.Create("negbinomial", Dataset.FromColumns(("k", [1e155, 1.0, 3.0])), new ModelColumns("k")), new FitOptions(), Backend.Native);
        Assert.True(fit.Converged, fit.ToString());
        Assert.True(Numerics.Relative(fit["r"], 0.00413848734971) <= 1e-9, fit.ToString());
        Assert.True(Numerics.Relative(fit["p"], 1.24154620491e-157) <= 1e-8, fit.ToString());
        Assert.True(Numerics.Relative(fit.LogLikelihood, -377.473967280533) <= 1e-12, $"{fit.LogLikelihood:R}");
    }
}
