using GpuEstimation.Data;
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
/// regression's least-squares sums, and a design too wide for a term vector (its tiled sums and per-row derivatives); with room for one device buffer only, the same bits again; the same whether
/// the streamed blocks are copied out of the columns as they lie or packed into page-locked buffers; a limit below one
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
        var expected = SameBits.Normal(resident, at);
        // The resident blocks themselves against the closed form: Σ log φ((x − μ)/σ) − n log σ.
        double closed = x.Sum(v => -0.5 * Math.Log(2 * Math.PI) - Math.Log(at[1]) - 0.5 * Math.Pow((v - at[0]) / at[1], 2));
        Assert.True(Math.Abs(expected.Value - closed) <= 1e-10 * Math.Abs(closed), $"{expected.Value:R} vs {closed:R}");

        // A tenth of the data through the library's option (two blocks resident, two device buffers); then room for
        // one device buffer only (on the shared device); each with the blocks copied out of the column as it lies and
        // packed into page-locked buffers (OpenCL's way, and CUDA's where the column cannot be page-locked).
        using var device = ComputeDevice.Open(Backend.Cpu, null, null, Rows * sizeof(double) / 10L);
        Assert.Equal(Rows * sizeof(double) / 10L, device.MemoryLimit);
        foreach (var (on, limit, streamedBlocks) in new[] { (device, (long?)null, 47), (devices.Cpu, (long?)(1.5 * BlockRows * sizeof(double)), 49) })
        {
            foreach (bool packed in new[] { false, true })
            {
                using var limited = KernelBlocks.Override(BlockRows, limit, packed);
                using var streamed = new LikelihoodEngine<NormalModel>(on, new NormalModel(), [x]);
                Assert.Equal((streamedBlocks, 49), streamed.RowBlocks);
                SameBits.AssertEqual(expected, SameBits.Normal(streamed, at));
            }
        }
    }

    // One launch over the resident blocks gives each block's groups the rows a launch of its own gives them, also where
    // the data's last block is too short for as many groups as the others (3 rows after three full blocks): the bits of
    // every block streamed, one launch each.
    [Fact]
    public void OneLaunchOverResidentBlocksGivesTheBitsOfOneLaunchPerBlock()
    {
        int rows = 3 * BlockRows + 3;
        var x = NormalSamples.Draw(rows, 3, 2, 5);
        double[] at = [2.9, 1.7];
        using var blocks = KernelBlocks.Override(BlockRows);
        using var resident = new LikelihoodEngine<NormalModel>(devices.Cpu, new NormalModel(), [x]);
        Assert.Equal((0, 4), resident.RowBlocks);
        Assert.True(devices.Cpu.MaxGroups > 1 && BlockRows > devices.Cpu.GroupSize, "a full block must have more groups than the last one");
        var expected = SameBits.Normal(resident, at);
        using var limited = KernelBlocks.Override(BlockRows, (long)(1.5 * BlockRows * sizeof(double)));
        using var streamed = new LikelihoodEngine<NormalModel>(devices.Cpu, new NormalModel(), [x]);
        Assert.Equal((4, 4), streamed.RowBlocks);
        SameBits.AssertEqual(expected, SameBits.Normal(streamed, at));
    }

    [Fact]
    public void GlmHessianAndLeastSquaresStreamedAreBitIdenticalToResident()
    {
        var glm = SameBits.LogitAndRat43Case(Rows, 5);

        using var blocks = KernelBlocks.Override(BlockRows);
        var (value, gradient, hessian) = SameBits.Hessian(devices.Cpu, glm.Model, glm.Columns, glm.Theta);
        var (rss, jr, gram) = SameBits.LeastSquares(devices.Cpu, glm.Mean, glm.RatColumns, glm.RatAt);
        // The shared device (its kernels compiled once) under a limit: a tenth of the GLM's three columns (the blocks
        // copied out of the columns as they lie), of Rat43's two (packed into page-locked buffers).
        (double Value, double[] Gradient, double[] Hessian) streamed;
        using (KernelBlocks.Override(BlockRows, 3L * Rows * sizeof(double) / 10))
            streamed = SameBits.Hessian(devices.Cpu, glm.Model, glm.Columns, glm.Theta);
        (double Rss, double[] JacobianResidual, double[] Gram) streamedLs;
        using (KernelBlocks.Override(BlockRows, 2L * Rows * sizeof(double) / 10, packed: true))
            streamedLs = SameBits.LeastSquares(devices.Cpu, glm.Mean, glm.RatColumns, glm.RatAt);

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
        var (model, columns, theta) = SameBits.WideLogit(features, rows, 9);

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
        using var engine = new LikelihoodEngine<GlmModel>(devices.Cpu, model, columns.AsColumns());
        var gradient = new double[theta.Length];
        double value = engine.Evaluate(theta, gradient);
        var clusters = Enumerable.Range(0, engine.Rows).Select(i => i % 5).ToArray();
        return (value, gradient, engine.LogDensities(theta), engine.LogLikelihoods([theta, theta.Select(v => v / 2).ToArray()]),
            engine.ClusterScoreProducts(theta, clusters, 5), engine.RowBlocks);
    }

    // The two ways the tests compare are the two ways taken: on the CPU accelerator the streamed blocks are copied out
    // of the columns unless packing is asked for; nothing streamed, nothing locked.
    [Fact]
    public void StreamedBlocksComeOutOfTheColumnsUnlessPackingIsAsked()
    {
        var x = NormalSamples.Draw(10 * BlockRows, 3, 2, 7);
        foreach (var (limit, packed, expected) in new[] { ((long?)(3L * BlockRows * sizeof(double)), false, true), (3L * BlockRows * sizeof(double), true, false), (null, false, false) })
        {
            using var blocks = KernelBlocks.Override(BlockRows, limit, packed);
            var runs = KernelBlocks.Shards(devices.Cpu, [x], x.Length);
            try
            {
                Assert.Equal(limit is null ? 0 : 9, runs[0].Streamed);
                Assert.Equal(expected, runs[0].CopiesFromColumns);
            }
            finally
            {
                foreach (var run in runs)
                    run.Dispose();
            }
        }
    }

    [Fact]
    public void ALimitBelowOneBlockIsAnErrorNamingTheSmallestThatWorks()
    {
        using var blocks = KernelBlocks.Override(BlockRows);
        using var device = ComputeDevice.Open(Backend.Cpu, null, null, 1000);
        var e = Assert.Throws<InputException>(() => new LikelihoodEngine<NormalModel>(device, new NormalModel(), [new double[Rows]]));
        Assert.Contains("device memory limit (1,000 bytes)", e.Message);
        // One block of 1,024 rows is 8,192 bytes: 9KB, in the units --device-memory reads, is the least that holds it.
        Assert.Contains("below one row block of this data (1,024 rows of 1 column, 8,192 bytes); the smallest limit that works is 8,192 bytes, e.g. 9KB", e.Message);
    }
}
