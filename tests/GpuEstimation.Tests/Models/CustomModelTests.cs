using GpuEstimation.Estimation;
using GpuEstimation.Kernels;
using GpuEstimation.Models;
using GpuEstimation.Tests.Support;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;
using Xunit;

namespace GpuEstimation.Tests.Models;

// README: custom-model
/// <summary>Exponential(rate λ): log f(x) = log λ − λx, ∂/∂λ = 1/λ − x.</summary>
public readonly struct MyExponentialModel : ILikelihoodModel<MyExponentialModel>
{
    public int ParameterCount => 1;

    public int ColumnCount => 1;

    // Arguments: λ and log λ, so the kernel needs no logarithm per point.
    public static void Prepare(in MyExponentialModel model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        arguments[0] = parameters[0];
        arguments[1] = Math.Log(parameters[0]);
    }

    public static void Accumulate<TVec, TRows>(in MyExponentialModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double x = data[0, row];
        terms.Add(0, arguments.Get(1) - arguments.Get(0) * x);
        terms.Add(1, 1.0 / arguments.Get(0) - x);
    }
}
// README end

[Collection(DeviceCollection.Name)]
public class CustomModelTests(DeviceFixture devices)
{
    [Fact]
    public void UserModelFitsThroughTheLibraryApiToTheClosedForm()
    {
        var waitingTimes = new double[100_000];
        new Exponential(2.5, new Xoshiro256StarStar(61)).Samples(waitingTimes);
        var device = devices.Cpu;
        // README: custom-model-fit
        var spec = new ModelSpec<MyExponentialModel>("exponential", new MyExponentialModel(), [waitingTimes],
            [new ParameterInfo("rate", ParameterDomain.Positive)], start: [1.0]);
        using var session = new EstimationSession(spec, device);
        var fit = session.Fit(new FitOptions());   // fit["rate"] == n / Σx to 1e-10
        // README end
        // README: custom-model-check
        var check = session.CheckGradient([1.0]);   // away from the maximum; check.ToString() names any parameter that disagrees
        // README end
        Assert.True(check.Agrees, check.ToString());
        double rate = 1.0, expectedGradient = waitingTimes.Length / rate - Numerics.Sum(waitingTimes);
        Assert.True(Numerics.Relative(check.Parameters[0].Analytic, expectedGradient) <= 1e-12);
        Assert.True(Numerics.Relative(check.Parameters[0].Numeric, expectedGradient) <= 1e-8, $"{check.Parameters[0].Numeric:R} vs {expectedGradient:R}");

        Assert.True(fit.Converged, fit.Reason);
        var x = waitingTimes;
        double closedForm = x.Length / Numerics.Sum(x);
        Assert.True(Numerics.Relative(fit["rate"], closedForm) <= 1e-10, $"{fit["rate"]:R} vs {closedForm:R}");
        double expected = Numerics.Sum(x.Select(v => Exponential.PDFLn(fit["rate"], v)));
        Assert.True(Numerics.Relative(fit.LogLikelihood, expected) <= 1e-12);
    }

    [Fact]
    public void SpecRejectsMismatchedDescriptions()
    {
        var e = Assert.Throws<ArgumentException>(() => new ModelSpec<MyExponentialModel>("exponential", new MyExponentialModel(), [new double[3]],
            [new ParameterInfo("rate"), new ParameterInfo("extra")], start: [1.0, 2.0]));
        Assert.Contains("1 parameters, 2 were described", e.Message);
    }
}
