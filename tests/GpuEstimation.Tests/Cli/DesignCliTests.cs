using System.Globalization;
using System.Text;
using System.Text.Json;
using GpuEstimation.Cli;
using GpuEstimation.Tests.Support;
using Xunit;
using static GpuEstimation.Tests.Cli.Gpuest;

namespace GpuEstimation.Tests.Cli;

/// <summary><c>--factor</c>, <c>--formula</c> and <c>--no-intercept</c> through the command line: designs, exit codes, messages.</summary>
[Collection(DeviceCollection.Name)]
public sealed class DesignCliTests : IDisposable
{
    private const int N = 400;
    private readonly string _directory = Directory.CreateTempSubdirectory("gpuest-design").FullName;
    private readonly string _data;

    public DesignCliTests()
    {
        // y on x, a text factor g (levels a, b, c), integer codes k (1, 2, 5), a constant text column and an 80-level id.
        var x = NormalSamples.Draw(N, 61, 0, 1);
        var noise = NormalSamples.Draw(N, 62, 0, 0.5);
        var text = new StringBuilder("y,x,g,k,one,id\n");
        for (int i = 0; i < N; i++)
        {
            char g = "abc"[i % 3];
            int k = new[] { 1, 2, 5 }[i / 3 % 3];
            double y = 1 + 2 * x[i] + (g == 'b' ? 1 : g == 'c' ? -1 : 0) + 0.5 * k + 0.3 * x[i] * k + noise[i];
            text.Append(CultureInfo.InvariantCulture, $"{y:R},{x[i]:R},{g},{k},same,s{i % 80}\n");
        }
        _data = Write("d.csv", text.ToString());
    }

    [Fact]
    public void FlagsAndFormulaFitTheSameDesign()
    {
        var flags = Fit("flags.json", "--y", "y", "--x", "x", "--factor", "g,k");
        var formula = Fit("formula.json", "--formula", "y ~ x + C(g) + C(k)");
        Assert.Equal(["intercept", "x", "g[b]", "g[c]", "k[2]", "k[5]", "sigma"], flags.Select(p => p.Name));
        Assert.Equal(flags.Select(p => p.Name), formula.Select(p => p.Name));
        for (int k = 0; k < flags.Count; k++)
            Assert.Equal(flags[k].Estimate, formula[k].Estimate, 1e-10);
    }

    [Fact]
    public void FactorsAloneAndInteractionsFit()
    {
        Assert.Equal(["intercept", "g[b]", "g[c]", "sigma"], Fit("g.json", "--y", "y", "--factor", "g").Select(p => p.Name));
        var fit = Fit("i.json", "--formula", "y ~ x*C(k) + C(g)");
        Assert.Equal(["intercept", "x", "k[2]", "k[5]", "g[b]", "g[c]", "x:k[2]", "x:k[5]", "sigma"], fit.Select(p => p.Name));
        // The data's slope grows by 0.3 per unit of k: 0.3 from k = 1 to 2, 1.2 from 1 to 5.
        Assert.Equal(0.3, fit.Single(p => p.Name == "x:k[2]").Estimate, 0.15);
        Assert.Equal(1.2, fit.Single(p => p.Name == "x:k[5]").Estimate, 0.15);
    }

    [Fact]
    public void EvalAndSweepTakeTheFormula()
    {
        var (code, output, error) = Run("eval", "--model", "linear", "--data", _data, "--formula", "y ~ C(g)", "--device", "native",
            "--at", "intercept=1,g[b]=1,g[c]=-1,sigma=2");
        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("g[b]", output);
        (code, _, error) = Run("sweep", "--model", "linear", "--data", _data, "--formula", "y ~ C(g)", "--device", "native",
            "--grid", "g[b]=0:2:3", "--out", Path.Combine(_directory, "s.csv"));
        Assert.True(code == GpuestApp.Ok, error);
    }

