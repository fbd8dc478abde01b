using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Models;
using GpuEstimation.Priors;
using GpuEstimation.Tests.Engine;
using GpuEstimation.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace GpuEstimation.Tests.Inference;

[Collection(DeviceCollection.Name)]
public class StandardErrorTests(DeviceFixture devices, ITestOutputHelper output)
{
    // Certified standard deviations use s² = RSS/(n − p); the MLE's use σ̂² = RSS/n, so certified = ours·√(n/(n − p)),
    // p the number of estimated coefficients. NoInt1/NoInt2 have no intercept: it is fixed at 0.
    [Theory]
    [InlineData("Norris", false, 8)]
    [InlineData("Pontius", false, 8)]
    [InlineData("NoInt1", true, 8)]
    [InlineData("NoInt2", true, 8)]
    [InlineData("Longley", false, 7)]
    [InlineData("Wampler3", false, 8)]
    [InlineData("Wampler4", false, 8)]
    public void LinearStandardErrorsMatchNistCertifiedValues(string name, bool noIntercept, double digits)
    {
        var (fit, nist) = FitNist(name, noIntercept);
        Assert.True(fit.Converged, fit.Reason);
        Assert.Equal("negative definite", fit.Diagnostics.Hessian);
        var coefficients = fit.Parameters.Where(p => p.Name != "sigma" && !p.Fixed).ToList();
        Assert.Equal(nist.StandardDeviations.Length, coefficients.Count);
        int n = nist.Y.Length, p = coefficients.Count;
        double correction = Math.Sqrt((double)n / (n - p));
        var reached = coefficients.Select((c, k) => Numerics.Digits(c.StdError!.Value * correction, nist.StandardDeviations[k])).ToArray();
        output.WriteLine($"{name} standard-error digits: {string.Join(" ", reached.Select(d => d.ToString("F1")))}, min {reached.Min():F1}");
        Assert.True(reached.Min() >= digits, $"{name}: fewest correct digits {reached.Min():F1}");
        double sigma = fit["sigma"] * correction;
        Assert.True(Numerics.Digits(sigma, nist.ResidualSd) >= digits, $"{name} residual sd {sigma:R} vs {nist.ResidualSd:R}");
        // The same as the fit reports them for --se nist (R lm, statsmodels OLS): s² (XᵀX)⁻¹, s the residual standard error.
        Assert.True(Numerics.Digits(fit.Linear!.ResidualStdError, nist.ResidualSd) >= digits, $"{name} residual standard error");
        Assert.Equal(p, fit.StdErrorNist!.Count);
        for (int k = 0; k < p; k++)
            Assert.True(Numerics.Digits(fit.StdErrorNist[coefficients[k].Name], nist.StandardDeviations[k]) >= digits, $"{name} {coefficients[k].Name} stdErrorNist");
        Assert.Equal(n - p, fit.NistDegreesOfFreedom);
    }

