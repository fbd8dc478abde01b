using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Models;
using GpuEstimation.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace GpuEstimation.Tests.Estimation;

/// <summary>
/// Data whose MLE is at the edge of the domain are reported there, plainly; data that determine no finite MLE, and
/// regressions that cannot be fitted, are refused before any iteration.
/// </summary>
[Collection(DeviceCollection.Name)]
public class DegenerateDataTests(DeviceFixture devices, ITestOutputHelper output)
{
    // All-zero counts: the MLE is p = 0 or rate = 0, at the edge; reported there, with no Wald interval and a
    // profile interval whose lower end is the edge.
    [Theory]
    [InlineData("bernoulli", "p")]
    [InlineData("binomial", "p")]
    [InlineData("poisson", "rate")]
    public void AllZeroCountsGiveTheEdge(string family, string parameter)
    {
        var fit = Fit(family, new double[40], new FitOptions { Profile = [parameter] });

        var estimate = fit.Get(parameter);
        output.WriteLine($"{fit.Reason}: {estimate}; {string.Join(" | ", fit.Diagnostics.Notes)}");
        Assert.True(fit.Converged, fit.Reason);
        Assert.Equal(0.0, estimate.Estimate);
        Assert.Contains(parameter, fit.Diagnostics.AtBound);
        Assert.Null(estimate.StdError);
        Assert.Null(estimate.Wald);
        Assert.Equal(0.0, estimate.Profile?.Lower);
        Assert.True(estimate.Profile?.Upper > 0, $"upper end {estimate.Profile?.Upper}");
        // At the edge the log-likelihood is exactly 0 (0 · log 0 = 0), not an interior value near it.
        Assert.Equal(0.0, fit.LogLikelihood);
    }

    // Bernoulli's profile interval at p = 0 has the closed form upper end 1 − exp(−χ²₁(0.95)/(2n)).
    [Fact]
    public void EdgeProfileUpperEndIsTheClosedForm()
    {
        const int N = 40;
        var fit = Fit("bernoulli", new double[N], new FitOptions { Profile = ["p"] });

        double drop = 0.5 * MathNet.Numerics.Distributions.ChiSquared.InvCDF(1, 0.95);
        double expected = 1 - Math.Exp(-drop / N);
        Assert.True(Numerics.Relative(fit.Get("p").Profile!.Upper!.Value, expected) <= 1e-8, $"{fit.Get("p").Profile!.Upper:R} vs {expected:R}");
    }

    [Fact]
    public void AllOnesGiveTheUpperEdge()
    {
        var fit = Fit("bernoulli", Enumerable.Repeat(1.0, 25).ToArray(), new FitOptions());

        Assert.True(fit.Converged, fit.Reason);
        Assert.Equal(1.0, fit["p"]);
        Assert.Contains("p", fit.Diagnostics.AtBound);
        Assert.Equal(0.0, fit.LogLikelihood);
    }

    // Three ones: the first search ends short of p = 1 and is restarted. No starting values were given, and the
    // restart's note no longer says "from the starting values given".
    [Fact]
    public void RestartNoteDoesNotInventGivenStartingValues()
    {
        var fit = Fit("bernoulli", [1.0, 1.0, 1.0], new FitOptions());

        Assert.Equal(1.0, fit["p"]);
        Assert.Contains(fit.Diagnostics.Notes, n => n.StartsWith("the first search", StringComparison.Ordinal));
        Assert.DoesNotContain(fit.Diagnostics.Notes, n => n.Contains("given", StringComparison.Ordinal));
    }

    // Constant data: a scale → 0 (or a shape → ∞) without bound, refused before any iteration, naming the parameter.
    [Theory]
    [InlineData("normal", 3.5, "sigma")]
    [InlineData("lognormal", 2.0, "sigma")]
    [InlineData("cauchy", -1.0, "scale")]
    [InlineData("laplace", 7.0, "scale")]
    [InlineData("logistic", 0.0, "scale")]
    [InlineData("studentt", 1e9, "sigma")]
    [InlineData("gamma", 2.0, "shape")]
    [InlineData("beta", 0.3, "alpha")]
    [InlineData("weibull", 4.0, "shape")]
    public void ConstantDataAreRefused(string family, double value, string parameter)
    {
        var x = Enumerable.Repeat(value, 30).ToArray();
        using var session = new EstimationSession(Spec(family, x), devices.Native);

        var error = Assert.Throws<InputException>(() => session.Fit(new FitOptions()));

        Assert.Contains(parameter, error.Message);
        Assert.Contains("no finite maximum-likelihood estimate", error.Message);
        Assert.Contains("all 30 values equal", error.Message);
    }

