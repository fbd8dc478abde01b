using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Engine;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Models;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Backends;

[Collection(DeviceCollection.Name)]
public class BackendTests(DeviceFixture devices)
{
    private static readonly double[] X = NormalSamples.Draw(1_000_003, 71, -0.7, 0.3);

    [Fact]
    public void CpuAcceleratorIsAlwaysListedAndUsable()
    {
        var list = ComputeDevice.List();
        Assert.Contains(list, d => d.Backend == Backend.Cpu && d.Usable);
        Assert.All(list.Where(d => !d.Usable), d => Assert.False(string.IsNullOrWhiteSpace(d.Reason)));
    }

    [Fact]
    public void ThreadCountBelowOneIsRefused() =>
        Assert.Equal("threads", Assert.Throws<ArgumentOutOfRangeException>(() => ComputeDevice.Open(Backend.Native, threads: 0)).ParamName);

    [SkippableFact]
    public void CudaAgreesWithTheCpuAccelerator() => AgreesWithCpu(Backend.Cuda);

    [SkippableFact]
    public void OpenClAgreesWithTheCpuAccelerator() => AgreesWithCpu(Backend.OpenCL);

    private void AgreesWithCpu(Backend backend)
    {
        Skip.IfNot(DeviceFixture.Present.Contains(backend), $"no usable {backend} device on this machine");
        var gpu = new double[2];
        var cpu = new double[2];
        using (var engine = new LikelihoodEngine<NormalModel>(devices[backend], new NormalModel(), [X]))
        {
            double a = engine.Evaluate([-0.69, 0.31], gpu);
            using var reference = new LikelihoodEngine<NormalModel>(devices.Cpu, new NormalModel(), [X]);
            double b = reference.Evaluate([-0.69, 0.31], cpu);
            Assert.True(Numerics.Relative(a, b) <= 1e-12, $"{backend} {a:R} vs cpu {b:R}");
        }
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X)), "x");
        using var session = new EstimationSession(spec, devices[backend]);
        var fit = session.Fit(new FitOptions { Start = new Dictionary<string, double> { ["mu"] = 0, ["sigma"] = 1 } });
        Assert.True(fit.Converged, fit.Reason);
        Assert.True(Numerics.Relative(fit["mu"], Numerics.Sum(X) / X.Length) <= 1e-10);
    }
}
