using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Models;
using GpuEstimation.Optimization;
using GpuEstimation.Tests.Engine;
using GpuEstimation.Tests.Support;
using MathNet.Numerics.Random;
using Xunit;

namespace GpuEstimation.Tests.Estimation;

/// <summary>
/// GLM fits by Newton's method with the device's exact Hessian: the same maximum and standard errors as the generic
/// search with the differenced Hessian, the same bits on every run, and separation in a binomial model named instead
/// of a huge coefficient called converged.
/// </summary>
[Collection(DeviceCollection.Name)]
public class NewtonFitTests(DeviceFixture devices)
{
    public static IEnumerable<object[]> Families =>
        from backend in new[] { Backend.Native, Backend.Cpu }
        from family in new[] { GlmFamily.Binomial, GlmFamily.NegativeBinomial, GlmFamily.Gamma, GlmFamily.Normal }
        select new object[] { backend, family };

    // Gradient ascent keeps the generic path (L-BFGS is the default, which a model with an exact Hessian replaces).
    [Theory]
    [MemberData(nameof(Families))]
    public void NewtonAgreesWithTheGenericSearch(Backend backend, GlmFamily family)
    {
        var link = GlmNames.DefaultLink(family);
        var (data, columns, _) = GlmEngineTests.Problem(family, link, intercept: true, seed: 40 + (int)family);
        var spec = ModelCatalog.Create("glm", data, columns);
        using var session = new EstimationSession(spec, devices[backend]);

        var newton = session.Fit(new FitOptions());
        var generic = session.Fit(new FitOptions { Optimizer = new OptimizerSettings { Kind = OptimizerKind.GradientAscent, MaxIterations = 20_000 } });

        Assert.True(newton.Converged, newton.Reason);
        Assert.True(generic.Converged, generic.Reason);
        Assert.Equal("newton", newton.Optimizer);
        Assert.True(Math.Abs(newton.LogLikelihood - generic.LogLikelihood) <= 1e-9 * Math.Abs(generic.LogLikelihood), $"{newton.LogLikelihood:R} vs {generic.LogLikelihood:R}");
        for (int k = 0; k < newton.Parameters.Count; k++)
        {
            var (a, b) = (newton.Parameters[k], generic.Parameters[k]);
            Assert.True(Math.Abs(a.Estimate - b.Estimate) <= 1e-4 * b.StdError!.Value, $"{family} {a.Name}: {a.Estimate:R} vs {b.Estimate:R}");
            Assert.True(Numerics.Relative(a.StdError!.Value, b.StdError.Value) <= 1e-5, $"{family} {a.Name}: se {a.StdError:R} vs {b.StdError:R}");
        }
    }

    // Converging quadratically, Newton's search takes its last step without a pass where the information it summed
    // before that step is within 1e-8 of the end's (as R's glm keeps the weights of the point before its last step,
    // unbounded): an NB2 fit of 10⁵ rows whose iterates land there (seeds 1, 3, 5 and 7 of the first twelve; the logit
    // and Poisson fits of the same shape converge past it, and take their last pass): a pass per iteration and none
    // after, one pass fewer than the search to a tolerance of 1e-13, and the same estimates to 1e-12 of a standard
    // error, the log-likelihood to 1e-12 and the standard errors to 1e-8.
    [Fact]
    public void TheLastNewtonStepNeedsNoPass()
    {
        var random = new MersenneTwister(1);
        const int n = 100_000;
        var x1 = Enumerable.Range(0, n).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var x2 = Enumerable.Range(0, n).Select(_ => MathNet.Numerics.Distributions.Normal.Sample(random, 0, 1)).ToArray();
        var y = x1.Select((v, i) => Math.Exp(0.3 + 0.5 * v - 0.4 * x2[i]))
            .Select(mu => (double)MathNet.Numerics.Distributions.NegativeBinomial.Sample(random, 2.0, 2.0 / (2.0 + mu))).ToArray();
        var columns = new ModelColumns(Y: "y", X: ["x1", "x2"]) { Family = "negbinomial" };
        using var session = new EstimationSession(ModelCatalog.Create("glm", Dataset.FromColumns(("y", y), ("x1", x1), ("x2", x2)), columns), devices.Native);

        var fit = session.Fit(new FitOptions());
        var evaluated = session.Fit(new FitOptions { Optimizer = new OptimizerSettings { GradientTolerance = 1e-13 } });

        Assert.True(fit.Converged, fit.Reason);
        Assert.True(evaluated.Converged, evaluated.Reason);
        Assert.StartsWith(NewtonMaximizer.StepTakenReason, fit.Reason);
        Assert.Equal(fit.Iterations, fit.Evaluations);
        Assert.True(evaluated.Evaluations > fit.Evaluations, $"{evaluated.Evaluations} evaluations against {fit.Evaluations}");
        Assert.True(Math.Abs(fit.LogLikelihood - evaluated.LogLikelihood) <= 1e-12 * Math.Abs(evaluated.LogLikelihood), $"{fit.LogLikelihood:R} vs {evaluated.LogLikelihood:R}");
        for (int k = 0; k < fit.Parameters.Count; k++)
        {
            var (a, b) = (fit.Parameters[k], evaluated.Parameters[k]);
            Assert.True(Math.Abs(a.Estimate - b.Estimate) <= 1e-12 * b.StdError!.Value + 1e-15 * Math.Abs(b.Estimate), $"{a.Name}: {a.Estimate:R} vs {b.Estimate:R}");
            Assert.True(Numerics.Relative(a.StdError!.Value, b.StdError.Value) <= 1e-8, $"{a.Name}: se {a.StdError:R} vs {b.StdError:R}");
        }
    }

