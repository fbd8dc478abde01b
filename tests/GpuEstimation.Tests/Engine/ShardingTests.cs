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
        var expected = Passes(devices.Cpu, x, at);
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
                var actual = Passes(several, x, at);
                // A limit of three blocks per device: runs of five stream four blocks each; of three, none; of four, three.
                Assert.Equal((limit is null ? 0 : indices.Length == 2 ? 8 : 3, 10), actual.Blocks);
                Assert.Equal(expected.Value, actual.Value);
                Assert.Equal(expected.Gradient, actual.Gradient);
                Assert.Equal(expected.Densities, actual.Densities);
                Assert.Equal(expected.Sweep, actual.Sweep);
                Assert.Equal(expected.Products, actual.Products);
                Assert.Equal(expected.Clusters, actual.Clusters);
            }
        }
    }

    [Fact]
    public void GlmHessianAndLeastSquaresOnSeveralDevicesAreBitIdenticalToOne()
    {
        var random = new Random(13);
        var x1 = NormalSamples.Draw(Rows, 13, 0, 1);
        var x2 = Enumerable.Range(0, Rows).Select(_ => random.NextDouble()).ToArray();
        var y = x1.Zip(x2, (a, b) => random.NextDouble() < 1 / (1 + Math.Exp(-(0.3 + a - 2 * b))) ? 1.0 : 0.0).ToArray();
        var model = new GlmModel(GlmFamily.Binomial, GlmLink.Logit, [0.0, 0.0]);
        double[] theta = [0.2, 0.9, -1.8];
        using var blocks = KernelBlocks.Override(BlockRows);
        var rat = Enumerable.Range(0, Rows).Select(i => 1 + 14.0 * i / Rows).ToArray();
        var ratY = rat.Select(v => 700 / Math.Pow(1 + Math.Exp(5.3 - 0.76 * v), 1 / 1.28) + random.NextDouble() - 0.5).ToArray();
        var mean = new NonlinearRegressionModel<NistMeans.Rat43>(new NistMeans.Rat43());
        double[] ratAt = [700, 5.2, 0.75, 1.3];
        var expected = Hessian(devices.Cpu, model, [y, x1, x2], theta);
        var expectedLs = LeastSquares(devices.Cpu, mean, [ratY, rat], ratAt);
        // Three devices only (runs of 3 + 3 + 4 blocks): the CPU accelerator compiles each kernel for each, a second apiece.
        using var several = ComputeDevice.Open(Backend.Cpu, DeviceSelection.Of(0, 1, 2), null, null, null);
        var actual = Hessian(several, model, [y, x1, x2], theta);
        Assert.Equal(expected.Value, actual.Value);
        Assert.Equal(expected.Gradient, actual.Gradient);
        Assert.Equal(expected.Hessian, actual.Hessian);
        var actualLs = LeastSquares(several, mean, [ratY, rat], ratAt);
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
        var random = new Random(17);
        var x = Enumerable.Range(0, features).Select(f => NormalSamples.Draw(rows, 17 * 1000 + f, 0, 1)).ToArray();
        var y = Enumerable.Range(0, rows).Select(i => random.NextDouble() < 1 / (1 + Math.Exp(-0.1 * x[i % features][i])) ? 1.0 : 0.0).ToArray();
        var model = new GlmModel(GlmFamily.Binomial, GlmLink.Logit, new double[features]);
        double[][] columns = [y, .. x];
        var theta = Enumerable.Range(0, features + 1).Select(j => 0.01 * (j % 7) - 0.02).ToArray();
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
        var truth = new MixtureSamples.Truth([0.4, 0.6], [[-2.0, 0.5], [2.0, -1.0]], [MixtureSamples.RandomCovariance(2, 1, 3), MixtureSamples.RandomCovariance(2, 1, 4)]);
        var columns = MixtureSamples.Draw(truth, 4000, seed: 12);
        var options = new GaussianMixtureOptions { Components = 2, StandardErrors = false, SubsampleRows = 0, MaxIterations = 8 };
        using var blocks = KernelBlocks.Override(128);
        GaussianMixtureResult one, two;
        using (var fitter = new GaussianMixtureFitter(["a", "b"], columns, devices.Cpu))
            one = fitter.Fit(options);
        using (var several = ComputeDevice.Open(Backend.Cpu, DeviceSelection.Of(0, 1), null, null, null))
        using (var fitter = new GaussianMixtureFitter(["a", "b"], columns, several))
            two = fitter.Fit(options);
        Assert.Equal(one.LogLikelihood, two.LogLikelihood);
        Assert.Equal(one.Iterations, two.Iterations);
        for (int c = 0; c < 2; c++)
        {
            Assert.Equal(one.Components[c].Weight, two.Components[c].Weight);
            Assert.Equal(one.Components[c].Mean, two.Components[c].Mean);
            Assert.Equal(one.Components[c].Covariance, two.Components[c].Covariance);
        }
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

    private static (double Value, double[] Gradient, double[] Densities, double[] Sweep, double[,] Products, double[,] Clusters, (int, int) Blocks) Passes(
        ComputeDevice device, double[] x, double[] at)
    {
        using var engine = new LikelihoodEngine<NormalModel>(device, new NormalModel(), [x]);
        var gradient = new double[2];
        double value = engine.Evaluate(at, gradient);
        var points = Enumerable.Range(0, 9).Select(i => new[] { 1.5 + 0.1 * i, 2.8 + 0.05 * i }).ToList();
        var clusters = Enumerable.Range(0, engine.Rows).Select(i => i * 7 % 13).ToArray();
        return (value, gradient, engine.LogDensities(at), engine.LogLikelihoods(points), engine.ScoreProducts(at),
            engine.ClusterScoreProducts(at, clusters, 13), engine.RowBlocks);
    }

    private static (double Value, double[] Gradient, double[] Hessian) Hessian(ComputeDevice device, GlmModel model, double[][] columns, double[] theta)
    {
        using var engine = new LikelihoodEngine<GlmModel>(device, model, columns);
        var gradient = new double[theta.Length];
        var hessian = new double[theta.Length * theta.Length];
        double value = engine.EvaluateHessian(theta, gradient, hessian);
        // A plain evaluation off the Hessian's point too (there the engine answers from the Hessian pass).
        var other = new double[theta.Length];
        double plain = engine.Evaluate([theta[0], theta[1], theta[2] + 1e-3], other);
        return (value, [.. gradient, plain, .. other], hessian);
    }

    private static (double Value, double[] Gradient, double[] Densities) Wide(ComputeDevice device, GlmModel model, double[][] columns, double[] theta)
    {
        using var engine = new LikelihoodEngine<GlmModel>(device, model, columns);
        var gradient = new double[theta.Length];
        double value = engine.Evaluate(theta, gradient);
        return (value, gradient, engine.LogDensities(theta));
    }

    private static (double Rss, double[] JacobianResidual, double[] Gram) LeastSquares(
        ComputeDevice device, NonlinearRegressionModel<NistMeans.Rat43> model, double[][] columns, double[] at)
    {
        using var engine = new LikelihoodEngine<NonlinearRegressionModel<NistMeans.Rat43>>(device, model, columns);
        var jr = new double[4];
        var gram = new double[16];
        double rss = engine.LeastSquares!.Evaluate(at, jr, gram);
        return (rss, jr, gram);
    }
}