    // One row is constant data too, said as one value (it read "all 1 values equal 7": a trial).
    [Fact]
    public void OneRowIsSaidAsOneValue()
    {
        using var session = new EstimationSession(Spec("normal", [7.0]), devices.Native);
        var error = Assert.Throws<InputException>(() => session.Fit(new FitOptions()));
        Assert.Contains("its one value is 7, so the likelihood grows without bound", error.Message);
    }

    // Constant data with the location held elsewhere: the scale's MLE is finite (|c − m| for the normal; for Cauchy the
    // scale s solves Σ 2/(1 + ((c − m)/s)²) = n, s = |c − m|), so the fit runs. They were refused as if the location
    // were free (a newcomer trial). Held at the constant itself the scale still runs to 0, and that is still refused.
    [Theory]
    [InlineData("normal", "mu", 3.5, 1.5, 2.0)]
    [InlineData("normal", "mu", 0.3, 0.0, 0.3)] // said as 0.3, not 0.29999999999999999 (a trial)
    [InlineData("cauchy", "location", 0.5, 0.0, 0.5)]
    [InlineData("laplace", "location", 7.0, 4.0, 3.0)]
    public void ConstantDataWithTheLocationHeldElsewhereFit(string family, string location, double value, double held, double scale)
    {
        var x = Enumerable.Repeat(value, 5).ToArray();
        var fit = Fit(family, x, new FitOptions { Fixed = new Dictionary<string, double> { [location] = held } });

        Assert.True(fit.Converged, fit.Reason);
        // The gradient test stops within 1e-8 standard errors (σ/√(2n) ≈ 0.3σ here): 1e-8 of the scale.
        Assert.True(Numerics.Relative(fit.Parameters[1].Estimate, scale) <= 1e-8, $"{fit.Parameters[1].Name} {fit.Parameters[1].Estimate:R} vs {scale:R}");
        using var session = new EstimationSession(Spec(family, x), devices.Native);
        var error = Assert.Throws<InputException>(() => session.Fit(new FitOptions { Fixed = new Dictionary<string, double> { [location] = value } }));
        Assert.Contains($"or {location} at a value other than {value}", error.Message);
    }

    // A prior that does not bound the posterior (a half-normal's density is finite at σ = 0, a flat one anywhere): the
    // refusal stands, after the search, saying so. A first version skipped the refusal for any prior and ended at
    // σ = 2.8e-308 with exit 3 (found by a review).
    [Theory]
    [InlineData("halfnormal")]
    [InlineData("flat")]
    public void MapWithAPriorThatDoesNotBoundTheRunawayIsRefused(string prior)
    {
        var x = Enumerable.Repeat(0.5, 5).ToArray();
        using var session = new EstimationSession(Spec("normal", x), devices.Native);
        GpuEstimation.Priors.Prior sigmaPrior = prior == "flat" ? new GpuEstimation.Priors.FlatPrior() : new GpuEstimation.Priors.HalfNormalPrior(1);

        var error = Assert.Throws<InputException>(() => session.Fit(new FitOptions { Map = true, Priors = new Dictionary<string, GpuEstimation.Priors.Prior> { ["sigma"] = sigmaPrior } }));

        Assert.Contains("sigma has no finite maximum-likelihood estimate", error.Message);
        if (prior != "flat")
            Assert.EndsWith("the prior given does not bound the posterior either", error.Message);
    }

    // A gamma(3, 1) prior on σ over two equal values: the log-posterior (3 − 1 − 2) log σ − σ + ... rises to a finite
    // limit as σ → 0, never reached. It was "converged" at σ = 0 with a log-posterior of −∞, exit 0 (a hunt against
    // scipy); now refused, saying the highest value is approached at the edge. Shape 4: the mode σ = 1 (the
    // log-posterior's σ terms log σ − σ).
    [Fact]
    public void MapWhosePosteriorPeaksOnlyAtTheEdgeIsRefusedAndOneWithAModeFitsIt()
    {
        var x = new[] { 3.0, 3.0 };
        using var session = new EstimationSession(Spec("normal", x), devices.Native);
        FitOptions Gamma(double shape) => new() { Map = true, Priors = new Dictionary<string, GpuEstimation.Priors.Prior> { ["sigma"] = new GpuEstimation.Priors.GammaPrior(shape, 1) } };

        var error = Assert.Throws<InputException>(() => session.Fit(Gamma(3)));
        Assert.EndsWith("with the prior given, the log-posterior rises towards sigma = 0, where the prior's density is 0: its highest value is approached there, not reached, and there is no mode", error.Message);

        var fit = session.Fit(Gamma(4));
        Assert.True(fit.Converged, fit.Reason);
        Assert.True(Numerics.Relative(fit["sigma"], 1) <= 1e-8, $"sigma {fit["sigma"]:R}");
        Assert.True(double.IsFinite(fit.LogPosterior!.Value));

        // A prior whose density at the edge is not 0: gamma(1, 1) (the exponential, density 1 at 0) over 50 zero
        // counts has its mode at rate 0, log-posterior −51·0 + log 1 = 0. The gamma prior's log-density was −∞ at 0
        // for every shape, and the first version of this rule called that no mode (a review).
        var zeros = Fit("poisson", new double[50], new FitOptions { Map = true, Priors = new Dictionary<string, GpuEstimation.Priors.Prior> { ["rate"] = new GpuEstimation.Priors.GammaPrior(1, 1) } });
        Assert.True(zeros.Converged, zeros.Reason);
        Assert.Equal(0, zeros["rate"]);
        Assert.Equal(0, zeros.LogPosterior!.Value, 12);
    }