    [Theory]
    [MemberData(nameof(DeviceFixture.Backends), MemberType = typeof(DeviceFixture))]
    public void NewtonFitGivesTheSameBitsTwice(Backend backend)
    {
        var (data, columns, _) = GlmEngineTests.Problem(GlmFamily.NegativeBinomial, GlmLink.Log, intercept: true, seed: 5);
        using var session = new EstimationSession(ModelCatalog.Create("glm", data, columns), devices[backend]);

        var first = session.Fit(new FitOptions());
        var second = session.Fit(new FitOptions());

        Assert.Equal(first.Parameters.Select(p => BitConverter.DoubleToInt64Bits(p.Estimate)), second.Parameters.Select(p => BitConverter.DoubleToInt64Bits(p.Estimate)));
        Assert.Equal(first.Parameters.Select(p => BitConverter.DoubleToInt64Bits(p.StdError!.Value)), second.Parameters.Select(p => BitConverter.DoubleToInt64Bits(p.StdError!.Value)));
        Assert.Equal(BitConverter.DoubleToInt64Bits(first.LogLikelihood), BitConverter.DoubleToInt64Bits(second.LogLikelihood));
    }

    // By Newton's method (the default) and by L-BFGS asked for, which stopped at coefficients in the thousands, the
    // gradient below its tolerance there, and called it converged: the separating feature named, the other not.
    [Theory]
    [InlineData(OptimizerKind.Auto)]
    [InlineData(OptimizerKind.Lbfgs)]
    public void PerfectSeparationOnOneFeatureIsNamed(OptimizerKind optimizer)
    {
        var random = new Xoshiro256StarStar(11);
        var x1 = Enumerable.Range(0, 300).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var x2 = Enumerable.Range(0, 300).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var y = x1.Select(v => v > 0.3 ? 1.0 : 0.0).ToArray();
        var fit = FitLogit(Dataset.FromColumns(("y", y), ("x1", x1), ("x2", x2)), ["x1", "x2"], optimizer);

        Assert.False(fit.Converged);
        Assert.StartsWith("perfect or quasi-complete separation", fit.Reason);
        Assert.Contains("x1 → +∞", fit.Reason);
        Assert.DoesNotContain("x2", fit.Reason);
        Assert.All(fit.Parameters, p => Assert.Null(p.StdError));
    }

    // One level of a factor has only successes: its coefficient alone runs off, where the generic search stopped at
    // ~35 and called it converged with a singular Hessian.
    [Fact]
    public void QuasiCompleteSeparationByAFactorLevelIsNamed()
    {
        var random = new Xoshiro256StarStar(12);
        int n = 400;
        var x1 = Enumerable.Range(0, n).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var level = Enumerable.Range(0, n).Select(i => (double)(i % 3)).ToArray();
        var y = Enumerable.Range(0, n).Select(i => level[i] == 2 ? 1.0 : random.NextDouble() < 1 / (1 + Math.Exp(-0.5 * x1[i])) ? 1.0 : 0.0).ToArray();
        var g1 = level.Select(v => v == 1 ? 1.0 : 0.0).ToArray();
        var g2 = level.Select(v => v == 2 ? 1.0 : 0.0).ToArray();
        var fit = FitLogit(Dataset.FromColumns(("y", y), ("x1", x1), ("g[1]", g1), ("g[2]", g2)), ["x1", "g[1]", "g[2]"]);

        Assert.False(fit.Converged);
        Assert.StartsWith("perfect or quasi-complete separation: the log-likelihood keeps rising without bound as g[2] → +∞", fit.Reason);
    }

