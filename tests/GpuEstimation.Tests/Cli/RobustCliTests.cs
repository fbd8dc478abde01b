using System.Globalization;
using System.Text;
using System.Text.Json;
using GpuEstimation.Cli;
using GpuEstimation.Tests.Support;
using Xunit;
using static GpuEstimation.Tests.Cli.Gpuest;

namespace GpuEstimation.Tests.Cli;

/// <summary><c>fit --cov</c>: the covariance type in the table and JSON, its standard errors, exit codes and messages.</summary>
[Collection(DeviceCollection.Name)]
public sealed class RobustCliTests : IDisposable
{
    private const int N = 120;
    private readonly string _directory = Directory.CreateTempSubdirectory("gpuest-robust").FullName;
    private readonly string _data;

    public RobustCliTests()
    {
        // y on x with noise growing in |x|, a text cluster column g (6 clusters), numeric codes k (4), a constant column.
        var x = NormalSamples.Draw(N, 71, 0, 1);
        var noise = NormalSamples.Draw(N, 72, 0, 1);
        var text = new StringBuilder("y,x,g,k,one\n");
        for (int i = 0; i < N; i++)
            text.Append(CultureInfo.InvariantCulture, $"{1 + 2 * x[i] + noise[i] * (0.3 + Math.Abs(x[i])):R},{x[i]:R},f{i % 6},{i % 4 * 10},7\n");
        _data = Write("d.csv", text.ToString());
    }

    [Theory]
    [InlineData("nonrobust", "nonrobust")]
    [InlineData("robust", "HC0")]
    [InlineData("HC0", "HC0")]
    [InlineData("hc1", "HC1")]
    [InlineData("cluster:g", "cluster")]
    [InlineData("cluster:k", "cluster")]
    public void CovTypeInTableAndJson(string cov, string covType)
    {
        var json = Path.Combine(_directory, $"{covType}-{cov.Replace(':', '-')}.json");
        var (code, output, error) = Run("fit", "--model", "linear", "--data", _data, "--y", "y", "--x", "x", "--device", "native", "--cov", cov, "--json", json);
        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains($"covariance type: {covType}", output);
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(covType, report.RootElement.GetProperty("covType").GetString());
        if (covType != "nonrobust")
            Assert.Contains("note: standard errors, z, p and Wald intervals from the", output);
    }

    // The robust standard errors differ from the model-based ones on heteroscedastic data, and HC1 is HC0 · √(n/(n − 2)).
    [Fact]
    public void RobustErrorsReachTheTable()
    {
        double Se(string cov)
        {
            var json = Path.Combine(_directory, $"se-{cov}.json");
            var (code, _, error) = Run("fit", "--model", "linear", "--data", _data, "--y", "y", "--x", "x", "--device", "native", "--cov", cov, "--json", json);
            Assert.True(code == GpuestApp.Ok, error);
            using var report = JsonDocument.Parse(File.ReadAllText(json));
            return report.RootElement.GetProperty("parameters")[1].GetProperty("stdError").GetDouble();
        }
        double plain = Se("nonrobust"), hc0 = Se("robust"), hc1 = Se("hc1");
        Assert.True(Math.Abs(hc0 / plain - 1) > 0.05, $"HC0 {hc0} vs nonrobust {plain}");
        Assert.Equal(hc0 * Math.Sqrt(N / (N - 2.0)), hc1, 1e-10 * hc1);
    }

    [Fact]
    public void ProfileIntervalsAreSaidToBeLikelihoodBased()
    {
        var (code, output, error) = Run("fit", "--model", "normal", "--data", _data, "--column", "y", "--device", "native", "--cov", "hc0", "--profile", "all");
        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("profile intervals are likelihood-based", output);
    }

    [Theory]
    [InlineData("sandwich", "--cov: unknown covariance 'sandwich' (expected nonrobust, robust, hc0, hc1, hc2, hc3 or cluster:COLUMN)")]
    [InlineData("cluster", "--cov cluster: name the cluster column, as cluster:COLUMN")]
    [InlineData("cluster:", "--cov cluster:: name the cluster column")]
    [InlineData("hc1:g", "--cov hc1:g: only cluster takes a column")]
    public void BadCovValuesAreNamed(string cov, string message) =>
        AssertBadInput(["fit", "--model", "normal", "--data", _data, "--column", "y", "--cov", cov], message);

    // HC2 and HC3 need a linear model's leverages: any other model, or a held coefficient, is bad input (exit 2).
    [Fact]
    public void Hc2AndHc3OutsideAnEstimatedLinearModelAreRefused()
    {
        AssertBadInput(["fit", "--model", "normal", "--data", _data, "--column", "y", "--cov", "hc3"],
            "HC3 covariance: it divides each row's score products by its leverage, which only a linear model's hat matrix gives");
        AssertBadInput(["fit", "--model", "linear", "--data", _data, "--y", "y", "--x", "x", "--cov", "hc2", "--fix", "intercept=0"],
            "HC2 covariance: with intercept held");
    }

    [Fact]
    public void MissingClusterColumnIsNamed() =>
        AssertBadInput(["fit", "--model", "normal", "--data", _data, "--column", "y", "--cov", "cluster:firm"], "no column 'firm'", "columns present");

    [Fact]
    public void OneClusterIsRefused() =>
        AssertBadInput(["fit", "--model", "linear", "--data", _data, "--y", "y", "--x", "x", "--cov", "cluster:one"],
            "--cov cluster:one: the column holds one cluster; cluster-robust standard errors need at least two");

    [Fact]
    public void EmptyClusterCellNamesItsLine()
    {
        var data = Write("gap.csv", "x,g\n1.5,a\n2.5,\n0.5,b\n");
        AssertBadInput(["fit", "--model", "normal", "--data", data, "--column", "x", "--cov", "cluster:g"], "line 3");
    }

    [Fact]
    public void RobustWithMapIsRefused() =>
        AssertBadInput(["fit", "--model", "normal", "--data", _data, "--column", "y", "--map", "--cov", "robust"],
            "--cov hc0 with --map: robust standard errors apply to the MLE");

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
