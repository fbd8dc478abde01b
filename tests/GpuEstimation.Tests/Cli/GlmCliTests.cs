using System.Globalization;
using System.Text.Json;
using GpuEstimation.Cli;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Tests.Support;
using Xunit;
using static GpuEstimation.Tests.Cli.Gpuest;

namespace GpuEstimation.Tests.Cli;

/// <summary><c>gpuest fit --model glm|logit|probit</c>: fits against the statsmodels references, and every misuse an exit 2 naming what is wrong.</summary>
public sealed class GlmCliTests : IDisposable
{
    private static readonly string References = Path.Combine(AppContext.BaseDirectory, "Models", "reference", "glm");
    private readonly string _directory = Directory.CreateTempSubdirectory("gpuest-glm").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("negbinomial", "--model", "glm", "--family", "negbinomial", "--x", "x1,x2")]
    [InlineData("probit", "--model", "probit", "--x", "x1,x2")]
    [InlineData("binomial_cloglog_trials", "--model", "glm", "--family", "binomial", "--link", "cloglog", "--trials-column", "n", "--x", "x1,x2")]
    [InlineData("poisson_weights_offset", "--model", "glm", "--family", "poisson", "--offset", "off", "--weights", "w", "--x", "x1,x2")]
    [InlineData("logit_no_intercept", "--model", "logit", "--no-intercept", "--x", "x1,z")]
    [InlineData("gamma_log", "--model", "glm", "--family", "gamma", "--link", "log", "--x", "x1,x2")]
    public void FitWritesStatsmodelsEstimates(string name, params string[] options)
    {
        var json = Path.Combine(_directory, name + ".json");
        var (code, output, error) = Run(["fit", "--data", Path.Combine(References, name + ".csv"), "--y", "y", .. options, "--device", "native", "--json", json]);

        Assert.True(code == GpuestApp.Ok, error);
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(References, "reference.json")));
        var expected = reference.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name)
            .GetProperty("parameters").EnumerateArray().ToArray();
        using var fit = JsonDocument.Parse(File.ReadAllText(json));
        var parameters = fit.RootElement.GetProperty("parameters").EnumerateArray().ToArray();
        Assert.Equal(expected.Select(p => p.GetProperty("name").GetString()), parameters.Select(p => p.GetProperty("name").GetString()));
        for (int k = 0; k < expected.Length; k++)
        {
            double want = expected[k].GetProperty("estimate").GetDouble(), got = parameters[k].GetProperty("estimate").GetDouble();
            Assert.True(Numerics.Relative(got, want) <= 1e-7, $"{name} {expected[k].GetProperty("name")}: {got:R} vs {want:R}");
            Assert.Contains(expected[k].GetProperty("name").GetString()!, output);
        }
    }

    // auto (the default) and newton fit a GLM by Newton's method, lbfgs by the generic search: the same estimates,
    // each run naming its method; newton is refused for a model without an exact Hessian.
    [Fact]
    public void TheOptimizerIsChosenByName()
    {
        var data = Path.Combine(References, "logit.csv");
        double[] Estimates(string optimizer, string method)
        {
            var json = Path.Combine(_directory, $"opt-{optimizer}.json");
            var (code, output, error) = Run("fit", "--data", data, "--y", "y", "--model", "logit", "--x", "x1,x2", "--device", "native", "--optimizer", optimizer, "--json", json);
            Assert.True(code == GpuestApp.Ok, error);
            Assert.Contains($"; {method}, ", output);
            using var fit = JsonDocument.Parse(File.ReadAllText(json));
            return [.. fit.RootElement.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("estimate").GetDouble())];
        }
        var auto = Estimates("auto", "newton");
        var newton = Estimates("newton", "newton");
        var lbfgs = Estimates("lbfgs", "lbfgs");
        Assert.Equal(auto, newton);
        for (int k = 0; k < auto.Length; k++)
            Assert.True(Numerics.Relative(lbfgs[k], auto[k]) <= 1e-6, $"{k}: {lbfgs[k]:R} vs {auto[k]:R}");
        var cauchy = Write("cauchy.csv", ("v", [1.5, 2.5, 2.0, 3.1]));
        AssertBadInput(["fit", "--model", "cauchy", "--data", cauchy, "--column", "v", "--optimizer", "newton"], "optimizer newton: model 'cauchy' has no exact Hessian");
        // Refused before the data are read (a big file was read in full first): a file that is not there is not named.
        AssertBadInput(["fit", "--model", "cauchy", "--data", "no-such-file.csv", "--column", "v", "--optimizer", "newton"], "--optimizer newton: model 'cauchy' has no exact Hessian");
        AssertBadInput(["sweep", "--model", "weibull", "--data", "no-such-file.csv", "--column", "v", "--grid", "shape=1:2:3", "--profile", "--optimizer", "newton"], "--optimizer newton: model 'weibull' has no exact Hessian");
    }

    // Regression users' slips: text in a column read as numbers says how to make it a factor (in a regression only:
    // a family's one column has no factors), and a family named with --y/--x points to its regression.
    [Fact]
    public void ARegressionSlipSaysWhatToWrite()
    {
        var data = Path.Combine(_directory, "text.csv");
        File.WriteAllLines(data, ["y,g,x", "1,a,0.5", "0,b,0.1", "1,a,0.3", "0,b,0.9"]);
        var (code, _, error) = Run("fit", "--model", "logit", "--data", data, "--y", "y", "--x", "g", "--device", "native");
        Assert.Equal(GpuestApp.BadInput, code);
        Assert.Contains("line 2, column 'g': 'a' is not a finite number (a categorical column is read as a factor: --factor g, or C(g) in --formula)", error);
        (code, _, error) = Run("fit", "--model", "normal", "--data", data, "--column", "g", "--device", "native");
        Assert.Equal(GpuestApp.BadInput, code);
        Assert.DoesNotContain("--factor", error);
        // Nor for the response, nor a nonlinear mean's column: neither reads factors.
        (code, _, error) = Run("fit", "--model", "logit", "--data", data, "--y", "g", "--x", "x", "--device", "native");
        Assert.Equal(GpuestApp.BadInput, code);
        Assert.DoesNotContain("--factor", error);
        (code, _, error) = Run("fit", "--model", "nonlinear", "--data", data, "--y", "y", "--mean", "a*g", "--start", "a=1", "--device", "native");
        Assert.Equal(GpuestApp.BadInput, code);
        Assert.DoesNotContain("--factor", error);
        (code, _, error) = Run("fit", "--model", "poisson", "--data", data, "--y", "y", "--x", "x", "--device", "native");
        Assert.Equal(GpuestApp.BadInput, code);
        Assert.Contains("(a poisson regression on features is --model glm --family poisson --y NAME --x NAME,...)", error);
        // Nor for weights, an offset or trials (a trial: "--factor w" for text in --weights), nor for a cell that is no
        // word (Inf, -, ?), which no factor would make sense of.
        foreach (var flag in new[] { "--weights", "--offset" })
        {
            (code, _, error) = Run("fit", "--model", "glm", "--family", "normal", "--data", data, "--y", "y", "--x", "x", flag, "g", "--device", "native");
            Assert.Equal(GpuestApp.BadInput, code);
            Assert.Contains("column 'g': 'a' is not a finite number", error);
            Assert.DoesNotContain("--factor", error);
        }
        // Nor for a formula's response or offset.
        foreach (var formula in new[] { "g ~ x", "y ~ x + offset(g)" })
        {
            (code, _, error) = Run("fit", "--model", "glm", "--family", "poisson", "--data", data, "--formula", formula, "--device", "native");
            Assert.Equal(GpuestApp.BadInput, code);
            Assert.Contains("column 'g': 'a' is not a finite number", error);
            Assert.DoesNotContain("--factor", error);
        }
        foreach (var cell in new[] { "Inf", "-inf", "-", "?" })
        {
            var odd = Path.Combine(_directory, "odd.csv");
            File.WriteAllLines(odd, ["y,x", "1,0.5", $"0,{cell}", "1,0.3"]);
            (code, _, error) = Run("fit", "--model", "logit", "--data", odd, "--y", "y", "--x", "x", "--device", "native");
            Assert.Equal(GpuestApp.BadInput, code);
            Assert.Contains($"line 3, column 'x': '{cell}' is not a finite number", error);
            Assert.DoesNotContain("--factor", error);
        }
    }

    // A factor level with only successes (quasi-complete separation): exit 3, the level named; the same data without
    // that level's rows fit (exit 0). The generic search used to stop at g[c] ≈ 35 and call it converged.
    [Fact]
    public void SeparationByAFactorLevelExitsWithThreeAndNamesIt()
    {
        var lines = new List<string> { "b,x1,g" };
        for (int i = 0; i < 240; i++)
        {
            string level = "abc"[i % 3].ToString();
            double x1 = Math.Sin(i * 0.7);
            int b = level == "c" ? 1 : (i * 7919 % 13) < 6 + 3 * x1 ? 1 : 0;
            lines.Add(FormattableString.Invariant($"{b},{x1:R},{level}"));
        }
        var separated = Path.Combine(_directory, "separated.csv");
        File.WriteAllLines(separated, lines);
        var overlapping = Path.Combine(_directory, "overlapping.csv");
        File.WriteAllLines(overlapping, lines.Where(l => !l.EndsWith(",c", StringComparison.Ordinal)));

        var (code, output, _) = Run("fit", "--model", "logit", "--data", separated, "--formula", "b ~ x1 + C(g)", "--device", "native");
        Assert.Equal(GpuestApp.NotConverged, code);
        Assert.Contains("NOT CONVERGED (perfect or quasi-complete separation: the log-likelihood keeps rising without bound as g[c] → +∞", output);
        // The statistics' block is the stopping point's, said above it.
        Assert.True(output.IndexOf("(not converged: the statistics below are those of the point where the search stopped)", StringComparison.Ordinal)
            is var said and >= 0 && said < output.IndexOf("Model Family:", StringComparison.Ordinal), output);

        (code, output, _) = Run("fit", "--model", "logit", "--data", overlapping, "--formula", "b ~ x1 + C(g)", "--device", "native");
        Assert.Equal(GpuestApp.Ok, code);
        Assert.Contains("converged (gradient below tolerance); newton", output);
        Assert.DoesNotContain("(not converged:", output);
    }

    [Fact]
    public void ModelsListsTheGeneralizedLinearModels()
    {
        var (code, output, _) = Run("models");
        Assert.Equal(0, code);
        Assert.Contains("glm ", output);
        Assert.Contains("--family F [--link L]", output);
        Assert.Contains("alpha|shape|sigma", output);
        Assert.Contains("logit ", output);
        Assert.Contains("probit ", output);
    }

    [Fact]
    public void FitHelpNamesTheGlmOptions()
    {
        var (code, output, _) = Run("fit", "--help");
        Assert.Equal(0, code);
        foreach (var text in new[] { "--family <FAMILY>", "negbinomial", "--link <LINK>", "cloglog", "--offset <NAME>", "--weights <NAME>", "--no-intercept", "frequency weights" })
            Assert.Contains(text, output);
    }

    [Theory]
    [InlineData(new[] { "--model", "glm", "--y", "y", "--x", "a" }, "--model glm needs --family")]
    [InlineData(new[] { "--model", "glm", "--family", "poison", "--y", "y", "--x", "a" }, "--family: unknown family 'poison'", "negbinomial")]
    [InlineData(new[] { "--model", "glm", "--family", "gamma", "--link", "logit", "--y", "y", "--x", "a" }, "--link logit does not fit --family gamma", "inverse")]
    [InlineData(new[] { "--model", "glm", "--family", "poisson", "--link", "cauchit", "--y", "y", "--x", "a" }, "--link: unknown link 'cauchit'")]
    [InlineData(new[] { "--model", "logit", "--family", "binomial", "--y", "y", "--x", "a" }, "--model logit is the binomial family", "drop --family")]
    [InlineData(new[] { "--model", "probit", "--link", "logit", "--y", "y", "--x", "a" }, "drop --link")]
    [InlineData(new[] { "--model", "normal", "--column", "y", "--offset", "a" }, "--offset: applies to --model glm, logit and probit, not --model normal")]
    [InlineData(new[] { "--model", "poisson", "--column", "y", "--weights", "a", "--family", "poisson" }, "--family, --weights: apply to --model glm")]
    [InlineData(new[] { "--model", "linear", "--y", "y", "--x", "a", "--no-intercept" }, "--model linear always estimates an intercept", "--model glm --family normal --no-intercept", "--fix intercept=0")]
    [InlineData(new[] { "--model", "linear", "--y", "y", "--x", "a", "--weights", "a" }, "--weights: applies to --model glm, logit and probit, not --model linear", "--model glm --family normal --weights COLUMN", "frequency weights")]
    [InlineData(new[] { "--model", "glm", "--family", "poisson", "--y", "y", "--x", "a", "--trials-column", "a" }, "--trials and --trials-column apply to the binomial family")]
    [InlineData(new[] { "--model", "logit", "--column", "y" }, "--model logit reads --y NAME and --x")]
    [InlineData(new[] { "--model", "logit", "--x", "a" }, "--model logit needs --y NAME")]
    [InlineData(new[] { "--model", "logit", "--y", "y", "--no-intercept" }, "--no-intercept needs --x")]
    [InlineData(new[] { "--model", "logit", "--y", "y", "--x", "a,a" }, "--x a: given twice")]
    [InlineData(new[] { "--model", "logit", "--y", "y", "--x", "y" }, "--x y: the response (--y) cannot also be a feature")]
    public void MisuseIsRefusedBeforeReading(string[] options, params string[] expected) =>
        // The data file does not exist: these are refused before it is read.
        AssertBadInput(["fit", "--data", Path.Combine(_directory, "absent.csv"), .. options], expected);

    [Fact]
    public void ResponseOutsideTheSupportNamesItsLine()
    {
        var data = Write("s.csv", ("y", [0, 1, 2.5, 3]), ("a", [1, 2, 3, 4]));
        AssertBadInput(["fit", "--model", "glm", "--family", "negbinomial", "--data", data, "--y", "y", "--x", "a"],
            "line 4, column 'y': 2.5 is outside the support", "non-negative integers");
        var negative = Write("n.csv", ("y", [0, 1, -2.5, 3]), ("a", [1, 2, 3, 4]));
        AssertBadInput(["fit", "--model", "glm", "--family", "poisson", "--data", negative, "--y", "y", "--x", "a"],
            "line 4, column 'y': -2.5 is outside the support", "non-negative numbers");
        AssertBadInput(["fit", "--model", "logit", "--data", data, "--y", "y", "--x", "a"], "line 4, column 'y'", "0 or 1");
        var gamma = Write("g.csv", ("y", [1, 0, 2, 3]), ("a", [1, 2, 3, 4]));
        AssertBadInput(["fit", "--model", "glm", "--family", "gamma", "--data", gamma, "--y", "y", "--x", "a"], "line 3, column 'y': 0 is outside the support", "positive");
    }

    // Frequency weights that are not whole numbers are taken as counts (n = Σw), as statsmodels' freq_weights: a note
    // says so, with what precision weights would change; whole ones (0 included) get none (a hunt: no word of it).
    [Fact]
    public void FractionalFrequencyWeightsAreNoted()
    {
        int n = 60;
        var x = Enumerable.Range(0, n).Select(i => Math.Sin(0.37 * i)).ToArray();
        var y = x.Select((v, i) => (double)(i * 7919 % 5)).ToArray();
        var fractional = Enumerable.Range(0, n).Select(i => i % 3 == 0 ? 0.5 : 2.0).ToArray();
        var whole = Enumerable.Range(0, n).Select(i => i % 3 == 0 ? 0.0 : 2.0).ToArray();
        string data = Write("weights.csv", ("y", y), ("x", x), ("f", fractional), ("w", whole));
        var (code, output, error) = Run("fit", "--model", "glm", "--family", "poisson", "--data", data, "--y", "y", "--x", "x", "--weights", "f", "--device", "native");
        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("note: 20 frequency weights are not whole: each row counts as that many observations (n = Σw = 90)", output);
        (code, output, error) = Run("fit", "--model", "glm", "--family", "poisson", "--data", data, "--y", "y", "--x", "x", "--weights", "w", "--device", "native");
        Assert.True(code == GpuestApp.Ok, error);
        Assert.DoesNotContain("not whole", output);
    }

    // A Poisson GLM of non-negative non-integers (trade flows, rates) is the Poisson quasi-likelihood, PPML, as
    // statsmodels' GLM and R's glm fit it (a trial found it refused): the estimates solve its score equations
    // Σ (y − μ̂) x = 0, scaling y by 10 moves only the intercept, by log 10, and a note says what the fit is.
    [Fact]
    public void NonIntegerPoissonResponsesAreFittedByTheQuasiLikelihood()
    {
        int n = 200;
        var x = Enumerable.Range(0, n).Select(i => Math.Sin(0.37 * i)).ToArray();
        var y = x.Select((v, i) => Math.Round(Math.Exp(0.4 + 0.8 * v) * (0.5 + (i * 7919 % 97) / 97.0), 3)).ToArray();
        string data = Write("ppml.csv", ("y", y), ("x", x)), scaled = Write("ppml10.csv", ("y", [.. y.Select(v => 10 * v)]), ("x", x));
        string json = Path.Combine(_directory, "ppml.json"), json10 = Path.Combine(_directory, "ppml10.json");
        var (code, output, error) = Run("fit", "--model", "glm", "--family", "poisson", "--data", data, "--y", "y", "--x", "x", "--cov", "hc0", "--device", "native", "--json", json);
        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains($"note: the response has {y.Count(v => v != Math.Floor(v))} non-integer values: fitted by the Poisson quasi-likelihood (pseudo-Poisson, PPML)", output);
        Assert.Contains("(the standard errors shown are robust ones, which do not)", output);
        Assert.Equal(GpuestApp.Ok, Run("fit", "--model", "glm", "--family", "poisson", "--data", scaled, "--y", "y", "--x", "x", "--device", "native", "--json", json10).Code);
        double[] Estimates(string path)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return [.. doc.RootElement.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("estimate").GetDouble())];
        }
        var (b, b10) = (Estimates(json), Estimates(json10));
        double score0 = 0, score1 = 0, scale = 0;
        for (int i = 0; i < n; i++)
        {
            double r = y[i] - Math.Exp(b[0] + b[1] * x[i]);
            (score0, score1, scale) = (score0 + r, score1 + r * x[i], scale + y[i]);
        }
        Assert.True(Math.Abs(score0) <= 1e-9 * scale && Math.Abs(score1) <= 1e-9 * scale, $"scores {score0:R}, {score1:R}");
        Assert.Equal(b[0] + Math.Log(10), b10[0], 1e-9);
        Assert.Equal(b[1], b10[1], 1e-9);

        // Beside a response past 10⁶ (the large-count form), rows of 0 < y < 1 keep their −log Γ(y + 1): the
        // log-likelihood Σ y log μ − μ − log Γ(y + 1) at the estimates (a review found it 6.6 off).
        var big = y.Select((v, i) => i == 0 ? 2e6 : i % 3 == 0 ? 0.25 + 0.5 * (i % 2) : v).ToArray();
        var bigJson = Path.Combine(_directory, "big.json");
        Assert.Equal(GpuestApp.Ok, Run("fit", "--model", "glm", "--family", "poisson", "--data", Write("big.csv", ("y", big), ("x", x)), "--y", "y", "--x", "x", "--device", "native", "--json", bigJson).Code);
        var e = Estimates(bigJson);
        double expected = 0;
        for (int i = 0; i < n; i++)
        {
            double eta = e[0] + e[1] * x[i];
            expected += big[i] * eta - Math.Exp(eta) - MathNet.Numerics.SpecialFunctions.GammaLn(big[i] + 1);
        }
        using var bigDoc = JsonDocument.Parse(File.ReadAllText(bigJson));
        double logLikelihood = bigDoc.RootElement.GetProperty("logLikelihood").GetDouble();
        Assert.True(Math.Abs(logLikelihood - expected) <= 1e-9 * Math.Abs(expected), $"{logLikelihood:R} vs {expected:R}");
    }

    [Fact]
    public void SuccessesAboveTheTrialsNameTheLine()
    {
        var data = Write("t.csv", ("y", [0, 3, 5, 1]), ("n", [2, 4, 4, 3]), ("a", [1, 2, 3, 4]));
        AssertBadInput(["fit", "--model", "probit", "--data", data, "--y", "y", "--x", "a", "--trials-column", "n"],
            "line 4, column 'y': 5 with 4 trials (column 'n') is outside the support");
    }

    [Fact]
    public void NegativeWeightNamesItsLine()
    {
        var data = Write("w.csv", ("y", [0, 1, 1, 0]), ("w", [1, 2, -1, 1]), ("a", [1, 2, 3, 4]));
        AssertBadInput(["fit", "--model", "logit", "--data", data, "--y", "y", "--x", "a", "--weights", "w"],
            "line 4, column 'w': weight -1 is negative");
    }

    [Fact]
    public void FewerRowsThanCoefficientsIsRefused()
    {
        var data = Write("r.csv", ("y", [0, 1]), ("a", [1, 2]), ("b", [3, 1]));
        AssertBadInput(["fit", "--model", "logit", "--data", data, "--y", "y", "--x", "a,b"], "2 rows for 3 coefficients", "at least as many rows as coefficients");
        var normal = Write("n.csv", ("y", [0.5, 1.5, 2]), ("a", [1, 2, 4]), ("b", [3, 1, 0]));
        AssertBadInput(["fit", "--model", "glm", "--family", "normal", "--data", normal, "--y", "y", "--x", "a,b"], "3 rows for 3 coefficients", "to estimate sigma");
    }

    // A statsmodels trial: y ~ logpop + offset(logpop) (the test of an exposure's coefficient against 1) was refused;
    // R and statsmodels fit it. The column as a term and as the offset gives the coefficient of the fit without the
    // offset less 1, with the same standard error, by the formula and by the flags alike.
    [Fact]
    public void AColumnCanBeBothATermAndTheOffset()
    {
        var random = new Random(43);
        int n = 400;
        var e = Enumerable.Range(0, n).Select(_ => 1 + 9 * random.NextDouble()).ToArray();
        var y = e.Select(v => (double)MathNet.Numerics.Distributions.Poisson.Sample(random, 0.3 * Math.Pow(v, 0.8))).ToArray();
        var data = Write("exposure.csv", ("y", y), ("le", e.Select(v => Math.Log(v)).ToArray()));
        (double[] Estimates, double[] Errors) Fit(string name, params string[] options)
        {
            var json = Path.Combine(_directory, $"{name}.json");
            var (code, _, error) = Run(["fit", "--model", "glm", "--family", "poisson", "--data", data, "--device", "native", "--json", json, .. options]);
            Assert.True(code == GpuestApp.Ok, error);
            using var fit = JsonDocument.Parse(File.ReadAllText(json));
            var parameters = fit.RootElement.GetProperty("parameters").EnumerateArray().ToArray();
            return ([.. parameters.Select(p => p.GetProperty("estimate").GetDouble())], [.. parameters.Select(p => p.GetProperty("stdError").GetDouble())]);
        }
        var plain = Fit("plain", "--formula", "y ~ le");
        foreach (var both in new[] { Fit("formula", "--formula", "y ~ le + offset(le)"), Fit("flags", "--y", "y", "--x", "le", "--offset", "le") })
        {
            Assert.True(Math.Abs(both.Estimates[0] - plain.Estimates[0]) <= 1e-8, $"intercept {both.Estimates[0]:R} vs {plain.Estimates[0]:R}");
            Assert.True(Math.Abs(both.Estimates[1] - (plain.Estimates[1] - 1)) <= 1e-8, $"le {both.Estimates[1]:R} vs {plain.Estimates[1] - 1:R}");
            Assert.True(Numerics.Relative(both.Errors[1], plain.Errors[1]) <= 1e-6, $"SE {both.Errors[1]:R} vs {plain.Errors[1]:R}");
        }
    }

    // A gamma inverse-link fit with a slope held where the unheld start's intercept with it puts some means below 0:
    // the held term joins the offset for the start, and the fit equals the same model with that term as an offset (it
    // was refused as a maximum on the boundary).
    [Fact]
    public void AHeldCoefficientStartsAsAnOffset()
    {
        var random = new Random(41);
        int n = 300;
        var x1 = Enumerable.Range(0, n).Select(_ => 2 * random.NextDouble()).ToArray();
        var x2 = NormalSamples.Draw(n, 42, 0, 1);
        var y = Enumerable.Range(0, n).Select(i => MathNet.Numerics.Distributions.Gamma.Sample(random, 3.0, 3.0 * (1.0 + 0.3 * x1[i] + 0.1 * x2[i]))).ToArray();
        var data = Write("held.csv", ("y", y), ("x1", x1), ("x2", x2), ("off", x1.Select(v => -0.4 * v).ToArray()));
        double[] Estimates(string name, params string[] options)
        {
            var json = Path.Combine(_directory, $"{name}.json");
            var (code, _, error) = Run(["fit", "--model", "glm", "--family", "gamma", "--link", "inverse", "--data", data, "--y", "y", "--device", "native", "--json", json, .. options]);
            Assert.True(code == GpuestApp.Ok, error);
            using var fit = JsonDocument.Parse(File.ReadAllText(json));
            return [.. fit.RootElement.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("estimate").GetDouble())];
        }
        var held = Estimates("held", "--x", "x1,x2", "--fix", "x1=-0.4");
        var offset = Estimates("offset", "--x", "x2", "--offset", "off");
        Assert.Equal(-0.4, held[1]);
        double[] expected = [offset[0], -0.4, offset[1], offset[2]];
        for (int k = 0; k < held.Length; k++)
            Assert.True(Numerics.Relative(held[k], expected[k]) <= 1e-8, $"{k}: {held[k]:R} vs {expected[k]:R}");
    }

    [Fact]
    public void AMeanDrivenToTheEdgeOfItsRangeByTheIdentityLinkNamesTheRow()
    {
        // y = 0 at x = 0 and a line through the others that crosses 0 at x = 0.25: the Poisson likelihood rises
        // towards an intercept below 0, which the identity link cannot give line 2's mean, so the maximum is on μ = 0.
        var data = Write("edge.csv", ("y", [0, 3, 4, 5, 7, 8, 9]), ("x", [0, 0.5, 0.6, 0.7, 0.8, 0.9, 1]));
        AssertBadInput(["fit", "--model", "glm", "--family", "poisson", "--link", "identity", "--data", data, "--y", "y", "--x", "x", "--device", "native"],
            "line 2: the identity link drives this row's mean to", "poisson family's range (means > 0", "the log link");
        AssertBadInput(["fit", "--model", "glm", "--family", "binomial", "--link", "identity", "--trials", "10", "--data", data, "--y", "y", "--x", "x", "--device", "native"],
            "line 2: the identity link", "probabilities strictly between 0 and 1", "the logit link");
        // Under the log link the same data have an interior maximum.
        Assert.Equal(0, Run("fit", "--model", "glm", "--family", "poisson", "--data", data, "--y", "y", "--x", "x", "--device", "native").Code);
        // eval where the identity link puts a mean below 0: no log-likelihood there (it printed NaN with finite gradients).
        AssertBadInput(["eval", "--model", "glm", "--family", "poisson", "--link", "identity", "--data", data, "--y", "y", "--x", "x", "--at", "intercept=-5,x=1", "--device", "native"],
            "the log-likelihood is not defined at intercept = -5, x = 1", "line 2: the identity link drives this row's mean to -5", "poisson family's range (means > 0");
        // The row named is one outside the range (line 4, mean −0.5), not an earlier one merely near its edge (line 2,
        // mean 1e-12, which a review found named).
        var near = Write("near.csv", ("y", [0, 3, 1]), ("x", [1, 2, 0]));
        AssertBadInput(["eval", "--model", "glm", "--family", "poisson", "--link", "identity", "--data", near, "--y", "y", "--x", "x", "--at", "intercept=-0.5,x=0.500000000001", "--device", "native"],
            "line 4: the identity link drives this row's mean to -0.5");
    }

    [Fact]
    public void TooManyFeaturesSayTheLimit()
    {
        int k = GlmModel.MaxFeatures + 1;
        var columns = new List<(string, double[])> { ("y", [0, 1, 0, 1]) };
        columns.AddRange(Enumerable.Range(0, k).Select(j => ($"x{j}", new double[] { j, 1, 2, j % 3 })));
        var data = Write("wide.csv", [.. columns]);
        AssertBadInput(["fit", "--model", "logit", "--data", data, "--y", "y", "--x", string.Join(",", Enumerable.Range(0, k).Select(j => $"x{j}"))],
            $"{k} columns besides the intercept, more than the model's {GlmModel.MaxFeatures}");
    }

    // A factor of 101 levels and 20 numeric columns: 121 coefficients after treatment coding, through the CLI, against
    // a host Newton–Raphson on the same design (the wide passes: more than GlmModel.MaxCentred features).
    [Fact]
    [Trait("Category", Categories.Slow)]
    public void FactorCodedDesignOf121ColumnsFits()
    {
        const int n = 3000, k = 20, levels = 101;
        var random = new Random(5);
        var g = Enumerable.Range(0, n).Select(i => (double)(i % levels)).ToArray();
        var x = Enumerable.Range(0, k).Select(j => NormalSamples.Draw(n, 200 + j, 0, 1)).ToArray();
        var effects = NormalSamples.Draw(levels, 199, 0, 0.3);
        var y = Enumerable.Range(0, n).Select(i =>
        {
            double eta = -0.2 + effects[(int)g[i]] + Enumerable.Range(0, k).Sum(j => 0.1 * x[j][i]);
            return random.NextDouble() < 1 / (1 + Math.Exp(-eta)) ? 1.0 : 0.0;
        }).ToArray();
        var names = Enumerable.Range(1, k).Select(j => $"x{j}").ToArray();
        var data = Write("factor.csv", [("y", y), ("g", g), .. names.Select((name, j) => (name, x[j]))]);
        var json = Path.Combine(_directory, "factor.json");

        var (code, _, error) = Run("fit", "--model", "logit", "--data", data, "--y", "y", "--x", string.Join(",", names), "--factor", "g", "--json", json);

        Assert.True(code == 0, error);
        var parameters = JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("parameters").EnumerateArray().ToArray();
        Assert.Equal(1 + k + levels - 1, parameters.Length);
        // Columns as the design orders them: intercept, x1 … x20, then g[1] … g[100] (level 0 the reference).
        var design = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(n, parameters.Length, (i, c) =>
            c == 0 ? 1 : c <= k ? x[c - 1][i] : g[i] == c - k ? 1 : 0);
        var (b, information, _) = Engine.WideDesignTests.HostNewton(GlmFamily.Binomial, design, y);
        var covariance = information.Inverse();
        for (int c = 0; c < parameters.Length; c++)
        {
            var name = parameters[c].GetProperty("name").GetString();
            Assert.Equal(c == 0 ? "intercept" : c <= k ? names[c - 1] : $"g[{c - k}]", name);
            double estimate = parameters[c].GetProperty("estimate").GetDouble(), se = parameters[c].GetProperty("stdError").GetDouble();
            Assert.True(Math.Abs(estimate - b[c]) <= 1e-8 * Math.Abs(b[c]) + 1e-10 * se, $"{name}: {estimate:R} vs {b[c]:R}");
            Assert.True(Numerics.Relative(se, Math.Sqrt(covariance[c, c])) <= 1e-8, $"{name} se: {se:R} vs {Math.Sqrt(covariance[c, c]):R}");
        }
    }

    // With frequency weights statsmodels' GLM reports nobs = rows and uses wnobs = Σw for BIC (bic_llf) and df_resid:
    // the JSON has both (n, sumWeights) and the table's log-likelihood line gives BIC's n as Σw over the rows. The
    // references: statsmodels 0.13.5, GLM(y, add_constant(x1, x2), Binomial(), freq_weights=w).fit(method="IRLS",
    // tol=1e-15) on logit_weights.csv: nobs 300, wnobs 625, bic_llf 751.93675793616706, aic 738.62350298695787.
    [Fact]
    public void AWeightedFitReportsItsRowsAndTheSumOfWeightsThatBicCounts()
    {
        var json = Path.Combine(_directory, "weighted.json");
        var (code, output, error) = Run("fit", "--data", Path.Combine(References, "logit_weights.csv"), "--model", "logit", "--y", "y", "--x", "x1,x2",
            "--weights", "w", "--device", "native", "--json", json);

        Assert.True(code == GpuestApp.Ok, error);
        using var fit = JsonDocument.Parse(File.ReadAllText(json));
        var root = fit.RootElement;
        Assert.Equal(300, root.GetProperty("n").GetInt32());
        Assert.Equal(625.0, root.GetProperty("sumWeights").GetDouble());
        Assert.True(Numerics.Relative(root.GetProperty("bic").GetDouble(), 751.93675793616706) <= 1e-9, root.GetProperty("bic").ToString());
        Assert.True(Numerics.Relative(root.GetProperty("aic").GetDouble(), 738.62350298695787) <= 1e-9, root.GetProperty("aic").ToString());
        Assert.Contains("k = 3 estimated, n = 625 (frequency weights over 300 rows); AIC", output);

        var plain = Path.Combine(_directory, "plain.json");
        (code, output, error) = Run("fit", "--data", Path.Combine(References, "logit_weights.csv"), "--model", "logit", "--y", "y", "--x", "x1,x2",
            "--device", "native", "--json", plain);
        Assert.True(code == GpuestApp.Ok, error);
        using var unweighted = JsonDocument.Parse(File.ReadAllText(plain));
        Assert.False(unweighted.RootElement.TryGetProperty("sumWeights", out _));
        Assert.Contains("k = 3 estimated, n = 300; AIC", output);
    }

    // Where the model-based standard errors are not statsmodels' GLM defaults (Pearson scale for gamma and normal,
    // expected information under a non-canonical link) the table and the JSON's notes say so; logit and a robust
    // covariance (where they agree) have no such note. The normal identity case checks the convention with numbers:
    // statsmodels 0.13.5, GLM(y, add_constant(x1, x2), Gaussian()).fit(method="IRLS", tol=1e-15) on
    // normal_identity.csv (n = 300, p = 3): bse 36.143819584257216, 0.080671626772742824, 0.036140698748526157 (σ² =
    // RSS/(n − p)); aic 996.13325374203714 (no scale counted). Here σ² = RSS/n, so each standard error is theirs ×
    // √(297/300), and AIC counts sigma (R's AIC(glm)): theirs + 2.
    [Fact]
    public void StandardErrorsThatAreNotStatsmodelsGlmDefaultsSaySo()
    {
        JsonElement Fit(string name, string data, out string output, params string[] options)
        {
            var json = Path.Combine(_directory, name + ".json");
            (int code, output, string error) = Run(["fit", "--data", Path.Combine(References, data), "--y", "y", .. options, "--device", "native", "--json", json]);
            Assert.True(code == GpuestApp.Ok, error);
            using var document = JsonDocument.Parse(File.ReadAllText(json));
            return document.RootElement.Clone();
        }
        static string[] Notes(JsonElement fit) =>
            [.. fit.GetProperty("diagnostics").GetProperty("notes").EnumerateArray().Select(n => n.GetString()!)];

        var normal = Fit("normal", "normal_identity.csv", out var table, "--model", "glm", "--family", "normal", "--x", "x1,x2");
        var note = Assert.Single(Notes(normal));
        Assert.Contains("observed information with sigma at its maximum-likelihood estimate", note);
        Assert.Contains("Pearson dispersion", note);
        Assert.Contains("note: " + note, table);
        double[] statsmodels = [36.143819584257216, 0.080671626772742824, 0.036140698748526157];
        var parameters = normal.GetProperty("parameters").EnumerateArray().ToArray();
        for (int k = 0; k < statsmodels.Length; k++)
        {
            double se = parameters[k].GetProperty("stdError").GetDouble();
            Assert.True(Numerics.Relative(se, statsmodels[k] * Math.Sqrt(297.0 / 300.0)) <= 1e-7, $"{k}: {se:R}");
        }
        Assert.True(Numerics.Relative(normal.GetProperty("aic").GetDouble(), 996.13325374203714 + 2) <= 1e-9, normal.GetProperty("aic").ToString());

        Assert.Contains("under the log link, the expected information", Assert.Single(Notes(Fit("gamma", "gamma_log.csv", out _, "--model", "glm", "--family", "gamma", "--link", "log", "--x", "x1,x2"))));
        Assert.Contains("statsmodels' Probit agrees", Assert.Single(Notes(Fit("probit", "probit.csv", out _, "--model", "probit", "--x", "x1,x2"))));
        Assert.Empty(Notes(Fit("logit", "logit.csv", out _, "--model", "logit", "--x", "x1,x2")));
        Assert.DoesNotContain(Notes(Fit("gamma-hc0", "gamma_log.csv", out _, "--model", "glm", "--family", "gamma", "--link", "log", "--x", "x1,x2", "--cov", "hc0")),
            n => n.Contains("Pearson", StringComparison.Ordinal));
    }

    // An all-zero response: the intercept runs to −∞ (separation, exit 3, named), and so does the null model's, so
    // the null deviance, LL-Null and pseudo-R² do not exist: "-" in the table's GLM block and null in the JSON, not NaN.
    [Fact]
    public void AnAllZeroResponseExitsWithThreeAndPrintsNoNaN()
    {
        var x = Enumerable.Range(0, 40).Select(i => Math.Sin(i * 0.9)).ToArray();
        var data = Write("zeros.csv", ("y", new double[40]), ("x", x));
        var json = Path.Combine(_directory, "zeros.json");
        var (code, output, error) = Run("fit", "--data", data, "--model", "logit", "--y", "y", "--x", "x", "--device", "native", "--json", json);

        Assert.True(code == GpuestApp.NotConverged, $"{code}: {error}");
        Assert.Contains("intercept → −∞", output);
        // Nowhere in the table: not in the header's statistics, nor in the diagnostics line, whose gradient and EDM
        // need the Hessian that a fit which did not converge has not computed.
        Assert.DoesNotContain("NaN", output);
        Assert.Contains("Hessian at the optimum: not computed; so no gradient or EDM in standard-error units", output);
        Assert.Matches(@"Null Deviance:\s+-\s", output);
        using var fit = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(JsonValueKind.Null, fit.RootElement.GetProperty("nullDeviance").ValueKind);
        Assert.Equal(JsonValueKind.Null, fit.RootElement.GetProperty("pseudoR2").ValueKind);
    }

    private string Write(string name, params (string Name, double[] Values)[] columns) => WriteCsv(_directory, name, columns);
}
