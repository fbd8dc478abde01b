using System.Globalization;
using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Models;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Examples;

/// <summary>The README's library examples are the code in <see cref="LibraryExample"/> and the custom-model test, and they run.</summary>
public partial class ReadmeExampleTests
{
    [Fact]
    public void EveryCSharpBlockOfTheReadmeIsQuotedFromCompiledCode()
    {
        var root = Repository.Root();
        var readme = Normalize(File.ReadAllText(Path.Combine(root, "README.md")));
        var sources = Directory.GetFiles(Path.Combine(root, "tests", "GpuEstimation.Tests"), "*.cs", SearchOption.AllDirectories);
        var regions = sources.SelectMany(path => Regions(File.ReadAllText(path))).ToDictionary(r => r.Name, r => r.Text);
        Assert.Contains("library", regions.Keys);
        Assert.Contains("custom-model", regions.Keys);
        foreach (var block in CSharpBlocks(readme))
        {
            var code = string.Join('\n', block.Split('\n').Where(line => !Import().IsMatch(line))).Trim();
            Assert.True(regions.Values.Any(r => r.Contains(code, StringComparison.Ordinal)),
                $"this README block is not quoted from a README region of the tests:\n{code}");
        }
        foreach (var (name, text) in regions)
            Assert.True(readme.Contains(text, StringComparison.Ordinal), $"README region '{name}' is not in the README as written");
    }

