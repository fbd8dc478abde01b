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
        var (columns, options) = SameBits.TwoComponentMixture();
        using var blocks = KernelBlocks.Override(128);
        GaussianMixtureResult resident, streamed;
        using (var fitter = new GaussianMixtureFitter(["a", "b"], columns, devices.Cpu))
            resident = fitter.Fit(options);
        using (KernelBlocks.Override(128, 2L * 4000 * sizeof(double) / 10))
        using (var fitter = new GaussianMixtureFitter(["a", "b"], columns, devices.Cpu))
            streamed = fitter.Fit(options);

        SameBits.AssertEqual(resident, streamed);
    }
}
