using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Engine;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Mixtures;
using GpuEstimation.Models;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Engine;

/// <summary>
/// The kernel backends under MPI (<see cref="KernelBlocks.Shards"/> with a <see cref="RowCollective"/> of several
/// ranks, simulated in this process by <see cref="SimulatedRanks"/>), on ILGPU's CPU accelerator, one of its own per
/// rank: each rank holds only its run of the row blocks, and every pass has the bits of one process on one device.
/// Blocks of 1,024 rows over 4,101 rows: four full blocks and a ragged fifth, so that 2 and 3 ranks each hold blocks
/// and 6 ranks leave one without any. Checked: value and gradient, per-row log-densities, a sweep, score products and
/// cluster score products (Normal), also with each rank streaming its run under a memory limit and with two devices
/// per rank; a GLM's Hessian pass (the linear sums), its cluster scores (their per-row derivatives) and a nonlinear
/// regression's least-squares sums; a Gaussian mixture's EM steps; a Student-t fit with sandwich standard errors.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class RankedDevicesTests(DeviceFixture devices)
{
    private const int BlockRows = 1024;
    private const int Rows = 4 * BlockRows + 5;

    [Fact]
    public void NormalPassesOnRankedDevicesAreBitIdenticalToOneProcess()
    {
        var x = NormalSamples.Draw(Rows, 17, 2, 3);
        double[] at = [1.9, 3.2];
        SameBits.NormalPasses expected;
        using (KernelBlocks.Override(BlockRows))
        using (var engine = new LikelihoodEngine<NormalModel>(devices.Cpu, new NormalModel(), [x]))
            expected = SameBits.Normal(engine, at);
        double closed = x.Sum(v => -0.5 * Math.Log(2 * Math.PI) - Math.Log(at[1]) - 0.5 * Math.Pow((v - at[0]) / at[1], 2));
        Assert.True(Math.Abs(expected.Value - closed) <= 1e-10 * Math.Abs(closed), $"{expected.Value:R} vs {closed:R}");

        // (ranks, devices per rank, memory limit per device): resident; streamed (a limit of 1.5 blocks: every block
        // of a run streamed); two devices on each of two ranks; more ranks than blocks.
        foreach (var (size, perRank, limit) in new (int, int, long?)[] { (2, 1, null), (3, 1, (long)(1.5 * BlockRows * sizeof(double))), (2, 2, null), (6, 1, null) })
        {
            var results = SimulatedRanks.Run(size, ranks =>
            {
                using var blocks = KernelBlocks.Override(BlockRows, limit);
                using var device = perRank == 1 ? ComputeDevice.Open(Backend.Cpu) : ComputeDevice.Open(Backend.Cpu, DeviceSelection.Of(0, 1), null, null, null);
                using var engine = new LikelihoodEngine<NormalModel>(device, new NormalModel(), [x]);
                return (SameBits.Normal(engine, at), device.Description);
            });
            for (int rank = 0; rank < size; rank++)
            {
                var (actual, description) = results[rank];
                SameBits.AssertEqual(expected, actual);
                Assert.EndsWith($", {size} MPI ranks", description);
                // Each rank counts all the data's blocks, and streams only its own where they exceed the limit (the
                // second rank of three: two full blocks); every rank reports the job's streamed blocks.
                Assert.Equal(5, actual.Blocks.Total);
                Assert.Equal(Enumerable.Range(0, size).Sum(r =>
                {
                    var (first, end) = Part(r, size, 5);
                    long runBytes = (Math.Min(Rows, end * BlockRows) - first * BlockRows) * sizeof(double);
                    return limit < runBytes ? end - first : 0;
                }), actual.Blocks.Streamed);
            }
        }
    }

    // Ranks whose devices differ in shape (here rank 1's device made to report one resident group, as a smaller GPU
    // would report fewer): every rank takes the smallest shape, so they cut the blocks into the same groups and make the
    // same exchanges (each rank had its own layout, and the all-gather's counts disagreed), with the bits of one device
    // of that shape.
    [Fact]
    public void RanksOnDevicesOfDifferentShapesAgreeOnTheSmallest()
    {
        var x = NormalSamples.Draw(Rows, 29, 2, 3);
        double[] at = [1.9, 3.2];
        static void OneGroup(ComputeDevice device) =>
            typeof(ComputeDevice).GetField("<MaxGroups>k__BackingField", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
                .SetValue(device, 1);
        double expected;
        using (KernelBlocks.Override(BlockRows))
        using (var small = ComputeDevice.Open(Backend.Cpu))
        {
            OneGroup(small);
            Assert.Equal(1, small.MaxGroups);
            using var engine = new LikelihoodEngine<NormalModel>(small, new NormalModel(), [x]);
            expected = engine.Evaluate(at, new double[2]);
        }
        var values = SimulatedRanks.Run(2, ranks =>
        {
            using var blocks = KernelBlocks.Override(BlockRows);
            using var device = ComputeDevice.Open(Backend.Cpu);
            if (ranks.Rank == 1)
                OneGroup(device);
            using var engine = new LikelihoodEngine<NormalModel>(device, new NormalModel(), [x]);
            return engine.Evaluate(at, new double[2]);
        });
        Assert.All(values, value => Assert.Equal(expected, value));
    }

    [Fact]
    public void GlmHessianScoresAndLeastSquaresOnRankedDevicesAreBitIdenticalToOneProcess()
    {
        var glm = SameBits.LogitAndRat43Case(Rows, 19);
        var clusters = Enumerable.Range(0, Rows).Select(i => i * 5 % 11).ToArray();
        (double Value, double[] Gradient, double[] Hessian, double[,] Clusters, double Rss, double[] Jr, double[] Gram) Passes(ComputeDevice device)
        {
            var (value, gradient, hessian) = SameBits.Hessian(device, glm.Model, glm.Columns, glm.Theta);
            double[,] products;
            using (var engine = new LikelihoodEngine<GlmModel>(device, glm.Model, glm.Columns.AsColumns()))
                products = engine.ClusterScoreProducts(glm.Theta, clusters, 11);
            var (rss, jr, gram) = SameBits.LeastSquares(device, glm.Mean, glm.RatColumns, glm.RatAt);
            return (value, gradient, hessian, products, rss, jr, gram);
        }
        using (KernelBlocks.Override(BlockRows))
        {
            var expected = Passes(devices.Cpu);
            foreach (int size in new[] { 2, 3 })
            {
                foreach (var actual in SimulatedRanks.Run(size, _ =>
                {
                    using var device = ComputeDevice.Open(Backend.Cpu);
                    return Passes(device);
                }))
                {
                    Assert.Equal(expected.Value, actual.Value);
                    Assert.Equal(expected.Gradient, actual.Gradient);
                    Assert.Equal(expected.Hessian, actual.Hessian);
                    Assert.Equal(expected.Clusters, actual.Clusters);
                    Assert.Equal(expected.Rss, actual.Rss);
                    Assert.Equal(expected.Jr, actual.Jr);
                    Assert.Equal(expected.Gram, actual.Gram);
                }
            }
        }
    }

    [Fact]
    public void GaussianMixtureOnRankedDevicesIsBitIdenticalToOneProcess()
    {
        var (columns, options) = SameBits.TwoComponentMixture();
        using var blocks = KernelBlocks.Override(BlockRows);
        GaussianMixtureResult expected;
        using (var fitter = new GaussianMixtureFitter(["a", "b"], columns, devices.Cpu))
            expected = fitter.Fit(options);
        foreach (var actual in SimulatedRanks.Run(3, _ =>
        {
            using var device = ComputeDevice.Open(Backend.Cpu);
            using var fitter = new GaussianMixtureFitter(["a", "b"], columns, device);
            return fitter.Fit(options);
        }))
        {
            SameBits.AssertEqual(expected, actual);
        }
    }

    [Fact]
    public void StudentTFitWithSandwichErrorsOnRankedDevicesIsBitIdenticalToOneProcess()
    {
        var z = NormalSamples.Draw(Rows, 23, 0, 1);
        var w = NormalSamples.Draw(Rows, 24, 0, 1);
        var sample = z.Select((v, i) => 1.5 + 2 * v / Math.Sqrt(0.6 + 0.4 * w[i] * w[i])).ToArray();
        var spec = ModelCatalog.Create("studentt", Dataset.FromColumns(("x", sample)), new ModelColumns("x"));
        var options = new FitOptions { Covariance = CovarianceType.HC0 };
        double[] Fit(ComputeDevice device)
        {
            using var session = new EstimationSession(spec, device);
            var fit = session.Fit(options);
            Assert.True(fit.Converged, fit.Reason);
            return [fit.LogLikelihood, fit.Evaluations, .. fit.Parameters.SelectMany(p => new[] { p.Estimate, p.StdError ?? double.NaN })];
        }
        using var blocks = KernelBlocks.Override(BlockRows);
        var expected = Fit(devices.Cpu);
        foreach (var actual in SimulatedRanks.Run(2, _ =>
        {
            using var device = ComputeDevice.Open(Backend.Cpu);
            return Fit(device);
        }))
        {
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void LocalRankComesFromTheLaunchersEnvironment()
    {
        Assert.Equal(3, MpiRanks.LocalRankOf(name => name == "OMPI_COMM_WORLD_LOCAL_RANK" ? "3" : null));
        Assert.Equal(1, MpiRanks.LocalRankOf(name => name == "MPI_LOCALRANKID" ? "1" : null));
        Assert.Equal(2, MpiRanks.LocalRankOf(name => name == "SLURM_LOCALID" ? "2" : null));
        Assert.Null(MpiRanks.LocalRankOf(_ => null));
        Assert.Null(MpiRanks.LocalRankOf(_ => "-1"));
        // Simulated ranks all run on this machine: the local rank is the rank.
        Assert.Equal([0, 1, 2], SimulatedRanks.Run(3, ranks => ranks.LocalRank));
        Assert.Throws<ArgumentOutOfRangeException>(() => DeviceSelection.OfLocalRank(-1));
        Assert.Equal(4, DeviceSelection.OfLocalRank(4).LocalRank);
    }

    // RowCollective.Part: rank r of size over units.
    private static (int First, int End) Part(int rank, int size, int units) => (units * rank / size, units * (rank + 1) / size);
}
