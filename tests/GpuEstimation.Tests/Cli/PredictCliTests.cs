using System.Globalization;
using System.Text.Json;
using GpuEstimation.Cli;
using GpuEstimation.Data;
using GpuEstimation.Tests.Support;
using Xunit;
using static GpuEstimation.Tests.Cli.Gpuest;

namespace GpuEstimation.Tests.Cli;

/// <summary>
/// <c>gpuest fit --json</c> then <c>gpuest predict</c>: the round trip against statsmodels' predictions for new rows
/// (Models/reference/glm, bench/compare/glm_reference.py), the GLM statistics the JSON carries, and each misuse an
/// exit 2 naming what is wrong.
/// </summary>
public sealed class PredictCliTests : IDisposable
{
    // The mean and eta relative (eta absolute below 1e-3); the standard errors relative.
    private const double MeanTolerance = 1e-8;
    private const double StdErrorTolerance = 1e-6;
    private const double StatisticTolerance = 1e-8;

    private static readonly string References = Path.Combine(AppContext.BaseDirectory, "Models", "reference", "glm");
    private readonly string _directory = Directory.CreateTempSubdirectory("gpuest-predict").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("logit", "--model", "logit", "--y", "y", "--x", "x1,x2")]
    [InlineData("probit", "--model", "probit", "--y", "y", "--x", "x1,x2")]
    [InlineData("poisson_offset", "--model", "glm", "--family", "poisson", "--offset", "logexposure", "--y", "y", "--x", "x1,x2")]
    [InlineData("negbinomial", "--model", "glm", "--family", "negbinomial", "--y", "y", "--x", "x1,x2")]
    [InlineData("gamma_log", "--model", "glm", "--family", "gamma", "--link", "log", "--y", "y", "--x", "x1,x2")]
    [InlineData("logit_formula", "--model", "logit", "--formula", "y ~ x1 + C(g) + x1:C(g)")]
    public void FitThenPredictMatchesStatsmodels(string name, params string[] options)
    {
        var reference = Case(name);
        var json = Path.Combine(_directory, "fit.json");
        var (code, fitOutput, error) = Run(["fit", "--data", Path.Combine(References, name + ".csv"), .. options, "--device", "native", "--json", json]);
        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("Deviance:", fitOutput);
        Assert.Contains("Pearson chi2:", fitOutput);
        CheckStatistics(name, json, reference.GetProperty("statistics"));

        var predictions = reference.GetProperty("predictions");
        var newRows = Path.Combine(References, predictions.GetProperty("file").GetString()!);
        var output = Path.Combine(_directory, "pred.csv");
        (code, var predictOutput, error) = Run("predict", "--model-json", json, "--data", newRows, "--out", output);

        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("6 predictions", predictOutput);
        var lines = File.ReadAllLines(output);
        bool offset = options.Contains("--offset");
        Assert.Equal(offset ? "eta,mean,seEta,seMean,meanLower,meanUpper,offset" : "eta,mean,seEta,seMean,meanLower,meanUpper", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        Assert.Equal(predictions.GetProperty("eta").GetArrayLength(), rows.Length);
        string[] fields = ["eta", "mean", "seEta", "seMean"];
        for (int f = 0; f < fields.Length; f++)
        {
            var want = predictions.GetProperty(fields[f]).EnumerateArray().Select(e => e.GetDouble()).ToArray();
            for (int i = 0; i < rows.Length; i++)
            {
                double got = rows[i][f];
                double difference = fields[f] == "eta" && Math.Abs(want[i]) < 1e-3 ? Math.Abs(got - want[i]) : Numerics.Relative(got, want[i]);
                double tolerance = f < 2 ? MeanTolerance : StdErrorTolerance;
                Assert.True(difference <= tolerance, $"{name} row {i + 1} {fields[f]}: {got:R} vs statsmodels {want[i]:R} ({difference:G3})");
            }
        }
        // The means' 95% intervals as statsmodels' summary_frame gives them for a GLM: g⁻¹(η ∓ 1.96 se(η)), from its η and se(η).
        var etas = predictions.GetProperty("eta").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var ses = predictions.GetProperty("seEta").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        using (var fit = JsonDocument.Parse(File.ReadAllText(json)))
        {
            var link = GpuEstimation.Models.GlmNames.Link(fit.RootElement.TryGetProperty("link", out var l) ? l.GetString()! : "logit");
            double z = MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 0.975);
            for (int i = 0; i < rows.Length; i++)
            {
                double a = GpuEstimation.Models.GlmMean.Of(link, etas[i] - z * ses[i]), b = GpuEstimation.Models.GlmMean.Of(link, etas[i] + z * ses[i]);
                Assert.True(Numerics.Relative(rows[i][4], Math.Min(a, b)) <= StdErrorTolerance, $"{name} row {i + 1} meanLower: {rows[i][4]:R} vs {Math.Min(a, b):R}");
                Assert.True(Numerics.Relative(rows[i][5], Math.Max(a, b)) <= StdErrorTolerance, $"{name} row {i + 1} meanUpper: {rows[i][5]:R} vs {Math.Max(a, b):R}");
            }
        }
        if (offset)
        {
            var exposure = File.ReadAllLines(newRows).Skip(1).Select(l => double.Parse(l.Split(',')[2], CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(exposure, rows.Select(r => r[6]));
        }
    }

    // The linear model's mean is its linear predictor; the factor k has numeric codes (levels 1, 2, 10).
    [Fact]
    public void LinearPredictsItsLinearPredictor()
    {
        var data = Path.Combine(Repository.Root(), "tests", "GpuEstimation.Tests", "Design", "reference", "design.csv");
        var json = Path.Combine(_directory, "linear.json");
        var (code, _, error) = Run("fit", "--model", "linear", "--data", data, "--formula", "y ~ x1 + x2 + C(g) + C(k)", "--device", "native", "--json", json);
        Assert.True(code == GpuestApp.Ok, error);
        var rows = Write("new.csv", "k,g,x2,x1", "10,west,-1.0,2.0", "1,east,0,0.5");
        var output = Path.Combine(_directory, "pred.csv");

        (code, _, error) = Run("predict", "--model-json", json, "--data", rows, "--out", output, "--level", "0.5");

        Assert.True(code == GpuestApp.Ok, error);
        using var fit = JsonDocument.Parse(File.ReadAllText(json));
        var b = fit.RootElement.GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("estimate").GetDouble());
        double[] expected = [b["intercept"] + 2.0 * b["x1"] - 1.0 * b["x2"] + b["g[west]"] + b["k[10]"], b["intercept"] + 0.5 * b["x1"]];
        var lines = File.ReadAllLines(output).Skip(1).Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        for (int i = 0; i < 2; i++)
        {
            Assert.True(Numerics.Relative(lines[i][0], expected[i]) <= 1e-12, $"row {i + 1}: {lines[i][0]:R} vs {expected[i]:R}");
            Assert.Equal(lines[i][0], lines[i][1]);
            Assert.Equal(lines[i][2], lines[i][3]);
            Assert.True(lines[i][2] > 0);
            // --level 0.5: η ∓ 0.6745 se(η), the identity link's mean interval.
            double half = MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 0.75) * lines[i][2];
            Assert.True(Math.Abs(lines[i][4] - (lines[i][0] - half)) <= 1e-12 * Math.Abs(lines[i][0]) + 1e-15, $"row {i + 1} meanLower {lines[i][4]:R}");
            Assert.True(Math.Abs(lines[i][5] - (lines[i][0] + half)) <= 1e-12 * Math.Abs(lines[i][0]) + 1e-15, $"row {i + 1} meanUpper {lines[i][5]:R}");
        }
    }

    // A lasso's exact zeros have no standard deviation (null rows of the covariance), which made every seEta NaN with no
    // word why (a newcomer's trial). They are held at 0 as they were for the others' standard deviations: seEta is
    // √(xᵀ V x) over the others, with a note naming them. Also with σ fixed, whose column of 0s beside the zeros' nulls
    // hid them (a regression trial: every seEta NaN, no note).
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ALassosZerosAreHeldAndNamed(bool fixSigma)
    {
        var random = new Random(7);
        var lines = Enumerable.Range(0, 200).Select(_ =>
        {
            double x1 = random.NextDouble(), x2 = random.NextDouble(), x3 = random.NextDouble();
            return FormattableString.Invariant($"{1 + 2 * x1 + 0.3 * (random.NextDouble() - 0.5)},{x1},{x2},{x3}");
        });
        var data = Write("lasso.csv", ["y,x1,x2,x3", .. lines]);
        var json = Path.Combine(_directory, "lasso.json");
        var (code, _, error) = Run(["fit", "--model", "linear", "--data", data, "--y", "y", "--x", "x1,x2,x3", "--map", "--prior", "*=laplace(0,0.002)", "--device", "native", "--json", json,
            .. fixSigma ? new[] { "--fix", "sigma=0.15" } : []]);
        Assert.True(code == GpuestApp.Ok, error);
        var rows = Write("lasso-new.csv", "x1,x2,x3", "0.5,2,3", "-1,0,1");
        var output = Path.Combine(_directory, "lasso-pred.csv");

        (code, var text, error) = Run("predict", "--model-json", json, "--data", rows, "--out", output);

        Assert.True(code == GpuestApp.Ok, error);
        using var fit = JsonDocument.Parse(File.ReadAllText(json));
        var names = fit.RootElement.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToList();
        var covariance = fit.RootElement.GetProperty("covariance");
        int[] kept = [.. new[] { "intercept", "x1", "x2", "x3" }.Select(n => names.IndexOf(n)).Where(k => covariance[k][k].ValueKind == JsonValueKind.Number)];
        Assert.Contains("x2", names.Where((_, k) => k < 4 && !kept.Contains(k)));
        Assert.Contains($"note: {string.Join(", ", names.Where((n, k) => k is > 0 and < 4 && !kept.Contains(k)))} had no standard deviation in the fit", text);
        var x = new[] { new[] { 1, 0.5, 2, 3 }, new[] { 1.0, -1, 0, 1 } };
        var predicted = File.ReadAllLines(output).Skip(1).Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        for (int i = 0; i < 2; i++)
        {
            double variance = kept.Sum(j => kept.Sum(l => x[i][j] * covariance[j][l].GetDouble() * x[i][l]));
            Assert.True(Numerics.Relative(predicted[i][2], Math.Sqrt(variance)) <= 1e-12, $"row {i + 1}: seEta {predicted[i][2]:R} vs {Math.Sqrt(variance):R}");
        }
    }

    // An intercept-only fit reads no column of the new rows, and wrote 0 predictions; one per row now, each exp(b0).
    [Fact]
    public void AnInterceptOnlyFitPredictsEveryRow()
    {
        var data = Write("counts.csv", "y,x", "1,2", "2,3", "3,5", "4,4");
        var json = Path.Combine(_directory, "constant.json");
        var (code, _, error) = Run("fit", "--model", "glm", "--family", "poisson", "--data", data, "--formula", "y ~ 1", "--device", "native", "--json", json);
        Assert.True(code == GpuestApp.Ok, error);
        var output = Path.Combine(_directory, "constant-pred.csv");

        (code, var text, error) = Run("predict", "--model-json", json, "--data", data, "--out", output);

        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("4 predictions", text);
        var means = File.ReadAllLines(output).Skip(1).Select(l => double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(4, means.Length);
        Assert.All(means, m => Assert.True(Math.Abs(m - 2.5) <= 1e-8, $"mean {m:R} vs 2.5"));
        // A column it does not read may have gaps: every row is still predicted (a review found a gap refused).
        var gaps = Write("gaps-new.csv", "a,b", ",1", "2,", "3,3");
        (code, text, error) = Run("predict", "--model-json", json, "--data", gaps, "--out", output);
        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("3 predictions", text);
    }

    // A trial: a factor fitted with the text levels 1, 10, 2, 2.0, a; new rows whose column held only numbers were read
    // as numbers, and the cell 2.0 was coded as level 2 without a word. New rows now read such a factor as text, each
    // cell matched as written; numbers (a library caller's CSV read without textFactors) are refused where a level
    // writes a number another way (2.0), and match the shortest text elsewhere (levels 1, 10, 2, a).
    [Fact]
    public void AFactorWithTextLevelsIsMatchedAsWritten()
    {
        var random = new Random(7);
        string[] levels = ["1", "2", "10", "a", "2.0"];
        var data = Write("text-levels.csv", ["y,x,h", .. Enumerable.Range(0, 200).Select(i =>
        {
            string h = levels[i % 5];
            double x = MathNet.Numerics.Distributions.Normal.Sample(random, 0, 1);
            return FormattableString.Invariant($"{x + (h == "2.0" ? 1 : 0) + MathNet.Numerics.Distributions.Normal.Sample(random, 0, 1)},{x},{h}");
        })]);
        var json = Path.Combine(_directory, "text-levels.json");
        var (code, _, error) = Run("fit", "--model", "linear", "--data", data, "--formula", "y ~ x + C(h)", "--device", "native", "--json", json);
        Assert.True(code == GpuestApp.Ok, error);
        var numbersOnly = Write("text-levels-new.csv", ["x,h", "0,2", "0,2.0", "0,10", "0,1"]);
        var withText = Write("text-levels-new-a.csv", ["x,h", "0,2", "0,2.0", "0,10", "0,a"]);
        var (a, b) = (Path.Combine(_directory, "a.csv"), Path.Combine(_directory, "b.csv"));
        Assert.Equal(GpuestApp.Ok, Run("predict", "--model-json", json, "--data", numbersOnly, "--out", a).Code);
        Assert.Equal(GpuestApp.Ok, Run("predict", "--model-json", json, "--data", withText, "--out", b).Code);
        var etaA = File.ReadAllLines(a).Skip(1).Select(l => double.Parse(l.Split(',')[0], CultureInfo.InvariantCulture)).ToArray();
        var etaB = File.ReadAllLines(b).Skip(1).Select(l => double.Parse(l.Split(',')[0], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(etaB[..3], etaA[..3]);
        Assert.NotEqual(etaA[0], etaA[1]);
        var fitted = GpuEstimation.Results.FittedRegression.FromJson(File.ReadAllText(json), json);
        Assert.Equal(["h"], fitted.TextFactors);
        var e = Assert.Throws<InputException>(() => fitted.Predict(DataFile.Read(numbersOnly, ["x"], ["h"]), 0.95, ordinary: false));
        Assert.Contains("column 'h' holds numbers, but the factor's fitted levels include '2.0', another way of writing a number (1, 10, 2, 2.0, a)", e.Message);
        var numbers = Write("text-levels-numbers.csv", ["x,h", "0,2", "0,10", "0,1"]);
        var textRead = fitted.Predict(DataFile.Read(numbers, ["x"], ["h"], textFactors: fitted.TextFactors), 0.95, ordinary: false).Eta;
        var withoutTwoPointZero = GpuEstimation.Design.FactorLevels.Matching(DataFile.Read(numbers, ["x"], ["h"]), "h", ["1", "10", "2", "a"]).Codes;
        Assert.Equal([2, 1, 0], withoutTwoPointZero);
        Assert.Equal(etaA[0], textRead[0]);
    }

    // Under the inverse link 1/η has its pole at 0: where η's interval crosses it, the mean's interval is the half-line
    // that holds the mean (sorting the two ends gave [−8.29, 3.38] around a mean of 11.4; a review).
    [Fact]
    public void AnInverseLinkIntervalAcrossThePoleIsAHalfLine()
    {
        var random = new Random(17);
        var lines = Enumerable.Range(0, 60).Select(i =>
        {
            double x = 3.0 * i / 59, mean = 1 / (0.5 - 0.1 * x);
            double y = MathNet.Numerics.Distributions.Gamma.Sample(random, 4, 4 / mean);
            return FormattableString.Invariant($"{y},{x}");
        });
        var data = Write("gamma.csv", ["y,x", .. lines]);
        var json = Path.Combine(_directory, "gamma.json");
        var (code, _, error) = Run("fit", "--model", "glm", "--family", "gamma", "--data", data, "--y", "y", "--x", "x", "--device", "native", "--json", json);
        Assert.True(code == GpuestApp.Ok, error);
        var rows = Write("gamma-new.csv", "x", "1", "4.6", "5.4");
        var output = Path.Combine(_directory, "gamma-pred.csv");

        (code, _, error) = Run("predict", "--model-json", json, "--data", rows, "--out", output);

        Assert.True(code == GpuestApp.Ok, error);
        var p = File.ReadAllLines(output).Skip(1).Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        const double z = 1.959963984540054;
        foreach (var row in p)
        {
            double eta = row[0], se = row[2];
            bool across = eta - z * se < 0 && eta + z * se > 0;
            Assert.True(row[4] <= row[1] && row[1] <= row[5], $"eta {eta:R}: mean {row[1]:R} outside [{row[4]:R}, {row[5]:R}]");
            if (across)
                Assert.True(eta > 0 ? double.IsPositiveInfinity(row[5]) && Numerics.Relative(row[4], 1 / (eta + z * se)) <= 1e-12 : double.IsNegativeInfinity(row[4]) && Numerics.Relative(row[5], 1 / (eta - z * se)) <= 1e-12, $"eta {eta:R} ± {z * se:R}: [{row[4]:R}, {row[5]:R}]");
        }
        Assert.Contains(p, row => row[0] - z * row[2] < 0 && row[0] + z * row[2] > 0);
    }

    [Fact]
    public void DroppedRowsKeepTheirPlacesAsEmptyRows()
    {
        var data = Path.Combine(Repository.Root(), "tests", "GpuEstimation.Tests", "Design", "reference", "design.csv");
        var json = Path.Combine(_directory, "linear.json");
        var (code, _, error) = Run("fit", "--model", "linear", "--data", data, "--formula", "y ~ x1 + x2 + C(g)", "--device", "native", "--json", json);
        Assert.True(code == GpuestApp.Ok, error);
        // Rows 1, 4, 6 and 7 lack a value (an empty cell, NA, N/A): empty rows in their places, the first and the last two too.
        var rows = Write("gaps.csv", "g,x2,x1", "west,,1.0", "east,0,0.5", "west,-1.0,2.0", "NA,1,1", "east,2,-1", "west,NA,3", "east,1,N/A");
        var complete = Write("complete.csv", "g,x2,x1", "east,0,0.5", "west,-1.0,2.0", "east,2,-1");
        var output = Path.Combine(_directory, "gaps-pred.csv");
        var reference = Path.Combine(_directory, "complete-pred.csv");

        (code, var text, error) = Run("predict", "--model-json", json, "--data", rows, "--out", output, "--drop-missing");
        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("3 predictions", text);
        Assert.Contains("a row of empty cells for each of the 4 left out", text);
        (code, _, error) = Run("predict", "--model-json", json, "--data", complete, "--out", reference);
        Assert.True(code == GpuestApp.Ok, error);

        var lines = File.ReadAllLines(output);
        var kept = File.ReadAllLines(reference);
        Assert.Equal(8, lines.Length);
        Assert.Equal(kept[0], lines[0]);
        // Eight columns: a linear fit's rows carry the new observations' interval too.
        Assert.Equal("eta,mean,seEta,seMean,meanLower,meanUpper,obsLower,obsUpper", lines[0]);
        Assert.Equal([",,,,,,,", kept[1], kept[2], ",,,,,,,", kept[3], ",,,,,,,", ",,,,,,,"], lines[1..]);
    }

    [Fact]
    public void FitJsonKeepsTheDesignWithItsFactorLevels()
    {
        var json = Fit("logit_formula", "--model", "logit", "--formula", "y ~ x1 + C(g) + x1:C(g)");

        using var fit = JsonDocument.Parse(File.ReadAllText(json));
        var design = fit.RootElement.GetProperty("design");
        Assert.Equal("y ~ x1 + C(g) + x1:C(g)", design.GetProperty("formula").GetString());
        Assert.Equal(["x1", "g[hill]", "g[lake]", "x1:g[hill]", "x1:g[lake]"], design.GetProperty("columns").EnumerateArray().Select(e => e.GetString()));
        var factor = Assert.Single(design.GetProperty("factors").EnumerateArray());
        Assert.Equal("g", factor.GetProperty("column").GetString());
        Assert.Equal(["forest", "hill", "lake"], factor.GetProperty("levels").EnumerateArray().Select(e => e.GetString()));
        Assert.True(design.GetProperty("intercept").GetBoolean());
    }

    [Fact]
    public void AnOffsetFlagIsPartOfTheDesign()
    {
        var json = Fit("poisson_offset", "--model", "glm", "--family", "poisson", "--offset", "logexposure", "--y", "y", "--x", "x1,x2");

        using var fit = JsonDocument.Parse(File.ReadAllText(json));
        var design = fit.RootElement.GetProperty("design");
        Assert.Equal("logexposure", design.GetProperty("offset").GetString());
        Assert.Equal("y ~ x1 + x2 + offset(logexposure)", design.GetProperty("formula").GetString());
    }

    [Fact]
    public void AnUnknownFactorLevelNamesItsLine()
    {
        var json = Fit("logit_formula", "--model", "logit", "--formula", "y ~ x1 + C(g) + x1:C(g)");
        var rows = Write("new.csv", "x1,g", "0.5,hill", "1.5,marsh", "2,lake");

        AssertBadInput(["predict", "--model-json", json, "--data", rows, "--out", Path.Combine(_directory, "p.csv")],
            "line 3", "column 'g'", "level 'marsh'", "forest, hill, lake");
        Assert.False(File.Exists(Path.Combine(_directory, "p.csv")));
    }

    [Fact]
    public void AMissingColumnIsNamed()
    {
        var json = Fit("logit", "--model", "logit", "--y", "y", "--x", "x1,x2");
        var rows = Write("new.csv", "x1,x3", "0.5,1", "1.5,2");

        AssertBadInput(["predict", "--model-json", json, "--data", rows, "--out", Path.Combine(_directory, "p.csv")], "x2");
    }

    [Theory]
    [InlineData("1.5", "--level 1.5: must be between 0 and 1 (exclusive)")]
    [InlineData("0", "--level 0: must be between 0 and 1 (exclusive)")]
    [InlineData("high", "--level: 'high' is not a finite number")]
    public void ALevelOutsideZeroToOneIsRefused(string level, string message)
    {
        var json = Fit("logit", "--model", "logit", "--y", "y", "--x", "x1,x2");
        var rows = Write("new.csv", "x1,x2", "0.5,1");

        AssertBadInput(["predict", "--model-json", json, "--data", rows, "--out", Path.Combine(_directory, "p.csv"), "--level", level], message);
    }

    [Fact]
    public void AMissingOffsetColumnIsNamed()
    {
        var json = Fit("poisson_offset", "--model", "glm", "--family", "poisson", "--offset", "logexposure", "--y", "y", "--x", "x1,x2");
        var rows = Write("new.csv", "x1,x2", "0.5,1000", "1.5,1001");

        AssertBadInput(["predict", "--model-json", json, "--data", rows, "--out", Path.Combine(_directory, "p.csv")], "logexposure");
    }

    [Fact]
    public void TheOutputIsNeitherInput()
    {
        var json = Fit("logit", "--model", "logit", "--y", "y", "--x", "x1,x2");
        var rows = Write("new.csv", "x1,x2", "0.5,1000");
        var before = File.ReadAllText(json);

        AssertBadInput(["predict", "--model-json", json, "--data", rows, "--out", rows], "--out", "is the --data input file");
        AssertBadInput(["predict", "--model-json", json, "--data", rows, "--out", json], "--out", "is also the --model-json file");
        Assert.Equal(before, File.ReadAllText(json));
    }

    [Fact]
    public void AFitOfAnotherModelHasNoDesign()
    {
        var data = Write("x.csv", "x", "1", "2.5", "2", "4", "3.5");
        var json = Path.Combine(_directory, "normal.json");
        Assert.Equal(GpuestApp.Ok, Run("fit", "--model", "normal", "--data", data, "--column", "x", "--device", "native", "--json", json).Code);

        AssertBadInput(["predict", "--model-json", json, "--data", data, "--out", Path.Combine(_directory, "p.csv")], "normal.json", "model 'normal' is not a regression", "regressions");
    }

    // A logit fit's link is its name; a glm fit's JSON without its link, or a logit's without its design, names what is missing.
    [Theory]
    [InlineData("{\"model\":\"logit\"}", "no design")]
    [InlineData("{\"model\":\"glm(poisson, log)\"}", "no valid 'link'")]
    [InlineData("{\"model\":\"glm(poisson, log)\",\"link\":\"cauchit\"}", "unknown link 'cauchit'")]
    public void AFitsJsonWithoutItsLinkOrDesignNamesIt(string json, string expected)
    {
        var path = Write("partial.json", json);
        var rows = Write("new.csv", "x", "1");

        AssertBadInput(["predict", "--model-json", path, "--data", rows, "--out", Path.Combine(_directory, "p.csv")], "partial.json", expected);
    }

    [Fact]
    public void TheModelFileMustBeAFitsJson()
    {
        var rows = Write("new.csv", "x1,x2", "0.5,1000");
        var notJson = Write("fit.json", "not json at all");
        var noFile = Path.Combine(_directory, "absent.json");

        AssertBadInput(["predict", "--model-json", notJson, "--data", rows, "--out", Path.Combine(_directory, "p.csv")], "fit.json", "not a fit's JSON");
        AssertBadInput(["predict", "--model-json", noFile, "--data", rows, "--out", Path.Combine(_directory, "p.csv")], "--model-json", "absent.json", "file not found");
    }

    // A fit that did not converge (separated data: exit 3) has no estimates to predict with: refused, not predicted
    // from wherever the search stopped.
    [Fact]
    public void AFitThatDidNotConvergeIsRefused()
    {
        var data = Write("sep.csv", ["y,x", .. Enumerable.Range(0, 40).Select(i => $"{(i < 20 ? 0 : 1)},{i}")]);
        var json = Path.Combine(_directory, "sep.json");
        Assert.Equal(GpuestApp.NotConverged, Run("fit", "--model", "logit", "--data", data, "--y", "y", "--x", "x", "--device", "native", "--json", json).Code);
        var rows = Write("new.csv", "x", "3", "30");

        AssertBadInput(["predict", "--model-json", json, "--data", rows, "--out", Path.Combine(_directory, "p.csv")], "sep.json", "the fit did not converge", "no estimates");
    }

    // Under the gamma's default inverse link a new row far from the data can get a negative mean: written as computed,
    // with a note naming the first such row, not silently.
    [Fact]
    public void AMeanOutsideTheFamilysRangeIsNoted()
    {
        var data = Write("g.csv", ["y,x", .. Enumerable.Range(0, 60).Select(i => FormattableString.Invariant($"{1.0 / (0.5 + 0.1 * (i % 10)) * (1 + 0.1 * (i % 3))},{i % 10}"))]);
        var json = Path.Combine(_directory, "g.json");
        Assert.Equal(GpuestApp.Ok, Run("fit", "--model", "glm", "--family", "gamma", "--data", data, "--y", "y", "--x", "x", "--device", "native", "--json", json).Code);
        var rows = Write("new.csv", "x", "3", "-20");

        var (code, output, error) = Run("predict", "--model-json", json, "--data", rows, "--out", Path.Combine(_directory, "p.csv"));
        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("note: 1 predicted mean outside the gamma family's range (first: line 3", output);
    }

    // A nonlinear fit's JSON keeps its mean (expression, columns, parameters); predict evaluates it on new rows with
    // the delta method's standard error √(gᵀ V g), g = ∂μ/∂θ: here against the closed forms of a·exp(−b·x) from the
    // JSON's estimates and covariance (1e-12 relative), with b held (its covariance row 0) and free.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ANonlinearFitPredictsItsMeanWithDeltaMethodErrors(bool holdB)
    {
        double[] x = [0.0, 0.75, 1.5, 2.25, 3.0, 3.75, 4.5, 5.25, 6.0, 6.75, 7.5, 8.25];
        double[] y = [5.204, 3.449, 2.786, 1.976, 1.461, 1.094, 0.624, 0.589, 0.367, 0.668, 0.272, 0.149];
        var data = Write("decay.csv", ["x,y", .. x.Select((v, i) => FormattableString.Invariant($"{v},{y[i]}"))]);
        var json = Path.Combine(_directory, "decay.json");
        string[] hold = holdB ? ["--start", "a=1", "--fix", "b=0.6"] : ["--start", "a=1,b=1"];
        var (code, _, error) = Run(["fit", "--model", "nonlinear", "--data", data, "--y", "y", "--mean", "a*exp(-b*x)", .. hold, "--device", "native", "--json", json]);
        Assert.True(code == GpuestApp.Ok, error);
        double[] newX = [0, 1, 4, 20];
        var rows = Write("new.csv", ["x", .. newX.Select(v => v.ToString(CultureInfo.InvariantCulture))]);
        var output = Path.Combine(_directory, "pred.csv");

        (code, var predictOutput, error) = Run("predict", "--model-json", json, "--data", rows, "--out", output, "--level", "0.9");

        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("4 predictions of nonlinear (y ~ a*exp(-b*x))", predictOutput);
        using var fit = JsonDocument.Parse(File.ReadAllText(json));
        var root = fit.RootElement;
        var mean = root.GetProperty("meanFunction");
        Assert.Equal("a*exp(-b*x)", mean.GetProperty("expression").GetString());
        Assert.Equal(["x"], mean.GetProperty("columns").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["a", "b"], mean.GetProperty("parameters").EnumerateArray().Select(e => e.GetString()));
        double a = root.GetProperty("parameters")[0].GetProperty("estimate").GetDouble(), b = root.GetProperty("parameters")[1].GetProperty("estimate").GetDouble();
        var v = root.GetProperty("covariance").EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetDouble()).ToArray()).ToArray();
        var lines = File.ReadAllLines(output);
        Assert.Equal("eta,mean,seEta,seMean,meanLower,meanUpper,obsLower,obsUpper", lines[0]);
        double z = MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 0.95);
        double sigma = root.GetProperty("parameters")[2].GetProperty("estimate").GetDouble();
        for (int i = 0; i < newX.Length; i++)
        {
            var row = lines[i + 1].Split(',').Select(c => double.Parse(c, CultureInfo.InvariantCulture)).ToArray();
            double mu = a * Math.Exp(-b * newX[i]);
            double[] g = [Math.Exp(-b * newX[i]), -a * newX[i] * Math.Exp(-b * newX[i])];
            double se = Math.Sqrt(g[0] * g[0] * v[0][0] + 2 * g[0] * g[1] * v[0][1] + g[1] * g[1] * v[1][1]);
            Assert.True(Numerics.Relative(row[0], mu) <= 1e-12 && row[1] == row[0], $"x = {newX[i]}: mean {row[1]:R} vs {mu:R}");
            Assert.True(Numerics.Relative(row[2], se) <= 1e-12 && row[3] == row[2], $"x = {newX[i]}: se {row[3]:R} vs {se:R}");
            Assert.True(Numerics.Relative(row[4], mu - z * se) <= 1e-12 && Numerics.Relative(row[5], mu + z * se) <= 1e-12, $"x = {newX[i]}: interval");
            // A new observation's: the MLE's σ̂ beside the mean's error, z (R's interval = "prediction" with these).
            double half = z * Math.Sqrt(se * se + sigma * sigma);
            Assert.True(Math.Abs(row[6] - (mu - half)) <= 1e-12 * (1 + Math.Abs(mu)) && Math.Abs(row[7] - (mu + half)) <= 1e-12 * (1 + Math.Abs(mu)), $"x = {newX[i]}: observations' interval");
        }
        if (holdB)
            Assert.Equal(0.6, b);
    }

    // --se nist: least squares' errors and t (R's predict.lm, statsmodels OLS's get_prediction), and for a normal response
    // the new observations' interval: a linear fit against statsmodels 0.13's summary_frame(alpha = 0.1) (mean, mean_se,
    // mean_ci_*, obs_ci_*) on x = ((37 i) mod 11)/10, z = ((17 i) mod 7)/3, y = 1 + 2x − z + ((7919 i) mod 101 − 50)/50,
    // i < 40; and a nonlinear fit against scipy's curve_fit pcov, the delta method and t on n − 2 (the decay data). To 1e-8
    // of max(1, |value|).
    [Fact]
    public void NistErrorsAndObservationIntervalsAreRsAndStatsmodels()
    {
        var rowsIn = Enumerable.Range(0, 40).Select(i => (X: ((i * 37) % 11) / 10.0, Z: ((i * 17) % 7) / 3.0, I: i))
            .Select(r => FormattableString.Invariant($"{1 + 2 * r.X - r.Z + ((r.I * 7919) % 101 - 50) / 50.0:R},{r.X:R},{r.Z:R}"));
        var linear = Write("ols.csv", ["y,x,z", .. rowsIn]);
        var json = Path.Combine(_directory, "ols.json");
        Assert.Equal(GpuestApp.Ok, Run("fit", "--model", "linear", "--data", linear, "--y", "y", "--x", "x,z", "--device", "native", "--json", json).Code);
        double[][] statsmodels =
        [
            [0.997598570437756, 0.22243485985968683, 0.6223301382344752, 1.3728670026410368, -0.10822909915295786, 2.10342624002847],
            [3.934469434485136, 0.357578326006058, 3.331201323206115, 4.537737545764156, 2.731988310845235, 5.1369505581250365],
            [5.585748968992325, 0.644199473813359, 4.498924148833231, 6.67257378915142, 4.081349876883463, 7.090148061101187],
        ];
        CheckNist(json, Write("new.csv", "x,z", "0,0", "1,-1", "2.5,0.3"), "0.9", statsmodels);

        double[] x = [0.0, 0.75, 1.5, 2.25, 3.0, 3.75, 4.5, 5.25, 6.0, 6.75, 7.5, 8.25];
        double[] y = [5.204, 3.449, 2.786, 1.976, 1.461, 1.094, 0.624, 0.589, 0.367, 0.668, 0.272, 0.149];
        var decay = Write("decay.csv", ["x,y", .. x.Select((v, i) => FormattableString.Invariant($"{v},{y[i]}"))]);
        json = Path.Combine(_directory, "decay.json");
        Assert.Equal(GpuestApp.Ok, Run("fit", "--model", "nonlinear", "--data", decay, "--y", "y", "--mean", "a*exp(-b*x)", "--start", "a=1,b=1", "--device", "native", "--json", json).Code);
        double[][] curveFit =
        [
            [5.065680437363258, 0.1349596431230433, 4.764971613073483, 5.366389261653033, 4.6008337857017505, 5.5305270890247655],
            [3.337722501449435, 0.072051418240307, 3.1771819371290317, 3.4982630657698386, 2.948582571157658, 3.7268624317412122],
            [0.9547453199670042, 0.059067065962000384, 0.8231356954254954, 1.086354944508513, 0.5766213907756181, 1.3328692491583902],
            [0.0012047211464953974, 0.00042668585455510376, 0.0002540058163773097, 0.002155436476613485, -0.35327731847584476, 0.35568676076883554],
        ];
        CheckNist(json, Write("new-x.csv", "x", "0", "1", "4", "20"), "0.95", curveFit);

        // Not for a GLM of another family, whose JSON has no least-squares covariance.
        var logit = Path.Combine(_directory, "logit.json");
        Assert.Equal(GpuestApp.Ok, Run(["fit", "--data", Path.Combine(References, "logit.csv"), "--model", "logit", "--y", "y", "--x", "x1,x2", "--device", "native", "--json", logit]).Code);
        AssertBadInput(["predict", "--model-json", logit, "--data", Write("l.csv", "x1,x2", "0.5,1"), "--out", Path.Combine(_directory, "p.csv"), "--se", "nist"], "--se nist", "not of logit");
        AssertBadInput(["predict", "--model-json", logit, "--data", Write("l2.csv", "x1,x2", "0.5,1"), "--out", Path.Combine(_directory, "p.csv"), "--se", "ols"], "--se: 'ols' is not mle or nist");
    }

    // What a fit chose carries into its predictions (a statsmodels trial): least squares' errors where the table gave
    // them (--se nist), unless --se says otherwise; a robust covariance named as such (it was "the MLE's errors"); and
    // an HC3 coefficient that a row of leverage 1 alone fits has no standard error in the fit's table (it printed 0.278)
    // nor in the predictions of rows that use it. "--out -" is refused, not written as a file named "-"; a log link's
    // overflow is said to be one.
    [Fact]
    public void TheFitsChoicesCarryIntoItsPredictions()
    {
        var rowsIn = Enumerable.Range(0, 60).Select(i => (X: ((i * 37) % 11) / 10.0, G: i == 0 ? "d" : "abc"[i % 3].ToString(), I: i))
            .Select(r => FormattableString.Invariant($"{1 + 2 * r.X + ((r.I * 7919) % 101 - 50) / 50.0:R},{r.X:R},{r.G}"));
        var data = Write("lm.csv", ["y,x,g", .. rowsIn]);
        var fresh = Write("new.csv", "x,g", "0.5,d", "0.5,b");
        string nist = Path.Combine(_directory, "nist.json"), hc3 = Path.Combine(_directory, "hc3.json");
        Assert.Equal(GpuestApp.Ok, Run("fit", "--model", "linear", "--data", data, "--formula", "y ~ x + C(g)", "--se", "nist", "--device", "native", "--json", nist).Code);
        string implicitOut = Path.Combine(_directory, "implicit.csv"), explicitOut = Path.Combine(_directory, "explicit.csv"), mleOut = Path.Combine(_directory, "mle.csv");
        var (code, text, error) = Run("predict", "--model-json", nist, "--data", fresh, "--out", implicitOut);
        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("least squares' errors and t", text);
        Assert.Equal(GpuestApp.Ok, Run("predict", "--model-json", nist, "--data", fresh, "--out", explicitOut, "--se", "nist").Code);
        Assert.Equal(File.ReadAllText(explicitOut), File.ReadAllText(implicitOut));
        Assert.Contains("the MLE's errors and z", Run("predict", "--model-json", nist, "--data", fresh, "--out", mleOut, "--se", "mle").Output);

        (code, text, error) = Run("fit", "--model", "linear", "--data", data, "--formula", "y ~ x + C(g)", "--cov", "hc3", "--device", "native", "--json", hc3);
        Assert.True(code == GpuestApp.Ok, error);
        Assert.Matches(@"g\[d\] +\S+ +- +- +-", text);
        Assert.Contains("and g[d] has no robust standard error", text);
        using (var doc = JsonDocument.Parse(File.ReadAllText(hc3)))
            Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "g[d]").GetProperty("stdError").ValueKind);
        (code, text, error) = Run("predict", "--model-json", hc3, "--data", fresh, "--out", Path.Combine(_directory, "hc3.csv"));
        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("the HC3 covariance's errors and z", text);
        Assert.Contains("note: g[d] had no robust standard error in the fit", text);
        var lines = File.ReadAllLines(Path.Combine(_directory, "hc3.csv"));
        Assert.Equal("NaN", lines[1].Split(',')[2]);
        Assert.True(double.Parse(lines[2].Split(',')[2], CultureInfo.InvariantCulture) > 0);

        AssertBadInput(["predict", "--model-json", nist, "--data", fresh, "--out", "-"], "--out -: standard output is not written to by name");

        var counts = Write("counts.csv", ["y,x", .. Enumerable.Range(0, 40).Select(i => FormattableString.Invariant($"{i % 5},{(i % 7) / 7.0}"))]);
        var poisson = Path.Combine(_directory, "poisson.json");
        Assert.Equal(GpuestApp.Ok, Run("fit", "--model", "glm", "--family", "poisson", "--data", counts, "--y", "y", "--x", "x", "--device", "native", "--json", poisson).Code);
        (code, text, error) = Run("predict", "--model-json", poisson, "--data", Write("far.csv", "x", "1e6"), "--out", Path.Combine(_directory, "far.csv.out"));
        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("the log link's mean exp(η) overflows the doubles", text);
    }

    // A reference level chosen in the formula reparametrizes the same model: the same log-likelihood, and predictions
    // of new rows (coded with the fitted levels, the reference first) equal to those of the sorted reference's fit.
    [Fact]
    public void AChosenReferenceLevelPredictsAsTheSortedOne()
    {
        var data = Path.Combine(References, "logit_formula.csv");
        string sorted = Path.Combine(_directory, "sorted.json"), chosen = Path.Combine(_directory, "chosen.json");
        Assert.Equal(GpuestApp.Ok, Run("fit", "--model", "logit", "--data", data, "--formula", "y ~ x1 + C(g)", "--device", "native", "--json", sorted).Code);
        var (code, text, error) = Run("fit", "--model", "logit", "--data", data, "--formula", "y ~ x1 + C(g, Treatment('lake'))", "--device", "native", "--json", chosen);
        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("g[forest]", text);
        Assert.DoesNotContain("g[lake]", text);
        using (JsonDocument a = JsonDocument.Parse(File.ReadAllText(sorted)), b = JsonDocument.Parse(File.ReadAllText(chosen)))
        {
            double la = a.RootElement.GetProperty("logLikelihood").GetDouble(), lb = b.RootElement.GetProperty("logLikelihood").GetDouble();
            Assert.True(Math.Abs(la - lb) <= 1e-10 * Math.Abs(la), $"{la:R} vs {lb:R}");
        }
        AssertSamePredictions(sorted, chosen, Write("rows.csv", "x1,g", "0.5,forest", "-1,hill", "2,lake"), 1e-7);
    }

    // The predictions of two fits' JSON for the same new rows, every column within tolerance (relative, absolute below 1).
    private void AssertSamePredictions(string first, string second, string rows, double tolerance)
    {
        string a = Path.Combine(_directory, "first.csv"), b = Path.Combine(_directory, "second.csv");
        Assert.Equal(GpuestApp.Ok, Run("predict", "--model-json", first, "--data", rows, "--out", a).Code);
        Assert.Equal(GpuestApp.Ok, Run("predict", "--model-json", second, "--data", rows, "--out", b).Code);
        var (la, lb) = (File.ReadAllLines(a), File.ReadAllLines(b));
        Assert.Equal(la.Length, lb.Length);
        for (int i = 1; i < la.Length; i++)
        {
            var (u, v) = (la[i].Split(',').Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToArray(), lb[i].Split(',').Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToArray());
            for (int k = 0; k < u.Length; k++)
                Assert.True(Math.Abs(u[k] - v[k]) <= tolerance * Math.Max(1, Math.Abs(v[k])), $"row {i} column {k}: {u[k]:R} vs {v[k]:R}");
        }
    }

    // offset(log(exposure)), as R and patsy users write it (a trial found it refused): the fit and the predictions of the
    // same model with the log taken beforehand into a column; a value that is not positive is refused naming its line.
    [Fact]
    public void ALogOffsetIsTheLogOfItsColumn()
    {
        var rows = Enumerable.Range(0, 120).Select(i => (X: Math.Sin(0.3 * i), E: 0.5 + (i * 37 % 50) / 10.0, Y: (i * 7919 % 9) + (i % 4))).ToArray();
        var data = Write("e.csv", ["y,x,exposure,logexposure", .. rows.Select(r => FormattableString.Invariant($"{r.Y},{r.X:R},{r.E:R},{Math.Log(r.E):R}"))]);
        string logged = Path.Combine(_directory, "logged.json"), column = Path.Combine(_directory, "column.json");
        var (code, text, error) = Run("fit", "--model", "glm", "--family", "poisson", "--data", data, "--formula", "y ~ x + offset(log(exposure))", "--device", "native", "--json", logged);
        Assert.True(code == GpuestApp.Ok, error);
        Assert.Equal(GpuestApp.Ok, Run("fit", "--model", "glm", "--family", "poisson", "--data", data, "--formula", "y ~ x + offset(logexposure)", "--device", "native", "--json", column).Code);
        using (JsonDocument a = JsonDocument.Parse(File.ReadAllText(logged)), b = JsonDocument.Parse(File.ReadAllText(column)))
        {
            Assert.Equal("y ~ x + offset(log(exposure))", a.RootElement.GetProperty("design").GetProperty("formula").GetString());
            var (pa, pb) = (a.RootElement.GetProperty("parameters").EnumerateArray().ToArray(), b.RootElement.GetProperty("parameters").EnumerateArray().ToArray());
            for (int k = 0; k < pa.Length; k++)
                Assert.Equal(pb[k].GetProperty("estimate").GetDouble(), pa[k].GetProperty("estimate").GetDouble(), 1e-10);
        }
        AssertSamePredictions(logged, column, Write("fresh.csv", "x,exposure,logexposure", FormattableString.Invariant($"0.5,2,{Math.Log(2):R}"), FormattableString.Invariant($"-1,0.7,{Math.Log(0.7):R}")), 1e-9);
        var zero = Write("zero.csv", "y,x,exposure", "1,0.5,2", "2,0.1,0", "0,0.3,1", "3,0.2,1.5");
        AssertBadInput(["fit", "--model", "glm", "--family", "poisson", "--data", zero, "--formula", "y ~ x + offset(log(exposure))"],
            "line 3, column 'exposure': 0 has no log (offset(log(exposure)) needs positive values)");
    }

    // Columns mean, seMean, meanLower, meanUpper, obsLower, obsUpper of predict --se nist against the reference's six per row.
    private void CheckNist(string json, string rows, string level, double[][] expected)
    {
        var output = Path.Combine(_directory, "nist.csv");
        var (code, text, error) = Run("predict", "--model-json", json, "--data", rows, "--out", output, "--se", "nist", "--level", level);
        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("least squares' errors and t", text);
        var lines = File.ReadAllLines(output);
        Assert.Equal("eta,mean,seEta,seMean,meanLower,meanUpper,obsLower,obsUpper", lines[0]);
        for (int i = 0; i < expected.Length; i++)
        {
            var got = lines[i + 1].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            double[] ours = [got[1], got[3], got[4], got[5], got[6], got[7]];
            for (int k = 0; k < 6; k++)
                Assert.True(Math.Abs(ours[k] - expected[i][k]) <= 1e-8 * Math.Max(1, Math.Abs(expected[i][k])), $"{Path.GetFileName(json)} row {i + 1} column {k}: {ours[k]:R} vs {expected[i][k]:R}");
        }
    }

    // Where the mean is not finite on a new row (a log of 0), its standard error and interval are NaN and a note names the row.
    [Fact]
    public void ANonlinearMeanThatIsNotFiniteIsNoted()
    {
        var data = Write("log.csv", ["x,y", .. Enumerable.Range(1, 12).Select(i => FormattableString.Invariant($"{i},{2 * Math.Log(i) + 1 + 0.01 * (i % 3)}"))]);
        var json = Path.Combine(_directory, "log.json");
        Assert.Equal(GpuestApp.Ok, Run("fit", "--model", "nonlinear", "--data", data, "--y", "y", "--mean", "a*log(x)+c", "--start", "a=1,c=0", "--device", "native", "--json", json).Code);
        var rows = Write("new.csv", "x", "2", "0");
        var output = Path.Combine(_directory, "pred.csv");

        var (code, predictOutput, error) = Run("predict", "--model-json", json, "--data", rows, "--out", output);

        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("note: the mean is not finite at 1 row (first: line 3, mean -Infinity)", predictOutput);
        var last = File.ReadAllLines(output)[2].Split(',');
        Assert.Equal(["-Infinity", "-Infinity", "NaN", "NaN", "NaN", "NaN", "NaN", "NaN"], last);
    }

    // A finite mean whose standard error is not (its derivative in b overflows: −x·a·e^{−bx} at b·x = −706) is noted with
    // the row (a trial: NaN errors without a word).
    [Fact]
    public void AMeanWhoseErrorOverflowsIsNoted()
    {
        var data = Write("exp.csv", ["x,y", .. Enumerable.Range(0, 20).Select(i => FormattableString.Invariant($"{0.25 * i},{2 * Math.Exp(-0.7 * 0.25 * i) + 0.01 * (i % 3 - 1)}"))]);
        var json = Path.Combine(_directory, "exp.json");
        Assert.Equal(GpuestApp.Ok, Run("fit", "--model", "nonlinear", "--data", data, "--y", "y", "--mean", "a*exp(-b*x)", "--start", "a=1,b=1", "--device", "native", "--json", json).Code);
        // Where b·x = −706: a mean of ~2·10³⁰⁶, its derivative in b ~10³ times that.
        double b = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))!["parameters"]!.AsArray().Single(p => (string)p!["name"]! == "b")!["estimate"]!.GetValue<double>();
        var rows = Write("new.csv", "x", FormattableString.Invariant($"{-706 / b:R}"), "1");
        var output = Path.Combine(_directory, "pred.csv");

        var (code, predictOutput, error) = Run("predict", "--model-json", json, "--data", rows, "--out", output);

        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("note: seMean is not finite at 1 row where the mean is (first: line 2, mean ", predictOutput);
        var first = File.ReadAllLines(output)[1].Split(',');
        Assert.True(double.IsFinite(double.Parse(first[1], CultureInfo.InvariantCulture)) && !double.IsFinite(double.Parse(first[3], CultureInfo.InvariantCulture)), string.Join(",", first));
        Assert.DoesNotContain("note: the mean is not finite", predictOutput);
    }

    // A damaged mean in the JSON is named as such (exit 2), as a damaged design is.
    [Fact]
    public void ADamagedMeanFunctionIsNamed()
    {
        var data = Write("lin.csv", ["x,y", .. Enumerable.Range(1, 12).Select(i => FormattableString.Invariant($"{i},{0.5 * i + 0.01 * (i % 3)}"))]);
        var json = Path.Combine(_directory, "lin.json");
        Assert.Equal(GpuestApp.Ok, Run("fit", "--model", "nonlinear", "--data", data, "--y", "y", "--mean", "a*x", "--start", "a=1", "--device", "native", "--json", json).Code);
        File.WriteAllText(json, File.ReadAllText(json).Replace("\"a*x\"", "\"a*x+q\"", StringComparison.Ordinal));
        var rows = Write("new.csv", "x", "2");

        AssertBadInput(["predict", "--model-json", json, "--data", rows, "--out", Path.Combine(_directory, "p.csv")], "lin.json", "meanFunction.expression", "unknown name 'q'");
        // A column named twice is the columns' fault, not the expression's.
        File.WriteAllText(json, File.ReadAllText(json).Replace("\"a*x+q\"", "\"a*x\"", StringComparison.Ordinal)
            .Replace("\"columns\": [\n      \"x\"\n    ]", "\"columns\": [\"x\", \"x\"]", StringComparison.Ordinal));
        AssertBadInput(["predict", "--model-json", json, "--data", rows, "--out", Path.Combine(_directory, "p.csv")], "lin.json", "meanFunction.columns", "appears twice");
    }

    [Fact]
    public void PredictNeedsItsThreeFiles()
    {
        var (code, _, error) = Run("predict", "--data", "x.csv", "--out", "p.csv");
        Assert.Equal(GpuestApp.BadInput, code);
        Assert.Contains("--model-json", error);
    }

    private static void CheckStatistics(string name, string json, JsonElement expected)
    {
        using var fit = JsonDocument.Parse(File.ReadAllText(json));
        var root = fit.RootElement;
        foreach (var (field, reference) in new[] { ("deviance", "deviance"), ("nullDeviance", "nullDeviance"), ("pearsonChi2", "pearsonChi2"),
            ("dispersion", "dispersion"), ("pseudoR2", "pseudoR2"), ("logLikelihoodNull", "llnull") })
        {
            double got = root.GetProperty(field).GetDouble(), want = expected.GetProperty(reference).GetDouble();
            Assert.True(Numerics.Relative(got, want) <= StatisticTolerance, $"{name} {field}: {got:R} vs statsmodels {want:R}");
        }
        Assert.Equal(expected.GetProperty("dfModel").GetDouble(), root.GetProperty("dfModel").GetDouble());
        Assert.Equal(expected.GetProperty("dfResid").GetDouble(), root.GetProperty("dfResid").GetDouble());
    }

    private string Fit(string name, params string[] options)
    {
        var json = Path.Combine(_directory, name + ".json");
        var (code, _, error) = Run(["fit", "--data", Path.Combine(References, name + ".csv"), .. options, "--device", "native", "--json", json]);
        Assert.True(code == GpuestApp.Ok, error);
        return json;
    }

    private string Write(string file, params string[] lines)
    {
        var path = Path.Combine(_directory, file);
        File.WriteAllLines(path, lines);
        return path;
    }

    private static JsonElement Case(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(References, "reference.json")));
        var root = document.RootElement;
        return root.GetProperty("cases").EnumerateArray().Concat(root.GetProperty("formulaCases").EnumerateArray())
            .Single(c => c.GetProperty("name").GetString() == name).Clone();
    }
}
