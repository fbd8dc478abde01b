using System.Globalization;
using System.Text.Json.Nodes;
using GpuEstimation.Tests.Data;
using Xunit;
using static GpuEstimation.Tests.Cli.Gpuest;

namespace GpuEstimation.Tests.Cli;

/// <summary>
/// <c>gpuest</c> over Parquet and Arrow files: the same fit, bit for bit, as over the same data in CSV, and
/// <c>--drop-missing</c> (counted, and equal to a fit over the data without those rows) for every format.
/// </summary>
public sealed class ColumnarCliTests : IDisposable
{
    private const int Rows = 300;
    private readonly string _directory = Directory.CreateTempSubdirectory("gpuest-columnar-cli").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // A linear model's data: y on x and a three-level factor g, from a fixed seed.
    private static (double[] X, string[] G, double[] Y) Sample()
    {
        var random = new Random(1616);
        var x = new double[Rows];
        var g = new string[Rows];
        var y = new double[Rows];
        string[] levels = ["north", "south", "east"];
        for (int r = 0; r < Rows; r++)
        {
            x[r] = random.NextDouble() * 4 - 2;
            int level = random.Next(3);
            g[r] = levels[level];
            y[r] = 1 + 2 * x[r] + 0.5 * level + (random.NextDouble() - 0.5);
        }
        return (x, g, y);
    }

    /// <summary>The columns as CSV with round-trip digits; null cells written as <paramref name="missing"/>.</summary>
    private string Csv(string name, double?[] x, string?[] g, double?[] y, Func<int, string>? missing = null)
    {
        var path = Path.Combine(_directory, name);
        using var writer = new StreamWriter(path);
        writer.WriteLine("y,x,g");
        string Cell(double? v, int r) => v is { } value ? value.ToString("R", CultureInfo.InvariantCulture) : missing!(r);
        for (int r = 0; r < x.Length; r++)
            writer.WriteLine($"{Cell(y[r], r)},{Cell(x[r], r)},{g[r] ?? missing!(r)}");
        return path;
    }

    private string Columnar(string format, double?[] x, string?[] g, double?[] y)
    {
        var path = Path.Combine(_directory, $"data.{format}");
        (string, System.Array)[] columns = [("y", y), ("x", x), ("g", g)];
        return format == "parquet" ? ColumnarFiles.Parquet(path, 64, columns) : ColumnarFiles.Arrow(path, format == "arrows", 64, columns);
    }

    /// <summary>The JSON of a linear fit over <paramref name="data"/> (with <paramref name="extra"/> options), its timings (fields ending in Ms) and droppedRows taken out.</summary>
    private static string FitJson(string data, string json, params string[] extra)
    {
        var (code, output, error) = Run(["fit", "--model", "linear", "--data", data, "--y", "y", "--x", "x", "--factor", "g", "--device", "native", "--json", json, .. extra]);
        Assert.True(code == 0, $"exit {code}: {error}{output}");
        var root = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
        foreach (var name in root.Select(p => p.Key).Where(k => k.EndsWith("Ms", StringComparison.Ordinal) || k == "droppedRows").ToList())
            root.Remove(name);
        return root.ToJsonString();
    }

    [Theory]
    [InlineData("parquet")]
    [InlineData("arrow")]
    [InlineData("arrows")]
    public void AFitOnParquetOrArrowIsTheFitOnTheSameCsvBitForBit(string format)
    {
        var (x, g, y) = Sample();
        double?[] Nullable(double[] v) => [.. v.Select(e => (double?)e)];
        var csv = FitJson(Csv("data.csv", Nullable(x), g, Nullable(y)), Path.Combine(_directory, "csv.json"));
        var columnar = FitJson(Columnar(format, Nullable(x), g, Nullable(y)), Path.Combine(_directory, $"{format}.json"));
        Assert.Equal(csv, columnar);
        Assert.Contains("\"g[south]\"", columnar);
    }

    [Theory]
    [InlineData("parquet")]
    [InlineData("arrow")]
    [InlineData("csv")]
    public void DropMissingCountsTheRowsAndFitsTheRest(string format)
    {
        var (x, g, y) = Sample();
        var nx = x.Select(v => (double?)v).ToArray();
        var ny = y.Select(v => (double?)v).ToArray();
        var ng = g.Select(v => (string?)v).ToArray();
        ny[4] = null;
        nx[100] = null;
        ng[250] = null;
        nx[251] = double.NaN;
        // CSV writes its missing cells as R and pandas do.
        string[] csvMissing = ["", "NA", "NaN", "null"];
        var path = format == "csv" ? Csv("missing.csv", nx, ng, ny, r => csvMissing[r % 4]) : Columnar(format, nx, ng, ny);

        var json = Path.Combine(_directory, "dropped.json");
        var (code, output, error) = Run("fit", "--model", "linear", "--data", path, "--y", "y", "--x", "x", "--factor", "g", "--device", "native", "--json", json, "--drop-missing");
        Assert.True(code == 0, $"exit {code}: {error}");
        Assert.Contains($"--drop-missing: 4 rows with a missing value left out, {Rows - 4} used", output);
        var root = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
        Assert.Equal(4, root["droppedRows"]!.GetValue<int>());
        Assert.Equal(Rows - 4, root["n"]!.GetValue<int>());

        var kept = Enumerable.Range(0, Rows).Where(r => r is not (4 or 100 or 250 or 251)).ToArray();
        var reference = Csv("kept.csv", [.. kept.Select(r => nx[r])], [.. kept.Select(r => ng[r])], [.. kept.Select(r => ny[r])]);
        Assert.Equal(FitJson(reference, Path.Combine(_directory, "kept.json")), FitJson(path, Path.Combine(_directory, "dropped2.json"), "--drop-missing"));
    }

