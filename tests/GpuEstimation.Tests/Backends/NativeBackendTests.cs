using GpuEstimation.Backends;
using GpuEstimation.Cli;
using GpuEstimation.Engine;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Models;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Backends;

[Collection(DeviceCollection.Name)]
public class NativeBackendTests(DeviceFixture devices)
{
    // Every model the project has: the native estimates equal the CPU accelerator's (the kernels) to 1e-12.
    [Theory]
    [MemberData(nameof(SampleModels.All), MemberType = typeof(SampleModels))]
    public void NativeEstimatesEqualTheCpuAcceleratorsToE12(string model)
    {
        var spec = SampleModels.Spec(model);
        var options = new FitOptions();
        FitResult native, accelerator;
        using (var session = new EstimationSession(spec, devices.Native))
            native = session.Fit(options);
        using (var session = new EstimationSession(spec, devices.Cpu))
            accelerator = session.Fit(options);

        Assert.True(native.Converged && accelerator.Converged);
        Assert.StartsWith("native: ", native.Device);
        for (int k = 0; k < native.Parameters.Count; k++)
        {
            var a = native.Parameters[k];
            var b = accelerator.Parameters[k];
            Assert.True(Numerics.Relative(a.Estimate, b.Estimate) <= 1e-12, $"{model} {a.Name}: native {a.Estimate:R}, cpu {b.Estimate:R}");
            Assert.True(Numerics.Relative(a.StdError!.Value, b.StdError!.Value) <= 1e-8, $"{model} {a.Name} standard error");
        }
        Assert.True(Numerics.Relative(native.LogLikelihood, accelerator.LogLikelihood) <= 1e-12);
    }

    // The chunk partition and the order of the chunk sums do not depend on the thread count.
    [Theory]
    [MemberData(nameof(SampleModels.All), MemberType = typeof(SampleModels))]
    public void ResultsAreBitIdenticalWithOneTwoAndThreeThreads(string model)
    {
        var spec = SampleModels.Spec(model);
        var results = new[] { 1, 2, 3 }.Select(threads =>
        {
            using var device = ComputeDevice.Open(Backend.Native, threads);
            using var session = new EstimationSession(spec, device);
            return session.Fit(new FitOptions());
        }).ToArray();
        foreach (var other in results.Skip(1))
        {
            Assert.Equal(Bits(results[0]), Bits(other));
            Assert.Equal(BitConverter.DoubleToInt64Bits(results[0].LogLikelihood), BitConverter.DoubleToInt64Bits(other.LogLikelihood));
        }
    }

    [Fact]
    public void EngineGradientMatchesTheKernelsOnEveryRowCount()
    {
        foreach (int n in new[] { 0, 1, 3, 4, 5, 32_767, 32_768, 32_769 })
        {
            var x = NormalSamples.Draw(n, n + 5, 1, 2);
            using var native = new LikelihoodEngine<NormalModel>(devices.Native, new NormalModel(), [x]);
            using var kernel = new LikelihoodEngine<NormalModel>(devices.Cpu, new NormalModel(), [x]);
            var g1 = new double[2];
            var g2 = new double[2];
            double v1 = native.Evaluate([0.9, 2.2], g1);
            double v2 = kernel.Evaluate([0.9, 2.2], g2);
            Assert.True(Numerics.Relative(v1, v2) <= 1e-12, $"n={n}: {v1:R} vs {v2:R}");
            for (int k = 0; k < 2; k++)
                Assert.True(Math.Abs(g1[k] - g2[k]) <= 1e-12 * Math.Max(1, n) * 10, $"n={n} gradient[{k}]: {g1[k]:R} vs {g2[k]:R}");
        }
    }

    [SkippableFact]
    public void AutoUsesNativeWhereThereIsNoGpuAndTheDemoSaysSo()
    {
        Skip.If(DeviceFixture.Present.Any(b => b is Backend.Cuda or Backend.OpenCL), "a GPU is present, so auto does not pick native here");
        using (var device = ComputeDevice.Open())
            Assert.Equal(Backend.Native, device.Backend);
        var output = new StringWriter();
        var pictures = Directory.CreateTempSubdirectory("gpuest-demo").FullName;
        int code = GpuestApp.Run(["demo", "--points", "5000", "--pictures", pictures], output, new StringWriter());
        Directory.Delete(pictures, recursive: true);
        Assert.Equal(0, code);
        Assert.Contains("device native: ", output.ToString());
    }

    [Fact]
    public void ZeroThreadsIsAnError()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ComputeDevice.Open(Backend.Native, 0));
        Assert.Equal("threads", e.ParamName);
    }

    private static IEnumerable<long> Bits(FitResult fit) => fit.Parameters.Select(p => BitConverter.DoubleToInt64Bits(p.Estimate));
}
