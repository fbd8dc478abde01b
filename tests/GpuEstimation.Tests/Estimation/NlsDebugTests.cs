using GpuEstimation.Estimation;
using GpuEstimation.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace GpuEstimation.Tests.Estimation;

[Collection(DeviceCollection.Name)]
public sealed class NlsDebugTests(DeviceFixture devices, ITestOutputHelper output)
{
    [Theory]
    [InlineData("MGH10", 1, 1000)]
    [InlineData("MGH10", 1, 20000)]
    [InlineData("BoxBOD", 1, 1000)]
    public void Debug(string name, int start, int iterations)
    {
        var problem = NistNonlinear.Load(name);
        var spec = NistMeans.Factories[name](problem, problem.Y, problem.Starts[start - 1]);
        using var session = new EstimationSession(spec, devices.Native);
        var fit = session.Fit(new FitOptions { Optimizer = new() { MaxIterations = iterations } });
        output.WriteLine($"{name} {start}: {fit.Converged} {fit.Reason} it {fit.Iterations} ev {fit.Evaluations} est {string.Join(" ", fit.Parameters.Select(p => p.Estimate))}");
    }
}
