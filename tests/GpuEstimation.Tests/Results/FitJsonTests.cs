using System.Text.Json;
using GpuEstimation.Estimation;
using GpuEstimation.Results;
using GpuEstimation.Tests.Support;
using Xunit;
using static GpuEstimation.Tests.Results.JsonAssert;

namespace GpuEstimation.Tests.Results;

/// <summary>
/// The fit and evaluation JSON contracts, frozen: field names and order, omitted versus null, every value exact or
/// null (checked byte for byte against the hand-written writer they replaced, then kept as these assertions).
/// </summary>
[Collection(DeviceCollection.Name)]
public class FitJsonTests(DeviceFixture devices)
{
    private static readonly string[] ParameterFields = ["name", "estimate", "fixed", "stdError", "z", "pValue", "interval", "profileInterval"];

    private static readonly string[] ConvergenceFields = ["converged", "reason", "iterations", "evaluations", "gradientNorm", "edm"];

    [Fact]
    public void SamplesCoverEveryBranch()
    {
        var fits = ReportSamples.Fits(devices.Native).Select(s => s.Fit).ToArray();
        Assert.Contains(fits, f => f.LogPosterior is null);
        Assert.Contains(fits, f => f.LogPosterior is not null);
        Assert.Contains(fits, f => f.Covariance is null);
        Assert.Contains(fits, f => f.Covariance is not null && f.Covariance.Cast<double>().Any(v => !double.IsFinite(v)));
        var parameters = fits.SelectMany(f => f.Parameters).ToArray();
        Assert.Contains(parameters, p => p.Fixed);
        Assert.Contains(parameters, p => p.Profile is not null && double.IsFinite(p.Profile.Lower ?? double.NaN));
        Assert.Contains(parameters, p => p.Wald is not null && p.Wald.Upper is null);
        Assert.Contains(parameters, p => p.Profile is null);
        Assert.Contains(parameters, p => !double.IsFinite(p.Estimate));
    }

    [Fact]
    public void FitFieldsStandInContractOrder()
    {
        foreach (var (label, fit, ms) in ReportSamples.Fits(devices.Native))
        {
            foreach (var fitMs in new[] { ms, null })
            {
                using var json = JsonDocument.Parse(JsonReport.Fit(fit, fitMs));
                var root = json.RootElement;
                // logPosterior and fitMs are left out where absent; covariance is written, as null where absent.
                string[] expected =
                [
                    "model", "method", "device", "n", "level", "parameters", "logLikelihood",
                    .. fit.LogPosterior is null ? Array.Empty<string>() : ["logPosterior"],
                    "k", "aic", "bic", "covariance", "covType", .. ConvergenceFields, "optimizer", "diagnostics", "elapsedMs",
                    .. fitMs is null ? Array.Empty<string>() : ["fitMs"],
                ];
                Assert.True(expected.SequenceEqual(Names(root)), $"{label}: {string.Join(",", Names(root))}");
                foreach (var parameter in root.GetProperty("parameters").EnumerateArray())
                    Assert.Equal(ParameterFields, Names(parameter));
                Assert.Equal([.. ConvergenceFields, "hessian", "atBound", "notes", "atPriorKink"], Names(root.GetProperty("diagnostics")));
            }
        }
    }