    // From an intercept far above the optimum, Poisson's Newton steps are full steps of about −1 along which the
    // curvature and the gain fall by e each, as separation's do; that was called "no finite maximum ... intercept → −∞"
    // (a newcomer's start of 5; 20 and 300 too). Far along those steps the log-likelihood turns down, which a ray's never
    // does: the same optimum as from the default start, to 1e-8 relative.
    [Theory]
    [InlineData(5.0)]
    [InlineData(20.0)]
    public void PoissonFromAFarStartIsNotARay(double intercept)
    {
        var random = new Xoshiro256StarStar(21);
        var x1 = Enumerable.Range(0, 500).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var y = x1.Select(v => (double)MathNet.Numerics.Distributions.Poisson.Sample(random, Math.Exp(1 + 0.5 * v))).ToArray();
        var spec = ModelCatalog.Create("glm", Dataset.FromColumns(("y", y), ("x1", x1)), new ModelColumns(Y: "y", X: ["x1"]) { Family = "poisson" });
        using var session = new EstimationSession(spec, devices.Native);

        var usual = session.Fit(new FitOptions());
        var far = session.Fit(new FitOptions { Start = new Dictionary<string, double> { ["intercept"] = intercept } });

        Assert.True(usual.Converged, usual.Reason);
        Assert.True(far.Converged, far.Reason);
        Assert.Equal("newton", far.Optimizer);
        Assert.All(usual.Parameters, p => Assert.True(Numerics.Relative(far[p.Name], p.Estimate) <= 1e-8, $"{p.Name}: {far[p.Name]:R} vs {p.Estimate:R}"));
    }

    // Counts that are all 0: every alpha gives the same supremum as the intercept → −∞. Newton's ray named alpha too, and a
    // bounded parameter on a ray handed the fit to L-BFGS, which stopped at an intercept of −34 and called it converged.
    [Fact]
    public void NegativeBinomialOnZeroCountsHasNoFiniteMaximum()
    {
        var x = Enumerable.Range(0, 300).Select(i => i / 100.0).ToArray();
        var spec = ModelCatalog.Create("glm", Dataset.FromColumns(("y", new double[300]), ("x", x)), new ModelColumns(Y: "y", X: ["x"]) { Family = "negbinomial" });
        using var session = new EstimationSession(spec, devices.Native);

        var fit = session.Fit(new FitOptions());

        Assert.False(fit.Converged);
        Assert.Contains("intercept → −∞", fit.Reason);
        Assert.DoesNotContain("alpha", fit.Reason);
    }

    // Far out on a ray the gradient and the curvature vanish together, so the stopping rule is met: L-BFGS (asked for)
    // stopped at an intercept of −34 on counts that are all 0 and called it converged, as Newton's method did from a
    // start of −45; separated classes the same at coefficients in the thousands. No maximum, named as such.
    [Theory]
    [InlineData("poisson", OptimizerKind.Lbfgs, null)]
    [InlineData("poisson", OptimizerKind.GradientAscent, null)]
    [InlineData("negbinomial", OptimizerKind.Lbfgs, null)]
    [InlineData("poisson", OptimizerKind.Auto, -45.0)]
    public void ConvergedFarOutOnARayIsNoMaximum(string family, OptimizerKind optimizer, double? intercept)
    {
        var x = Enumerable.Range(0, 300).Select(i => i / 100.0).ToArray();
        var spec = ModelCatalog.Create("glm", Dataset.FromColumns(("y", new double[300]), ("x", x)), new ModelColumns(Y: "y", X: ["x"]) { Family = family });
        using var session = new EstimationSession(spec, devices.Native);

        var fit = session.Fit(new FitOptions
        {
            Optimizer = new OptimizerSettings { Kind = optimizer },
            Start = intercept is { } start ? new Dictionary<string, double> { ["intercept"] = start } : new Dictionary<string, double>(),
        });

        Assert.False(fit.Converged, $"{fit.Reason}: intercept {fit["intercept"]:R}");
        Assert.Contains("no finite maximum", fit.Reason);
        Assert.Contains("intercept → −∞", fit.Reason);
        Assert.DoesNotContain("x →", fit.Reason);
        Assert.All(fit.Parameters, p => Assert.Null(p.StdError));
    }