    // A statsmodels trial: with --se nist the table showed t p-values and intervals that the JSON did not have (its
    // pValue and interval are the MLE's z ones). FitResult.Nist gives them, and the JSON's tNist, pValueNist and
    // intervalNist: Longley's against statsmodels OLS (R summary.lm's), t and p to 1e-8, the 95% interval to 1e-9.
    [Fact]
    public void LeastSquaresInferenceMatchesStatsmodelsOls()
    {
        double[] t = [-3.91080291815605, 0.1773760282320223, -1.069516317222438, -4.136427355941854, -4.8219853104455614, -0.22605114466490267, 4.015889812711451];
        double[] p = [0.0035604036637169635, 0.8631408328076712, 0.31268106109211785, 0.0025350917341069694, 0.0009443667641616617, 0.8262117957631198, 0.00303680334162267];
        double[] lower = [-5496529.48322616, -177.0290352932359, -0.11158110241204239, -3.125066641946085, -1.5179487001601242, -0.5625172144944222, 798.7875153053649];
        double[] upper = [-1467987.7859695614, 207.15277983628744, 0.039942743826760385, -0.9153929656885387, -0.5485050341870963, 0.46030900318694834, 2859.515413923833];
        var (fit, _) = FitNist("Longley", false);
        using var json = System.Text.Json.JsonDocument.Parse(GpuEstimation.Results.JsonReport.Fit(fit));
        var parameters = json.RootElement.GetProperty("parameters");
        for (int k = 0; k < t.Length; k++)
        {
            var nist = fit.Nist(fit.Parameters[k].Name)!;
            Assert.True(Numerics.Relative(nist.T, t[k]) <= 1e-8, $"{k}: t {nist.T:R} vs {t[k]:R}");
            Assert.True(Numerics.Relative(nist.PValue, p[k]) <= 1e-8, $"{k}: p {nist.PValue:R} vs {p[k]:R}");
            Assert.True(Numerics.Relative(nist.Interval.Lower!.Value, lower[k]) <= 1e-9 && Numerics.Relative(nist.Interval.Upper!.Value, upper[k]) <= 1e-9, $"{k}: interval");
            var row = parameters[k];
            Assert.Equal(nist.T, row.GetProperty("tNist").GetDouble());
            Assert.Equal(nist.PValue, row.GetProperty("pValueNist").GetDouble());
            Assert.Equal(nist.Interval.Lower, row.GetProperty("intervalNist")[0].GetDouble());
            // The MLE's z inference stays where it was.
            Assert.Equal(fit.Parameters[k].PValue!.Value, row.GetProperty("pValue").GetDouble());
        }
        Assert.Null(fit.Nist("sigma"));
        Assert.False(parameters[t.Length].TryGetProperty("pValueNist", out _));
    }

    [Fact]
    public void FilipIsReportedNotInvented()
    {
        var (fit, nist) = FitNist("Filip", false);
        output.WriteLine($"Filip: Hessian {fit.Diagnostics.Hessian}; notes: {string.Join(" | ", fit.Diagnostics.Notes)}");
        if (fit.Diagnostics.Hessian != "negative definite")
        {
            // Singular to double precision: said so, and no standard error invented.
            Assert.All(fit.Parameters, p => Assert.Null(p.StdError));
            Assert.Null(fit.Covariance);
            Assert.Contains(fit.Diagnostics.Notes, n => n.Contains("no standard errors"));
        }
        else
        {
            // Where the Hessian passes as definite, its standard errors must still be NIST's to a couple of digits.
            var coefficients = fit.Parameters.Where(p => p.Name != "sigma").ToList();
            double correction = Math.Sqrt((double)nist.Y.Length / (nist.Y.Length - coefficients.Count));
            Assert.All(coefficients.Select((c, k) => (c, k)), pair =>
                Assert.True(Numerics.Digits(pair.c.StdError!.Value * correction, nist.StandardDeviations[pair.k]) >= 2, pair.c.Name));
        }
    }

    [Fact]
    public void NormalWaldStandardErrorOfMuIsSigmaOverRootN()
    {
        var x = NormalSamples.Draw(10_000, 81, 5, 3);
        using var session = new EstimationSession(ModelCatalog.Normal(Dataset.FromColumns(("x", x)), "x"), devices.Cpu);
        var fit = session.Fit(new FitOptions());
        var mu = fit.Get("mu");
        Assert.True(Numerics.Relative(mu.StdError!.Value, fit["sigma"] / Math.Sqrt(x.Length)) <= 1e-8, $"{mu.StdError:R}");
        Assert.True(Numerics.Relative(fit.Get("sigma").StdError!.Value, fit["sigma"] / Math.Sqrt(2 * x.Length)) <= 1e-6);
        Assert.True(Numerics.Relative(mu.Wald!.Upper!.Value - mu.Estimate, 1.959963984540054 * mu.StdError.Value) <= 1e-12);
        Assert.True(Math.Abs(fit.Covariance![0, 1]) <= 1e-8 * mu.StdError.Value * fit.Get("sigma").StdError!.Value, "mu and sigma are orthogonal at the MLE");
        Assert.Equal(-2 * fit.LogLikelihood + 4, fit.Aic, 12);
        Assert.Equal(-2 * fit.LogLikelihood + 2 * Math.Log(x.Length), fit.Bic, 12);
    }