    // A GLM's statistics and a regression's design follow the other fields, each value as the fit holds it.
    [Fact]
    public void GlmFitAddsItsStatisticsAndDesign()
    {
        var data = GpuEstimation.Data.Dataset.FromColumns(("y", [0.0, 1, 0, 1, 1, 0, 1, 1]), ("x", [0.5, 1.5, -0.2, 2.0, 0.1, -1.0, 0.3, 1.1]));
        var design = GpuEstimation.Design.DesignMatrix.Build(data, GpuEstimation.Design.DesignSpec.FromColumns("y", ["x"], []));
        var spec = GpuEstimation.Models.ModelCatalog.Create("logit", design.Data, design.Columns);
        using var session = new EstimationSession(spec, devices.Native);
        var fit = session.Fit(new FitOptions());
        fit = fit with { Glm = GpuEstimation.Models.GlmStatistics.Of(spec, fit, devices.Native), Design = GpuEstimation.Design.FittedDesign.Of(design) };

        using var json = JsonDocument.Parse(JsonReport.Fit(fit));
        var root = json.RootElement;

        string[] glm = ["family", "link", "deviance", "nullDeviance", "pearsonChi2", "dispersion", "logLikelihoodNull", "pseudoR2", "dfModel", "dfResid", "design"];
        Assert.Equal(glm, Names(root)[^glm.Length..]);
        Assert.Equal("elapsedMs", Names(root)[^(glm.Length + 1)]);
        var g = fit.Glm!;
        Assert.Equal("binomial", root.GetProperty("family").GetString());
        Assert.Equal("logit", root.GetProperty("link").GetString());
        Number(g.Deviance, root.GetProperty("deviance"), "glm");
        Number(g.NullDeviance, root.GetProperty("nullDeviance"), "glm");
        Number(g.PearsonChi2, root.GetProperty("pearsonChi2"), "glm");
        Number(g.Dispersion, root.GetProperty("dispersion"), "glm");
        Number(g.LogLikelihoodNull, root.GetProperty("logLikelihoodNull"), "glm");
        Number(g.PseudoR2, root.GetProperty("pseudoR2"), "glm");
        Number(1, root.GetProperty("dfModel"), "glm");
        Number(6, root.GetProperty("dfResid"), "glm");
        Assert.Equal(["formula", "response", "columns", "intercept", "offset", "factors"], Names(root.GetProperty("design")));
        Assert.Equal("y ~ x", root.GetProperty("design").GetProperty("formula").GetString());
    }

    [Fact]
    public void FitValuesAreExactOrNull()
    {
        foreach (var (label, fit, ms) in ReportSamples.Fits(devices.Native))
        {
            using var json = JsonDocument.Parse(JsonReport.Fit(fit, ms));
            var root = json.RootElement;
            Assert.Equal(fit.Model, root.GetProperty("model").GetString());
            Assert.Equal(fit.Method, root.GetProperty("method").GetString());
            Assert.Equal(fit.CovType, root.GetProperty("covType").GetString());
            Assert.Equal(fit.Device, root.GetProperty("device").GetString());
            Assert.Equal(fit.Optimizer, root.GetProperty("optimizer").GetString());
            Assert.Equal(fit.N, root.GetProperty("n").GetInt32());
            Assert.Equal(fit.FreeParameters, root.GetProperty("k").GetInt32());
            Number(fit.Level, root.GetProperty("level"), label);
            Number(fit.LogLikelihood, root.GetProperty("logLikelihood"), label);
            if (fit.LogPosterior is { } logPosterior)
                Number(logPosterior, root.GetProperty("logPosterior"), label);
            Number(fit.Aic, root.GetProperty("aic"), label);
            Number(fit.Bic, root.GetProperty("bic"), label);
            Number(fit.ElapsedMs, root.GetProperty("elapsedMs"), label);
            if (ms is { } fitMs)
                Number(fitMs, root.GetProperty("fitMs"), label);
            AssertCovariance(fit.Covariance, root.GetProperty("covariance"), label);
            AssertConvergence(fit.Diagnostics, root, label);
            var diagnostics = root.GetProperty("diagnostics");
            AssertConvergence(fit.Diagnostics, diagnostics, label);
            Assert.Equal(fit.Diagnostics.Hessian, diagnostics.GetProperty("hessian").GetString());
            Strings(fit.Diagnostics.AtBound, diagnostics.GetProperty("atBound"));
            Strings(fit.Diagnostics.Notes, diagnostics.GetProperty("notes"));
            var parameters = root.GetProperty("parameters").EnumerateArray().ToArray();
            Assert.Equal(fit.Parameters.Count, parameters.Length);
            for (int k = 0; k < parameters.Length; k++)
                AssertParameter(fit.Parameters[k], parameters[k], $"{label}, {fit.Parameters[k].Name}");
        }
    }

    private static void AssertParameter(ParameterEstimate expected, JsonElement element, string where)
    {
        Assert.Equal(expected.Name, element.GetProperty("name").GetString());
        Assert.Equal(expected.Fixed, element.GetProperty("fixed").GetBoolean());
        Number(expected.Estimate, element.GetProperty("estimate"), where);
        Number(expected.StdError, element.GetProperty("stdError"), where);
        Number(expected.Z, element.GetProperty("z"), where);
        Number(expected.PValue, element.GetProperty("pValue"), where);
        AssertInterval(expected.Wald, element.GetProperty("interval"), where);
        AssertInterval(expected.Profile, element.GetProperty("profileInterval"), where);
    }