    // The same beside data that still count (a review): L-BFGS stopped with a factor level's coefficient at −32 where
    // that level's counts are all 0, and with a logit's at 32 where one value of a binary feature has only successes,
    // both "converged"; the gain left is below the log-likelihood's rounding there, so only the gradient shows the ray.
    [Theory]
    [InlineData("poisson", OptimizerKind.Lbfgs)]
    [InlineData("poisson", OptimizerKind.Auto)]
    [InlineData("binomial", OptimizerKind.Lbfgs)]
    [InlineData("binomial", OptimizerKind.Auto)]
    public void ARayBesideDataThatCountIsNamed(string family, OptimizerKind optimizer)
    {
        var random = new Xoshiro256StarStar(31);
        int n = 240;
        var x = Enumerable.Range(0, n).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var d = Enumerable.Range(0, n).Select(i => i % 3 == 2 ? 1.0 : 0.0).ToArray();
        var y = Enumerable.Range(0, n).Select(i => family == "poisson"
            ? d[i] == 1 ? 0.0 : MathNet.Numerics.Distributions.Poisson.Sample(random, Math.Exp(0.3 + 0.5 * x[i]))
            : d[i] == 1 ? 1.0 : random.NextDouble() < 1 / (1 + Math.Exp(-x[i])) ? 1.0 : 0.0).ToArray();
        var spec = ModelCatalog.Create("glm", Dataset.FromColumns(("y", y), ("x", x), ("d", d)), new ModelColumns(Y: "y", X: ["x", "d"]) { Family = family });
        using var session = new EstimationSession(spec, devices.Native);

        var fit = session.Fit(new FitOptions { Optimizer = new OptimizerSettings { Kind = optimizer } });

        Assert.False(fit.Converged, $"{fit.Reason}: d {fit["d"]:R}");
        Assert.Contains(family == "poisson" ? "d → −∞" : "d → +∞", fit.Reason);
        Assert.DoesNotContain("x →", fit.Reason);
    }

    // An NB2 GLM under L-BFGS whose alpha ends at 0 beside a factor level of all-zero counts (a trial's data, 60 rows):
    // "converged" at g[c] = −39, because Newton's ray, judged from Newton's own end (alpha at its value there), fell
    // below L-BFGS's end at alpha = 0. Judged from the other search's end as well, the ray is named.
    [Fact]
    public void ARayBesideAlphaAtItsEdgeIsNamed()
    {
        // Columns x, g (levels a, b, c: treatment-coded here as g[b], g[c]), c (the counts).
        var rows = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Models", "reference", "glm", "nb_lbfgs_ray.csv")).Skip(1)
            .Select(line => line.Split(',')).ToArray();
        double Number(string text) => double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        var data = Dataset.FromColumns(("c", rows.Select(r => Number(r[2])).ToArray()), ("x", rows.Select(r => Number(r[0])).ToArray()),
            ("g[b]", rows.Select(r => r[1] == "b" ? 1.0 : 0.0).ToArray()), ("g[c]", rows.Select(r => r[1] == "c" ? 1.0 : 0.0).ToArray()));
        var spec = ModelCatalog.Create("glm", data, new ModelColumns(Y: "c", X: ["x", "g[b]", "g[c]"]) { Family = "negbinomial" });
        using var session = new EstimationSession(spec, devices.Native);

        var fit = session.Fit(new FitOptions { Optimizer = new OptimizerSettings { Kind = OptimizerKind.Lbfgs } });

        Assert.False(fit.Converged, $"{fit.Reason}: g[c] {fit["g[c]"]:R}, alpha {fit["alpha"]:R}");
        Assert.Contains("g[c] → −∞", fit.Reason);
    }