    // A feature of mean 10⁶ and spread 1: intercept and slope correlate to 1 − 10⁻¹³, which the search's
    // preconditioner (diagonal where its differenced Hessian will not factor) leaves in; −H was then called singular
    // and no standard error printed. Closed forms with the ML σ̂ = √(RSS/n): se(b) = σ̂/√Sxx,
    // se(a) = σ̂ √(1/n + m²/Sxx), from sums over the centred feature (exact: x − 10⁶ are multiples of 1/8).
    [Fact]
    public void FeatureOfMeanAMillionKeepsItsStandardErrors()
    {
        double[] u = [0.125, -1.5, 0.875, 2.25, -0.625, 1.0, -2.0, 0.5, 1.375, -0.25, 0.75, -1.125];
        double[] noise = [0.31, -0.12, 0.05, -0.27, 0.18, 0.02, -0.09, 0.22, -0.15, 0.07, -0.2, 0.11];
        var x = u.Select(v => 1e6 + v).ToArray();
        var y = u.Select((v, i) => 3 + 2 * v + noise[i]).ToArray();
        using var session = new EstimationSession(ModelCatalog.Linear(Dataset.FromColumns(("y", y), ("x", x)), "y", ["x"]), devices.Native);

        var fit = session.Fit(new FitOptions());

        int n = u.Length;
        double uBar = u.Average(), yBar = y.Average();
        double sxx = u.Sum(v => (v - uBar) * (v - uBar));
        double slope = u.Select((v, i) => (v - uBar) * (y[i] - yBar)).Sum() / sxx;
        double rss = u.Select((v, i) => y[i] - yBar - slope * (v - uBar)).Sum(r => r * r);
        double sigma = Math.Sqrt(rss / n), mean = 1e6 + uBar;
        Assert.Equal("negative definite", fit.Diagnostics.Hessian);
        Assert.True(Numerics.Relative(fit["x"], slope) <= 1e-9, $"slope {fit["x"]:R} vs {slope:R}");
        Assert.True(Numerics.Relative(fit.Get("x").StdError!.Value, sigma / Math.Sqrt(sxx)) <= 1e-7, $"se(x) {fit.Get("x").StdError:R}");
        double interceptSe = sigma * Math.Sqrt(1.0 / n + mean * mean / sxx);
        Assert.True(Numerics.Relative(fit.Get("intercept").StdError!.Value, interceptSe) <= 1e-7, $"se(intercept) {fit.Get("intercept").StdError:R} vs {interceptSe:R}");
    }

    // A duplicated feature was fitted with a singular Hessian and no standard errors; it is refused before the fit now,
    // naming the columns, as a formula's design is (the singular path stays tested by the Cauchy points below).
    [Fact]
    public void DuplicatedFeatureIsRefusedNamingItsColumns()
    {
        var a = NormalSamples.Draw(1000, 82, 0, 1);
        var noise = NormalSamples.Draw(1000, 83, 0, 0.5);
        var y = a.Select((v, i) => 1 + 2 * v + noise[i]).ToArray();

        using var session = new EstimationSession(ModelCatalog.Linear(Dataset.FromColumns(("y", y), ("a", a), ("b", a.ToArray())), "y", ["a", "b"]), devices.Native);
        var e = Assert.Throws<InputException>(() => session.Fit(new FitOptions()));

        Assert.Contains("collinear", e.Message);
        Assert.Contains("'b'", e.Message);
    }

