using System.Text.Json;
using System.Text.RegularExpressions;
using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Design;
using GpuEstimation.Estimation;
using GpuEstimation.Models;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Design;

/// <summary>
/// Designs and linear fits against statsmodels' <c>ols(formula)</c> (patsy's coding) on the same file: reference output
/// written by bench/compare/design_reference.py and committed beside this test.
/// </summary>
public sealed partial class StatsmodelsDesignTests
{
    public static TheoryData<int> Fits() => [.. Enumerable.Range(0, Reference().GetProperty("fits").GetArrayLength())];

    [Theory]
    [MemberData(nameof(Fits))]
    public void SameColumnsEstimatesAndStandardErrors(int index)
    {
        var reference = Reference().GetProperty("fits")[index];
        var formula = reference.GetProperty("formula").GetString()!;
        var names = reference.GetProperty("names").EnumerateArray().Select(n => Ours(n.GetString()!)).ToArray();
        var estimates = reference.GetProperty("estimates").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var errors = reference.GetProperty("stdErrors").EnumerateArray().Select(e => e.GetDouble()).ToArray();

        var spec = Formula.Parse(formula);
        var data = DataFile.Read(Path.Combine(Directory(), "design.csv"), spec.NumericColumns, spec.FactorColumns);
        var design = DesignMatrix.Build(data, spec);
        var ours = (design.Intercept ? ["intercept"] : Array.Empty<string>()).Concat(design.Names).ToArray();

        // The same columns; patsy orders terms by their numeric variables, R (and this engine) by degree, so the order
        // is compared within each term (the levels of an interaction, first variable fastest).
        Assert.Equal(names.Order(StringComparer.Ordinal), ours.Order(StringComparer.Ordinal));
        Assert.Equal(Within(names), Within(ours));
        if (!design.Intercept)
            return;   // the linear model always has an intercept; the design's columns were the test

        var model = ModelCatalog.Create(ModelCatalog.LinearName, design.Data, design.Columns);
        var fit = Estimator.Fit(model, backend: Backend.Native);
        Assert.True(fit.Converged, fit.Reason);
        var ordinary = LinearStatistics.Of(model, fit)!.StdErrorNist;
        // statsmodels' standard errors use s² = RSS/(n − p); the MLE's use σ̂² = RSS/n.
        double n = data.Rows, p = names.Length;
        for (int k = 0; k < names.Length; k++)
        {
            var estimate = fit.Parameters.Single(q => q.Name == names[k]);
            Assert.True(Math.Abs(estimate.Estimate - estimates[k]) <= 1e-8 * Math.Max(1, Math.Abs(estimates[k])), $"{formula}: {names[k]} {estimate.Estimate:R} vs statsmodels {estimates[k]:R}");
            double expected = errors[k] * Math.Sqrt((n - p) / n);
            Assert.True(Numerics.Relative(estimate.StdError!.Value, expected) <= 1e-5, $"{formula}: se {names[k]} {estimate.StdError:R} vs {expected:R}");
            // --se nist's: statsmodels' own (bse).
            Assert.True(Numerics.Relative(ordinary[names[k]], errors[k]) <= 1e-5, $"{formula}: OLS se {names[k]} {ordinary[names[k]]:R} vs statsmodels {errors[k]:R}");
        }
    }

    // patsy's names in this engine's spelling: C(g)[T.b] and C(g)[b] are g[b], Intercept is intercept.
    private static string Ours(string patsy) =>
        patsy == "Intercept" ? "intercept" : PatsyFactor().Replace(patsy, m => $"{m.Groups[1].Value}[{m.Groups[2].Value}]");

    private static IEnumerable<string> Within(IEnumerable<string> names) =>
        names.GroupBy(n => Level().Replace(n, "")).OrderBy(g => g.Key, StringComparer.Ordinal).SelectMany(g => g);

    private static string Directory() => Path.Combine(Repository.Root(), "tests", "GpuEstimation.Tests", "Design", "reference");

    private static JsonElement Reference() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory(), "design-statsmodels.json"))).RootElement;

    [GeneratedRegex(@"C\(([^)]*)\)\[(?:T\.)?([^\]]*)\]")]
    private static partial Regex PatsyFactor();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Level();
}
