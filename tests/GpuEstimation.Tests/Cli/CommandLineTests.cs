using System.Globalization;
using System.Text.Json;
using GpuEstimation.Cli;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Cli;

/// <summary>Whole commands: option syntax, output files refused before computing, large numbers in the table.</summary>
[Collection(DeviceCollection.Name)]
public sealed class CommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gpuest-commandline").FullName;

    [Fact]
    public void EqualsSyntaxAndRepeatedCommaLists()
    {
        var data = Write("eq.csv", "x", Enumerable.Range(0, 200).Select(i => 3 + Math.Sin(i)));
        var json = Path.Combine(_directory, "eq.json");
        var (code, _, error) = Gpuest.Run("fit", "--model=normal", $"--data={data}", "--column=x", "--device=native", "--map",
            "--prior", "mu=normal(0,10),sigma=gamma(2,1)", "--start", "mu=2", "--start", "sigma=1", $"--json={json}");
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("map", doc.RootElement.GetProperty("method").GetString());
    }

    [Theory]
    [InlineData("--json")]
    [InlineData("--out")]
    [InlineData("--png")]
    public void AnOutputThatIsTheInputIsRefusedBeforeComputing(string option)
    {
        var data = Write("in.csv", "x", [1, 2, 3.5]);
        var before = File.ReadAllText(data);
        string[] args = option == "--json"
            ? ["fit", "--model", "normal", "--data", data, "--column", "x", "--device", "cpu", option, data]
            : ["sweep", "--model", "normal", "--data", data, "--column", "x", "--grid", "mu=1:3:4", "--at", "sigma=1", "--device", "cpu", option, data];
        Gpuest.AssertBadInput(args, $"{option} {data}: is the --data input file");
        Assert.Equal(before, File.ReadAllText(data));
    }

    [Fact]
    public void AnOutputInAMissingDirectoryOrOnADirectoryIsRefused()
    {
        var data = Write("d.csv", "x", [1, 2, 3.5]);
        var missing = Path.Combine(_directory, "nowhere", "fit.json");
        Gpuest.AssertBadInput(["fit", "--model", "normal", "--data", data, "--column", "x", "--json", missing], $"--json {missing}: directory");
        Gpuest.AssertBadInput(["plot", "--png", _directory], $"--png {_directory}: is a directory");
        Gpuest.AssertBadInput(["demo", "--points", "100", "--pictures", data], $"--pictures {data}: is a file");
    }

    // A learning example larger than memory is refused before any work (it was killed by the system with no message,
    // exit 137: a trial); one that fits is not.
    [SkippableFact]
    public void PointsBeyondMemoryAreRefusedBeforeTheWork()
    {
        long tooMany = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / GpuEstimation.Demo.LearningExample.BytesPerPoint + 1;
        Skip.If(tooMany > int.MaxValue, "this machine holds the most points the option takes");
        string expected = $"--points {tooMany}: the learning example needs about";
        Gpuest.AssertBadInput(["demo", "--points", $"{tooMany}", "--pictures", _directory], expected);
        Gpuest.AssertBadInput(["plot", "--points", $"{tooMany}", "--png", Path.Combine(_directory, "p.png")], expected);
        Assert.Empty(Directory.GetFiles(_directory, "*.png"));
    }

    [Fact]
    public void ParameterOptionsAreCheckedAgainstTheModelBeforeComputing()
    {
        var data = Write("p.csv", "x", [1, 2, 3.5]);
        string[] fit = ["fit", "--model", "normal", "--data", data, "--column", "x"];
        Gpuest.AssertBadInput([.. fit, "--fix", "sigma=-1"], "--fix sigma=-1: sigma must be positive");
        Gpuest.AssertBadInput([.. fit, "--start", "rate=1"], "--start rate: model 'normal' has no parameter 'rate'");
        Gpuest.AssertBadInput([.. fit, "--prior", "mu=normal(0,1)"], "--prior mu: priors apply to MAP estimation; add --map");
        Gpuest.AssertBadInput([.. fit, "--fix", "sigma=1", "--profile", "sigma"], "--profile sigma: sigma is fixed");
        Gpuest.AssertBadInput([.. fit, "--map", "--fix", "sigma=1", "--prior", "sigma=gamma(2,1)"], "--prior sigma: sigma is fixed");
        Gpuest.AssertBadInput([.. fit, "--map", "--prior", "mu=halfnormal(1)"], "--prior mu: halfnormal(1) is defined only for positive values");
        Gpuest.AssertBadInput(["sweep", .. fit[1..], "--grid", "sigma=-1:1:3"], "--grid sigma: the range -1..1 leaves the domain of sigma");
        Gpuest.AssertBadInput(["eval", .. fit[1..], "--at", "mu=1"], "--at: missing value for sigma");
    }

    // An estimate near 1e9 with a standard error near 0.01: the table shows its decimals, and its interval's, in full
    // (its z of 1.5e11 in exponent form, which keeps the row in its columns).
    [Fact]
    public void LargeEstimatesPrintInFull()
    {
        var data = Write("big.csv", "x", Enumerable.Range(0, 1000).Select(i => 1000000000.12 + 0.3 * Math.Sin(i)));
        var (code, output, error) = Gpuest.Run("fit", "--model", "normal", "--data", data, "--column", "x", "--device", "native");
        Assert.True(code == 0, error);
        var row = output.Split('\n').Single(l => l.StartsWith("mu "));
        var cells = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(new[] { cells[1], cells[5], cells[6] }, cell => Assert.DoesNotContain("E+", cell));
        Assert.Matches(@"^\d\.\d\dE\+11$", cells[3]);
        Assert.StartsWith("1000000000.1", cells[1]);
        Assert.True(double.Parse(cells[5], CultureInfo.InvariantCulture) < double.Parse(cells[1], CultureInfo.InvariantCulture));
        Assert.True(double.Parse(cells[6], CultureInfo.InvariantCulture) > double.Parse(cells[1], CultureInfo.InvariantCulture));
        Assert.DoesNotContain(" -0 ", output);
    }

    [Fact]
    public void PlotWritesThePictureAndSaysWhere()
    {
        var png = Path.Combine(_directory, "example.png");
        var (code, output, error) = Gpuest.Run("plot", "--points", "20", "--device", "native", "--png", png);
        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains($"picture: {png}", output);
        Assert.True(new FileInfo(png).Length > 0);
        Assert.Single(Directory.GetFiles(_directory));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string column, IEnumerable<double> values)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllLines(path, [column, .. values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))]);
        return path;
    }
}
