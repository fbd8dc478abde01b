using GpuEstimation.Engine;
using GpuEstimation.Mixtures;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Mixtures;

/// <summary>
/// The Gaussian-mixture EM pass on the CPU accelerator over row blocks streamed through the device (blocks of 128
/// rows, 32 of them, a limit a tenth of the data's size: two device buffers and one resident block) gives the resident
/// fit's bits: log-likelihood, weights, means and covariances after 8 EM steps.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class GaussianMixtureStreamingTests(DeviceFixture devices)
{
    [Fact]
    public void StreamedFitIsBitIdenticalToResident()
    {
        var truth = new MixtureSamples.Truth([0.4, 0.6], [[-2.0, 0.5], [2.0, -1.0]], [MixtureSamples.RandomCovariance(2, 1, 3), MixtureSamples.RandomCovariance(2, 1, 4)]);
        var columns = MixtureSamples.Draw(truth, 4000, seed: 12);
        var options = new GaussianMixtureOptions { Components = 2, StandardErrors = false, SubsampleRows = 0, MaxIterations = 8 };
        using var blocks = KernelBlocks.Override(128);
        GaussianMixtureResult resident, streamed;
        using (var fitter = new GaussianMixtureFitter(["a", "b"], columns, devices.Cpu))
            resident = fitter.Fit(options);
        using (KernelBlocks.Override(128, 2L * 4000 * sizeof(double) / 10))
        using (var fitter = new GaussianMixtureFitter(["a", "b"], columns, devices.Cpu))
            streamed = fitter.Fit(options);

        Assert.Equal(resident.LogLikelihood, streamed.LogLikelihood);
        Assert.Equal(resident.Iterations, streamed.Iterations);
        for (int c = 0; c < 2; c++)
        {
            Assert.Equal(resident.Components[c].Weight, streamed.Components[c].Weight);
            Assert.Equal(resident.Components[c].Mean, streamed.Components[c].Mean);
            Assert.Equal(resident.Components[c].Covariance, streamed.Components[c].Covariance);
        }
    }
}
