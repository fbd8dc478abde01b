using GpuEstimation.Backends;
using GpuEstimation.Engine;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Models;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Engine;

/// <summary>
/// Row blocks streamed through the device (<see cref="KernelBlocks"/>) on the CPU accelerator: with blocks of 1,024
/// rows over ~50,000 and a device-memory limit a tenth of the data's size (two blocks resident, two device buffers,
/// the rest streamed), every pass gives the bits of the same blocks all resident: value and gradient, per-row
/// log-densities, a sweep, score products and cluster score products (Normal), a GLM's Hessian pass, a nonlinear
/// regression's least-squares sums, and a design too wide for a term vector (its tiled sums and per-row derivatives); with room for one device buffer only, the same bits again; a limit below one
/// block is an error that names the smallest limit that works.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class StreamingTests(DeviceFixture devices)
{
    private const int BlockRows = 1024;
    private const int Rows = 50_000;

    [Fact]
    public void NormalPassesStreamedAreBitIdenticalToResident()
    {
        var x = NormalSamples.Draw(Rows, 3, 2, 3);
        double[] at = [1.9, 3.2];
        using var blocks = KernelBlocks.Override(BlockRows);
        using var resident = new LikelihoodEngine<NormalModel>(devices.Cpu, new NormalModel(), [x]);
        Assert.Equal((0, 49), resident.RowBlocks);
        var expected = Passes(resident, at);
        // The resident blocks themselves against the closed form: Σ log φ((x − μ)/σ) − n log σ.
        double closed = x.Sum(v => -0.5 * Math.Log(2 * Math.PI) - Math.Log(at[1]) - 0.5 * Math.Pow((v - at[0]) / at[1], 2));
        Assert.True(Math.Abs(expected.Value - closed) <= 1e-10 * Math.Abs(closed), $"{expected.Value:R} vs {closed:R}");

        // A tenth of the data through the library's option (two blocks resident, two device buffers); then room for
        // one device buffer only (on the shared device).
        using var device = ComputeDevice.Open(Backend.Cpu, null, null, Rows * sizeof(double) / 10L);
        Assert.Equal(Rows * sizeof(double) / 10L, device.MemoryLimit);
        foreach (var (on, limit, streamedBlocks) in new[] { (device, (long?)null, 47), (devices.Cpu, (long?)(1.5 * BlockRows * sizeof(double)), 49) })
        {
            using var limited = KernelBlocks.Override(BlockRows, limit);
            using var streamed = new LikelihoodEngine<NormalModel>(on, new NormalModel(), [x]);
            Assert.Equal((streamedBlocks, 49), streamed.RowBlocks);
            var actual = Passes(streamed, at);
            Assert.Equal(expected.Value, actual.Value);
            Assert.Equal(expected.Gradient, actual.Gradient);
            Assert.Equal(expected.Densities, actual.Densities);
            Assert.Equal(expected.Sweep, actual.Sweep);
            Assert.Equal(expected.Products, actual.Products);
            Assert.Equal(expected.Clusters, actual.Clusters);
        }
    }

    [Fact]
    public void GlmHessianAndLeastSquaresStreamedAreBitIdenticalToResident()
    {
        var random = new Random(5);
        var x1 = NormalSamples.Draw(Rows, 5, 0, 1);
        var x2 = Enumerable.Range(0, Rows).Select(_ => random.NextDouble()).ToArray();
        var y = x1.Zip(x2, (a, b) => random.NextDouble() < 1 / (1 + Math.Exp(-(0.3 + a - 2 * b))) ? 1.0 : 0.0).ToArray();
        var model = new GlmModel(GlmFamily.Binomial, GlmLink.Logit, [0.0, 0.0]);
        double[] theta = [0.2, 0.9, -1.8];
        var rat = Enumerable.Range(0, Rows).Select(i => 1 + 14.0 * i / Rows).ToArray();
        var ratY = rat.Select(v => 700 / Math.Pow(1 + Math.Exp(5.3 - 0.76 * v), 1 / 1.28) + random.NextDouble() - 0.5).ToArray();
        var mean = new NonlinearRegressionModel<NistMeans.Rat43>(new NistMeans.Rat43());
        double[] ratAt = [700, 5.2, 0.75, 1.3];

        using var blocks = KernelBlocks.Override(BlockRows);
        var (value, gradient, hessian) = Hessian(devices.Cpu, model, [y, x1, x2], theta);
        var (rss, jr, gram) = LeastSquares(devices.Cpu, mean, [ratY, rat], ratAt);
        // The shared device (its kernels compiled once) under a limit: a tenth of the GLM's three columns, of Rat43's two.
        (double Value, double[] Gradient, double[] Hessian) streamed;
        using (KernelBlocks.Override(BlockRows, 3L * Rows * sizeof(double) / 10))
            streamed = Hessian(devices.Cpu, model, [y, x1, x2], theta);
        (double Rss, double[] JacobianResidual, double[] Gram) streamedLs;
        using (KernelBlocks.Override(BlockRows, 2L * Rows * sizeof(double) / 10))
            streamedLs = LeastSquares(devices.Cpu, mean, [ratY, rat], ratAt);

        Assert.Equal(value, streamed.Value);
        Assert.Equal(gradient, streamed.Gradient);
        Assert.Equal(hessian, streamed.Hessian);
        Assert.Equal(rss, streamedLs.Rss);
        Assert.Equal(jr, streamedLs.JacobianResidual);
        Assert.Equal(gram, streamedLs.Gram);
    }

    [Fact]
    public void WideDesignPassesStreamedAreBitIdenticalToResident()
    {
        // 64 features (65 coefficients): the wide passes, per-row derivatives and tiled sums, the latter as value and
        // gradient (the Hessian and score products are the same sums over more tiles: seconds each on the CPU
        // accelerator), the former as log-densities and cluster scores. Blocks of 256 rows, 8 of them; a limit of
        // three blocks holds the two device buffers and one resident block.
        const int features = 64, rows = 2048, blockRows = 256;
        var random = new Random(9);
        var x = Enumerable.Range(0, features).Select(f => NormalSamples.Draw(rows, 9 * 1000 + f, 0, 1)).ToArray();
        var y = Enumerable.Range(0, rows).Select(i => random.NextDouble() < 1 / (1 + Math.Exp(-0.1 * x[i % features][i])) ? 1.0 : 0.0).ToArray();
        var model = new GlmModel(GlmFamily.Binomial, GlmLink.Logit, new double[features]);
        double[][] columns = [y, .. x];
        var theta = Enumerable.Range(0, features + 1).Select(j => 0.01 * (j % 7) - 0.02).ToArray();

        using var blocks = KernelBlocks.Override(blockRows);
        var expected = Wide(model, columns, theta);
        using (KernelBlocks.Override(blockRows, 3L * blockRows * (features + 1) * sizeof(double)))
        {
            var actual = Wide(model, columns, theta);
            Assert.Equal((7, 8), actual.Blocks);
            Assert.Equal(expected.Value, actual.Value);
            Assert.Equal(expected.Gradient, actual.Gradient);
            Assert.Equal(expected.Densities, actual.Densities);
            Assert.Equal(expected.Sweep, actual.Sweep);
            Assert.Equal(expected.Clusters, actual.Clusters);
        }
        Assert.Equal((0, 8), expected.Blocks);
    }

    private (double Value, double[] Gradient, double[] Densities, double[] Sweep, double[,] Clusters, (int, int) Blocks) Wide(
        GlmModel model, double[][] columns, double[] theta)
    {
        using var engine = new LikelihoodEngine<GlmModel>(devices.Cpu, model, columns);
        var gradient = new double[theta.Length];
        double value = engine.Evaluate(theta, gradient);
        var clusters = Enumerable.Range(0, engine.Rows).Select(i => i % 5).ToArray();
        return (value, gradient, engine.LogDensities(theta), engine.LogLikelihoods([theta, theta.Select(v => v / 2).ToArray()]),
            engine.ClusterScoreProducts(theta, clusters, 5), engine.RowBlocks);
    }

    [Fact]
    public void ALimitBelowOneBlockIsAnErrorNamingTheSmallestThatWorks()
    {
        using var blocks = KernelBlocks.Override(BlockRows);
        using var device = ComputeDevice.Open(Backend.Cpu, null, null, 1000);
        var e = Assert.Throws<InputException>(() => new LikelihoodEngine<NormalModel>(device, new NormalModel(), [new double[Rows]]));
        Assert.Contains("device memory limit (1,000 bytes)", e.Message);
        // One block of 1,024 rows is 8,192 bytes: 9KB, in the units --device-memory reads, is the least that holds it.
        Assert.Contains("below one row block of this data (1,024 rows of 1 column, 8,192 bytes); the smallest limit that works is 9KB", e.Message);
    }

    private static (double Value, double[] Gradient, double[] Densities, double[] Sweep, double[,] Products, double[,] Clusters) Passes(
        LikelihoodEngine<NormalModel> engine, double[] at)
    {
        var gradient = new double[2];
        double value = engine.Evaluate(at, gradient);
        var points = Enumerable.Range(0, 9).Select(i => new[] { 1.5 + 0.1 * i, 2.8 + 0.05 * i }).ToList();
        var clusters = Enumerable.Range(0, engine.Rows).Select(i => i * 7 % 13).ToArray();
        return (value, gradient, engine.LogDensities(at), engine.LogLikelihoods(points), engine.ScoreProducts(at),
            engine.ClusterScoreProducts(at, clusters, 13));
    }

    // The gradient returned is the Hessian pass's, then a plain evaluation's value and gradient.
    private static (double Value, double[] Gradient, double[] Hessian) Hessian(ComputeDevice device, GlmModel model, double[][] columns, double[] theta)
    {
        using var engine = new LikelihoodEngine<GlmModel>(device, model, columns);
        var gradient = new double[theta.Length];
        var hessian = new double[theta.Length * theta.Length];
        double value = engine.EvaluateHessian(theta, gradient, hessian);
        // A plain evaluation too (the engine answers the Hessian's point from the Hessian pass): just off it.
        var other = new double[theta.Length];
        double plain = engine.Evaluate([theta[0], theta[1], theta[2] + 1e-3], other);
        return (value, [.. gradient, plain, .. other], hessian);
    }

    private static (double Rss, double[] JacobianResidual, double[] Gram) LeastSquares(
        ComputeDevice device, NonlinearRegressionModel<NistMeans.Rat43> model, double[][] columns, double[] at)
    {
        using var engine = new LikelihoodEngine<NonlinearRegressionModel<NistMeans.Rat43>>(device, model, columns);
        var ls = engine.LeastSquares!;
        var jr = new double[4];
        var gram = new double[16];
        double rss = ls.Evaluate(at, jr, gram);
        return (rss, jr, gram);
    }
}