    [Fact]
    public void TheLinearExampleFitsTheLeastSquaresLine()
    {
        var directory = Directory.CreateTempSubdirectory("gpuest-readme").FullName;
        try
        {
            var price = Enumerable.Range(0, 200).Select(i => 1 + 0.05 * i).ToArray();
            var sales = price.Select((p, i) => 30 - 2.5 * p + Math.Sin(i)).ToArray();
            var path = Path.Combine(directory, "sales.csv");
            File.WriteAllLines(path, ["sales,price", .. sales.Zip(price, (s, p) => string.Create(CultureInfo.InvariantCulture, $"{s:R},{p:R}"))]);
            var console = new StringWriter();

            var mle = LibraryExample.FitSales(path, Backend.Native, console);

            var (b, _) = LinearClosedForm.LeastSquares(sales, [price]);
            Assert.True(Numerics.Relative(mle["price"], b[1]) <= 1e-9, $"{mle["price"]:R} vs {b[1]:R}");
            Assert.StartsWith(mle["price"].ToString(CultureInfo.CurrentCulture), console.ToString());
            Assert.Contains("converged: True", console.ToString());

            var map = LibraryExample.FitSalesMap(ModelCatalog.Linear(DataFile.Read(path, ["sales", "price"]), "sales", ["price"]), Backend.Native);
            Assert.True(map.Converged, map.Reason);
            Assert.True(map.Get("sigma").Fixed);
            Assert.NotNull(map.Get("price").Profile);
            Assert.True(map["price"] > b[1], "the prior pulls the slope towards 0");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // The GLM example: its predictions are the logistic of the fitted linear predictor of each new row, its statistics
    // are there (a library fit left them out, and predictions from it failed for want of a design: a trial).
    [Fact]
    public void TheGlmExampleReportsAndPredicts()
    {
        var directory = Directory.CreateTempSubdirectory("gpuest-readme").FullName;
        try
        {
            var random = new Random(9);
            string[] regions = ["north", "south", "west"];
            var rows = Enumerable.Range(0, 600).Select(i =>
            {
                double price = 1 + 4 * random.NextDouble();
                int region = i % 3;
                double eta = 1.5 - 0.6 * price + (region == 1 ? 0.4 : region == 2 ? -0.3 : 0);
                return (Bought: random.NextDouble() < 1 / (1 + Math.Exp(-eta)) ? 1 : 0, Price: price, Region: regions[region]);
            }).ToArray();
            var path = Path.Combine(directory, "sales.csv");
            File.WriteAllLines(path, ["bought,price,region", .. rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Bought},{r.Price:R},{r.Region}"))]);
            var newRows = Path.Combine(directory, "new.csv");
            File.WriteAllLines(newRows, ["price,region", "2.5,west", "1.25,north"]);
            var console = new StringWriter();

            var (fit, prediction) = LibraryExample.FitAndPredict(path, newRows, Backend.Native, console);

            Assert.True(fit.Converged, fit.Reason);
            Assert.True(fit.Glm!.Deviance > 0 && fit.Glm.PseudoR2 is > 0 and < 1);
            double eta = fit["intercept"] + fit["price"] * 2.5 + fit["region[west]"];
            Assert.True(Numerics.Relative(prediction.Eta[0], eta) <= 1e-12, $"{prediction.Eta[0]:R} vs {eta:R}");
            Assert.True(Numerics.Relative(prediction.Mean[1], 1 / (1 + Math.Exp(-(fit["intercept"] + fit["price"] * 1.25)))) <= 1e-12);
            Assert.True(prediction.SeMean[0] > 0);
            Assert.Contains("P(bought) in the first new row", console.ToString());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // The family example: the typed constructor is the catalogue's Student-t (the same fit as by name, to the bit), and
    // the covariance it prints is the matrix's entry.
    [Fact]
    public void TheFamilyExampleFitsTheStudentTByItsType()
    {
        var directory = Directory.CreateTempSubdirectory("gpuest-readme").FullName;
        try
        {
            var r = new double[2_000];
            new MathNet.Numerics.Distributions.StudentT(0.1, 2, 4, new MathNet.Numerics.Random.Xoshiro256StarStar(4)).Samples(r);
            var path = Path.Combine(directory, "returns.csv");
            File.WriteAllLines(path, ["r", .. r.Select(v => v.ToString("R", CultureInfo.InvariantCulture))]);
            var console = new StringWriter();

            var fit = LibraryExample.FitReturns(path, Backend.Native, console);

            var byName = Estimator.Fit(ModelCatalog.Create("studentt", DataFile.Read(path, ["r"]), new ModelColumns { Column = "r" }), new FitOptions(), Backend.Native);
            Assert.True(fit.Converged, fit.Reason);
            Assert.Equal(byName["nu"], fit["nu"]);
            Assert.Equal(byName.LogLikelihood, fit.LogLikelihood);
            Assert.Equal(fit.Covariance![0, 1], fit.CovarianceOf("mu", "sigma"));
            Assert.InRange(fit["nu"], 2.5, 7);
            Assert.StartsWith($"nu = {fit["nu"]}, cov(mu, sigma) = {fit.Covariance[0, 1]}", console.ToString());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // A namespace import, which the README shows and a method body cannot hold (not a using declaration).
    [System.Text.RegularExpressions.GeneratedRegex(@"^using [A-Za-z.]+;$")]
    private static partial System.Text.RegularExpressions.Regex Import();

    private static string Normalize(string text) => text.Replace("\r\n", "\n");

    private static IEnumerable<string> CSharpBlocks(string markdown)
    {
        var parts = markdown.Split("```csharp\n");
        foreach (var part in parts.Skip(1))
            yield return part[..part.IndexOf("```", StringComparison.Ordinal)];
    }

    /// <summary>The text between "// README: NAME" and "// README end", indentation removed.</summary>
    private static IEnumerable<(string Name, string Text)> Regions(string source)
    {
        var lines = Normalize(source).Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var marker = lines[i].Trim();
            if (!marker.StartsWith("// README: ", StringComparison.Ordinal))
                continue;
            int end = Array.FindIndex(lines, i + 1, l => l.Trim() == "// README end");
            var body = lines[(i + 1)..end];
            int indent = body.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
            yield return (marker["// README: ".Length..], string.Join('\n', body.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart())).Trim());
        }
    }
}
