using GpuEstimation.Data;
using GpuEstimation.Backends;
using GpuEstimation.Engine;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Mixtures;
using GpuEstimation.Models;
using GpuEstimation.Tests.Mixtures;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Engine;

/// <summary>
/// Row blocks shared over several devices (<see cref="KernelBlocks.Shards"/>), on two and three CPU accelerators
/// (instances of ILGPU's one emulated CPU device): with blocks of 1,024 rows over 10,000 rows (10 blocks, runs of 5 + 5
/// and 3 + 3 + 4), value and gradient, per-row log-densities, a sweep, score products and cluster score products give
/// the bits of one device, also with each device streaming its run under a memory limit; so do (on three) a GLM's
/// Hessian pass and a nonlinear regression's least-squares sums, and (on two) a wide design's passes and a Gaussian
/// mixture's EM steps. A device list names what it opened; a missing index is an error.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class ShardingTests(DeviceFixture devices)
{
    private const int BlockRows = 1024;
    private const int Rows = 10_000;

    [Fact]
    public void NormalPassesOnSeveralDevicesAreBitIdenticalToOne()
    {
        var x = NormalSamples.Draw(Rows, 11, 2, 3);
        double[] at = [1.9, 3.2];
        using var blocks = KernelBlocks.Override(BlockRows);
        SameBits.NormalPasses expected;
        using (var engine = new LikelihoodEngine<NormalModel>(devices.Cpu, new NormalModel(), [x]))
            expected = SameBits.Normal(engine, at);
        // Against the closed form, so that the comparison is with a right answer: Σ log φ((x − μ)/σ) − n log σ.
        double closed = x.Sum(v => -0.5 * Math.Log(2 * Math.PI) - Math.Log(at[1]) - 0.5 * Math.Pow((v - at[0]) / at[1], 2));
        Assert.True(Math.Abs(expected.Value - closed) <= 1e-10 * Math.Abs(closed), $"{expected.Value:R} vs {closed:R}");

        foreach (var indices in new[] { new[] { 0, 1 }, [2, 0, 1] })
        {
            using var several = ComputeDevice.Open(Backend.Cpu, DeviceSelection.Of(indices), null, null, null);
            Assert.Equal(indices.Length, several.Accelerators.Count);
            Assert.StartsWith($"cpu: {indices.Length} × ", several.Description);
            foreach (long? limit in new long?[] { null, 3L * BlockRows * sizeof(double) })
            {
                using var limited = KernelBlocks.Override(BlockRows, limit);
                using var engine = new LikelihoodEngine<NormalModel>(several, new NormalModel(), [x]);
                var actual = SameBits.Normal(engine, at);
                // A limit of three blocks per device: runs of five stream four blocks each; of three, none; of four, three.
                Assert.Equal((limit is null ? 0 : indices.Length == 2 ? 8 : 3, 10), actual.Blocks);
                SameBits.AssertEqual(expected, actual);
            }
        }
    }

    [Fact]
    public void GlmHessianAndLeastSquaresOnSeveralDevicesAreBitIdenticalToOne()
    {
        var glm = SameBits.LogitAndRat43Case(Rows, 13);
        using var blocks = KernelBlocks.Override(BlockRows);
        var expected = SameBits.Hessian(devices.Cpu, glm.Model, glm.Columns, glm.Theta);
        var expectedLs = SameBits.LeastSquares(devices.Cpu, glm.Mean, glm.RatColumns, glm.RatAt);
        // Three devices only (runs of 3 + 3 + 4 blocks): the CPU accelerator compiles each kernel for each, a second apiece.
        using var several = ComputeDevice.Open(Backend.Cpu, DeviceSelection.Of(0, 1, 2), null, null, null);
        var actual = SameBits.Hessian(several, glm.Model, glm.Columns, glm.Theta);
        Assert.Equal(expected.Value, actual.Value);
        Assert.Equal(expected.Gradient, actual.Gradient);
        Assert.Equal(expected.Hessian, actual.Hessian);
        var actualLs = SameBits.LeastSquares(several, glm.Mean, glm.RatColumns, glm.RatAt);
        Assert.Equal(expectedLs.Rss, actualLs.Rss);
        Assert.Equal(expectedLs.JacobianResidual, actualLs.JacobianResidual);
        Assert.Equal(expectedLs.Gram, actualLs.Gram);
    }

    [Fact]
    public void WideDesignPassesOnSeveralDevicesAreBitIdenticalToOne()
    {
        // 64 features (65 coefficients): the wide passes, per-row derivatives and tiled sums, as value and gradient and
        // as log-densities; blocks of 256 rows, 8 of them, 4 on each of two devices.
        const int features = 64, rows = 2048, blockRows = 256;
        var (model, columns, theta) = SameBits.WideLogit(features, rows, 17);
        using var blocks = KernelBlocks.Override(blockRows);
        var expected = Wide(devices.Cpu, model, columns, theta);
        using var several = ComputeDevice.Open(Backend.Cpu, DeviceSelection.Of(0, 1), null, null, null);
        var actual = Wide(several, model, columns, theta);
        Assert.Equal(expected.Value, actual.Value);
        Assert.Equal(expected.Gradient, actual.Gradient);
        Assert.Equal(expected.Densities, actual.Densities);
    }

    [Fact]
    public void GaussianMixtureOnSeveralDevicesIsBitIdenticalToOne()
    {
        // Blocks of 128 rows, 32 of them, 16 on each of two devices; 8 EM steps.
        var (columns, options) = SameBits.TwoComponentMixture();
        using var blocks = KernelBlocks.Override(128);
        GaussianMixtureResult one, two;
        using (var fitter = new GaussianMixtureFitter(["a", "b"], columns, devices.Cpu))
            one = fitter.Fit(options);
        using (var several = ComputeDevice.Open(Backend.Cpu, DeviceSelection.Of(0, 1), null, null, null))
        using (var fitter = new GaussianMixtureFitter(["a", "b"], columns, several))
            two = fitter.Fit(options);
        SameBits.AssertEqual(one, two);
    }

    [Fact]
    public void AllOpensEveryDeviceAndAMissingOneIsAnError()
    {
        var e = Assert.Throws<InputException>(() => ComputeDevice.Open(Backend.Cpu, DeviceSelection.Of(0, ComputeDevice.CpuAccelerators), null, null, null));
        Assert.Equal($"device cpu: no device {ComputeDevice.CpuAccelerators} (this machine has {ComputeDevice.CpuAccelerators}: 0-{ComputeDevice.CpuAccelerators - 1})", e.Message);
        Assert.Contains("named twice", Assert.Throws<InputException>(() => DeviceSelection.Of(1, 1)).Message);
        Assert.Throws<InputException>(() => ComputeDevice.Open(Backend.Native, DeviceSelection.Every, null, null, null));
        // All: every instance the CPU backend offers, named once with their count.
        using var all = ComputeDevice.Open(Backend.Cpu, DeviceSelection.Every, null, null, null);
        Assert.Equal(ComputeDevice.CpuAccelerators, all.Accelerators.Count);
        Assert.Equal($"cpu: {ComputeDevice.CpuAccelerators} × {all.Accelerators[0].Name}", all.Description);
        Assert.Throws<InvalidOperationException>(() => all.Accelerator);
    }

    private static (double Value, double[] Gradient, double[] Densities) Wide(ComputeDevice device, GlmModel model, double[][] columns, double[] theta)
    {
        using var engine = new LikelihoodEngine<GlmModel>(device, model, columns.AsColumns());
        var gradient = new double[theta.Length];
        double value = engine.Evaluate(theta, gradient);
        return (value, gradient, engine.LogDensities(theta));
    }
}
