using GpuEstimation.Engine;
using GpuEstimation.Mixtures;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Mixtures;

/// <summary>
/// The Gaussian-mixture EM pass on the CPU accelerator over row blocks streamed through the device (blocks of 128
/// rows, 32 of them, a limit a tenth of the data's size: two device buffers and one resident block) gives the resident
/// fit's bits: log-likelihood, weights, means and covariances after 8 EM steps; and its device line says it streamed
/// (a trial: "cpu: CPUAccelerator" alone).
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class GaussianMixtureStreamingTests(DeviceFixture devices)
{
    [Fact]
    public void StreamedFitIsBitIdenticalToResident()
    {
        var (columns, options) = SameBits.TwoComponentMixture();
        using var blocks = KernelBlocks.Override(128);
        GaussianMixtureResult resident, streamed;
        using (var fitter = new GaussianMixtureFitter(["a", "b"], columns, devices.Cpu))
            resident = fitter.Fit(options);
        using (KernelBlocks.Override(128, 2L * 4000 * sizeof(double) / 10))
        using (var fitter = new GaussianMixtureFitter(["a", "b"], columns, devices.Cpu))
            streamed = fitter.Fit(options);

        SameBits.AssertEqual(resident, streamed);
        Assert.DoesNotContain("data streamed", resident.Device);
        Assert.EndsWith(" (data streamed: 31 of 32 row blocks)", streamed.Device);
    }
}

/// <summary>
/// A one-column normal mixture streamed past a device limit says so on its device line, as every other streamed fit
/// does (a trial: "cpu: CPUAccelerator" alone), and gives the resident fit's estimates bit for bit.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class NormalMixtureStreamingTests(DeviceFixture devices)
{
    [Fact]
    public void AStreamedNormalMixtureSaysSoAndKeepsItsBits()
    {
        var random = new Random(21);
        var x = Enumerable.Range(0, 4000).Select(i => i % 5 < 2 ? MathNet.Numerics.Distributions.Normal.Sample(random, -2, 1) : MathNet.Numerics.Distributions.Normal.Sample(random, 3, 1.5)).ToArray();
        var spec = MixtureSpec.Create(GpuEstimation.Data.Dataset.FromColumns(("x", x)), "x", ["normal", "normal"]);
        var options = new MixtureOptions { Starts = 1, Seed = 3 };
        using var blocks = KernelBlocks.Override(128);
        var resident = MixtureEstimator.Fit(spec, devices.Cpu, options);
        MixtureFit streamed;
        using (KernelBlocks.Override(128, 4000L * sizeof(double) / 10))
            streamed = MixtureEstimator.Fit(spec, devices.Cpu, options);
        Assert.DoesNotContain("data streamed", resident.Result.Device);
        Assert.Contains("(data streamed: ", streamed.Result.Device);
        Assert.Equal(resident.Result.Parameters.Select(p => p.Estimate), streamed.Result.Parameters.Select(p => p.Estimate));
    }
}
