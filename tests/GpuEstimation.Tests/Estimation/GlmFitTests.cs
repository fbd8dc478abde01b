using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Models;
using GpuEstimation.Optimization;
using GpuEstimation.Tests.Support;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;
using Xunit;
using Xunit.Abstractions;

namespace GpuEstimation.Tests.Estimation;

/// <summary>
/// Recovery: for every family and link, data simulated from a known truth (a feature of mean 50, an offset) are
/// fitted from the model's own starting values; the fit converges and every estimate is within 5 standard errors of
/// the truth. The links whose range is bounded (binomial log and identity, identity and inverse for positive means)
/// show that the start stays inside it.
/// </summary>
[Collection(DeviceCollection.Name)]
public class GlmFitTests(DeviceFixture devices, ITestOutputHelper output)
{
    private const int Rows = 4000;

    public static IEnumerable<object[]> Combinations =>
        from family in Enum.GetValues<GlmFamily>()
        from link in Enum.GetValues<GlmLink>()
        where GlmModel.Supports(family, link)
        select new object[] { family, link };

    [Theory]
    [MemberData(nameof(Combinations))]
    public void SimulatedTruthIsRecoveredFromTheDefaultStart(GlmFamily family, GlmLink link)
    {
        var random = new Xoshiro256StarStar(1000 + 10 * (int)family + (int)link);
        // η = b0 + b1 x1 + b2 x2 + offset within a range the link maps into the family's means.
        var (centre, half) = (family, link) switch
        {
            (GlmFamily.Binomial, GlmLink.Log) => (-1.2, 0.6),
            (GlmFamily.Binomial, GlmLink.Identity) => (0.5, 0.3),
            (GlmFamily.Binomial, _) => (0.0, 1.5),
            (_, GlmLink.Log) => (1.0, 0.8),
            (_, GlmLink.Identity) => (4.0, 2.0),
            _ => (0.6, 0.3),
        };
        double b1 = 0.5 * half, b2 = 0.3 * half;
        double[] truth = [centre - 50 * b2, b1, b2];
        var x1 = Enumerable.Range(0, Rows).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var x2 = Enumerable.Range(0, Rows).Select(_ => 50 + 2 * random.NextDouble() - 1).ToArray();
        var offset = Enumerable.Range(0, Rows).Select(_ => 0.1 * half * (2 * random.NextDouble() - 1)).ToArray();
        var trials = Enumerable.Range(0, Rows).Select(_ => (double)random.Next(1, 6)).ToArray();
        double extra = family switch { GlmFamily.NegativeBinomial => 0.5, GlmFamily.Gamma => 3.0, _ => 0.8 };
        var y = new double[Rows];
        for (int i = 0; i < Rows; i++)
        {
            double eta = truth[0] + b1 * x1[i] + b2 * x2[i] + offset[i];
            double mu = link switch
            {
                GlmLink.Logit => 1 / (1 + Math.Exp(-eta)),
                GlmLink.Probit => Normal.CDF(0, 1, eta),
                GlmLink.CLogLog => 1 - Math.Exp(-Math.Exp(eta)),
                GlmLink.Log => Math.Exp(eta),
                GlmLink.Identity => eta,
                _ => 1 / eta,
            };
            y[i] = family switch
            {
                GlmFamily.Binomial => Binomial.Sample(random, mu, (int)trials[i]),
                GlmFamily.Poisson => Poisson.Sample(random, mu),
                // The Gamma-Poisson mixture: MathNet 5.0's NegativeBinomial.Sample has mean r/p, not r(1 − p)/p.
                GlmFamily.NegativeBinomial => Poisson.Sample(random, Gamma.Sample(random, 1 / extra, 1 / (extra * mu))),
                GlmFamily.Gamma => Gamma.Sample(random, extra, extra / mu),
                _ => Normal.Sample(random, mu, extra),
            };
        }
        var data = Dataset.FromColumns(("y", y), ("x1", x1), ("x2", x2), ("off", offset), ("n", trials));
        var columns = new ModelColumns(Y: "y", X: ["x1", "x2"], TrialsColumn: family == GlmFamily.Binomial ? "n" : null)
        {
            Family = GlmNames.Name(family),
            Link = GlmNames.Name(link),
            Offset = "off",
        };
        var spec = ModelCatalog.Create("glm", data, columns);
        using var session = new EstimationSession(spec, devices.Native);

        var fit = session.Fit(new FitOptions());

        Assert.True(fit.Converged, $"{family}/{link}: {fit.Reason}");
        // Newton's method with the device's exact Hessian, not the generic search it falls back to.
        Assert.Equal("newton", fit.Optimizer);
        double[] expected = GlmModel.HasExtraParameter(family) ? [.. truth, extra] : truth;
        var z = fit.Parameters.Select((p, k) => (p.Estimate - expected[k]) / p.StdError!.Value).ToArray();
        output.WriteLine($"{family}/{link}: {fit.Iterations} iterations; z = {string.Join(", ", z.Select(v => v.ToString("F2")))}");
        for (int k = 0; k < expected.Length; k++)
            Assert.True(Math.Abs(z[k]) <= 5, $"{family}/{link} {fit.Parameters[k].Name}: {fit.Parameters[k].Estimate:R} vs truth {expected[k]} ({z[k]:F1} standard errors)");
    }

