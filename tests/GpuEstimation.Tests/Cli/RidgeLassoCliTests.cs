using System.Globalization;
using System.Text.Json;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Cli;

/// <summary><c>--prior '*=...'</c>: ridge and the lasso from the command line, and the errors around the wildcard.</summary>
[Collection(DeviceCollection.Name)]
public sealed class RidgeLassoCliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gpuest-lasso").FullName;
    private readonly string _data;

    public RidgeLassoCliTests()
    {
        // y = 1 + 0.8 a − 0.3 b + 0.02 c + noise: a lasso penalty of 1/0.02 = 50 zeroes c and keeps a and b.
        var a = NormalSamples.Draw(500, 61, 0, 1);
        var b = NormalSamples.Draw(500, 62, 1, 2);
        var c = NormalSamples.Draw(500, 63, 0, 1);
        var e = NormalSamples.Draw(500, 64, 0, 1);
        var y = Enumerable.Range(0, 500).Select(i => 1 + 0.8 * a[i] - 0.3 * b[i] + 0.02 * c[i] + e[i]).ToArray();
        _data = Path.Combine(_directory, "lasso.csv");
        using var writer = new StreamWriter(_data);
        writer.WriteLine("y,a,b,c");
        for (int i = 0; i < y.Length; i++)
            writer.WriteLine(string.Join(",", new[] { y[i], a[i], b[i], c[i] }.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
    }

    [Fact]
    public void LassoGivesExactZerosWithoutAStandardDeviationAndSaysSo()
    {
        var json = Path.Combine(_directory, "lasso.json");
        var (code, output, error) = Gpuest.Run("fit", "--model", "linear", "--data", _data, "--y", "y", "--x", "a,b,c", "--map",
            "--prior", "*=laplace(0,0.02)", "--profile", "c", "--device", "cpu", "--json", json);

        Assert.True(code == 0, error);
        Assert.Contains("note: at the prior's kink: c (", output);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var parameters = doc.RootElement.GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal(0.0, parameters["c"].GetProperty("estimate").GetDouble());
        Assert.Equal(JsonValueKind.Null, parameters["c"].GetProperty("stdError").ValueKind);
        // The profile of the log-posterior still gives c an interval, around its kink.
        var profile = parameters["c"].GetProperty("profileInterval");
        Assert.True(profile[0].GetDouble() < 0 && profile[1].GetDouble() > 0, profile.ToString());
        foreach (var name in new[] { "intercept", "a", "b", "sigma" })
        {
            Assert.NotEqual(0.0, parameters[name].GetProperty("estimate").GetDouble());
            Assert.True(parameters[name].GetProperty("stdError").GetDouble() > 0, name);
        }
        Assert.True(doc.RootElement.GetProperty("diagnostics").GetProperty("converged").GetBoolean());
        // No F test of a penalized estimate (a trial saw R's summary.lm F and p printed for a MAP fit); R² of its residuals.
        Assert.Contains("(of the MAP estimate's residuals; no F test: the estimate is penalized)", output);
        Assert.DoesNotContain("summary.lm", output);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("fStatistic").ValueKind);
    }

    // A duplicated column in a formula: refused for the MLE and the lasso, naming it and the ridge's way out; a ridge
    // (every slope under a normal prior) fits it, the duplicates splitting their effect equally.
    [Fact]
    public void ARidgeFitsADuplicatedColumnThatTheMleRefuses()
    {
        var lines = File.ReadAllLines(_data);
        var copy = Path.Combine(_directory, "duplicated.csv");
        File.WriteAllLines(copy, lines.Select((line, i) => i == 0 ? line + ",a2" : line + "," + line.Split(',')[1]));
        string[] fit = ["fit", "--model", "linear", "--data", copy, "--formula", "y ~ a + b + c + a2", "--device", "native"];

        var (mleCode, _, mleError) = Gpuest.Run(fit);
        Assert.Equal(2, mleCode);
        Assert.Contains("'a2' is a combination of 'a'", mleError);
        Assert.Contains("or, for MAP, give it a normal prior, as a ridge fit does", mleError);
        var (lassoCode, _, lassoError) = Gpuest.Run([.. fit, "--map", "--prior", "*=laplace(0,0.5)"]);
        Assert.Equal(2, lassoCode);
        Assert.Contains("'a2' is a combination of 'a'", lassoError);

        var json = Path.Combine(_directory, "ridge.json");
        var (code, _, error) = Gpuest.Run([.. fit, "--map", "--prior", "*=normal(0,0.5)", "--json", json]);
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var parameters = doc.RootElement.GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("estimate").GetDouble());
        Assert.Equal(parameters["a"], parameters["a2"], 8);
        Assert.InRange(parameters["a"] + parameters["a2"], 0.6, 1.0);
    }

    // A MAP fit's predictions are labelled with the posterior's standard deviations, not the MLE's errors.
    [Fact]
    public void PredictionsOfAMapFitSayTheyUseThePosterior()
    {
        var json = Path.Combine(_directory, "ridge.json");
        var (code, _, error) = Gpuest.Run("fit", "--model", "linear", "--data", _data, "--y", "y", "--x", "a,b,c", "--map",
            "--prior", "*=normal(0,1)", "--device", "native", "--json", json);
        Assert.True(code == 0, error);
        string output;
        (code, output, error) = Gpuest.Run("predict", "--model-json", json, "--data", _data, "--out", Path.Combine(_directory, "ridge.csv"));
        Assert.True(code == 0, error);
        Assert.Contains("(0.95 intervals, the posterior's Laplace-approximation SDs and z)", output);
    }

    // A prior by name takes the wildcard's place: with every other slope shrunk to exactly 0, b keeps its flat prior.
    [Fact]
    public void APriorByNameOverridesTheWildcard()
    {
        var json = Path.Combine(_directory, "override.json");
        var (code, _, error) = Gpuest.Run("fit", "--model", "linear", "--data", _data, "--y", "y", "--x", "a,b,c", "--map",
            "--prior", "*=laplace(0,1e-6),b=flat", "--device", "cpu", "--json", json);
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var estimates = doc.RootElement.GetProperty("parameters").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("estimate").GetDouble());
        Assert.Equal(0.0, estimates["a"]);
        Assert.Equal(0.0, estimates["c"]);
        Assert.True(estimates["b"] < -0.2, $"b = {estimates["b"]}");
    }

    [Fact]
    public void WildcardErrors()
    {
        string[] linear = ["fit", "--model", "linear", "--data", _data, "--y", "y", "--x", "a,b,c", "--device", "cpu"];
        Gpuest.AssertBadInput(["fit", "--model", "normal", "--data", _data, "--column", "y", "--map", "--prior", "*=normal(0,1)"],
            "--prior *=normal(0,1): model 'normal' has no regression coefficients for '*' to stand for (parameters: mu, sigma)");
        Gpuest.AssertBadInput([.. linear, "--prior", "*=normal(0,1)"], "--prior *=normal(0,1): priors apply to MAP estimation; add --map");
        Gpuest.AssertBadInput([.. linear, "--map", "--prior", "*=halfnormal(1)"], "--prior *=halfnormal(1): halfnormal(1) is defined only for positive values");
        Gpuest.AssertBadInput([.. linear, "--map", "--prior", "*=laplace(0,1),d=normal(0,1)"], "--prior d: model 'linear' has no parameter 'd'");
        Gpuest.AssertBadInput([.. linear, "--map", "--prior", "sigma=laplace(1,1)"], "--prior sigma: laplace(1,1) has its kink at 1 inside the domain of sigma");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
