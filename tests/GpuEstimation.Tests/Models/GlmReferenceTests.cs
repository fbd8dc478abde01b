using System.Text.Json;
using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Models;
using GpuEstimation.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace GpuEstimation.Tests.Models;

/// <summary>
/// GLM fits against statsmodels on the same data (Models/reference/glm, written by bench/compare/glm_reference.py):
/// logit with and without an intercept, probit, binomial counts with cloglog, Poisson with an offset and with the
/// identity link, NB2, gamma (log and inverse links), normal (identity and log), and frequency weights. The
/// references are maximum-likelihood fits with standard errors from the observed information, as here (the script
/// says how it makes statsmodels' GLM answers so).
/// </summary>
[Collection(DeviceCollection.Name)]
public class GlmReferenceTests(DeviceFixture devices, ITestOutputHelper output)
{
    // Coefficients: relative, or absolute for estimates within 1e-3 of 0 (none here is; the rule is stated for later
    // cases). Standard errors and the family's parameter: relative. Log-likelihood: relative.
    private const double CoefficientTolerance = 1e-7;
    private const double StdErrorTolerance = 1e-5;
    private const double LogLikelihoodTolerance = 1e-9;

    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Models", "reference", "glm");

    public static IEnumerable<object[]> Cases =>
        Reference().RootElement.GetProperty("cases").EnumerateArray().Select(c => new object[] { c.GetProperty("name").GetString()! });

    [Theory]
    [MemberData(nameof(Cases))]
    public void FitMatchesStatsmodels(string name)
    {
        using var document = Reference();
        var reference = document.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        var spec = Spec(reference);
        using var session = new EstimationSession(spec, devices.Native);

        var fit = session.Fit(new FitOptions());

        Assert.True(fit.Converged, $"{name}: {fit.Reason}");
        var expected = reference.GetProperty("parameters").EnumerateArray().ToArray();
        Assert.Equal(expected.Select(p => p.GetProperty("name").GetString()), fit.Parameters.Select(p => p.Name));
        double worstEstimate = 0, worstError = 0;
        foreach (var parameter in expected)
        {
            var parameterName = parameter.GetProperty("name").GetString()!;
            var estimate = fit.Get(parameterName);
            double want = parameter.GetProperty("estimate").GetDouble(), wantError = parameter.GetProperty("stdError").GetDouble();
            double error = Math.Abs(want) < 1e-3 ? Math.Abs(estimate.Estimate - want) : Numerics.Relative(estimate.Estimate, want);
            double seError = Numerics.Relative(estimate.StdError ?? double.NaN, wantError);
            worstEstimate = Math.Max(worstEstimate, error);
            worstError = Math.Max(worstError, seError);
            Assert.True(error <= CoefficientTolerance, $"{name} {parameterName}: {estimate.Estimate:R} vs statsmodels {want:R} ({error:G3})");
            Assert.True(seError <= StdErrorTolerance, $"{name} {parameterName} SE: {estimate.StdError:R} vs statsmodels {wantError:R} ({seError:G3})");
        }
        double logLikelihood = reference.GetProperty("logLikelihood").GetDouble();
        double llError = Numerics.Relative(fit.LogLikelihood, logLikelihood);
        output.WriteLine($"{name}: worst estimate {worstEstimate:G3}, worst SE {worstError:G3}, log-likelihood {llError:G3}; {fit.Iterations} iterations, {fit.Evaluations} evaluations");
        Assert.True(llError <= LogLikelihoodTolerance, $"{name} log-likelihood: {fit.LogLikelihood:R} vs statsmodels {logLikelihood:R} ({llError:G3})");
    }

    // The device kernels give the fit the native backend gives (same data, same start) on each backend present.
    [Theory]
    [MemberData(nameof(DeviceFixture.Backends), MemberType = typeof(DeviceFixture))]
    public void NegativeBinomialFitIsTheSameOnEveryBackend(Backend backend)
    {
        using var document = Reference();
        var reference = document.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "negbinomial");
        var spec = Spec(reference);
        using var session = new EstimationSession(spec, devices[backend]);
        var fit = session.Fit(new FitOptions());
        Assert.True(fit.Converged, fit.Reason);
        foreach (var parameter in reference.GetProperty("parameters").EnumerateArray())
        {
            double want = parameter.GetProperty("estimate").GetDouble();
            double got = fit[parameter.GetProperty("name").GetString()!];
            Assert.True(Numerics.Relative(got, want) <= CoefficientTolerance, $"{backend}: {parameter.GetProperty("name").GetString()} {got:R} vs {want:R}");
        }
    }

    internal static IModelSpec Spec(JsonElement reference)
    {
        string? Text(string property) => reference.GetProperty(property).ValueKind == JsonValueKind.Null ? null : reference.GetProperty(property).GetString();
        var x = reference.GetProperty("x").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var wanted = new[] { "y" }.Concat(x).Append(Text("trials")).Append(Text("offset")).Append(Text("weights")).OfType<string>().ToArray();
        var data = DataFile.Read(Path.Combine(Folder, reference.GetProperty("file").GetString()!), wanted);
        var columns = new ModelColumns(Y: "y", X: x, TrialsColumn: Text("trials"))
        {
            Family = Text("family") is { } family && reference.GetProperty("model").GetString() == "glm" ? family : null,
            Link = reference.GetProperty("model").GetString() == "glm" ? Text("link") : null,
            Offset = Text("offset"),
            Weights = Text("weights"),
            Intercept = reference.GetProperty("intercept").GetBoolean(),
        };
        return ModelCatalog.Create(reference.GetProperty("model").GetString()!, data, columns);
    }

    private static JsonDocument Reference() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "reference.json")));
}