    // Two Cauchy points, 1 and 3: the log-likelihood is maximal on the whole half-circle (μ − 2)² + s² = 1, and at its
    // top (2, 1) its curvature along μ is exactly 0 (it falls as (μ − 2)⁴). The differenced −H had an eigenvalue 5e-16 of
    // its largest; rescaling by it took steps of 10⁶ in μ and turned the quartic term into a "standard error" of 1077.
    // An exponential rate from one point: the Wald interval 1/x ± 1.96/x passes 0 (a trial's −0.32 to 0.99); a note
    // says so and points to the profile interval; a large sample's interval stays inside and gets no note.
    [Fact]
    public void WaldIntervalPastTheDomainIsSaid()
    {
        using var one = new EstimationSession(ModelCatalog.Create("exponential", Dataset.FromColumns(("x", [0.7])), new ModelColumns("x")), devices.Native);
        var fit = one.Fit(new FitOptions());
        Assert.True(fit.Get("rate").Wald!.Lower < 0);
        Assert.Contains(fit.Diagnostics.Notes, n => n.StartsWith("the Wald interval of rate passes the bound of its domain", StringComparison.Ordinal));

        var x = Enumerable.Range(1, 200).Select(i => 0.01 * i).ToArray();
        using var many = new EstimationSession(ModelCatalog.Create("exponential", Dataset.FromColumns(("x", x)), new ModelColumns("x")), devices.Native);
        Assert.DoesNotContain(many.Fit(new FitOptions()).Diagnostics.Notes, n => n.Contains("Wald interval of", StringComparison.Ordinal));
    }

    [Fact]
    public void TwoCauchyPointsHaveNoStandardErrors()
    {
        var spec = ModelCatalog.Distribution<CauchyModel>(Dataset.FromColumns(("x", [1.0, 3.0])), "x");
        using var session = new EstimationSession(spec, devices.Native);

        var fit = session.Fit(new FitOptions());

        Assert.True(fit.Converged);
        // On the circle of maxima, to 1e-7 (wherever the search stopped on it).
        double onCircle = Math.Pow(fit["location"] - 2, 2) + Math.Pow(fit["scale"], 2);
        Assert.True(Math.Abs(onCircle - 1) <= 1e-7, $"({fit["location"]:R}, {fit["scale"]:R})");
        Assert.Equal("singular", fit.Diagnostics.Hessian);
        Assert.All(fit.Parameters, p => Assert.Null(p.StdError));
        Assert.Contains(fit.Diagnostics.Notes, n => n.Contains("no standard errors"));
    }

    // sigma fixed and a Normal(m0, s0) prior on mu: the posterior of mu is exactly Normal, with
    // precision n/σ² + 1/s0², so the Laplace approximation is exact.
    [Fact]
    public void MapLaplaceStandardDeviationIsThePosteriorSd()
    {
        var x = NormalSamples.Draw(200, 84, 1, 2);
        using var session = new EstimationSession(ModelCatalog.Normal(Dataset.FromColumns(("x", x)), "x"), devices.Cpu);
        var fit = session.Fit(new FitOptions
        {
            Map = true,
            Fixed = new Dictionary<string, double> { ["sigma"] = 2 },
            Priors = new Dictionary<string, Prior> { ["mu"] = new NormalPrior(0, 0.1) },
        });
        double precision = x.Length / 4.0 + 1 / 0.01;
        double mean = (x.Sum() / 4.0) / precision;
        Assert.True(Numerics.Relative(fit["mu"], mean) <= 1e-10);
        Assert.True(Numerics.Relative(fit.Get("mu").StdError!.Value, 1 / Math.Sqrt(precision)) <= 1e-8);
        Assert.Contains(fit.Diagnostics.Notes, n => n.Contains("Laplace"));
    }

    private (FitResult Fit, NistLinear Nist) FitNist(string name, bool noIntercept) =>
        NistLinear.Fit(devices.Cpu, name, noIntercept ? new Dictionary<string, double> { ["intercept"] = 0 } : null);