    [Fact]
    public void WithoutTheFlagAMissingValueIsAnErrorNamingItsPlace()
    {
        var (x, g, y) = Sample();
        var nx = x.Select(v => (double?)v).ToArray();
        nx[11] = null;
        var parquet = Columnar("parquet", nx, g, [.. y.Select(v => (double?)v)]);
        AssertBadInput(["fit", "--model", "linear", "--data", parquet, "--y", "y", "--x", "x", "--device", "native"],
            $"{parquet}: row 12, column 'x': the value is missing (null) (--drop-missing leaves such rows out)");
        // CSV names the line (the header is line 1).
        var csv = Csv("empty.csv", nx, g, [.. y.Select(v => (double?)v)], _ => "");
        AssertBadInput(["fit", "--model", "linear", "--data", csv, "--y", "y", "--x", "x", "--device", "native"],
            $"{csv}: line 13, column 'x': the value is missing (an empty cell) (--drop-missing leaves such rows out)");
        // Text where a number belongs is not a missing value: no hint.
        var text = Csv("text.csv", nx, g, [.. y.Select(v => (double?)v)], _ => "n/a?");
        var error = AssertBadInput(["fit", "--model", "linear", "--data", text, "--y", "y", "--x", "x", "--device", "native"],
            $"{text}: line 13, column 'x': 'n/a?' is not a finite number");
        Assert.DoesNotContain("--drop-missing", error);
    }

    [Fact]
    public void DropMissingWhereNothingIsMissingSaysSoAndChangesNothing()
    {
        var (x, g, y) = Sample();
        var path = Columnar("arrow", [.. x.Select(v => (double?)v)], g, [.. y.Select(v => (double?)v)]);
        var json = Path.Combine(_directory, "none.json");
        var (code, output, error) = Run("eval", "--model", "normal", "--data", path, "--column", "x", "--at", "mu=0,sigma=1", "--device", "native", "--json", json, "--drop-missing");
        Assert.True(code == 0, error);
        Assert.Contains($"--drop-missing: 0 rows with a missing value left out, {Rows} used", output);
        Assert.Equal(0, JsonNode.Parse(File.ReadAllText(json))!["droppedRows"]!.GetValue<int>());
    }

    [Fact]
    public void ASweepCountsTheDroppedRowsToo()
    {
        var (x, g, y) = Sample();
        var nx = x.Select(v => (double?)v).ToArray();
        nx[7] = null;
        var path = Columnar("parquet", nx, g, [.. y.Select(v => (double?)v)]);
        var json = Path.Combine(_directory, "sweep.json");
        var (code, output, error) = Run("sweep", "--model", "normal", "--data", path, "--column", "x", "--grid", "mu=-1:1:3", "--at", "sigma=1",
            "--device", "native", "--json", json, "--drop-missing");
        Assert.True(code == 0, error);
        Assert.Contains($"--drop-missing: 1 row with a missing value left out, {Rows - 1} used", output);
        var root = JsonNode.Parse(File.ReadAllText(json))!;
        Assert.Equal(1, root["droppedRows"]!.GetValue<int>());
        Assert.Equal(Rows - 1, root["n"]!.GetValue<int>());
    }

    [Fact]
    public void BadColumnarInputIsExitCodeTwoWithOneLine()
    {
        var parquet = ColumnarFiles.Parquet(Path.Combine(_directory, "bad.parquet"), 2, ("x", new double[] { 1, 2, 3 }), ("t", new[] { DateTime.UnixEpoch, DateTime.UnixEpoch, DateTime.UnixEpoch }));
        AssertBadInput(["fit", "--model", "normal", "--data", parquet, "--column", "w", "--device", "native"], $"{parquet}: no column 'w'; columns present: x, t");
        AssertBadInput(["fit", "--model", "normal", "--data", parquet, "--column", "t", "--device", "native"], $"{parquet}: column 't' has type date/time");
        var cut = Path.Combine(_directory, "cut.parquet");
        File.WriteAllBytes(cut, File.ReadAllBytes(parquet)[..40]);
        AssertBadInput(["fit", "--model", "normal", "--data", cut, "--column", "x", "--device", "native"], $"{cut}: the file ends early");
    }
}