    // MAP with a prior on the parameter that runs off: the posterior can have a mode. Four zeros under an exponential
    // and a gamma(2, 1) prior on the rate: log posterior 4 log λ + log λ − λ, mode 5. It was refused with the MLE's
    // message.
    [Fact]
    public void MapWithAPriorOnTheRunawayParameterFindsTheMode()
    {
        var fit = Fit("exponential", new double[4], new FitOptions { Map = true, Priors = new Dictionary<string, GpuEstimation.Priors.Prior> { ["rate"] = new GpuEstimation.Priors.GammaPrior(2, 1) } });

        Assert.True(fit.Converged, fit.Reason);
        Assert.True(Numerics.Relative(fit["rate"], 5) <= 1e-9, $"rate {fit["rate"]:R}");
    }

    // Exponential data all 0: n log(rate) rises without bound. Refused before any iteration (it used to run to
    // rate = 1.8e308, log L = 2839, exit 3 with a gradient message); a positive constant c has the MLE 1/c.
    [Fact]
    public void AllZeroExponentialDataAreRefused()
    {
        using var session = new EstimationSession(Spec("exponential", new double[4]), devices.Native);

        var error = Assert.Throws<InputException>(() => session.Fit(new FitOptions()));

        Assert.Contains("all 4 values are 0", error.Message);
        Assert.Contains("rate has no finite maximum-likelihood estimate", error.Message);
        var constant = Fit("exponential", Enumerable.Repeat(4.0, 4).ToArray(), new FitOptions());
        Assert.True(constant.Converged, constant.Reason);
        Assert.True(Numerics.Relative(constant["rate"], 0.25) <= 1e-12, $"rate {constant["rate"]:R}");
    }

    // Negative binomial counts all 0: log L = 0 at p = 1 for every r, so r is not identified with both estimated. Refused
    // before any iteration (it used to report r = 0.0087 beside p = 1 as converged after 25,017 evaluations); with r
    // held, p = 1 is reported as the edge maximum.
    [Fact]
    public void AllZeroNegativeBinomialCountsAreRefused()
    {
        using var session = new EstimationSession(Spec("negbinomial", new double[5]), devices.Native);

        var error = Assert.Throws<InputException>(() => session.Fit(new FitOptions()));

        Assert.Contains("all 5 values are 0", error.Message);
        Assert.Contains("r has no maximum-likelihood estimate", error.Message);
        var held = Fit("negbinomial", new double[5], new FitOptions { Fixed = new Dictionary<string, double> { ["r"] = 2 } });
        Assert.True(held.Converged, held.Reason);
        Assert.True(1 - held["p"] <= 1e-6, $"p {held["p"]:R}");
        Assert.Contains("p", held.Diagnostics.AtBound);
    }

    // Data around 10⁻¹⁵ (femtoseconds): the rate's MLE 1/mean ≈ 10¹⁵ is interior, e^34 on the log scale. It used to be
    // listed at the edge of the domain ("beyond ±30 on the log scale") beside its finite standard error.
    [Fact]
    public void ALargeInteriorRateIsNotAnEdge()
    {
        var x = new[] { 0.3e-15, 1.7e-15, 0.9e-15, 2.4e-15, 0.05e-15, 1.1e-15, 0.6e-15, 3.2e-15 };
        var fit = Fit("exponential", x, new FitOptions());

        double rate = 1 / x.Average();
        Assert.True(fit.Converged, fit.Reason);
        Assert.True(Numerics.Relative(fit["rate"], rate) <= 1e-12, $"rate {fit["rate"]:R} vs {rate:R}");
        Assert.Empty(fit.Diagnostics.AtBound);
        Assert.DoesNotContain(fit.Diagnostics.Notes, n => n.Contains("edge", StringComparison.Ordinal));
        // The inverse observed information of n log(rate) − rate Σx: rate/√n.
        Assert.True(Numerics.Relative(fit.Get("rate").StdError!.Value, rate / Math.Sqrt(x.Length)) <= 1e-8, $"se {fit.Get("rate").StdError:R}");
    }

