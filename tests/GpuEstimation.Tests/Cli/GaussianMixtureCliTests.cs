using System.Text.Json;
using GpuEstimation.Cli;
using GpuEstimation.Mixtures;
using GpuEstimation.Plots;
using GpuEstimation.Tests.Mixtures;
using GpuEstimation.Tests.Plots;
using GpuEstimation.Tests.Support;
using SkiaSharp;
using Xunit;

namespace GpuEstimation.Tests.Cli;

/// <summary><c>gpuest fit --model gaussian-mixture</c>: the table, the JSON contract, the picture, bad input.</summary>
[Collection(DeviceCollection.Name)]
public sealed class GaussianMixtureCliTests(DeviceFixture devices) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gpuest-gmm").FullName;

    private string Data()
    {
        var columns = MixtureSamples.Draw(MixtureSamples.TwoD, 1500, seed: 31);
        return Gpuest.WriteCsv(_directory, "points.csv", ("a", columns[0]), ("b", columns[1]));
    }

    // A range of component counts goes through the mixtures' shared table (the lowest BIC kept, here the simulated 3),
    // and --assign writes each row's responsibilities (summing to 1) and its most likely component.
    [Fact]
    public void ARangeOfComponentCountsPicksTheLowestBicAndAssignmentsAreWritten()
    {
        var data = Data();
        var assign = Path.Combine(_directory, "assign.csv");
        var (code, output, error) = Gpuest.Run("fit", "--model", "gaussian-mixture", "--data", data, "--x", "a,b", "--components", "1:4",
            "--device", "native", "--assign", assign);
        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("gaussian-mixture, 3 components", output);
        var lines = File.ReadAllLines(assign);
        Assert.Equal("row,component,r1,r2,r3", lines[0]);
        Assert.Equal(1501, lines.Length);
        foreach (var line in lines.Skip(1).Take(200))
        {
            var cells = line.Split(',');
            var r = cells.Skip(2).Select(c => double.Parse(c, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(1.0, r.Sum(), 1e-12);
            Assert.Equal(Array.IndexOf(r, r.Max()) + 1, int.Parse(cells[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        Gpuest.AssertBadInput(["fit", "--model", "gaussian-mixture", "--data", data, "--x", "a,b", "--components", "2xnormal"], "takes a number K or a range");
        Gpuest.AssertBadInput(["fit", "--model", "mixture", "--data", data, "--column", "a", "--components", "2xnormal", "--covariance", "tied"], "--covariance: applies to --model gaussian-mixture");
        Gpuest.AssertBadInput(["fit", "--model", "gaussian-mixture", "--data", data, "--x", "a,b", "--components", "2", "--map"], "--map: not for mixtures");
    }

    // Rows dropped for a missing value keep their numbers in --assign, with empty cells (a trial joined the file back
    // to the data by row and every row after a dropped one was off by one); the same for a 1-D mixture.
    [Fact]
    public void AssignmentsKeepTheSourcesRowNumbersWhereRowsWereDropped()
    {
        var two = Path.Combine(_directory, "dm.csv");
        File.WriteAllText(two, "x,y\n1,0\n2,NaN\n3,1\n10,2\n11,3\n12,4\n2.5,5\nNaN,6\n");
        var assign = Path.Combine(_directory, "dm-assign.csv");
        var (code, _, error) = Gpuest.Run("fit", "--model", "gaussian-mixture", "--data", two, "--x", "x,y", "--components", "2", "--drop-missing",
            "--device", "native", "--assign", assign);
        Assert.True(code == GpuestApp.Ok, error);
        var lines = File.ReadAllLines(assign);
        Assert.Equal(["1", "2", "3", "4", "5", "6", "7", "8"], lines.Skip(1).Select(l => l.Split(',')[0]));
        Assert.Equal("2,,,", lines[2]);
        Assert.Equal("8,,,", lines[8]);
        // Rows 1, 3 and 7 (x near 2) share a component, 4-6 (x near 11) the other.
        var component = lines.Skip(1).Select(l => l.Split(',')[1]).ToArray();
        Assert.Equal(component[0], component[2]);
        Assert.Equal(component[0], component[6]);
        Assert.NotEqual(component[0], component[3]);

        var one = Path.Combine(_directory, "dm1.csv");
        File.WriteAllText(one, "x\n1\nNaN\n3\n10\n11\n12\n2.5\n1.5\n");
        (code, _, error) = Gpuest.Run("fit", "--model", "mixture", "--components", "2xnormal", "--data", one, "--column", "x", "--drop-missing",
            "--device", "native", "--assign", assign);
        Assert.True(code == GpuestApp.Ok, error);
        lines = File.ReadAllLines(assign);
        Assert.Equal(["1", "2", "3", "4", "5", "6", "7", "8"], lines.Skip(1).Select(l => l.Split(',')[0]));
        Assert.Equal("2,,,", lines[2]);
    }

    // EM stopped short (--max-iter is EM's step limit; 2 here): the table says so, exit 3 with no standard errors (there is no maximum's curvature to take; a trial
    // got se(w1) 0.109 where the maximum's is 0.056) and a starts line that says none converged. A range over three
    // distinct points lists K = 4 and 5 as not identified rather than refusing the command.
    [Fact]
    public void ANonConvergedFitHasNoStandardErrorsAndARangeListsUnidentifiedCounts()
    {
        var data = Data();
        var (code, output, _) = Gpuest.Run("fit", "--model", "gaussian-mixture", "--data", data, "--x", "a,b", "--components", "3", "--max-iter", "2", "--device", "native");
        Assert.Equal(GpuestApp.NotConverged, code);
        Assert.Contains("EM did NOT converge in 2 steps", output);
        Assert.Contains("none converged; the best end kept", output);
        Assert.Contains("note: no standard errors: the fit did not converge", output);
        Assert.DoesNotContain("all reached the same", output);

        var three = Gpuest.WriteCsv(_directory, "three.csv", ("a", Enumerable.Range(0, 90).Select(i => (double)(i % 3)).ToArray()),
            ("b", Enumerable.Range(0, 90).Select(i => i % 3 == 2 ? 5.0 : 1 - i % 3).ToArray()));
        string error;
        (code, output, error) = Gpuest.Run("fit", "--model", "gaussian-mixture", "--data", three, "--x", "a,b", "--components", "1:5", "--device", "native");
        Assert.True(code is GpuestApp.Ok, error);
        Assert.Contains("4 no fit: the data have 3 distinct points, fewer than the 4 components", output);
        Assert.Contains("5 no fit: the data have 3 distinct points", output);
    }

    [Fact]
    public void JsonHasComponentsBesideTheFlatParametersAndTheSameAnswerForEverySeed()
    {
        var data = Data();
        double[]? first = null;
        foreach (var seed in new[] { "0", "5", "17" })
        {
            var json = Path.Combine(_directory, $"fit{seed}.json");
            var (code, output, error) = Gpuest.Run("fit", "--model", "gaussian-mixture", "--data", data, "--x", "a,b", "--components", "3",
                "--seed", seed, "--starts", "2", "--device", "native", "--json", json);
            Assert.True(code == GpuestApp.Ok, error);
            Assert.Contains("mu1[a]", output);
            Assert.Contains("2 starts:", output);
            using var document = JsonDocument.Parse(File.ReadAllText(json));
            var root = document.RootElement;
            Assert.Equal("gaussian-mixture", root.GetProperty("model").GetString());
            Assert.Equal(17, root.GetProperty("k").GetInt32());
            var components = root.GetProperty("components");
            Assert.Equal(3, components.GetArrayLength());
            double weights = 0, previous = double.NegativeInfinity;
            foreach (var component in components.EnumerateArray())
            {
                weights += component.GetProperty("weight").GetDouble();
                double x = component.GetProperty("mean")[0].GetDouble();
                Assert.True(x > previous, "components in order of the mean's first coordinate");
                previous = x;
                Assert.Equal(2, component.GetProperty("covariance").GetArrayLength());
                Assert.Equal(component.GetProperty("covariance")[0][1].GetDouble(), component.GetProperty("covariance")[1][0].GetDouble());
                Assert.True(component.GetProperty("meanStdError")[0].GetDouble() > 0);
            }
            Assert.Equal(1.0, weights, 1e-12);
            var names = root.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
            Assert.Equal(["w1", "w2", "w3", "mu1[a]", "mu1[b]"], names.Take(5));
            Assert.Contains("sigma3[a,b]", names);
            Assert.Equal(17 + 1, names.Count); // w3 is listed though not free
            // The same optimum, the same order, whatever the seed.
            var estimates = root.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("estimate").GetDouble()).ToArray();
            first ??= estimates;
            for (int i = 0; i < estimates.Length; i++)
                Assert.Equal(first[i], estimates[i], 1e-7 * (1 + Math.Abs(first[i])));
        }
    }

    // --se none: the same estimates to the bit without the information pass, no standard error anywhere in the JSON
    // (null), and a note that says why; --se mle is the default (a trial found it refused); --se nist, and --se none for
    // other models, are refused by name.
    [Fact]
    public void SeNoneGivesTheSameEstimatesWithoutStandardErrors()
    {
        var data = Data();
        JsonElement Fit(string name, params string[] extra)
        {
            var json = Path.Combine(_directory, name);
            var (code, _, error) = Gpuest.Run(["fit", "--model", "gaussian-mixture", "--data", data, "--x", "a,b", "--components", "3",
                "--starts", "2", "--device", "native", "--json", json, .. extra]);
            Assert.True(code == GpuestApp.Ok, error);
            return JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        }
        var with = Fit("with.json");
        var without = Fit("without.json", "--se", "none");
        // The default spelled out is the default.
        Assert.Equal(with.GetProperty("parameters").ToString(), Fit("mle.json", "--se", "mle").GetProperty("parameters").ToString());
        var a = with.GetProperty("parameters").EnumerateArray().ToList();
        var b = without.GetProperty("parameters").EnumerateArray().ToList();
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].GetProperty("estimate").GetDouble(), b[i].GetProperty("estimate").GetDouble());
            Assert.Equal(JsonValueKind.Null, b[i].GetProperty("stdError").ValueKind);
        }
        Assert.Contains(a, p => p.GetProperty("stdError").ValueKind == JsonValueKind.Number);
        foreach (var component in without.GetProperty("components").EnumerateArray())
            Assert.Equal(JsonValueKind.Null, component.GetProperty("meanStdError").ValueKind);
        Assert.Contains(without.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("standard errors not computed"));
        Assert.Equal(with.GetProperty("logLikelihood").GetDouble(), without.GetProperty("logLikelihood").GetDouble());
        Gpuest.AssertBadInput(["fit", "--model", "gaussian-mixture", "--data", data, "--x", "a,b", "--components", "3", "--se", "nist"], "--se nist: not for mixtures", "--se mle, the default, or none");
        Gpuest.AssertBadInput(["fit", "--model", "mixture", "--data", data, "--column", "a", "--components", "2xnormal", "--se", "none"], "--se: not for mixtures");
        Gpuest.AssertBadInput(["fit", "--model", "normal", "--data", data, "--column", "a", "--se", "none"], "--se none: only --model gaussian-mixture");
        Gpuest.AssertBadInput(["fit", "--model", "normal", "--data", data, "--column", "a", "--se", "nothing"], "--se: 'nothing' is not mle, nist or none");
    }

    // A library user's default fit is the CLI's default fit (a trial found 1 start and seed 0 in the library, 10 starts
    // and seed 1 in gpuest, and 5 starts for the 1-D mixture): the same starts, the same log-likelihood to the bit.
    [Fact]
    public void TheLibrarysDefaultStartsAndSeedAreTheCommandLines()
    {
        var data = Data();
        var columns = MixtureSamples.Draw(MixtureSamples.TwoD, 1500, seed: 31);
        using var fitter = new GaussianMixtureFitter(["a", "b"], columns, devices.Native);
        var library = fitter.Fit(new GaussianMixtureOptions { Components = 3 });
        var path = Path.Combine(_directory, "defaults.json");
        var (code, _, error) = Gpuest.Run("fit", "--model", "gaussian-mixture", "--data", data, "--x", "a,b", "--components", "3", "--device", "native", "--json", path);
        Assert.True(code == GpuestApp.Ok, error);
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(MixtureOptions.DefaultStarts, library.StartLogLikelihoods.Count);
        Assert.Equal(library.LogLikelihood, json.RootElement.GetProperty("logLikelihood").GetDouble());

        var x = columns[0];
        var one = Gpuest.WriteCsv(_directory, "one.csv", ("x", x));
        var spec = MixtureSpec.Create(GpuEstimation.Data.Dataset.FromColumns(("x", x)), "x", ["normal", "normal"]);
        var mixture = MixtureEstimator.Fit(spec, devices.Native);
        (code, _, error) = Gpuest.Run("fit", "--model", "mixture", "--data", one, "--components", "2xnormal", "--device", "native", "--json", path);
        Assert.True(code == GpuestApp.Ok, error);
        using var json1 = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(MixtureOptions.DefaultStarts, mixture.Starts.Count);
        Assert.Equal(json1.RootElement.GetProperty("starts").GetArrayLength(), mixture.Starts.Count);
        Assert.Equal(mixture.LogLikelihood, json1.RootElement.GetProperty("logLikelihood").GetDouble());
    }

    [Fact]
    public void PictureShowsEachComponentsEllipsesInItsColour()
    {
        var columns = MixtureSamples.Draw(MixtureSamples.TwoD, 1500, seed: 31);
        using var fitter = new GaussianMixtureFitter(["a", "b"], columns, devices.Native);
        var fit = fitter.Fit(new GaussianMixtureOptions { Starts = 1, Seed = 0, Components = 3, StandardErrors = false });
        var path = Path.Combine(_directory, "ellipses.png");
        var plot = MixturePlots.Ellipses(fit, columns, path);
        using var bitmap = SKBitmap.Decode(path);
        Assert.True(SurfacePlotTests.DistinctColours(bitmap) > 20);
        var palette = new ScottPlot.Palettes.Category10();
        for (int c = 0; c < 3; c++)
        {
            var component = fit.Components[c];
            var colour = palette.GetColor(c);
            bool Near(ScottPlot.Coordinates at) =>
                Enumerable.Range(-2, 5).Any(dx => Enumerable.Range(-2, 5).Any(dy =>
                {
                    var pixel = plot.GetPixel(at);
                    var seen = bitmap.GetPixel((int)Math.Round(pixel.X) + dx, (int)Math.Round(pixel.Y) + dy);
                    return Math.Abs(seen.Red - colour.R) < 40 && Math.Abs(seen.Green - colour.G) < 40 && Math.Abs(seen.Blue - colour.B) < 40;
                }));
            Assert.True(Near(new ScottPlot.Coordinates(component.Mean[0], component.Mean[1])), $"the mean of component {c + 1}");
            // Where each ellipse crosses the horizontal through the mean on the right: μ + r (√(det Σ)/√Σ_yy ... ) along x.
            double sxx = component.Covariance[0][0], sxy = component.Covariance[0][1], syy = component.Covariance[1][1];
            foreach (double p in MixturePlots.Levels)
            {
                double q = -2 * Math.Log(1 - p);
                // Points (μx + u, μy) on the ellipse: u² Σ⁻¹ₓₓ = q, Σ⁻¹ₓₓ = σyy / det.
                double u = Math.Sqrt(q * (sxx * syy - sxy * sxy) / syy);
                // On one side at least (another component's line may be drawn over the other).
                Assert.True(Near(new ScottPlot.Coordinates(component.Mean[0] + u, component.Mean[1])) || Near(new ScottPlot.Coordinates(component.Mean[0] - u, component.Mean[1])),
                    $"component {c + 1}'s {p:P0} ellipse");
                Assert.False(Near(new ScottPlot.Coordinates(component.Mean[0] + 0.5 * u, component.Mean[1] + 0.02)) && Near(new ScottPlot.Coordinates(component.Mean[0] - 0.5 * u, component.Mean[1] + 0.02)),
                    "inside the ellipse, not its colour on both sides");
            }
        }
    }

    // A newcomer's trial: a one-column Gaussian mixture with --png was refused ("--png draws the first two --x
    // columns"), where a one-column mixture draws its histogram. Now it draws the same: the bars, the density and each
    // weighted normal component in its colour at its peak.
    [Fact]
    public void OneColumnIsDrawnAsItsHistogramWithEachComponent()
    {
        var x = MixtureEstimatorTests.ThreeNormals(2000, 9);
        using var fitter = new GaussianMixtureFitter(["x"], [x], devices.Native);
        var fit = fitter.Fit(new GaussianMixtureOptions { Components = 3, StandardErrors = false });
        var path = Path.Combine(_directory, "one.png");
        var plot = MixtureDrawing.Draw(fit, x, path);
        using var bitmap = SKBitmap.Decode(path);
        for (int c = 0; c < 3; c++)
        {
            var component = fit.Components[c];
            double sigma = Math.Sqrt(component.Covariance[0][0]);
            var pixel = plot.GetPixel(new ScottPlot.Coordinates(component.Mean[0], component.Weight / (sigma * Math.Sqrt(2 * Math.PI))));
            var colour = MixtureDrawing.ComponentColors[c];
            bool found = Enumerable.Range(-12, 25).Any(dx => Enumerable.Range(-4, 9).Any(dy =>
                MixturePlotTests.Near(bitmap.GetPixel((int)Math.Round(pixel.X) + dx, (int)Math.Round(pixel.Y) + dy), colour)));
            Assert.True(found, $"component {c + 1}'s line not at its peak ({pixel.X:F0}, {pixel.Y:F0})");
        }
        var data = Gpuest.WriteCsv(_directory, "x.csv", ("x", x));
        var png = Path.Combine(_directory, "cli-one.png");
        var (code, _, error) = Gpuest.Run("fit", "--model", "gaussian-mixture", "--data", data, "--x", "x", "--components", "3", "--device", "native", "--se", "none", "--png", png);
        Assert.True(code == GpuestApp.Ok, error);
        using var written = SKBitmap.Decode(png);
        Assert.Equal(900, written.Width);
    }

    [Fact]
    public void CliWritesThePicture()
    {
        var png = Path.Combine(_directory, "cli.png");
        var (code, _, error) = Gpuest.Run("fit", "--model", "gaussian-mixture", "--data", Data(), "--x", "a,b", "--components", "2",
            "--covariance", "diagonal", "--device", "native", "--png", png);
        Assert.True(code == GpuestApp.Ok, error);
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal(800, bitmap.Width);
    }

    [Fact]
    public void BadInputExitsTwo()
    {
        var data = Data();
        Gpuest.AssertBadInput(["fit", "--model", "gaussian-mixture", "--data", data, "--x", "a,b"], "--components");
        Gpuest.AssertBadInput(["fit", "--model", "gaussian-mixture", "--data", data, "--components", "2"], "--x");
        Gpuest.AssertBadInput(["fit", "--model", "gaussian-mixture", "--data", data, "--x", "a,b", "--components", "2", "--covariance", "banana"], "--covariance", "banana");
        Gpuest.AssertBadInput(["fit", "--model", "gaussian-mixture", "--data", data, "--x", "a,b", "--components", "17", "--device", "native"], "--components 17: 1 to 16 components");
        var small = Gpuest.WriteCsv(_directory, "small.csv", ("a", [1.0, 2.0]), ("b", [2.0, 1.0]), ("c", [0.5, 3.0]));
        Gpuest.AssertBadInput(["fit", "--model", "gaussian-mixture", "--data", small, "--x", "a,b,c", "--components", "1", "--device", "native"], "more rows than dimensions");
        // Fewer distinct points than components (a one-column mixture refuses the same), a column twice, and the options
        // of other fits, which a Gaussian mixture would ignore.
        var few = Gpuest.WriteCsv(_directory, "few.csv", ("x", [.. Enumerable.Range(0, 150).Select(i => 1.0 + i % 3)]));
        Gpuest.AssertBadInput(["fit", "--model", "gaussian-mixture", "--data", few, "--x", "x", "--components", "4", "--device", "native"], "3 distinct points, fewer than the 4 components");
        Gpuest.AssertBadInput(["fit", "--model", "gaussian-mixture", "--data", data, "--x", "a,a", "--components", "2"], "--x a: given twice");
        Gpuest.AssertBadInput(["fit", "--model", "gaussian-mixture", "--data", data, "--x", "a,b", "--components", "2", "--profile", "all", "--level", "0.9", "--optimizer", "lbfgs"],
            "--profile, --level, --optimizer: not for --model gaussian-mixture");
    }

    // A range's JSON has the BIC table as a one-column mixture's does; where every start reaches the optimum the table
    // says so. (A fit stopped by the step limit: ANonConvergedFitHasNoStandardErrorsAndARangeListsUnidentifiedCounts.)
    [Fact]
    public void RangeTableAndStartsAreReported()
    {
        var data = Data();
        var json = Path.Combine(_directory, "range.json");
        var (code, output, _) = Gpuest.Run("fit", "--model", "gaussian-mixture", "--data", data, "--x", "a,b", "--components", "2:3", "--starts", "3", "--device", "native", "--json", json);
        Assert.Equal(GpuestApp.Ok, code);
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))!;
        Assert.Equal(3, (int)root["chosenComponents"]!);
        Assert.Equal([2, 3], root["componentCounts"]!.AsArray().Select(row => (int)row!["components"]!));
        Assert.Contains("3 starts: all reached the same log-likelihood (the best found; agreement is no proof of the global maximum", output);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
