using GpuEstimation.Backends;
using GpuEstimation.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace GpuEstimation.Tests.Estimation;

/// <summary>
/// NIST StRD nonlinear regression through the whole pipeline (Levenberg–Marquardt on the normal equations, the report's
/// NIST standard errors), every problem with a hand-written mean from both starts: at least 4 correct digits in every
/// estimate and 3 in every standard error where the fit converged, and every miss reported as not converged.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class NonlinearNistTests(DeviceFixture devices, ITestOutputHelper output)
{
    public static IEnumerable<object[]> Cases =>
        NistNonlinear.All.Where(NistMeans.Factories.ContainsKey).SelectMany(name => new[] { new object[] { name, 1 }, [name, 2] });

    [Theory]
    [MemberData(nameof(Cases))]
    public void CertifiedDigitsOrNotConverged(string name, int start)
    {
        var problem = NistNonlinear.Load(name);
        var result = NistNonlinearHarness.Run(devices.Native, problem, start, NistMeans.Factories[name]);
        output.WriteLine($"{name} start {start}: converged {result.Fit.Converged} ({result.Fit.Reason}), {result.Fit.Iterations} iterations, " +
            $"estimates {string.Join(" ", result.EstimateDigits.Select(d => d.ToString("F1")))}, SEs {string.Join(" ", result.ErrorDigits.Select(d => d.ToString("F1")))}, residual SD {result.ResidualSdDigits:F1}");
        if (!result.Fit.Converged)
            return;
        Assert.True(result.MinEstimateDigits >= 4, $"{name} start {start}: converged with {result.MinEstimateDigits:F1} correct digits");
        Assert.True(result.MinErrorDigits >= 3, $"{name} start {start}: standard errors to {result.MinErrorDigits:F1} digits");
        Assert.True(result.ResidualSdDigits >= 3, $"{name} start {start}: residual standard deviation to {result.ResidualSdDigits:F1} digits");
    }
}