    // A MAP fit whose prior spares the intercept ('*=' is every coefficient but it) on counts that are all 0: the
    // posterior runs off as the likelihood does, and L-BFGS stopped at −35, "converged" (a review). Checked by Newton's
    // search on the log-posterior (the priors' curvature added to the likelihood's), and said. A prior on every
    // coefficient bounds it: no check, the ridge fit converges.
    [Fact]
    public void AMapWhosePriorSparesTheInterceptIsChecked()
    {
        var x = Enumerable.Range(0, 300).Select(i => i / 100.0).ToArray();
        var spec = ModelCatalog.Create("glm", Dataset.FromColumns(("y", new double[300]), ("x", x)), new ModelColumns(Y: "y", X: ["x"]) { Family = "poisson" });
        using var session = new EstimationSession(spec, devices.Native);

        var spared = session.Fit(new FitOptions { Map = true, CoefficientPrior = new GpuEstimation.Priors.NormalPrior(0, 2) });
        var all = session.Fit(new FitOptions { Map = true, CoefficientPrior = new GpuEstimation.Priors.NormalPrior(0, 2), Priors = new Dictionary<string, GpuEstimation.Priors.Prior> { ["intercept"] = new GpuEstimation.Priors.NormalPrior(0, 2) } });

        Assert.False(spared.Converged, $"{spared.Reason}: intercept {spared["intercept"]:R}");
        Assert.Contains("intercept → −∞; the prior given does not bound the posterior either", spared.Reason);
        Assert.True(all.Converged, all.Reason);
    }

    // The log-posterior's exact Hessian (the likelihood's pass plus each free prior's curvature, through the log
    // transform of alpha) agrees with central differences of its gradient, to 1e-6 relative.
    [Fact]
    public void TheLogPosteriorsHessianIsItsGradientsDerivative()
    {
        var (data, columns, _) = GlmEngineTests.Problem(GlmFamily.NegativeBinomial, GlmLink.Log, intercept: true, seed: 9);
        var spec = ModelCatalog.Create("glm", data, columns);
        using var engine = spec.CreateEngine(devices.Native);
        var map = new ParameterMap(spec.Name, spec.Parameters);
        var priors = spec.Parameters.Select(p => p.Name == "intercept" ? null : p.Name == "alpha" ? new GpuEstimation.Priors.GammaPrior(2, 3) : (GpuEstimation.Priors.Prior)new GpuEstimation.Priors.NormalPrior(0.5, 0.7)).ToArray();
        var objective = new Objective(engine, map, spec.Start, priors, spec.Scales);
        Assert.True(objective.HasSmoothHessian);
        // Half a typical standard error from the start: x2 is 100 ± 1, so a step of 0.1 in its coefficient puts the
        // means at e³⁰, where the gradient's own digits are too few to difference.
        var scales = objective.Scales();
        var u = objective.Start().Select((v, i) => v + 0.5 * scales[i]).ToArray();
        int n = u.Length;
        var g = new double[n];
        var h = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(n, n);

        double value = objective.EvaluateHessian(u, g, h);

        var g0 = new double[n];
        Assert.Equal(objective.Evaluate(u, g0), value, 1e-9 * Math.Abs(value));
        for (int j = 0; j < n; j++)
        {
            Assert.True(Math.Abs(g[j] - g0[j]) <= 1e-9 * Math.Max(1, Math.Abs(g0[j])), $"gradient {j}: {g[j]:R} vs {g0[j]:R}");
            const double step = 1e-5;
            var (plus, minus) = (u.ToArray(), u.ToArray());
            plus[j] += step;
            minus[j] -= step;
            var (gp, gm) = (new double[n], new double[n]);
            objective.Evaluate(plus, gp);
            objective.Evaluate(minus, gm);
            for (int i = 0; i < n; i++)
            {
                double numeric = (gp[i] - gm[i]) / (2 * step);
                Assert.True(Math.Abs(h[i, j] - numeric) <= 1e-6 * Math.Max(1, Math.Abs(numeric)), $"H[{i},{j}]: {h[i, j]:R} vs {numeric:R}");
            }
        }
    }

    // At a maximum the check finds no ray, whichever search found it: the same estimates by Newton and by L-BFGS.
    [Fact]
    public void AMaximumFoundByEitherSearchStands()
    {
        var random = new Xoshiro256StarStar(21);
        var x1 = Enumerable.Range(0, 500).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var y = x1.Select(v => (double)MathNet.Numerics.Distributions.Poisson.Sample(random, Math.Exp(1 + 0.5 * v))).ToArray();
        var spec = ModelCatalog.Create("glm", Dataset.FromColumns(("y", y), ("x1", x1)), new ModelColumns(Y: "y", X: ["x1"]) { Family = "poisson" });
        using var session = new EstimationSession(spec, devices.Native);

        var newton = session.Fit(new FitOptions());
        var lbfgs = session.Fit(new FitOptions { Optimizer = new OptimizerSettings { Kind = OptimizerKind.Lbfgs } });

        Assert.True(newton.Converged, newton.Reason);
        Assert.True(lbfgs.Converged, lbfgs.Reason);
        Assert.All(newton.Parameters, p => Assert.True(Math.Abs(lbfgs[p.Name] - p.Estimate) <= 1e-4 * p.StdError!.Value, $"{p.Name}: {lbfgs[p.Name]:R} vs {p.Estimate:R}"));
    }