    // An interval is [lower, upper] with an open end null, or null where there is none.
    private static void AssertInterval(Interval? expected, JsonElement element, string where)
    {
        if (expected is null)
            Assert.Equal(JsonValueKind.Null, element.ValueKind);
        else
            Numbers([expected.Lower, expected.Upper], element, where);
    }

    private static void AssertCovariance(double[,]? expected, JsonElement element, string where)
    {
        if (expected is null)
        {
            Assert.Equal(JsonValueKind.Null, element.ValueKind);
            return;
        }
        var rows = element.EnumerateArray().ToArray();
        Assert.Equal(expected.GetLength(0), rows.Length);
        for (int i = 0; i < rows.Length; i++)
            Numbers(Enumerable.Range(0, expected.GetLength(1)).Select(j => expected[i, j]).ToArray(), rows[i], $"{where}, covariance row {i}");
    }

    private static void AssertConvergence(Diagnostics expected, JsonElement element, string where)
    {
        Assert.Equal(expected.Converged, element.GetProperty("converged").GetBoolean());
        Assert.Equal(expected.Reason, element.GetProperty("reason").GetString());
        Assert.Equal(expected.Iterations, element.GetProperty("iterations").GetInt32());
        Assert.Equal(expected.Evaluations, element.GetProperty("evaluations").GetInt32());
        Number(expected.GradientNorm, element.GetProperty("gradientNorm"), where);
        Number(expected.Edm, element.GetProperty("edm"), where);
    }

    [Fact]
    public void EvaluationFieldsAndValues()
    {
        foreach (var (model, evaluation, ms) in ReportSamples.Evaluations(devices.Native))
        {
            foreach (var evalMs in new[] { ms, null })
            {
                using var json = JsonDocument.Parse(JsonReport.Evaluation(model, evaluation, evalMs));
                var root = json.RootElement;
                string[] expected = ["model", "device", "n", "at", "logLikelihood", "gradient", .. evalMs is null ? Array.Empty<string>() : ["evalMs"]];
                Assert.Equal(expected, Names(root));
                Assert.Equal(model, root.GetProperty("model").GetString());
                Assert.Equal(evaluation.Device, root.GetProperty("device").GetString());
                Assert.Equal(evaluation.N, root.GetProperty("n").GetInt32());
                Number(evaluation.LogLikelihood, root.GetProperty("logLikelihood"), model);
                if (evalMs is { } value)
                    Number(value, root.GetProperty("evalMs"), model);
                AssertNamed(evaluation.Names, evaluation.At, root.GetProperty("at"), model);
                AssertNamed(evaluation.Names, evaluation.Gradient, root.GetProperty("gradient"), model);
            }
        }
    }

    private static void AssertNamed(IReadOnlyList<string> names, double[] values, JsonElement element, string where)
    {
        var entries = element.EnumerateArray().ToArray();
        Assert.Equal(names.Count, entries.Length);
        for (int k = 0; k < entries.Length; k++)
        {
            Assert.Equal(["name", "value"], Names(entries[k]));
            Assert.Equal(names[k], entries[k].GetProperty("name").GetString());
            Number(values[k], entries[k].GetProperty("value"), $"{where}, {names[k]}");
        }
    }

    // Indented by two spaces, one field a line, UTF-8 escaped only where JSON requires it: a note's 'x' or → reads as
    // written (a trial found \u0027x\u0027 in every note, the default encoder's escaping for HTML pages), and the
    // document parses back to the same strings.
    [Fact]
    public void TextIsIndentedAndEscapedOnlyWhereJsonRequires()
    {
        foreach (var (label, fit, ms) in ReportSamples.Fits(devices.Native))
        {
            string text = JsonReport.Fit(fit, ms);
            var lines = text.Split(Environment.NewLine);
            Assert.Equal("{", lines[0]);
            Assert.StartsWith("  \"model\": \"", lines[1]);
            Assert.StartsWith("  \"method\": \"", lines[2]);
            Assert.Equal("}", lines[^1]);
            Assert.DoesNotContain("\\u0027", text);
            Assert.DoesNotContain("\\u2192", text);
            using var document = JsonDocument.Parse(text);
            var notes = document.RootElement.GetProperty("diagnostics").GetProperty("notes").EnumerateArray().Select(n => n.GetString()!).ToArray();
            Assert.Equal(fit.Diagnostics.Notes, notes);
            Assert.DoesNotContain("NaN", text);
            Assert.DoesNotContain("Infinity", text);
        }
    }
}