    // Laplace's log-likelihood has a kink at the median: the observed information of the location does not exist
    // (differencing the gradient across the kink gave standard errors 13% to 4.6x off on real data). Both standard
    // errors come from the Fisher information, n/b² each, so each is b/√n exactly, and the fit says so.
    [Fact]
    public void LaplaceStandardErrorsComeFromTheFisherInformation()
    {
        var x = new double[1_001];
        new MathNet.Numerics.Distributions.Laplace(2, 0.7, new MathNet.Numerics.Random.Xoshiro256StarStar(19)).Samples(x);
        using var session = new EstimationSession(ModelCatalog.Create("laplace", Dataset.FromColumns(("x", x)), new ModelColumns("x")), devices.Native);
        var fit = session.Fit(new FitOptions());

        Assert.True(fit.Converged, fit.Reason);
        double expected = fit["scale"] / Math.Sqrt(x.Length);
        Assert.True(Numerics.Relative(fit.Get("location").StdError!.Value, expected) <= 1e-12, $"{fit.Get("location").StdError:R} vs {expected:R}");
        Assert.True(Numerics.Relative(fit.Get("scale").StdError!.Value, expected) <= 1e-12, $"{fit.Get("scale").StdError:R} vs {expected:R}");
        Assert.Equal(0.0, fit.Covariance![0, 1]);
        Assert.Contains(fit.Diagnostics.Notes, n => n.StartsWith("standard errors from the Fisher (expected) information", StringComparison.Ordinal));
    }

    // The negative binomial's p with r fixed has closed forms: p̂ = r/(r + x̄) and −d²ℓ/dp² = n r/p² + Σk/(1 − p)². From a
    // start 10⁻¹⁰ below 1 the search's preconditioner was stale at the optimum (a unit of it some 4.5 standard errors),
    // and the differenced information gave a standard error 5x too small; from a start near p̂ it was right.
    [Theory]
    [InlineData(0.9999999999)]
    [InlineData(0.5)]
    [InlineData(1e-6)]
    public void StandardErrorDoesNotDependOnTheStart(double start)
    {
        var random = new MathNet.Numerics.Random.MersenneTwister(31);
        var k = Enumerable.Range(0, 500).Select(_ => (double)MathNet.Numerics.Distributions.Binomial.Sample(random, 0.4, 10)).ToArray();
        using var session = new EstimationSession(ModelCatalog.Create("negbinomial", Dataset.FromColumns(("k", k)), new ModelColumns("k")), devices.Native);
        const double r = 2955.4;
        var fit = session.Fit(new FitOptions
        {
            Fixed = new Dictionary<string, double> { ["r"] = r },
            Start = new Dictionary<string, double> { ["p"] = start },
        });

        Assert.True(fit.Converged, fit.Reason);
        double mean = k.Average(), p = r / (r + mean);
        double se = 1 / Math.Sqrt(k.Length * r / (p * p) + k.Sum() / ((1 - p) * (1 - p)));
        Assert.True(Numerics.Relative(fit["p"], p) <= 1e-12, $"p {fit["p"]:R} vs {p:R}");
        Assert.True(Numerics.Relative(fit.Get("p").StdError!.Value, se) <= 1e-6, $"se {fit.Get("p").StdError:R} vs {se:R}");
    }

    // Student-t with ν ≈ 42 and a standard error of ν twice that: the log-likelihood is far from quadratic over the
    // differencing steps, and one level of Richardson extrapolation gave SE(ν) 1.3e-3 off (2.9 digits). Against the exact
    // observed information by mpmath at 40 digits (bench/compare/studentt_se_reference.py); four levels (h/4 … 2h)
    // give 4e-12 (the steps 4h and 8h used before gave 5e-6).
    [Fact]
    public void StudentTStandardErrorsMatchTheExactObservedInformation()
    {
        var data = CsvData.Read(Path.Combine(AppContext.BaseDirectory, "Data", "reference", "studentt-nu42.csv"), ["x"]);
        using var session = new EstimationSession(ModelCatalog.Create("studentt", data, new ModelColumns("x")), devices.Native);
        var fit = session.Fit(new FitOptions());

        Assert.True(fit.Converged, fit.Reason);
        double[] estimates = [9.993860316548164, 2.1392869795031418, 41.774961850505607];
        double[] errors = [0.12637396412116217, 0.14369730398813301, 92.7018778577197];
        for (int k = 0; k < 3; k++)
        {
            var parameter = fit.Parameters[k];
            Assert.True(Numerics.Relative(parameter.Estimate, estimates[k]) <= 1e-8, $"{parameter.Name} {parameter.Estimate:R} vs {estimates[k]:R}");
            Assert.True(parameter.StdError is not null, $"{parameter.Name}: {fit.Diagnostics.Hessian}; {string.Join("; ", fit.Diagnostics.Notes)}");
            Assert.True(Numerics.Relative(parameter.StdError!.Value, errors[k]) <= 1e-9, $"{parameter.Name} se {parameter.StdError:R} vs {errors[k]:R}");
        }
        Assert.True(Math.Abs(fit.LogLikelihood - -661.04694985511059) <= 1e-10 * 661, $"log L {fit.LogLikelihood:R}");
    }

