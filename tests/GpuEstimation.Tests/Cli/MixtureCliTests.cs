using System.Globalization;
using System.Text.Json;
using GpuEstimation.Cli;
using GpuEstimation.Tests.Mixtures;
using Xunit;

namespace GpuEstimation.Tests.Cli;

/// <summary>gpuest fit --model mixture: the table, JSON, the component-count table, --assign, exit codes.</summary>
public sealed class MixtureCliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gpuest-mixture").FullName;

    private string ThreeNormals() => Gpuest.WriteCsv(_directory, "three.csv", ("x", MixtureEstimatorTests.ThreeNormals(1500, 21)));

    [Fact]
    public void FitPrintsComponentsAndWritesJsonAndAssignments()
    {
        var data = ThreeNormals();
        var json = Path.Combine(_directory, "fit.json");
        var assign = Path.Combine(_directory, "assign.csv");
        var (code, output, error) = Gpuest.Run("fit", "--model", "mixture", "--components", "normal,normal,normal", "--data", data, "--column", "x",
            "--starts", "2", "--json", json, "--assign", assign, "--device", "native");
        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("model mixture (MLE)", output);
        // The starts that reached the best are not listed again among the others (a trial read them as ending elsewhere).
        Assert.Matches(@"starts: 2, the best from start [12], reached by (all 2\n|it alone; others: start [12] -?\d)", output.Replace("\r", ""));
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        var components = report.RootElement.GetProperty("components");
        Assert.Equal(3, components.GetArrayLength());
        double weights = components.EnumerateArray().Sum(c => c.GetProperty("weight").GetDouble());
        Assert.Equal(1.0, weights, 12);
        var mus = components.EnumerateArray().Select((c, i) => c.GetProperty("parameters").GetProperty($"mu{i + 1}").GetDouble()).ToArray();
        Assert.Equal(mus.Order(), mus);
        Assert.Equal(["w1", "w2", "mu1", "sigma1", "mu2", "sigma2", "mu3", "sigma3"],
            report.RootElement.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));

        var lines = File.ReadAllLines(assign);
        Assert.Equal("row,component,r1,r2,r3", lines[0]);
        Assert.Equal(1501, lines.Length);
        foreach (var line in lines.Skip(1).Take(200))
        {
            var cells = line.Split(',');
            var r = cells.Skip(2).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(1.0, r.Sum(), 12);
            Assert.Equal(Array.IndexOf(r, r.Max()) + 1, int.Parse(cells[1], CultureInfo.InvariantCulture));
        }
    }

    // A range over data with two far rows: K = 2 and 3 put a component on the pair (lower BIC, marked spurious and noted
    // in the table and the JSON), so K = 1 is chosen and its line says why it is not the lowest BIC.
    [Fact]
    public void ARangePassesOverASpuriousComponentsCount()
    {
        var random = new Random(5);
        double[] x = [.. Enumerable.Range(0, 200).Select(_ => MathNet.Numerics.Distributions.Normal.Sample(random, 0, 1)), 9.0, 9.001];
        var data = Gpuest.WriteCsv(_directory, "spike.csv", ("x", x));
        var json = Path.Combine(_directory, "spike.json");
        var (code, output, error) = Gpuest.Run("fit", "--model", "mixture", "--components", "1:2xnormal", "--data", data, "--column", "x",
            "--json", json, "--device", "native");
        Assert.True(code == GpuestApp.Ok, error);
        var lines = output.Split('\n');
        Assert.StartsWith("1 ", lines.Single(l => l.TrimEnd().EndsWith("<- chosen (lowest BIC without a spurious component)", StringComparison.Ordinal)).TrimStart());
        Assert.StartsWith("2 ", lines.Single(l => l.TrimEnd().EndsWith("(spurious: see the note)", StringComparison.Ordinal)).TrimStart());
        Assert.Contains("note: K = 2: not chosen (its BIC ", output);
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(1, report.RootElement.GetProperty("chosenComponents").GetInt32());
        var rows = report.RootElement.GetProperty("componentCounts").EnumerateArray().ToArray();
        Assert.Equal(JsonValueKind.Null, rows[0].GetProperty("spurious").ValueKind);
        Assert.StartsWith("component 2 (normal) holds 2 of the 202 rows", rows[1].GetProperty("spurious").GetString());
        Assert.True(rows[1].GetProperty("bic").GetDouble() < rows[0].GetProperty("bic").GetDouble());
    }

    // Locations far from zero print the digits their standard errors need in the components' lines as in the table
    // above them (a trial: "mu1 10000000000000" under 10000000000000.039).
    [Fact]
    public void FarLocationsPrintTheirDigitsInTheComponentsLines()
    {
        var random = new Random(8);
        double[] x = [.. Enumerable.Range(0, 2000).Select(i => 1e13 + (i % 2 == 0 ? 0 : 8) + MathNet.Numerics.Distributions.Normal.Sample(random, 0, 1))];
        var data = Gpuest.WriteCsv(_directory, "far.csv", ("x", x));
        var (code, output, error) = Gpuest.Run("fit", "--model", "mixture", "--components", "2xnormal", "--data", data, "--column", "x", "--device", "native");
        Assert.True(code == GpuestApp.Ok, error);
        var line = output.Split('\n').Single(l => l.TrimStart().StartsWith("1 normal", StringComparison.Ordinal));
        Assert.Matches(@"mu1 \d{13,14}\.\d{2}", line);
    }

    [Fact]
    public void ARangeOfComponentCountsPrintsTheBicTableAndPicksTheLowest()
    {
        var data = ThreeNormals();
        var json = Path.Combine(_directory, "range.json");
        var (code, output, error) = Gpuest.Run("fit", "--model", "mixture", "--components", "1:4xnormal", "--data", data, "--column", "x",
            "--starts", "2", "--json", json, "--device", "native");
        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("<- lowest BIC", output);
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        var rows = report.RootElement.GetProperty("componentCounts").EnumerateArray().ToArray();
        Assert.Equal([1, 2, 3, 4], rows.Select(r => r.GetProperty("components").GetInt32()));
        var fitted = rows.Where(r => r.GetProperty("bic").ValueKind == JsonValueKind.Number).ToArray();
        int lowest = fitted.MinBy(r => r.GetProperty("bic").GetDouble()).GetProperty("components").GetInt32();
        Assert.Equal(lowest, report.RootElement.GetProperty("chosenComponents").GetInt32());
        Assert.Equal(3, lowest);
        // BIC = k log n − 2 log L, recomputed here from the row's own numbers.
        foreach (var row in fitted)
        {
            double bic = row.GetProperty("k").GetInt32() * Math.Log(1500) - 2 * row.GetProperty("logLikelihood").GetDouble();
            Assert.Equal(bic, row.GetProperty("bic").GetDouble(), 8);
        }
    }

    [Fact]
    public void CollapsedComponentsExitThreeNamingTheComponent()
    {
        var data = Gpuest.WriteCsv(_directory, "points.csv", ("x", Enumerable.Range(0, 120).Select(i => (double)(i % 3)).ToArray()));
        var (code, output, error) = Gpuest.Run("fit", "--model", "mixture", "--components", "3xnormal", "--data", data, "--column", "x", "--device", "native");
        Assert.Equal(GpuestApp.NotConverged, code);
        Assert.Equal("", output);
        Assert.Matches("^gpuest: .*component [123] \\(normal\\) collapsed onto x = [012]", error);
        Assert.DoesNotContain("NaN", error);
    }

    // No start converging (two iterations allowed) is a result not converged: exit 3, the outputs written with
    // "converged": false, the starts' line saying none converged, their equal failures listed once (a trial found no
    // JSON at all). In a range, a K beyond the distinct values is a row of the table, not the end of the range.
    [Fact]
    public void ANonConvergedMixtureWritesItsOutputsAndARangeListsUnidentifiedCounts()
    {
        var data = ThreeNormals();
        var json = Path.Combine(_directory, "short.json");
        var (code, output, error) = Gpuest.Run("fit", "--model", "mixture", "--components", "3xnormal", "--data", data, "--column", "x",
            "--max-iter", "2", "--device", "native", "--json", json);
        Assert.Equal(GpuestApp.NotConverged, code);
        Assert.Contains("starts: 10, none converged, the best end from start", output);
        var starts = output.Split('\n').Single(l => l.StartsWith("starts: ", StringComparison.Ordinal));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(starts, "maximum iterations reached"));
        using (var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json)))
            Assert.False(document.RootElement.GetProperty("converged").GetBoolean());

        var threeValues = Gpuest.WriteCsv(_directory, "three-counts.csv", ("x", Enumerable.Range(0, 60).Select(i => (double)(i % 3)).ToArray()));
        (code, output, error) = Gpuest.Run("fit", "--model", "mixture", "--components", "1:4xnormal", "--data", threeValues, "--column", "x", "--device", "native");
        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("4 no fit: ", output);
        Assert.Contains("has 3 distinct values, fewer than the 4 components", output);
    }

    // Two Student-t components on two normals: a component's ν runs to its normal limit, which was called "a point
    // mass (nu1 → ∞)" (a regression trial). The data are one column, named by no --column.
    [Fact]
    public void AStudentTComponentAtItsNormalLimitIsNamedSo()
    {
        var random = new Random(11);
        var x = Enumerable.Range(0, 2000).Select(i => (i < 1000 ? 0 : 5) + MathNet.Numerics.Distributions.Normal.Sample(random, 0, 1)).ToArray();
        var data = Gpuest.WriteCsv(_directory, "two.csv", ("x", x));
        var (code, _, error) = Gpuest.Run("fit", "--model", "mixture", "--components", "2xstudentt", "--data", data, "--device", "native");
        Assert.Equal(GpuestApp.NotConverged, code);
        Assert.Matches("component [12] \\(studentt\\) ran to its normal limit \\(nu[12] → ∞\\): fit a normal component in its place", error);
        Assert.DoesNotContain("point mass", error);
        Assert.Equal(GpuestApp.Ok, Gpuest.Run("fit", "--model", "mixture", "--components", "2xnormal", "--data", data, "--device", "native").Code);
    }

    [Fact]
    public void BadMixtureInputIsExitTwo()
    {
        var data = ThreeNormals();
        Gpuest.AssertBadInput(["fit", "--model", "mixture", "--data", data, "--column", "x"], "--components");
        Gpuest.AssertBadInput(["fit", "--model", "mixture", "--components", "2:5", "--data", data, "--column", "x"], "name the family", "2:5xnormal");
        Gpuest.AssertBadInput(["fit", "--model", "mixture", "--components", "0:3xnormal", "--data", data, "--column", "x"], "1 to 16 components");
        Gpuest.AssertBadInput(["fit", "--model", "mixture", "--components", "17xnormal", "--data", data, "--column", "x"], "1 to 16 components");
        Gpuest.AssertBadInput(["fit", "--model", "mixture", "--components", "normal,bogus", "--data", data, "--column", "x"], "'bogus'", "available");
        Gpuest.AssertBadInput(["fit", "--model", "mixture", "--components", "2xgamma", "--data", data, "--column", "x"], "outside the support of every component");
        Gpuest.AssertBadInput(["fit", "--model", "mixture", "--components", "2xnormal", "--map", "--data", data, "--column", "x"], "--map", "not for mixtures");
        Gpuest.AssertBadInput(["fit", "--model", "normal", "--starts", "3", "--data", data, "--column", "x"], "--starts", "applies to mixtures");
        // No --column on data of two columns (one column needs none).
        var two = Gpuest.WriteCsv(_directory, "two-columns.csv", ("x", [1.0, 2, 3]), ("z", [4.0, 5, 6]));
        Gpuest.AssertBadInput(["fit", "--model", "mixture", "--components", "2xnormal", "--data", two], "--model mixture needs --column, the column the mixture describes");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