    // With the scale held, constant data determine the location: no refusal.
    [Fact]
    public void ConstantDataWithTheScaleFixedFit()
    {
        var fit = Fit("normal", Enumerable.Repeat(3.5, 30).ToArray(), new FitOptions { Fixed = new Dictionary<string, double> { ["sigma"] = 1 } });

        Assert.True(fit.Converged, fit.Reason);
        Assert.True(Numerics.Relative(fit["mu"], 3.5) <= 1e-12, $"mu {fit["mu"]:R}");
    }

    [Fact]
    public void MoreCoefficientsThanRowsAreRefused()
    {
        var data = Dataset.FromColumns(("y", [1.0, 2, 4]), ("a", [0.5, 1, 3]), ("b", [2.0, 1, 0]));

        var error = Assert.Throws<InputException>(() => ModelCatalog.Linear(data, "y", ["a", "b"]));

        Assert.Contains("3 rows for 3 coefficients", error.Message);
    }

    [Fact]
    public void ResponseAsItsOwnFeatureIsRefused()
    {
        var data = Dataset.FromColumns(("y", [1.0, 2, 4, 5, 7]), ("a", [0.5, 1, 3, 1, 2]));

        var error = Assert.Throws<InputException>(() => ModelCatalog.Linear(data, "y", ["a", "y"]));

        Assert.Contains("'y' is the response", error.Message);
    }

    // A feature equal to the response under another name fits exactly: sigma → 0, refused at the fit.
    [Fact]
    public void ExactFitIsRefused()
    {
        var y = new[] { 1e9 + 1, 1e9 + 2, 1e9 + 4, 1e9 + 5, 1e9 + 7 };
        using var session = new EstimationSession(ModelCatalog.Linear(Dataset.FromColumns(("y", y), ("copy", y.ToArray())), "y", ["copy"]), devices.Native);

        var error = Assert.Throws<InputException>(() => session.Fit(new FitOptions()));

        Assert.Contains("exactly", error.Message);
    }

    // Cauchy: more than half the values at one point make the likelihood rise without bound as the scale → 0 there
    // (a trial: 0, 1, 1, 0, 1 ended at a scale of 2e-16 with advice to rescale); half of them do not. A value more than
    // 1.34e154 times the spread from the centre, whose z² passes the doubles (log L was −∞ at the start, no row named),
    // is refused naming its row where the scale is estimated, for Student-t too; held wide enough, it fits; a value at
    // 1e152 spreads (z² within the doubles) fits.
    [Fact]
    public void CauchyTiesAndFarOutliersAreSaid()
    {
        using var tied = new EstimationSession(ModelCatalog.Create("cauchy", Dataset.FromColumns(("x", [0.0, 1, 1, 0, 1])), new ModelColumns("x")), devices.Native);
        var refused = Assert.Throws<InputException>(() => tied.Fit(new FitOptions()));
        Assert.Contains("3 of the 5 values equal 1, more than half", refused.Message);
        Assert.True(tied.Fit(new FitOptions { Fixed = new Dictionary<string, double> { ["scale"] = 0.5 } }).Converged);
        using var half = new EstimationSession(ModelCatalog.Create("cauchy", Dataset.FromColumns(("x", [0.0, 1, 1, 0, 2, 3])), new ModelColumns("x")), devices.Native);
        Assert.True(half.Fit(new FitOptions()).Converged);
        double[] outlier = [0.3, -1.2, 0.8, 1e200, 2.1, -0.4, 0.05];
        foreach (var (model, scale) in new[] { ("cauchy", "scale"), ("studentt", "sigma") })
        {
            using var session = new EstimationSession(ModelCatalog.Create(model, Dataset.FromColumns(("x", outlier)), new ModelColumns("x")), devices.Native);
            var e = Assert.Throws<InputException>(() => session.Fit(new FitOptions()));
            Assert.Contains("row 4, column 'x': 1E+200 lies more than 1.34E+154 times the data's spread", e.Message);
            Assert.True(session.Fit(new FitOptions { Fixed = new Dictionary<string, double> { [scale] = 1e60 } }).Converged);
        }
        using var near = new EstimationSession(ModelCatalog.Create("cauchy", Dataset.FromColumns(("x", outlier.Select(v => v == 1e200 ? 1e152 : v).ToArray())), new ModelColumns("x")), devices.Native);
        Assert.True(near.Fit(new FitOptions()).Converged);
    }