    // A Poisson quasi-likelihood (PPML) of a positive response scaled by 10⁻¹⁵ and 10⁻¹⁸: the same slope, and the
    // intercept moved by the log of the scale, to 1e-8 (a trial: started at log 0.1 and stopped in model-based errors
    // ~10⁷ times the robust ones, 1.5% off in the slope and "converged"; at 10⁻¹⁸ a false "no finite maximum").
    [Fact]
    public void APoissonQuasiLikelihoodOfTinyResponsesFitsAsTheUnscaledOne()
    {
        var random = new Random(10);
        double[] x = [.. Enumerable.Range(0, 80).Select(_ => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))];
        double[] y = [.. x.Select(v => Math.Exp(0.5 + 0.3 * v) * (0.2 + 1.6 * random.NextDouble()))];
        FitResult Fit(double scale)
        {
            var spec = ModelCatalog.Create("glm", Dataset.FromColumns(("y", y.Select(v => v * scale).ToArray()), ("x", x)), new ModelColumns(Y: "y", X: ["x"]) { Family = "poisson" });
            using var session = new EstimationSession(spec, devices.Native);
            var fit = session.Fit(new FitOptions { Covariance = CovarianceType.HC0 });
            Assert.True(fit.Converged, fit.Reason);
            return fit;
        }
        var plain = Fit(1);
        foreach (double scale in new[] { 1e-15, 1e-18 })
        {
            var fit = Fit(scale);
            Assert.Equal(plain.Parameters[1].Estimate, fit.Parameters[1].Estimate, 1e-8);
            Assert.Equal(plain.Parameters[0].Estimate + Math.Log(scale), fit.Parameters[0].Estimate, 1e-8);
            Assert.Equal(plain.Parameters[1].StdError!.Value, fit.Parameters[1].StdError!.Value, 1e-8);
        }
    }

    // Under-dispersed counts (binomial, variance below the mean) under the NB2 GLM: alpha's maximum is at its edge, 0,
    // the Poisson limit. The Newton search is left for the generic one (a bounded parameter on its diverging ray is an
    // edge, not "no finite maximum"), which reports alpha = 0 at the edge; the coefficients, log-likelihood and
    // deviance are then the Poisson GLM's (1e-7, 1e-10, 1e-9), and the statistics do not fail on alpha = 0.
    // A feature of mean 10⁶ and spread 1: the exact Hessian in (intercept, slope) is too ill-conditioned to invert
    // (it was reported singular, with no standard errors; then differenced, to 1e-9, in 4 passes a coefficient), so
    // the covariance is inverted in the centred coordinates the Hessian is summed in and carried back, with no pass
    // of its own: 5 evaluations in all, the standard errors to 1e-10 (measured 5e-12). Reference: statsmodels 0.13.5 Logit(y, add_constant(u)).fit(method='newton',
    // tol=1e-15) on the centred u = x − 10⁶ (the slope and its se are shift-invariant; the raw intercept is
    // a − 10⁶ b with variance C00 − 2·10⁶ C01 + 10¹² C11). statsmodels on the raw column itself does not converge and
    // prints a slope se of 0.506.
    [Fact]
    public void LogitWithAFeatureOfMeanAMillionHasStandardErrors()
    {
        double[] u = [-1.5, -1.25, -1.0, -0.875, -0.75, -0.5, -0.375, -0.25, -0.125, 0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 1.0, 1.25, 1.5, 1.75];
        double[] y = [0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1];
        var data = Dataset.FromColumns(("y", y), ("x", u.Select(v => 1e6 + v).ToArray()));
        using var session = new EstimationSession(ModelCatalog.Create("logit", data, new ModelColumns(Y: "y", X: ["x"])), devices.Native);

        var fit = session.Fit(new FitOptions());

        Assert.True(fit.Converged, fit.Reason);
        Assert.Equal("negative definite", fit.Diagnostics.Hessian);
        Assert.True(Numerics.Relative(fit["x"], 1.6385314793547128) <= 1e-8, $"slope {fit["x"]:R}");
        // 1e-8: the information may be the one summed before Newton's last step (taken without a pass where the search
        // converges quadratically, NewtonMaximizer.InformationDrift); it was 1e-6 off when inverted in the raw coefficients.
        Assert.True(Numerics.Relative(fit.Get("x").StdError!.Value, 0.777350008490837) <= 1e-8, $"se(x) {fit.Get("x").StdError:R}");
        Assert.True(Numerics.Relative(fit.Get("intercept").StdError!.Value, 777349.981306367) <= 1e-8, $"se(intercept) {fit.Get("intercept").StdError:R}");
        Assert.True(fit.Evaluations <= 8, $"{fit.Evaluations} evaluations");
        Assert.True(Math.Abs(fit.LogLikelihood - -10.389797456726557) <= 1e-9, $"log L {fit.LogLikelihood:R}");
    }

    // Two features nearly one (x2 = x1 + 1e-5 noise): the information is singular in the centred coordinates too, and
    // the standard errors still come from the differenced gradient in coordinates re-derived there (a review: the
    // centred inversion's "singular" was returned as it was, and the fit had none). With the intercept held, the
    // centred coordinates do not map onto the free ones (the slope moves γ₀ too) and the natural ones are used: the
    // slope's standard error is the conditional one, 1/√(Σ p(1 − p) x²), to 1e-6.
    [Fact]
    public void CentredInformationFallsBackWhereItCannotHelp()
    {
        var random = new MersenneTwister(101);
        const int n = 2000;
        var x1 = Enumerable.Range(0, n).Select(_ => Normal.Sample(random, 0, 1)).ToArray();
        var x2 = x1.Select(v => v + 1e-5 * Normal.Sample(random, 0, 1)).ToArray();
        var k = x1.Select(v => (double)Poisson.Sample(random, Math.Exp(0.5 + 0.3 * v))).ToArray();
        var data = Dataset.FromColumns(("k", k), ("x1", x1), ("x2", x2));
        using (var session = new EstimationSession(ModelCatalog.Create("glm", data, new ModelColumns(Y: "k", X: ["x1", "x2"]) { Family = "poisson" }), devices.Native))
        {
            var fit = session.Fit(new FitOptions());
            Assert.True(fit.Converged, fit.Reason);
            foreach (var name in new[] { "intercept", "x1", "x2" })
                Assert.True(fit.Get(name).StdError is > 0 and < double.PositiveInfinity, $"se({name}) {fit.Get(name).StdError}");
        }

        double[] u = [-1.5, -1.25, -1.0, -0.875, -0.75, -0.5, -0.375, -0.25, -0.125, 0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 1.0, 1.25, 1.5, 1.75];
        double[] y = [0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1];
        var x = u.Select(v => 1e6 + v).ToArray();
        using var held = new EstimationSession(ModelCatalog.Create("logit", Dataset.FromColumns(("y", y), ("x", x)), new ModelColumns(Y: "y", X: ["x"])), devices.Native);
        const double b0 = -1638531.299015823;
        var conditional = held.Fit(new FitOptions { Fixed = new Dictionary<string, double> { ["intercept"] = b0 } });
        Assert.True(conditional.Converged, conditional.Reason);
        double b1 = conditional["x"];
        double information = x.Sum(v => { double p = 1 / (1 + Math.Exp(-(b0 + b1 * v))); return p * (1 - p) * v * v; });
        Assert.True(Numerics.Relative(conditional.Get("x").StdError!.Value, 1 / Math.Sqrt(information)) <= 1e-6, $"se(x) {conditional.Get("x").StdError:R}");
    }

    // Twenty features of mean 10⁶ (values 10⁶ + u, u on a grid of 1/64, so that both hold the same u exactly) in a
    // negative binomial GLM, whose α the optimizer moves on the log scale (the transform's own term in the
    // information): every standard error is the same fit's on u itself, the intercept's carried to b₀ = c − 10⁶ Σ bₖ
    // (the variances add, nothing cancels), to 1e-7 (the estimates of the two fits differ by ~1e-9 relative, and the
    // information with them), in a handful of evaluations: the information is inverted in the centred coordinates,
    // not differenced (89 evaluations for 20 features). With a slope held the same holds over the free ones.
    [Fact]
    public void StandardErrorsOfTwentyFeaturesOfMeanAMillionAreTheCentredFits()
    {
        var random = new MersenneTwister(83);
        const int n = 3000, k = 20;
        const double m = 1e6;
        var u = Enumerable.Range(0, k).Select(_ => Enumerable.Range(0, n).Select(_ => Math.Round(64 * Normal.Sample(random, 0, 1)) / 64).ToArray()).ToArray();
        var y = Enumerable.Range(0, n).Select(i =>
        {
            double mean = Math.Exp(0.5 + 0.1 * Enumerable.Range(0, k).Sum(j => u[j][i] * (j % 3 - 1)));
            return (double)Poisson.Sample(random, Gamma.Sample(random, 2, 2 / mean));
        }).ToArray();
        var names = Enumerable.Range(0, k).Select(j => $"x{j}").ToArray();
        foreach (var held in new[] { new Dictionary<string, double>(), new Dictionary<string, double> { ["x3"] = 0.05 } })
        {
            FitResult Fit(double shift)
            {
                var data = Dataset.FromColumns([("y", y), .. names.Select((name, j) => (name, u[j].Select(v => v + shift).ToArray()))]);
                var spec = ModelCatalog.Create("glm", data, new ModelColumns(Y: "y", X: names) { Family = "negbinomial" });
                using var session = new EstimationSession(spec, devices.Native);
                return session.Fit(new FitOptions { Fixed = held });
            }
            var centred = Fit(0);
            var shifted = Fit(m);
            Assert.True(centred.Converged && shifted.Converged, shifted.Reason);
            Assert.True(shifted.Evaluations <= 12, $"{shifted.Evaluations} evaluations");
            var c = centred.Covariance!;
            var free = names.Where(name => !held.ContainsKey(name)).ToArray();
            // The covariance's rows: the intercept, the slopes (a held one's zero), alpha.
            var carry = new double[c.GetLength(0)];
            carry[0] = 1;
            for (int j = 0; j < k; j++)
                carry[1 + j] = -m;
            double intercept = 0;
            for (int a = 0; a < carry.Length; a++)
            {
                for (int b = 0; b < carry.Length; b++)
                    intercept += carry[a] * c[a, b] * carry[b];
            }
            foreach (var name in free.Append("alpha"))
            {
                Assert.True(Numerics.Relative(shifted.Get(name).StdError!.Value, centred.Get(name).StdError!.Value) <= 1e-7,
                    $"se({name}) {shifted.Get(name).StdError:R} against {centred.Get(name).StdError:R}");
            }
            Assert.True(Numerics.Relative(shifted.Get("intercept").StdError!.Value, Math.Sqrt(intercept)) <= 1e-7,
                $"se(intercept) {shifted.Get("intercept").StdError:R} against {Math.Sqrt(intercept):R}");
        }
    }

    // Frequency weights all equal to c give the unweighted estimates whatever c, and standard errors times 1/√c. With
    // c = 10⁻²⁰ the objective, its gradient and its curvature are that small, and the stopping rules, measured against
    // 1, passed the starting values for the maximum (a trial: 0 iterations, "converged", the logit's intercept at the
    // start's -0.935 for the MLE's -0.786); they are now measured against the mean weight (OptimizerSettings.Unit).
    // Estimates to 1e-9, standard errors to 1e-6. Under L-BFGS the information is differenced: in the search's units,
    // a standard error of 10¹⁰ at weights of 10⁻²⁰, the steps overflowed and there were none; it is differenced per
    // unit weight (ObservedInformation's unit), estimates to 1e-7 and standard errors to 1e-5 there.
    [Theory]
    [InlineData("logit", OptimizerKind.Auto)]
    [InlineData("poisson", OptimizerKind.Auto)]
    [InlineData("poisson", OptimizerKind.Lbfgs)]
    public void EqualTinyWeightsGiveTheUnweightedEstimates(string model, OptimizerKind optimizer)
    {
        double estimates = optimizer == OptimizerKind.Auto ? 1e-9 : 1e-7, errors = optimizer == OptimizerKind.Auto ? 1e-6 : 1e-5;
        var random = new MersenneTwister(97);
        const int n = 60;
        var x = Enumerable.Range(0, n).Select(_ => Normal.Sample(random, 0, 1)).ToArray();
        var y = x.Select(v => model == "logit" ? (random.NextDouble() < 1 / (1 + Math.Exp(-0.3 - v)) ? 1.0 : 0.0) : Poisson.Sample(random, Math.Exp(0.4 + 0.5 * v))).ToArray();
        FitResult Fit(double weight, string[]? profile = null)
        {
            var data = Dataset.FromColumns(("y", y), ("x", x), ("w", Enumerable.Repeat(weight, n).ToArray()));
            var columns = new ModelColumns(Y: "y", X: ["x"]) { Weights = "w", Family = model == "logit" ? null : "poisson" };
            var spec = ModelCatalog.Create(model == "logit" ? "logit" : "glm", data, columns);
            using var session = new EstimationSession(spec, devices.Native);
            var fit = session.Fit(new FitOptions { Optimizer = new OptimizerSettings { Kind = optimizer }, Profile = profile ?? [] });
            return fit with { Glm = GlmStatistics.Of(spec, fit, devices.Native) };
        }
        var unit = Fit(1);
        foreach (double c in new[] { 1e-20, 1.0 / 6, 1e-200 })
        {
            var fit = Fit(c);
            Assert.True(fit.Converged, fit.Reason);
            foreach (var name in new[] { "intercept", "x" })
            {
                Assert.True(Numerics.Relative(fit[name], unit[name]) <= estimates, $"c = {c:G}: {name} {fit[name]:R} against {unit[name]:R}");
                Assert.True(Numerics.Relative(fit.Get(name).StdError!.Value * Math.Sqrt(c), unit.Get(name).StdError!.Value) <= errors,
                    $"c = {c:G}: se({name}) {fit.Get(name).StdError:R}");
            }
            // No profile intervals from weights summing below one observation, and a note (they took 10 s to fail).
            if (c < 1.0 / n)
            {
                var profiled = Fit(c, ["x"]);
                Assert.Null(profiled.Get("x").Profile);
                Assert.Contains(profiled.Diagnostics.Notes, note => note.StartsWith("no profile intervals: the frequency weights sum to", StringComparison.Ordinal));
            }
            // The constant-only model too (a review: its fit stopped at its start).
            Assert.True(Numerics.Relative(fit.Glm!.LogLikelihoodNull / c, unit.Glm!.LogLikelihoodNull) <= estimates,
                $"c = {c:G}: null log-likelihood {fit.Glm.LogLikelihoodNull:R}");
        }
    }

    // Poisson counts (α = 0; a trial's 1,000 rows, y ~ Poisson(exp(0.5 + 0.3 x1 − 0.2 x2)), numpy seed 604): the search
    // ended with alpha at 5e-17, "converged", and no standard errors at all: the log-likelihood one unit further out was
    // the same to its last bits, but the search's own value (another pass's sums) an ulp above it, and the edge test
    // allowed no rounding. Alpha is at 0 now, with the Poisson fit's standard errors.
    [Fact]
    public void PoissonCountsPutAlphaAtItsEdgeWithStandardErrors()
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Models", "reference", "glm", "nb2_poisson_counts.csv")).Skip(1)
            .Select(l => l.Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var data = Dataset.FromColumns(("y", lines.Select(r => r[0]).ToArray()), ("x1", lines.Select(r => r[1]).ToArray()), ("x2", lines.Select(r => r[2]).ToArray()));
        FitResult Fit(string family)
        {
            using var session = new EstimationSession(ModelCatalog.Create("glm", data, new ModelColumns(Y: "y", X: ["x1", "x2"]) { Family = family }), devices.Native);
            return session.Fit(new FitOptions());
        }
        var nb = Fit("negbinomial");
        var poisson = Fit("poisson");

        Assert.True(nb.Converged, nb.Reason);
        Assert.Equal(["alpha"], nb.Diagnostics.AtBound);
        Assert.Equal(0.0, nb["alpha"]);
        foreach (var name in new[] { "intercept", "x1", "x2" })
            Assert.True(Numerics.Relative(nb.Get(name).StdError!.Value, poisson.Get(name).StdError!.Value) <= 1e-5, $"{name} se {nb.Get(name).StdError} vs {poisson.Get(name).StdError}");
    }

    [Fact]
    public void UnderDispersedCountsPutAlphaAtItsEdgeWithThePoissonFit()
    {
        var random = new MersenneTwister(61);
        int n = 400;
        var x = Enumerable.Range(0, n).Select(_ => Normal.Sample(random, 0, 1)).ToArray();
        var k = Enumerable.Range(0, n).Select(_ => (double)Binomial.Sample(random, 0.4, 10)).ToArray();
        var data = Dataset.FromColumns(("k", k), ("x", x));
        FitResult Fit(string family)
        {
            var spec = ModelCatalog.Create("glm", data, new ModelColumns(Y: "k", X: ["x"]) { Family = family });
            using var session = new EstimationSession(spec, devices.Native);
            var fit = session.Fit(new FitOptions());
            return fit with { Glm = GlmStatistics.Of(spec, fit, devices.Native) };
        }
        var nb = Fit("negbinomial");
        var poisson = Fit("poisson");

        Assert.True(nb.Converged, nb.Reason);
        Assert.Equal(["alpha"], nb.Diagnostics.AtBound);
        Assert.Equal(0.0, nb["alpha"]);
        foreach (var name in new[] { "intercept", "x" })
        {
            Assert.True(Math.Abs(nb[name] - poisson[name]) <= 1e-7 * Math.Max(1, Math.Abs(poisson[name])), $"{name}: {nb[name]:R} vs Poisson {poisson[name]:R}");
            Assert.True(Numerics.Relative(nb.Get(name).StdError!.Value, poisson.Get(name).StdError!.Value) <= 1e-5, $"{name} se");
        }
        Assert.True(Math.Abs(nb.LogLikelihood - poisson.LogLikelihood) <= 1e-10 * Math.Abs(poisson.LogLikelihood), $"log L {nb.LogLikelihood:R} vs {poisson.LogLikelihood:R}");
        Assert.True(Numerics.Relative(nb.Glm!.Deviance, poisson.Glm!.Deviance) <= 1e-9, $"deviance {nb.Glm.Deviance:R} vs {poisson.Glm.Deviance:R}");
        Assert.True(double.IsFinite(nb.Glm.NullDeviance), "null deviance");
        // The note names the model at the edge, and alpha held at 0 is refused pointing there (alpha must be positive).
        Assert.Contains(nb.Diagnostics.Notes, n => n.Contains("alpha = 0 (the Poisson GLM)", StringComparison.Ordinal));
        var spec = ModelCatalog.Create("glm", data, new ModelColumns(Y: "k", X: ["x"]) { Family = "negbinomial" });
        using var session = new EstimationSession(spec, devices.Native);
        var error = Assert.Throws<InputException>(() => session.Fit(new FitOptions { Fixed = new Dictionary<string, double> { ["alpha"] = 0 } }));
        Assert.Contains("alpha must be positive; alpha = 0 is the Poisson GLM", error.Message);
    }

    // A gamma response of coefficient of variation 10⁻⁶ (shape 10¹²): the shape's MLE solves log k − ψ(k) = D/(2n)
    // (D the deviance at the fitted means), which the fit meets to 1e-9 of itself, and is within 4 standard errors of
    // the truth. Formed directly, k log k − log Γ(k) and log k − ψ(k) kept no digit of the shape's score here.
    [Fact]
    public void GammaWithAHugeShapeKeepsItsDigits()
    {
        var random = new MersenneTwister(71);
        const int n = 2000;
        var x = Enumerable.Range(0, n).Select(_ => Normal.Sample(random, 0, 1)).ToArray();
        var y = x.Select(v => Math.Exp(0.5 + 0.2 * v) * (1 + 1e-6 * Normal.Sample(random, 0, 1))).ToArray();
        var spec = ModelCatalog.Create("glm", Dataset.FromColumns(("y", y), ("x", x)), new ModelColumns(Y: "y", X: ["x"]) { Family = "gamma", Link = "log" });
        using var session = new EstimationSession(spec, devices.Native);

        var fit = session.Fit(new FitOptions());

        Assert.True(fit.Converged, fit.Reason);
        var glm = GlmStatistics.Of(spec, fit, devices.Native)!;
        double shape = fit["shape"];
        Assert.True(Numerics.Relative(GpuEstimation.Kernels.DeviceMath.LogMinusDigamma(shape), glm.Deviance / (2 * n)) <= 1e-9,
            $"shape {shape:R}: log k - digamma(k) {GpuEstimation.Kernels.DeviceMath.LogMinusDigamma(shape):R} against D/2n {glm.Deviance / (2 * n):R}");
        Assert.True(Math.Abs(shape - 1e12) <= 4 * fit.Get("shape").StdError!.Value, $"shape {shape:R} ± {fit.Get("shape").StdError}");
        Assert.Null(glm.ExactFitNote());
    }

    // A gamma response fitted exactly (every y the same): the likelihood rises without bound as the shape runs to ∞.
    // Refused before any iteration (DegenerateDataTests); with the shape held the coefficients are the exact fit's and
    // the statistics say so. Before the shape's constants kept their digits, a rounding maximum at 4.9·10¹⁵ had been
    // called converged; then the search ran to the edge and exited 3 with the shape at 1.8e308.
    [Fact]
    public void GammaFittedExactlyHasNoFiniteShape()
    {
        var random = new MersenneTwister(73);
        var x = Enumerable.Range(0, 1000).Select(_ => Normal.Sample(random, 0, 1)).ToArray();
        var spec = ModelCatalog.Create("glm", Dataset.FromColumns(("y", x.Select(_ => 2.0).ToArray()), ("x", x)), new ModelColumns(Y: "y", X: ["x"]) { Family = "gamma" });
        using var session = new EstimationSession(spec, devices.Native);

        Assert.Contains("shape → ∞", Assert.Throws<InputException>(() => session.Fit(new FitOptions())).Message);
        var fit = session.Fit(new FitOptions { Fixed = new Dictionary<string, double> { ["shape"] = 10 } });

        Assert.True(fit.Converged, fit.Reason);
        Assert.True(Math.Abs(fit["intercept"] - 0.5) <= 1e-12 && Math.Abs(fit["x"]) <= 1e-12, $"{fit["intercept"]:R} {fit["x"]:R}");
        var statistics = GlmStatistics.Of(spec, fit, devices.Native)!;
        Assert.Contains("no finite maximum (shape → ∞)", statistics.ExactFitNote());
        Assert.Contains("with shape held, the coefficients are the exact fit's", statistics.ExactFitNote(scaleHeld: true));
        Assert.Contains("with shape held at 10;", statistics.StdErrorNote(10));
    }

    // A deviance above 0 but within rounding's reach of the null deviance (responses off a log-linear mean by 10⁻¹¹, a
    // trial) is no exact fit: the note says the maximum, if finite, is beyond what doubles resolve, and where the fit
    // converged with the shape free (its maximum found, shape ≈ 10²²) there is no note. A deviance of 0 keeps it.
    [Fact]
    public void ANearlyExactGammaFitIsNotCalledExact()
    {
        var near = new GlmStatistics("gamma", "log", Deviance: 2.03e-19, NullDeviance: 80.9, PearsonChi2: 2.03e-19, Dispersion: 1.01e-22,
            LogLikelihoodNull: -198.9, PseudoR2: 238.5, DfModel: 1, DfResid: 1998);

        Assert.Contains("to within rounding's reach (deviance 2.03e-19, 2.5e-21 of the null deviance)", near.ExactFitNote());
        Assert.Contains("no finite maximum (shape → ∞) that doubles resolve, if any", near.ExactFitNote());
        Assert.Null(near.ExactFitNote(converged: true));
        Assert.NotNull(near.ExactFitNote(scaleHeld: true, converged: true));
        Assert.Contains("exactly (deviance 0): the likelihood has no finite maximum (shape → ∞);", (near with { Deviance = 0 }).ExactFitNote(converged: true));
    }

    // Frequency weights summing to less than the coefficients (weights normalized to 1) make the residual degrees of
    // freedom and so gamma's Pearson dispersion negative: no exact-fit note there (a review found one on a noisy fit).
    [Fact]
    public void GammaWithNegativeResidualDegreesOfFreedomIsNoExactFit()
    {
        var statistics = new GlmStatistics("gamma", "log", Deviance: 0.491, NullDeviance: 0.62, PearsonChi2: 0.47, Dispersion: -0.469,
            LogLikelihoodNull: -1.2, PseudoR2: 0.1, DfModel: 1, DfResid: -1);
        Assert.Null(statistics.ExactFitNote());
        Assert.NotNull((statistics with { Deviance = 1e-30, Dispersion = 1e-31, DfResid = 5 }).ExactFitNote());
        Assert.Contains("undefined here: the weights sum to 0.5, no more than", (statistics with { Dispersion = double.NaN, SumWeights = 0.5 }).StdErrorNote(null));
    }

    // A weighted gamma fit whose weights sum to 3 for 6 coefficients: the estimates are the weighted MLE's, the
    // dispersion is NaN (no residual degrees of freedom), not a negative number.
    [Fact]
    public void GammaWeightsSummingBelowTheCoefficientsHaveNoDispersion()
    {
        var random = new MersenneTwister(29);
        var x = Enumerable.Range(0, 5).Select(_ => Enumerable.Range(0, 20).Select(_ => Normal.Sample(random, 0, 1)).ToArray()).ToArray();
        var y = Enumerable.Range(0, 20).Select(i => Gamma.Sample(random, 2, 2 / Math.Exp(0.5 + 0.3 * x[0][i]))).ToArray();
        var w = Enumerable.Repeat(3.0 / 20, 20).ToArray();
        var spec = ModelCatalog.Create("glm", Dataset.FromColumns([("y", y), ("w", w), .. x.Select((c, j) => ($"x{j}", c))]),
            new ModelColumns(Y: "y", X: [.. Enumerable.Range(0, 5).Select(j => $"x{j}")]) { Family = "gamma", Link = "log", Weights = "w" });
        using var session = new EstimationSession(spec, devices.Native);
        var fit = session.Fit(new FitOptions());
        var statistics = GlmStatistics.Of(spec, fit, devices.Native)!;

        Assert.True(fit.Converged, fit.Reason);
        Assert.True(double.IsNaN(statistics.Dispersion) && statistics.DfResid < 0, $"dispersion {statistics.Dispersion}, df {statistics.DfResid}");
        Assert.Contains("undefined here: the weights sum to 3", statistics.StdErrorNote(null));
    }

    // Robust covariances with a feature of mean 10⁶ (values 10⁶ + u, u on a grid of 1/64 so that both columns hold the
    // same u exactly): against the same fit on u itself, carried to the shifted intercept (b₀ = c − 10⁶ b₁: the
    // variances add, nothing cancels), HC0 and cluster-robust standard errors to 5e-8 (measured 3e-9 and 1.3e-8; the
    // model-based ones agree to 1.4e-11). The meat formed in the feature's own units lost ~m²·10⁻¹⁶ (7e-5 here); it is
    // now formed over the centred terms (ScoreProductFactors), and what is left is the bread's ~m·10⁻¹⁶ times B L.
    [Fact]
    public void RobustStandardErrorsWithAFeatureOfMeanAMillionKeepTheirDigits()
    {
        var random = new MersenneTwister(79);
        const int n = 2000;
        const double m = 1e6;
        var u = Enumerable.Range(0, n).Select(_ => Math.Round(64 * Normal.Sample(random, 0, 1)) / 64).ToArray();
        var y = u.Select(v => random.NextDouble() < 1 / (1 + Math.Exp(-v)) ? 1.0 : 0.0).ToArray();
        var clusters = Enumerable.Range(0, n).Select(i => i % 40).ToArray();
        foreach (var type in new[] { CovarianceType.HC0, CovarianceType.Cluster(clusters) })
        {
            FitResult Fit(double shift)
            {
                var data = Dataset.FromColumns(("y", y), ("x", u.Select(v => v + shift).ToArray()));
                using var session = new EstimationSession(ModelCatalog.Create("logit", data, new ModelColumns(Y: "y", X: ["x"])), devices.Native);
                return session.Fit(new FitOptions { Covariance = type });
            }
            var centred = Fit(0);
            var shifted = Fit(m);
            Assert.True(centred.Converged && shifted.Converged, shifted.Reason);
            var c = centred.Covariance!;
            double intercept = Math.Sqrt(c[0, 0] - 2 * m * c[0, 1] + m * m * c[1, 1]);
            Assert.True(Numerics.Relative(shifted.Get("x").StdError!.Value, centred.Get("x").StdError!.Value) <= 5e-8,
                $"{type.Name}: se(x) {shifted.Get("x").StdError:R} against {centred.Get("x").StdError:R}");
            Assert.True(Numerics.Relative(shifted.Get("intercept").StdError!.Value, intercept) <= 5e-8,
                $"{type.Name}: se(intercept) {shifted.Get("intercept").StdError:R} against {intercept:R}");
        }
    }
}