    // A sum of two exponentials whose parameters are poorly determined (SE(a1) ≈ 1.8 a1): the Gauss–Newton
    // preconditioner is far from the observed information, the log-likelihood far from quadratic over steps of a tenth
    // of a standard error, and the larger steps 0.4 and 0.8 once added for that went further out (the standard errors
    // came out 1-2% off on such a problem). Reference: scipy 1.10 least_squares (method 'lm', tolerances 1e-15) for the
    // estimates, and the inverse of the exact observed information (JᵀJ − Σ rᵢ ∇²μᵢ)/σ̂², second derivatives by sympy,
    // for the standard errors; σ̂ = √(RSS/n), SE(σ̂) = σ̂/√(2n).
    [Fact]
    public void PoorlyDeterminedNonlinearStandardErrorsMatchTheExactObservedInformation()
    {
        double[] x = [0.0, 0.20833333333333334, 0.4166666666666667, 0.625, 0.8333333333333334, 1.0416666666666667, 1.25,
            1.4583333333333335, 1.6666666666666667, 1.875, 2.0833333333333335, 2.291666666666667, 2.5, 2.7083333333333335,
            2.916666666666667, 3.125, 3.3333333333333335, 3.541666666666667, 3.75, 3.9583333333333335, 4.166666666666667,
            4.375, 4.583333333333334, 4.791666666666667, 5.0];
        double[] y = [5.0061, 3.9405, 3.1563, 2.5121, 1.9417, 1.5489, 1.2559, 0.9919, 0.7954, 0.6178, 0.5244, 0.4205, 0.3251,
            0.2816, 0.2168, 0.149, 0.1406, 0.0877, 0.1034, 0.0679, 0.0517, 0.0309, 0.0603, 0.0257, 0.0147];
        var data = new Dataset([KeyValuePair.Create("x", x), KeyValuePair.Create("y", y)], "sumexp");
        var spec = NonlinearRegression.FromExpression("a1*exp(-k1*x)+a2*exp(-k2*x)", data, "y",
            new Dictionary<string, double> { ["a1"] = 2, ["k1"] = 0.5, ["a2"] = 2, ["k2"] = 2 });
        using var session = new EstimationSession(spec, devices.Native);
        var fit = session.Fit(new FitOptions());

        Assert.True(fit.Converged, fit.Reason);
        double[] estimates = [2.4859281478884245, 0.9530484654252558, 2.519209539100193, 1.3052886392515806, 0.015775562349173263];
        double[] errors = [4.523569731756163, 0.2608589322554181, 4.519846361266017, 0.3956428098827154, 0.0022310014228263193];
        for (int k = 0; k < 5; k++)
        {
            var parameter = fit.Parameters[k];
            output.WriteLine($"{parameter.Name}: estimate {Numerics.Relative(parameter.Estimate, estimates[k]):E1}, se {Numerics.Relative(parameter.StdError ?? double.NaN, errors[k]):E1}");
            Assert.True(Numerics.Relative(parameter.Estimate, estimates[k]) <= 1e-6, $"{parameter.Name} {parameter.Estimate:R} vs {estimates[k]:R}");
            Assert.True(Numerics.Relative(parameter.StdError!.Value, errors[k]) <= 1e-5, $"{parameter.Name} se {parameter.StdError:R} vs {errors[k]:R}");
        }
    }
}