    [Theory]
    [InlineData("--formula", "y ~ x +", "--formula 'y ~ x +': at the end (character 8): expected a term after '+'")]
    [InlineData("--formula", "y ~ x + sqrt(k)", "--formula 'y ~ x + sqrt(k)': at character 9 ('sqrt'): unknown function")]
    [InlineData("--formula", "y ~ x - 1", "model 'linear' always estimates an intercept", "with the intercept held at 0")]
    [InlineData("--formula", "y ~ x + offset(k)", "model 'linear' takes no offset ('k')")]
    [InlineData("--formula", "y ~ C(one)", "factor 'one' has one level ('same') in all 400 rows")]
    [InlineData("--formula", "y ~ g", "line 2, column 'g': 'a' is not a finite number")]
    [InlineData("--formula", "y ~ x + C(id)", "80 columns besides the intercept, more than the model's 61; factor 'id' alone has 80 levels")]
    [InlineData("--formula", "y ~ x + C(k) + k", "the design's columns are collinear: 'k' is a combination of 'intercept', 'k[2]', 'k[5]'")]
    public void DesignErrorsAreExitTwoWithTheirPlace(string flag, string value, params string[] expected)
    {
        AssertBadInput(["fit", "--model", "linear", "--data", _data, flag, value, "--device", "native"], expected);
    }

    [Theory]
    [InlineData(new[] { "--y", "y", "--x", "g" }, "line 2, column 'g': 'a' is not a finite number")]
    [InlineData(new[] { "--y", "g", "--x", "x" }, "line 2, column 'g': 'a' is not a finite number")]
    [InlineData(new[] { "--y", "y", "--x", "x", "--no-intercept" }, "always estimates an intercept")]
    [InlineData(new[] { "--formula", "y ~ x", "--y", "y" }, "--formula and --y: give the design one way")]
    [InlineData(new[] { "--formula", "y ~ x", "--factor", "g" }, "--formula and --factor: give the design one way")]
    [InlineData(new[] { "--formula", "y ~ x", "--no-intercept" }, "- 1 leaves the intercept out")]
    [InlineData(new[] { "--y", "y", "--x", "x", "--factor", "g,g" }, "--factor g: given twice")]
    [InlineData(new[] { "--y", "y", "--x", "x", "--factor", "g", "--factor", "g" }, "--factor g: given twice")]
    [InlineData(new[] { "--y", "y", "--x", "x", "--x", "x" }, "--x x: given twice")]
    [InlineData(new[] { "--y", "y", "--x", "g", "--factor", "g" }, "--factor g: also given with --x")]
    [InlineData(new[] { "--y", "g", "--factor", "g" }, "--factor g: the response (--y) cannot also be a factor")]
    [InlineData(new[] { "--y", "y" }, "--model linear needs --x NAME[,NAME...] or --factor NAME[,NAME...]")]
    [InlineData(new[] { "--y", "y", "--factor", "nope" }, "no column 'nope'")]
    public void OptionCombinationsAreExitTwo(string[] options, string expected)
    {
        AssertBadInput(["fit", "--model", "linear", "--data", _data, .. options, "--device", "native"], expected);
    }

    // --x and --factor repeated add up, as one list (a trial: '--x x1 --x x2' fitted x2 alone, without a word).
    [Fact]
    public void RepeatedDesignOptionsAddUp()
    {
        var once = Fit("once.json", "--y", "y", "--x", "x,k", "--factor", "g");
        var repeated = Fit("repeated.json", "--y", "y", "--x", "x", "--x", "k", "--factor", "g");
        Assert.Equal(once, repeated);
        Assert.Contains(repeated, p => p.Name == "k");
    }

    [Theory]
    [InlineData("--factor", "g")]
    [InlineData("--formula", "y ~ C(g)")]
    [InlineData("--no-intercept", null)]
    public void DesignOptionsApplyToTheRegressionOnly(string flag, string? value)
    {
        string[] option = value is null ? [flag] : [flag, value];
        AssertBadInput(["fit", "--model", "normal", "--data", _data, "--column", "y", .. option], $"{flag} applies to the regressions (--model linear, glm, logit, probit)");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private List<(string Name, double Estimate)> Fit(string json, params string[] options)
    {
        var path = Path.Combine(_directory, json);
        var (code, _, error) = Run(["fit", "--model", "linear", "--data", _data, .. options, "--device", "native", "--json", path]);
        Assert.True(code == GpuestApp.Ok, error);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return [.. doc.RootElement.GetProperty("parameters").EnumerateArray()
            .Select(p => (p.GetProperty("name").GetString()!, p.GetProperty("estimate").GetDouble()))];
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
