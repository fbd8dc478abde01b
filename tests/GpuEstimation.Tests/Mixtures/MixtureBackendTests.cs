using GpuEstimation.Backends;
using GpuEstimation.Mixtures;
using GpuEstimation.Tests.Support;
using MathNet.Numerics.Distributions;
using Xunit;

namespace GpuEstimation.Tests.Mixtures;

/// <summary>
/// The mixtures' kernels on every ILGPU backend present (the CPU accelerator here, OpenCL in CI's PoCL run, CUDA
/// where there is one) against the native passes: the Gaussian mixture's statistics kernel (row and responsibilities
/// in local memory, the sums' loop unrolled) through one EM step of a full-covariance fit, and the one-column normal
/// mixture's unrolled kernel through its statistics.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class MixtureBackendTests(DeviceFixture devices)
{
    public static IEnumerable<object[]> KernelBackends => DeviceFixture.Present.Where(b => b != Backend.Native).Select(b => new object[] { b });

    [Theory]
    [MemberData(nameof(KernelBackends))]
    public void GaussianMixtureStepAgreesWithNative(Backend backend)
    {
        var columns = MixtureSamples.Draw(MixtureSamples.TwoD, 1500, seed: 21);
        string[] names = ["a", "b"];
        var options = new GaussianMixtureOptions { Components = 3, Starts = 1, MaxIterations = 1, Accelerate = false, StandardErrors = false };
        using var native = new GaussianMixtureFitter(names, columns, devices.Native);
        using var device = new GaussianMixtureFitter(names, columns, devices[backend]);
        var (a, b) = (native.Fit(options), device.Fit(options));
        Assert.Equal(a.LogLikelihood, b.LogLikelihood, 1e-11 * Math.Abs(a.LogLikelihood));
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(a.Components[c].Weight, b.Components[c].Weight, 1e-11);
            for (int j = 0; j < 2; j++)
                Assert.Equal(a.Components[c].Mean[j], b.Components[c].Mean[j], 1e-10);
        }
    }

    [Theory]
    [MemberData(nameof(KernelBackends))]
    public void NormalMixtureStatisticsAgreeWithNative(Backend backend)
    {
        const int components = 5;
        var random = new Random(4);
        var x = Enumerable.Range(0, 2501).Select(_ => Normal.Sample(random, 0, 2)).ToArray();
        var packed = new double[3 * components];
        for (int c = 0; c < components; c++)
        {
            double sigma = 0.6 + 0.3 * c;
            packed[3 * c] = Math.Log(1.0 / components) - Math.Log(sigma) - 0.5 * Math.Log(2 * Math.PI);
            packed[3 * c + 1] = -3 + 1.5 * c;
            packed[3 * c + 2] = 1 / sigma;
        }
        var codes = MixturePass.NormalCodes(components);
        using var onDevice = MixturePass.OpenNormal(devices[backend], x, components);
        using var onHost = MixturePass.OpenNormal(devices.Native, x, components);
        var (a, b) = (new double[codes.Length], new double[codes.Length]);
        double va = onDevice.Run(packed, codes, a), vb = onHost.Run(packed, codes, b);
        Assert.Equal(vb, va, 1e-12 * Math.Abs(vb));
        for (int e = 0; e < codes.Length; e++)
            Assert.True(Math.Abs(a[e] - b[e]) <= 1e-12 * (1 + Math.Abs(b[e])), $"statistic {e}: {a[e]:R} vs native {b[e]:R}");
    }
}