    // Exactness is judged row by row: an exact line over 10⁵ rows (where QR's coefficients leave residuals ~10 units of
    // rounding, refined once to fit exactly) and y = x (whose row x = y = 0 has only the intercept's rounding as residual
    // and terms) are refused; noise of 10⁻⁹ beside one row of x at 10⁶ is a fit (against the largest row's terms it had
    // read as rounding, a review), σ within 10% of the noise's.
    [Fact]
    public void ExactnessIsRoundingOfEachRowsTerms()
    {
        double[] Grid(int n, int cycle) => [.. Enumerable.Range(0, n).Select(i => (double)(i % cycle))];
        var x = Grid(100_003, 97);
        foreach (var (xs, ys) in new[] { (x, x.Select(v => 4 - 0.5 * v).ToArray()), (Grid(100_003, 8), Grid(100_003, 8)) })
        {
            using var exact = new EstimationSession(ModelCatalog.Linear(Dataset.FromColumns(("y", ys), ("x", xs)), "y", ["x"]), devices.Native);
            Assert.Contains("exactly", Assert.Throws<InputException>(() => exact.Fit(new FitOptions())).Message);
        }
        var random = new Random(5);
        var far = Enumerable.Range(0, 1000).Select(i => i == 17 ? 1e6 : random.NextDouble()).ToArray();
        var noisy = far.Select(v => 1 + 2 * v + 1e-9 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())).ToArray();
        using var session = new EstimationSession(ModelCatalog.Linear(Dataset.FromColumns(("y", noisy), ("x", far)), "y", ["x"]), devices.Native);
        var fit = session.Fit(new FitOptions());
        Assert.True(fit.Converged, fit.Reason);
        Assert.InRange(fit.Parameters[^1].Estimate, 0.9e-9, 1.1e-9);
    }

    // A GLM of the normal or gamma family whose mean fits every response exactly (g(y) a combination of the features:
    // y = 2x + 1 under the identity link, constant data under any link, y = e^(0.3x) under the log link, without an
    // intercept too): the scale runs off, refused before any iteration as the linear model's exact fit (a trial: 4,775
    // evaluations, exit 3, shape 1.8e308 printed). With the scale held the coefficients fit; data that miss the line fit.
    [Theory]
    [InlineData("normal", "identity", "linear", true, "sigma → 0")]
    [InlineData("gamma", "inverse", "constant", true, "shape → ∞")]
    [InlineData("gamma", "log", "exponential", true, "shape → ∞")]
    [InlineData("gamma", "log", "exponential", false, "shape → ∞")]
    public void AGlmWhoseMeanFitsExactlyIsRefused(string family, string link, string shape, bool intercept, string runaway)
    {
        double[] x = [1, 2, 3, 4, 5, 6];
        var y = x.Select(v => shape switch { "linear" => 2 * v + 1, "constant" => 3.0, _ => Math.Exp(0.3 * v) }).ToArray();
        var columns = new ModelColumns(Y: "y", X: ["x"]) { Family = family, Link = link, Intercept = intercept };
        var spec = ModelCatalog.Create("glm", Dataset.FromColumns(("y", y), ("x", x)), columns);
        using var session = new EstimationSession(spec, devices.Native);
        string scale = family == "normal" ? "sigma" : "shape";

        var error = Assert.Throws<InputException>(() => session.Fit(new FitOptions()));
        var held = session.Fit(new FitOptions { Fixed = new Dictionary<string, double> { [scale] = 2 } });

        Assert.Contains("the mean fits response 'y' exactly", error.Message);
        Assert.Contains(runaway, error.Message);
        Assert.True(held.Converged, held.Reason);
        var missed = y.Select((v, i) => v * (1 + 0.01 * (i % 3 - 1))).ToArray();
        using var other = new EstimationSession(ModelCatalog.Create("glm", Dataset.FromColumns(("y", missed), ("x", x)), columns), devices.Native);
        Assert.True(other.Fit(new FitOptions()).Converged);
    }

    private FitResult Fit(string family, double[] x, FitOptions options)
    {
        using var session = new EstimationSession(Spec(family, x), devices.Native);
        return session.Fit(options);
    }

    private static IModelSpec Spec(string family, double[] x) =>
        ModelCatalog.Create(family, Dataset.FromColumns(("x", x)), new ModelColumns(Column: "x", Trials: family == "binomial" ? 10 : null));
}
