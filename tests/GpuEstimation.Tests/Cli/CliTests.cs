using System.Globalization;
using System.Text.Json;
using GpuEstimation.Cli;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Cli;

[Collection(DeviceCollection.Name)]
public sealed class CliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gpuest-cli").FullName;
    private readonly double[] _x = NormalSamples.Draw(5_000, 51, 3.1, 1.9);

    // A scipy trial: at --level 0.999999 the interval columns were headed [0 and 1] (three decimals).
    [Fact]
    public void TheIntervalHeadersCarryTheLevelsDigits()
    {
        var data = WriteColumns("lv.csv", ("x", _x));
        var (code, output, _) = Run("fit", "--model", "normal", "--data", data, "--device", "native", "--level", "0.999999");
        Assert.Equal(0, code);
        Assert.Contains("[0.0000005    0.9999995]", output);
        Assert.Contains("[0.025        0.975]", Run("fit", "--model", "normal", "--data", data, "--device", "native").Output);
        // Beyond ten decimals, in powers of ten (a trial: [0.0000000001 1] for 0.9999999999).
        Assert.Contains("[5E-11      1-5E-11]", Run("fit", "--model", "normal", "--data", data, "--device", "native", "--level", "0.9999999999").Output);
    }

    [Fact]
    public void FitNormalPrintsTableAndWritesTheJsonContract()
    {
        var data = WriteColumns("n.csv", ("x", _x));
        var json = Path.Combine(_directory, "fit.json");

        var (code, output, error) = Run("fit", "--model", "normal", "--data", data, "--column", "x", "--device", "cpu", "--json", json, "--profile", "all");

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Contains("mu", output);
        Assert.Contains("log-likelihood", output);
        Assert.Contains("cpu: ", output);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        Assert.Equal("normal", root.GetProperty("model").GetString());
        Assert.Equal("mle", root.GetProperty("method").GetString());
        Assert.StartsWith("cpu: ", root.GetProperty("device").GetString());
        Assert.Equal(_x.Length, root.GetProperty("n").GetInt32());
        var parameters = root.GetProperty("parameters").EnumerateArray().ToList();
        Assert.Equal(["mu", "sigma"], parameters.Select(p => p.GetProperty("name").GetString()));
        double mean = Numerics.Sum(_x) / _x.Length;
        Assert.True(Numerics.Relative(parameters[0].GetProperty("estimate").GetDouble(), mean) <= 1e-10);
        Assert.True(root.GetProperty("converged").GetBoolean());
        Assert.True(root.GetProperty("iterations").GetInt32() >= 0);
        Assert.True(root.GetProperty("evaluations").GetInt32() > 0);
        Assert.True(root.GetProperty("elapsedMs").GetDouble() > 0);
        Assert.True(root.GetProperty("logLikelihood").GetDouble() < 0);
        Assert.False(root.TryGetProperty("logPosterior", out _));

        // Inference: standard errors, Wald and profile intervals, covariance, AIC/BIC, diagnostics.
        double sd = Math.Sqrt(Numerics.Sum(_x.Select(v => (v - mean) * (v - mean))) / _x.Length);
        Assert.True(Numerics.Relative(parameters[0].GetProperty("stdError").GetDouble(), sd / Math.Sqrt(_x.Length)) <= 1e-8);
        foreach (var p in parameters)
        {
            double estimate = p.GetProperty("estimate").GetDouble();
            var wald = p.GetProperty("interval").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var profile = p.GetProperty("profileInterval").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.True(wald[0] < estimate && estimate < wald[1]);
            Assert.True(profile[0] < estimate && estimate < profile[1]);
            Assert.True(p.GetProperty("pValue").GetDouble() < 1e-6);
        }
        Assert.Equal(2, root.GetProperty("covariance").GetArrayLength());
        double logLikelihood = root.GetProperty("logLikelihood").GetDouble();
        Assert.Equal(4 - 2 * logLikelihood, root.GetProperty("aic").GetDouble(), 9);
        Assert.Equal(2 * Math.Log(_x.Length) - 2 * logLikelihood, root.GetProperty("bic").GetDouble(), 9);
        var diagnostics = root.GetProperty("diagnostics");
        Assert.Equal("negative definite", diagnostics.GetProperty("hessian").GetString());
        Assert.True(diagnostics.GetProperty("edm").GetDouble() < 1e-12);
        Assert.Contains("std err", output);
        Assert.Contains("profile [0.025", output);
    }

    [Fact]
    public void LinearMapWithPriorsAndFixedSigma()
    {
        var x2 = _x.Select((v, i) => Math.Sin(i)).ToArray();
        var y = _x.Select((v, i) => 1 + 0.5 * v - 2 * x2[i] + 0.1 * Math.Cos(7 * i)).ToArray();
        var data = WriteColumns("l.csv", ("y", y), ("a", _x), ("b", x2));
        var json = Path.Combine(_directory, "map.json");

        var (code, output, error) = Run("fit", "--model", "linear", "--data", data, "--y", "y", "--x", "a,b", "--map",
            "--prior", "a=normal(0,0.01),b=laplace(0,1)", "--fix", "sigma=0.5", "--device", "cpu", "--json", json);

        Assert.True(code == 0, error);
        Assert.Contains("(fixed)", output);
        Assert.Contains("log-posterior", output);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("map", doc.RootElement.GetProperty("method").GetString());
        Assert.True(doc.RootElement.GetProperty("logPosterior").GetDouble() < doc.RootElement.GetProperty("logLikelihood").GetDouble());
        var parameters = doc.RootElement.GetProperty("parameters").EnumerateArray().ToList();
        Assert.Equal(["intercept", "a", "b", "sigma"], parameters.Select(p => p.GetProperty("name").GetString()));
        Assert.Equal(0.5, parameters[3].GetProperty("estimate").GetDouble());
        Assert.True(parameters[3].GetProperty("fixed").GetBoolean());
    }

    [Fact]
    public void ProfileAllSkipsFixedParameters()
    {
        var data = WriteColumns("pa.csv", ("x", _x));
        var json = Path.Combine(_directory, "pa.json");
        var (code, _, error) = Run("fit", "--model", "normal", "--data", data, "--column", "x", "--fix", "sigma=2", "--profile", "all", "--device", "native", "--json", json);
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var parameters = doc.RootElement.GetProperty("parameters");
        Assert.Equal(JsonValueKind.Array, parameters[0].GetProperty("profileInterval").ValueKind);
        Assert.Equal(JsonValueKind.Null, parameters[1].GetProperty("profileInterval").ValueKind);
    }

    // A z of 3e13 (a mean of 10¹² with a standard error of 0.03) printed in full pushed the row out of its columns (a
    // trial's exact fit printed 56808594964540500.00): from 10⁶ on it is written as 3.18E+13, the row's nine fields
    // still separated.
    [Fact]
    public void HugeZStaysInItsColumn()
    {
        var data = WriteColumns("far.csv", ("x", _x.Select(v => 1e12 + v).ToArray()));
        var (code, output, error) = Run("fit", "--model", "normal", "--data", data, "--column", "x", "--device", "native");
        Assert.True(code == 0, error);
        var row = output.Split('\n').Single(line => line.StartsWith("mu ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(7, row.Length);
        Assert.Matches(@"^\d\.\d\dE\+\d\d$", row[3]);
    }

    [Fact]
    public void EvalWritesValueGradientAndTiming()
    {
        var data = WriteColumns("e.csv", ("x", _x));
        var json = Path.Combine(_directory, "eval.json");

        var (code, _, error) = Run("eval", "--model", "normal", "--data", data, "--column", "x", "--at", "mu=3.1,sigma=1.9", "--repeat", "5", "--device", "cpu", "--json", json);

        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        double expected = Numerics.Sum(_x.Select(v => MathNet.Numerics.Distributions.Normal.PDFLn(3.1, 1.9, v)));
        Assert.True(Numerics.Relative(root.GetProperty("logLikelihood").GetDouble(), expected) <= 1e-12);
        var gradient = root.GetProperty("gradient").EnumerateArray().ToList();
        Assert.Equal("mu", gradient[0].GetProperty("name").GetString());
        double dmu = Numerics.Sum(_x.Select(v => (v - 3.1) / (1.9 * 1.9)));
        Assert.True(Math.Abs(gradient[0].GetProperty("value").GetDouble() - dmu) <= 1e-9 * _x.Length);
        Assert.True(root.GetProperty("evalMs").GetDouble() > 0);
    }

    [Fact]
    public void ModelsListsEveryFamilyWithItsParameters()
    {
        var (code, output, _) = Run("models");
        Assert.Equal(0, code);
        foreach (var family in new[] { "normal", "lognormal", "exponential", "gamma", "beta", "weibull", "studentt", "cauchy",
                     "laplace", "logistic", "poisson", "bernoulli", "binomial", "negbinomial", "geometric", "linear" })
            Assert.Contains(family + " ", output);
        Assert.Contains("mu, sigma, nu", output);
        Assert.Contains("r, p", output);
        // The models the command line builds itself are listed too (a newcomer trial missed them).
        Assert.Contains("gaussian-mixture  parameters: w1..wK (wK = 1 − the others, not estimated)", output);
        Assert.Contains("--y Y --mean 'EXPR' --start NAME=V,...", output);
        Assert.Contains("--logpdf 'EXPR'", output);
    }

    [Fact]
    public void BinomialFitWithATrialsColumn()
    {
        var k = Enumerable.Range(0, 200).Select(i => (double)(i % 7)).ToArray();
        var n = Enumerable.Repeat(10.0, 200).ToArray();
        var data = WriteColumns("b.csv", ("k", k), ("n", n));
        var json = Path.Combine(_directory, "b.json");
        var (code, _, error) = Run("fit", "--model", "binomial", "--data", data, "--column", "k", "--trials-column", "n", "--device", "native", "--json", json);
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        double p = doc.RootElement.GetProperty("parameters")[0].GetProperty("estimate").GetDouble();
        Assert.True(Numerics.Relative(p, k.Sum() / n.Sum()) <= 1e-10);
    }

    // Under-dispersed counts (variance 1.0 < mean 4) under the negative binomial: exit 0 at the Poisson limit, r and p
    // at the edge in the JSON, the Poisson's log-likelihood; it was exit 3 (the search ran along r → ∞, p → 1). p is
    // reported beside 1, where r puts it (p = 1 itself, reported before, is outside the domain: eval refused it back,
    // and with r finite it gave a mean of 0); eval takes the reported estimates back and gives the same log-likelihood.
    [Fact]
    public void UnderDispersedNegativeBinomialExitsZeroAtThePoissonLimit()
    {
        double[] k = [3, 4, 5, 4, 3, 5, 4, 4, 6, 2, 4, 5, 3, 4];
        var data = WriteColumns("under.csv", ("k", k));
        var json = Path.Combine(_directory, "under.json");
        var (code, output, error) = Run("fit", "--model", "negbinomial", "--data", data, "--column", "k", "--device", "native", "--json", json);
        Assert.True(code == 0, error);
        Assert.Contains("r → ∞ (the Poisson limit fits at least as well), p → 1 (reported at 0.99999", output);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var atBound = doc.RootElement.GetProperty("diagnostics").GetProperty("atBound").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(["r", "p"], atBound);
        double poisson = k.Sum(v => v * Math.Log(4) - 4 - MathNet.Numerics.SpecialFunctions.GammaLn(v + 1));
        double logLikelihood = doc.RootElement.GetProperty("logLikelihood").GetDouble();
        Assert.True(Math.Abs(logLikelihood - poisson) <= 1e-9 * Math.Abs(poisson), $"log L {logLikelihood:R} vs the Poisson's {poisson:R}");

        var estimates = doc.RootElement.GetProperty("parameters").EnumerateArray()
            .Select(e => $"{e.GetProperty("name").GetString()}={e.GetProperty("estimate").GetDouble():R}").ToArray();
        var back = Path.Combine(_directory, "under-eval.json");
        var (evalCode, _, evalError) = Run("eval", "--model", "negbinomial", "--data", data, "--column", "k", "--device", "native", "--at", string.Join(",", estimates), "--json", back);
        Assert.True(evalCode == 0, evalError);
        using var evaluated = JsonDocument.Parse(File.ReadAllText(back));
        double again = evaluated.RootElement.GetProperty("logLikelihood").GetDouble();
        Assert.True(Math.Abs(again - logLikelihood) <= 1e-12 * Math.Abs(logLikelihood), $"eval {again:R} vs fit {logLikelihood:R}");
    }

    // A fit reports a maximum at the edge (p = 1 for all-one Bernoulli data, a rate of 0 for all-zero Poisson data):
    // eval takes those values back (it refused them as outside the domain), with the derivative there left out (one-
    // sided; null in the JSON, "-" in the table) rather than NaN. An edge where the density is not defined (σ = 0) is
    // still refused.
    [Fact]
    public void EvalTakesAFitsEdgeValuesBack()
    {
        var ones = WriteColumns("ones.csv", ("x", [1.0, 1.0, 1.0]));
        var json = Path.Combine(_directory, "edge.json");
        var (code, output, error) = Run("eval", "--model", "bernoulli", "--data", ones, "--column", "x", "--at", "p=1", "--device", "native", "--json", json);
        Assert.True(code == 0, error);
        Assert.DoesNotContain("NaN", output);
        Assert.Contains("note: no derivative in p at the edge of its domain (one-sided there)", output);
        using (var doc = JsonDocument.Parse(File.ReadAllText(json)))
        {
            Assert.Equal(0.0, doc.RootElement.GetProperty("logLikelihood").GetDouble());
            Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("gradient")[0].GetProperty("value").ValueKind);
        }
        var zeros = WriteColumns("zeros.csv", ("x", [0.0, 0.0]));
        (code, _, error) = Run("eval", "--model", "poisson", "--data", zeros, "--column", "x", "--at", "rate=0", "--device", "native");
        Assert.True(code == 0, error);
        // The other edge, where the data are impossible (p = 1 on zeros: log L = −∞): no derivative there either (a
        // trial saw -Infinity printed as one).
        (code, output, error) = Run("eval", "--model", "bernoulli", "--data", zeros, "--column", "x", "--at", "p=1", "--device", "native");
        Assert.True(code == 0, error);
        Assert.DoesNotContain("-Infinity ", output.Split('\n').Single(line => line.StartsWith("p ", StringComparison.Ordinal)));
        Assert.Contains("note: no derivative in p where the log-likelihood is -Infinity", output);
        AssertBadInput(["eval", "--model", "normal", "--data", ones, "--column", "x", "--at", "mu=1,sigma=0", "--device", "native"], "sigma must be positive");
    }

    // Inside the domain, σ so small that every point has density 0: the derivatives are ∞ − ∞, and the note says why,
    // not that mu is at an edge (it said so).
    [Fact]
    public void EvalWhereTheLogLikelihoodIsMinusInfinitySaysSo()
    {
        var data = WriteColumns("spread.csv", ("x", [-1.0, 2.0, 3.0]));
        var (code, output, error) = Run("eval", "--model", "normal", "--data", data, "--column", "x", "--at", "mu=0,sigma=1e-200", "--device", "native");

        Assert.True(code == 0, error);
        Assert.Contains("log-likelihood   -Infinity", output);
        Assert.Contains("where the log-likelihood is -Infinity", output);
        Assert.DoesNotContain("edge", output);
    }

    [Fact]
    public void ValueOutsideTheSupportNamesTheFileLine()
    {
        var path = Path.Combine(_directory, "neg.csv");
        File.WriteAllText(path, "x\n1.5\n-2\n3\n");
        AssertBadInput(["fit", "--model", "gamma", "--data", path, "--column", "x"], "line 3, column 'x': -2 is outside the support of gamma (x > 0)");
    }

    [Fact]
    public void SweepWritesTheSurface()
    {
        var data = WriteColumns("sw.csv", ("x", _x));
        var csv = Path.Combine(_directory, "surface.csv");
        var json = Path.Combine(_directory, "surface.json");
        var (code, output, error) = Run("sweep", "--model", "normal", "--data", data, "--column", "x", "--grid", "mu=3:3.2:5", "--grid", "sigma=1.8:2:4",
            "--device", "native", "--out", csv, "--json", json);
        Assert.True(code == 0, error);
        Assert.Contains("20 points", output);
        var lines = File.ReadAllLines(csv);
        Assert.Equal("mu,sigma,logLikelihood", lines[0]);
        Assert.Equal(21, lines.Length);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(20, doc.RootElement.GetProperty("logLikelihood").GetArrayLength());
    }

    [Fact]
    public void SweepRepeatReportsTheMedianTime()
    {
        var data = WriteColumns("swr.csv", ("x", _x));
        var json = Path.Combine(_directory, "surface-repeat.json");
        var (code, output, error) = Run("sweep", "--model", "normal", "--data", data, "--column", "x", "--grid", "mu=3:3.2:3",
            "--at", "sigma=1.9", "--device", "native", "--repeat", "3", "--json", json);
        Assert.True(code == 0, error);
        Assert.Contains("median of 3 repeated sweeps", output);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.True(doc.RootElement.GetProperty("sweepMs").GetDouble() > 0);
    }

    // A NumPy file gives the same fit as the same numbers in CSV (doubles stored exactly in both).
    [Fact]
    public void FitFromNpyEqualsFitFromCsv()
    {
        var csv = WriteColumns("same.csv", ("x", _x));
        var npy = Path.Combine(_directory, "same.npy");
        NpyFile.Write(npy, _x);
        var fromCsv = Path.Combine(_directory, "csv.json");
        var fromNpy = Path.Combine(_directory, "npy.json");
        Assert.Equal(0, Run("fit", "--model", "normal", "--data", csv, "--column", "x", "--device", "native", "--json", fromCsv).Code);
        var (code, _, error) = Run("fit", "--model", "normal", "--data", npy, "--column", "0", "--device", "native", "--json", fromNpy);
        Assert.True(code == 0, error);
        double Estimate(string path, int k) => JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("parameters")[k].GetProperty("estimate").GetDouble();
        Assert.Equal(Estimate(fromCsv, 0), Estimate(fromNpy, 0));
        Assert.Equal(Estimate(fromCsv, 1), Estimate(fromNpy, 1));
        AssertBadInput(["fit", "--model", "normal", "--data", npy, "--column", "x"], "no column 'x'; a .npy file's columns are named by their index: 0");

        // Data of one column need no --column (a 1-D array, as scipy's fit takes one); data of two do.
        var bare = Path.Combine(_directory, "bare.json");
        Assert.Equal(0, Run("fit", "--model", "normal", "--data", npy, "--device", "native", "--json", bare).Code);
        Assert.Equal(Estimate(fromNpy, 0), Estimate(bare, 0));
        Assert.Equal(0, Run("eval", "--model", "normal", "--data", csv, "--at", "mu=1,sigma=2", "--device", "native").Code);
        var two = WriteColumns("two.csv", ("x", _x), ("z", _x));
        AssertBadInput(["fit", "--model", "normal", "--data", two], "--model normal needs --column NAME");
    }

    // eval and sweep said "reads one column: give --column" for gaussian-mixture with --x, and named internal classes
    // (MixtureSpec.Create, MixtureEstimator) for mixture.
    [Theory]
    [InlineData("eval", "mixture", "--at", "w1=0.5")]
    [InlineData("sweep", "gaussian-mixture", "--grid", "w1=0:1:3")]
    // With a mixture's own option too: the model's refusal, not "unknown option --components" (a trial).
    [InlineData("sweep", "mixture", "--components", "2xnormal")]
    public void EvalAndSweepRefuseTheMixturesByName(string command, string model, string flag, string value) =>
        AssertBadInput([command, "--model", model, "--data", WriteColumns("mix.csv", ("x", _x)), "--column", "x", flag, value],
            $"--model {model}: {command} does not take the mixtures, which gpuest fit fits by EM from several starts; a mixture's log-likelihood at given values is a --logpdf");

    // Lists with an empty item or a name twice were taken as they came (--profile '' fitted without a profile, --x ''
    // an intercept-only logit, --profile mu,mu and --at mu=1,,sigma=1 without a word), and a grid count beyond an int
    // was "not a whole number of at least 1" (all found by a trial).
    [Theory]
    [InlineData("fit", "--profile", "", "--profile '': an empty name")]
    [InlineData("fit", "--profile", "mu,", "--profile 'mu,': an empty name")]
    [InlineData("fit", "--profile", "mu,mu", "--profile mu: given twice")]
    [InlineData("eval", "--at", "mu=1,,sigma=1", "--at: an empty item")]
    [InlineData("sweep", "--grid", "mu=1:2:2147483648", "--grid mu=1:2:2147483648: the count 2147483648: at most 2147483647")]
    public void EmptyOrRepeatedListItemsAndHugeCountsAreRefused(string command, string flag, string value, string message) =>
        AssertBadInput([command, "--model", "normal", "--data", WriteColumns("list.csv", ("x", _x)), "--column", "x", flag, value], message);

    [Fact]
    public void MissingFile() => AssertBadInput(["fit", "--model", "normal", "--data", Path.Combine(_directory, "absent.csv"), "--column", "x"], "file not found");

    [Fact]
    public void MissingColumnListsColumns() =>
        AssertBadInput(["fit", "--model", "normal", "--data", WriteColumns("m.csv", ("x", _x)), "--column", "q"], "no column 'q'; columns present: x");

    [Fact]
    public void NonNumericCellNamesLineAndColumn()
    {
        var path = Path.Combine(_directory, "bad.csv");
        File.WriteAllText(path, "x\n1\n2\nthree\n");
        AssertBadInput(["fit", "--model", "normal", "--data", path, "--column", "x"], "line 4, column 'x': 'three'");
    }

    [Fact]
    public void NanCellNamesLineAndColumn()
    {
        var path = Path.Combine(_directory, "nan.csv");
        File.WriteAllText(path, "y,x\n1,2\nNaN,3\n");
        AssertBadInput(["fit", "--model", "linear", "--data", path, "--y", "y", "--x", "x"], "line 3, column 'y': the value is missing ('NaN') (--drop-missing leaves such rows out)");
    }

    [Fact]
    public void EmptyDataset()
    {
        var path = Path.Combine(_directory, "empty.csv");
        File.WriteAllText(path, "x\n");
        AssertBadInput(["fit", "--model", "normal", "--data", path, "--column", "x"], "no data rows");
    }

    [Theory]
    [InlineData("sigma=0")]
    [InlineData("sigma=-2")]
    public void NonPositiveFixedSigma(string fix) =>
        AssertBadInput(["fit", "--model", "normal", "--data", WriteColumns("s.csv", ("x", _x)), "--column", "x", "--fix", fix, "--device", "cpu"], "sigma must be positive");

    [Fact]
    public void UnknownModel() => AssertBadInput(["fit", "--model", "poisson2", "--data", "x.csv", "--column", "x"], "unknown model 'poisson2'");

    [Fact]
    public void UnknownPrior() =>
        AssertBadInput(["fit", "--model", "normal", "--data", WriteColumns("p.csv", ("x", _x)), "--column", "x", "--map", "--prior", "mu=student(3)", "--device", "cpu"], "unknown prior 'student'");

    [Fact]
    public void ColumnOptionsOfAnotherModelAreRejected() =>
        AssertBadInput(["fit", "--model", "linear", "--data", WriteColumns("w.csv", ("x", _x)), "--column", "x"], "not --column");

    [Fact]
    public void MisspeltModelIsSuggested() =>
        AssertBadInput(["fit", "--model", "normla", "--data", WriteColumns("m.csv", ("x", _x)), "--column", "x"], "unknown model 'normla' (did you mean normal?)");

    // The list and the suggestions left out gaussian-mixture and nonlinear, which --model takes.
    [Fact]
    public void EveryModelIsListedAndSuggested() =>
        AssertBadInput(["fit", "--model", "nonlinaer", "--data", WriteColumns("m.csv", ("x", _x)), "--column", "x"],
            "unknown model 'nonlinaer' (did you mean nonlinear?) (available: normal, lognormal, exponential, gamma, beta, weibull, studentt, cauchy, laplace, logistic, poisson, bernoulli, binomial, negbinomial, geometric, linear, glm, logit, probit, mixture, gaussian-mixture, nonlinear; or a log-density of your own with --logpdf)");

    [Fact]
    public void OnePointAxisWithTwoEndsIsRefused() =>
        AssertBadInput(["sweep", "--model", "normal", "--data", WriteColumns("g.csv", ("x", _x)), "--column", "x", "--grid", "mu=1:2:1"], "a one-point axis sweeps LOW alone");

    // A picture of a grid with a one-value axis: a heatmap spread the value over a made-up range (a trial).
    [Theory]
    [InlineData(new[] { "--grid", "mu=3:3:1", "--grid", "sigma=1:2:5" }, "--png: the grid's axis mu has one value (3): a picture needs two or more on each axis; for a curve over sigma, sweep sigma alone with --at mu=3")]
    [InlineData(new[] { "--grid", "mu=3:3:1" }, "--png: the grid's axis mu has one value (3): a picture needs two or more values on each axis")]
    public void APictureOfAOneValueAxisIsRefused(string[] grid, string expected) =>
        AssertBadInput(["sweep", "--model", "normal", "--data", WriteColumns("p.csv", ("x", _x)), "--column", "x", .. grid, "--png", Path.Combine(Path.GetTempPath(), "never.png")], expected);

    [Fact]
    public void StartOfAFixedParameterIsRefused() =>
        AssertBadInput(["fit", "--model", "normal", "--data", WriteColumns("s.csv", ("x", _x)), "--column", "x", "--fix", "mu=1", "--start", "mu=2"], "--start mu: mu is fixed");

    [Fact]
    public void AtWithProfileIsRefused()
    {
        AssertBadInput(["sweep", "--model", "normal", "--data", WriteColumns("a.csv", ("x", _x)), "--column", "x", "--grid", "mu=1:2:3", "--at", "sigma=1", "--profile"], "--at sigma: with --profile");
        // And a parameter held by both --at and --fix (--at's value would silently win).
        AssertBadInput(["sweep", "--model", "normal", "--data", WriteColumns("f.csv", ("x", _x)), "--column", "x", "--grid", "mu=1:2:3", "--at", "sigma=3", "--fix", "sigma=2"], "--at sigma and --fix sigma: give the off-grid value once");
    }

    [Fact]
    public void JsonOfAHugeGridIsRefusedBeforeComputing() =>
        AssertBadInput(["sweep", "--model", "normal", "--data", WriteColumns("j.csv", ("x", _x)), "--column", "x", "--grid", "mu=1:2:5000", "--grid", "sigma=1:2:5000", "--json", Path.Combine(Path.GetTempPath(), "never.json")], "GiB of JSON");

    [Fact]
    public void FeatureGivenTwiceIsNamed() =>
        AssertBadInput(["fit", "--model", "linear", "--data", WriteColumns("t.csv", ("y", _x), ("u", _x)), "--y", "y", "--x", "u,u"], "--x u: given twice");

    [Fact]
    public void UnknownOption() => AssertBadInput(["fit", "--model", "normal", "--data", WriteColumns("o.csv", ("x", _x)), "--column", "x", "--colour", "red"], "fit: unknown option --colour");

    [SkippableFact]
    public void AbsentBackendIsAnErrorNotAFallback()
    {
        Skip.If(DeviceFixture.Present.Contains(GpuEstimation.Backends.Backend.Cuda), "CUDA is present here, so it is not absent");
        AssertBadInput(["fit", "--model", "normal", "--data", WriteColumns("d.csv", ("x", _x)), "--column", "x", "--device", "cuda"], "--device cuda: no");
    }

    [Fact]
    public void NonConvergenceExitsWithThreeAndSaysSo()
    {
        // One iteration cannot reach Student-t's maximum, from the start given or from the data-driven one. (A
        // constant column is refused up front now, exit 2: sigma has no finite MLE there.)
        var data = WriteColumns("c.csv", ("x", _x));
        var (code, output, _) = Run("fit", "--model", "studentt", "--data", data, "--column", "x", "--device", "cpu",
            "--max-iter", "1", "--optimizer", "gradient", "--start", "mu=-20,sigma=15");
        Assert.Equal(GpuestApp.NotConverged, code);
        Assert.Contains("NOT CONVERGED", output);
    }

    [Fact]
    [Trait("Category", Categories.Slow)]
    public void DemoFitsBothAndMatchesTheClosedForms()
    {
        var (code, output, error) = Run("demo", "--points", "20000", "--device", "cpu", "--pictures", _directory);
        Assert.True(code == 0, error);
        Assert.True(File.Exists(Path.Combine(_directory, "gpuest-demo-fit.png")));
        Assert.True(File.Exists(Path.Combine(_directory, "gpuest-demo-surface.png")));
        Assert.Contains("least squares (QR)", output);
        Assert.Contains("ridge closed form", output);
        // Points 49,999 and 99,999 would be lifted; of 20,000 none is (a trial's --points 10 was told of outliers).
        Assert.Contains("(outliers: none among these)", output);
        // Every relative difference printed beside a closed form is below 1e-8.
        var differences = output.Split('\n')
            .Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^(intercept|x)\s+-?\d"))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1], CultureInfo.InvariantCulture))
            .ToList();
        Assert.Equal(4, differences.Count);
        Assert.All(differences, d => Assert.True(d <= 1e-8, $"relative difference {d}"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static void AssertBadInput(string[] args, string expected)
    {
        var (code, output, error) = Run(args);
        Assert.Equal(GpuestApp.BadInput, code);
        Assert.Equal("", output);
        Assert.Contains(expected, error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.DoesNotContain("   at ", error);
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = GpuestApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    // R², adjusted R², F and its p-value in the table and the JSON, as statsmodels' OLS gives them for the dataset of
    // LinearStatisticsTests (whose comment says how the values were produced); 1e-9 relative.
    [Fact]
    public void LinearFitReportsRSquaredAndTheFTest()
    {
        var data = WriteColumns("r2.csv", ("y", Models.LinearStatisticsTests.Y), ("x1", Models.LinearStatisticsTests.X1), ("x2", Models.LinearStatisticsTests.X2));
        var json = Path.Combine(_directory, "r2.json");

        var (code, output, error) = Run("fit", "--model", "linear", "--data", data, "--y", "y", "--x", "x1,x2", "--device", "native", "--json", json);

        Assert.True(code == 0, error);
        Assert.Contains("R-squared 0.99291196", output);
        Assert.Contains("on 2 and 9 DF", output);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        Assert.True(Numerics.Relative(root.GetProperty("rSquared").GetDouble(), 0.9929119679974662) <= 1e-9);
        Assert.True(Numerics.Relative(root.GetProperty("adjustedRSquared").GetDouble(), 0.9913368497746808) <= 1e-9);
        Assert.True(Numerics.Relative(root.GetProperty("fStatistic").GetDouble(), 630.3729800304726) <= 1e-9);
        Assert.True(Numerics.Relative(root.GetProperty("fPValue").GetDouble(), 2.1250321931371548e-10) <= 1e-8);
        Assert.True(Numerics.Relative(root.GetProperty("residualSumOfSquares").GetDouble(), 1.0446991301601232) <= 1e-9);
        Assert.Equal(2, root.GetProperty("dfModel").GetDouble());
        Assert.Equal(9, root.GetProperty("dfResid").GetDouble());
    }

    // A sweep over data near 10¹² printed its grid as 999999999999.5..1000000000000 (the high end 1000000000000.5) and
    // its maximum at "1000000000000" (999999999999.775 in the CSV), eight significant digits; points where the
    // log-likelihood is −∞ were said nowhere (a trial).
    [Fact]
    public void SweepSummariesKeepTheGridsDigitsAndNameNonFinitePoints()
    {
        var x = Enumerable.Range(0, 100).Select(i => 1e12 + Math.Round(Math.Sin(1.7 * i), 3)).ToArray();
        var data = WriteColumns("off.csv", ("x", x));
        var (code, output, error) = Run("sweep", "--model", "normal", "--data", data, "--column", "x", "--grid", "mu=999999999999.5:1000000000000.5:41", "--device", "native");
        Assert.True(code == 0, error);
        Assert.Contains("sweep over mu 999999999999.5..1000000000000.5 (41)", output);
        // The grid's spacing 0.025: the maximum's mu to three decimals, a grid point.
        var at = System.Text.RegularExpressions.Regex.Match(output, @"on the grid \S+ at mu = (\S+), sigma = (\S+)");
        Assert.True(at.Success, output);
        double mu = double.Parse(at.Groups[1].Value.TrimEnd(','), System.Globalization.CultureInfo.InvariantCulture);
        double mean = x.Average();
        Assert.True(Math.Abs(mu - mean) <= 0.0125 + 1e-3, $"{at.Groups[1].Value} against the mean {mean:R}");
        Assert.True(Math.Abs(Math.Round((mu - 999999999999.5) / 0.025) * 0.025 + 999999999999.5 - mu) < 1e-4, at.Groups[1].Value);

        var shifted = WriteColumns("edge.csv", ("x", Enumerable.Range(0, 60).Select(i => 1.5 + i * 0.01).ToArray()));
        (code, output, error) = Run("sweep", "--data", shifted, "--logpdf", "exponential_lpdf(x - m, 1)", "--param", "m", "--start", "m=0.5", "--grid", "m=0:2:41", "--device", "native");
        Assert.True(code == 0, error);
        Assert.Contains("note: of the 41 grid points, the log-likelihood is not finite at 10 where it is −∞ (data impossible there, or past the doubles' range)", output);
    }

    // A pictures trial: --png out.jpg wrote a PNG under that name without a word; a profile sweep with every parameter on
    // the grid said it re-optimized them; a mixture's picture was written without the "picture:" line the others print.
    [Fact]
    public void PicturesAreNamedPngAndAProfileNeedsSomethingOffTheGrid()
    {
        var data = WriteColumns("n.csv", ("x", Enumerable.Range(0, 50).Select(i => 5 + Math.Sin(i)).ToArray()));
        Gpuest.AssertBadInput(["sweep", "--model", "normal", "--data", data, "--column", "x", "--grid", "mu=4:6:5", "--png", Path.Combine(_directory, "s.jpg")],
            "s.jpg: pictures are written as PNG; name the file .png");
        Gpuest.AssertBadInput(["sweep", "--model", "normal", "--data", data, "--column", "x", "--grid", "mu=4:6:5", "--grid", "sigma=0.5:1:5", "--profile"],
            "--profile: every parameter is on the grid, so nothing is left to re-optimize");
        Gpuest.AssertBadInput(["sweep", "--model", "normal", "--data", data, "--column", "x", "--grid", "mu=4:6:5", "--fix", "sigma=1", "--profile"],
            "--profile: every parameter is on the grid or fixed");
        var png = Path.Combine(_directory, "m.PNG");
        var (code, output, error) = Run("fit", "--model", "mixture", "--components", "2xnormal", "--data", data, "--column", "x", "--png", png, "--device", "native");
        Assert.True(code is 0 or 3, error);
        Assert.Contains($"picture: {png}", output);
        Assert.True(File.Exists(png));
    }

    // A parameter name longer than the names' column pushed its row out of line (a trial's x1:urban[1]:grp[B]): the
    // column is as wide as the longest name, so every estimate ends at the same place.
    [Fact]
    public void LongParameterNamesKeepTheTableInLine()
    {
        var x = Enumerable.Range(0, 60).Select(i => Math.Sin(i)).ToArray();
        var data = WriteColumns("long.csv", ("y", [.. x.Select((v, i) => 2 * v + 0.1 * Math.Cos(3 * i))]), ("a_rather_long_feature_name", x));
        var (code, output, error) = Run("fit", "--model", "linear", "--data", data, "--y", "y", "--x", "a_rather_long_feature_name", "--device", "native");
        Assert.True(code == 0, error);
        var lines = output.Split('\n');
        var header = lines.First(l => l.StartsWith("parameter", StringComparison.Ordinal));
        int end = header.IndexOf("estimate", StringComparison.Ordinal) + "estimate".Length;
        foreach (var name in new[] { "intercept", "a_rather_long_feature_name", "sigma" })
        {
            var row = lines.First(l => l.StartsWith(name + " ", StringComparison.Ordinal));
            Assert.True(row.Length > end && row[end - 1] != ' ' && row[end] == ' ', $"'{row}' against '{header}'");
        }
    }

    private string WriteColumns(string name, params (string Name, double[] Values)[] columns) => Gpuest.WriteCsv(_directory, name, columns);
}
