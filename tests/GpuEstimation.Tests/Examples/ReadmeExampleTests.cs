using System.Globalization;
using GpuEstimation.Backends;
using GpuEstimation.Data;
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