    [Fact]
    public void OverlappingClassesConverge()
    {
        var random = new Xoshiro256StarStar(13);
        var x1 = Enumerable.Range(0, 300).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var y = x1.Select(v => random.NextDouble() < 1 / (1 + Math.Exp(-3 * v)) ? 1.0 : 0.0).ToArray();
        var fit = FitLogit(Dataset.FromColumns(("y", y), ("x1", x1)), ["x1"]);

        Assert.True(fit.Converged, fit.Reason);
        Assert.Equal("newton", fit.Optimizer);
        Assert.All(fit.Parameters, p => Assert.NotNull(p.StdError));
    }

    private FitResult FitLogit(Dataset data, string[] x, OptimizerKind optimizer = OptimizerKind.Auto)
    {
        using var session = new EstimationSession(ModelCatalog.Create("logit", data, new ModelColumns(Y: "y", X: x)), devices.Native);
        return session.Fit(new FitOptions { Optimizer = new OptimizerSettings { Kind = optimizer } });
    }

    // The refusal's list of families with an exact Hessian (it said "the generalized linear models" only) is the
    // catalogue's own: each family listed fits by Newton, each other is refused naming the list; with a prior, the
    // priors are named instead.
    [Fact]
    public void NewtonIsRefusedExactlyWhereNoExactHessianIsSummed()
    {
        var device = devices[Backend.Native];
        var data = Dataset.FromColumns(("x", [0.2, 0.4, 0.4, 0.6, 0.3, 0.7, 0.5, 0.8, 0.45, 0.35]), ("k", [1.0, 1, 2, 2, 1, 3, 1, 1, 4, 2]));
        var newton = new FitOptions { Optimizer = new OptimizerSettings { Kind = OptimizerKind.Newton } };
        foreach (var family in ModelCatalog.Names.Where(n => n != ModelCatalog.LinearName && !GlmNames.IsGlm(n)))
        {
            bool counts = family is "poisson" or "bernoulli" or "binomial" or "negbinomial" or "geometric";
            var column = family == "bernoulli" ? "b" : counts ? "k" : "x";
            var set = family == "bernoulli" ? Dataset.FromColumns(("b", [0.0, 1, 1, 0, 1, 0, 1, 1, 0, 1])) : data;
            var spec = ModelCatalog.Create(family, set, new ModelColumns(Column: column, Trials: family == "binomial" ? 4 : null));
            using var session = new EstimationSession(spec, device);
            if (ModelCatalog.HasExactHessian(family))
            {
                var fit = session.Fit(newton);
                Assert.True(fit.Optimizer == "newton" && fit.Converged, $"{family}: {fit.Optimizer}, {fit.Reason}");
            }
            else
            {
                var refused = Assert.Throws<InputException>(() => session.Fit(newton));
                Assert.Contains($"model '{family}' has no exact Hessian on the device (Newton's method serves the GLMs, the linear model and the families normal, lognormal", refused.Message);
            }
        }
        // A smooth prior's curvature is added to the exact Hessian: Newton serves MAP (the conjugate normal mean's mode,
        // σ at its own MAP); a Laplace prior's kink has none, and Newton asked for is refused naming it.
        using var normal = new EstimationSession(ModelCatalog.Normal(data, "x"), device);
        var map = normal.Fit(newton with { Map = true, Priors = new Dictionary<string, GpuEstimation.Priors.Prior> { ["mu"] = new GpuEstimation.Priors.NormalPrior(0, 1) } });
        Assert.True(map.Optimizer == "newton" && map.Converged, $"{map.Optimizer}, {map.Reason}");
        var x = data.Column("x").ToArray();
        double sigma2 = map["sigma"] * map["sigma"];
        Assert.Equal(x.Sum() / sigma2 / (x.Length / sigma2 + 1), map["mu"], 1e-10);
        var withKink = Assert.Throws<InputException>(() => normal.Fit(newton with { Map = true, Priors = new Dictionary<string, GpuEstimation.Priors.Prior> { ["mu"] = new GpuEstimation.Priors.LaplacePrior(0, 1) } }));
        Assert.StartsWith("optimizer newton: the Laplace priors on mu have a kink", withKink.Message);
    }
}
