using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Engine;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Mixtures;
using GpuEstimation.Models;
using GpuEstimation.Tests.Mixtures;
using GpuEstimation.Tests.Models;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Backends;

/// <summary>
/// The native passes shared among MPI ranks (<see cref="RowCollective"/>), with 1 to 4 ranks simulated in this
/// process (<see cref="SimulatedRanks"/>: each rank a thread computing only its run of the chunks, the partials
/// exchanged as MPI_Allgatherv would): every rank's results have the same bits as one process's, for a family fit with
/// robust and cluster-robust standard errors and a profile interval, the linear model, a GLM (the Hessian pass over the
/// linear sums), a design wider than a term vector (the wide passes), a sweep and per-row log-densities, a nonlinear
/// regression (least squares) and a Gaussian mixture (EM statistics, information, responsibilities). Data of 100,003
/// rows or so: four 32k-row chunks and a ragged one, so that every rank has chunks of its own up to 4 ranks.
/// tests/mpi/run.sh runs the real thing under mpirun.
/// </summary>
public class RowCollectiveTests
{
    private const int Rows = 100_003;

    private static readonly int[] RankCounts = [1, 2, 3, 4];

    [Fact]
    public void RanksOwnContiguousRunsThatPartitionTheUnitsInRankOrder()
    {
        foreach (int size in RankCounts.Append(7))
        {
            foreach (int units in new[] { 0, 1, 2, 3, 5, 7, 64 })
            {
                var runs = SimulatedRanks.Run(size, ranks => ranks.Mine(units));
                int next = 0;
                foreach (var (first, end) in runs)
                {
                    Assert.Equal(next, first);
                    Assert.True(end >= first);
                    // Balanced: no rank has more than one unit beyond another's.
                    Assert.True(end - first <= units / size + 1, $"{size} ranks, {units} units: {first}..{end}");
                    next = end;
                }
                Assert.Equal(units, next);
            }
        }
        Assert.Equal((0, 5), RowCollective.Single.Mine(5));
    }

    // Each rank writes only its units; after the exchange every rank holds every unit, in one all-gather or in rounds
    // of at most the cap's doubles where one would exceed it (a rank's part may then span rounds; the last unit short
    // of a whole unitLength).
    [Theory]
    [InlineData(1L << 30, 1)]
    [InlineData(7L, 3)]
    [InlineData(2L, 10)]
    public void ExchangeGivesEveryRankEveryUnitInOneOrSeveralRounds(long maxCount, int rounds)
    {
        const int units = 7, unitLength = 3, length = 20;
        foreach (int size in new[] { 2, 3, 4 })
        {
            var results = SimulatedRanks.Run(size, ranks =>
            {
                var data = Enumerable.Repeat(double.NaN, length + 2).ToArray();
                var (first, end) = ranks.Mine(units);
                for (int i = first * unitLength; i < Math.Min(length, end * unitLength); i++)
                    data[i] = 1000 * ranks.Rank + i;
                ranks.Exchange(data, units, unitLength, length);
                return (data, ranks.Gathers);
            }, maxCount);
            for (int rank = 0; rank < size; rank++)
            {
                var (data, gathers) = results[rank];
                Assert.Equal(rounds, gathers);
                for (int i = 0; i < length; i++)
                {
                    int owner = Enumerable.Range(0, size).Single(r => r * units / size <= i / unitLength && i / unitLength < (r + 1) * units / size);
                    Assert.Equal(1000 * owner + i, data[i]);
                }
                // Past `length`: untouched.
                Assert.True(double.IsNaN(data[length]) && double.IsNaN(data[length + 1]));
            }
        }
    }

    // Parts of any lengths (an empty one among them), in one all-gather or in rounds: every rank ends with every part;
    // bounds that do not partition the data are refused.
    [Theory]
    [InlineData(1L << 30)]
    [InlineData(4L)]
    public void ExchangeByBoundsGivesEveryRankEveryPart(long maxCount)
    {
        long[] bounds = [0, 9, 9, 11];
        var results = SimulatedRanks.Run(3, ranks =>
        {
            var data = Enumerable.Repeat(double.NaN, 12).ToArray();
            for (long i = bounds[ranks.Rank]; i < bounds[ranks.Rank + 1]; i++)
                data[i] = 100 * ranks.Rank + i;
            ranks.Exchange(data, bounds);
            Assert.Throws<ArgumentException>(() => ranks.Exchange(data, [0, 5, 4, 11]));
            Assert.Throws<ArgumentException>(() => ranks.Exchange(data, [0, 13]));
            return data;
        }, maxCount);
        double[] expected = [.. Enumerable.Range(0, 9).Select(i => (double)i), 209, 210, double.NaN];
        foreach (var data in results)
            Assert.Equal(expected, data);
    }

    // A trial: native on rank 0 and the CPU accelerator on rank 1 printed rank 0's own sums, then aborted in a
    // collective. The devices' kinds are compared as they are opened: the same kind passes on every rank, another kind
    // on rank 2 is an input error on every rank, rank 0's naming rank 2 and its own kind.
    [Fact]
    public void RanksOnDevicesOfOtherKindsAreRefused()
    {
        var same = SimulatedRanks.Run(3, ranks =>
        {
            ranks.CheckSameDevice("native");
            return true;
        });
        Assert.All(same, Assert.True);
        var e = Assert.Throws<AggregateException>(() => SimulatedRanks.Run(3, ranks =>
        {
            ranks.CheckSameDevice(ranks.Rank == 2 ? "cpu" : "native");
            return true;
        }));
        Assert.Equal(3, e.InnerExceptions.Count);
        Assert.All(e.InnerExceptions, inner => Assert.IsType<InputException>(inner));
        Assert.All(e.InnerExceptions, inner => Assert.Equal("MPI rank 2 opened another kind of device (cpu) than rank 0 (native): every rank must run the same backend", inner.Message));
    }

    // Without the exchange a rank's sum is only its own chunks': the ranks really do split the work (this is what
    // the exchange then completes).
    [Fact]
    public void WithoutTheExchangeEachRankSumsOnlyItsOwnChunks()
    {
        var t = Exponential();
        var rate = new[] { 0.8 };
        double whole = Engine(t).Evaluate(rate, new double[1]);
        var parts = SimulatedRanks.Run(2, ranks =>
        {
            using (RowCollective.Use(new Silent(ranks.Rank, 2)))
                return Engine(t).Evaluate(rate, new double[1]);
        });
        Assert.NotEqual(whole, parts[0]);
        Assert.NotEqual(whole, parts[1]);
        Assert.True(Math.Abs(parts[0] + parts[1] - whole) <= 1e-9 * Math.Abs(whole), $"{parts[0]:R} + {parts[1]:R} vs {whole:R}");
    }

    [Fact]
    public void FamilyFitWithRobustClusterAndProfileIsBitIdenticalOnEveryRankCount()
    {
        var x = NormalSamples.Draw(Rows, 31, 0, 1);
        var heavy = NormalSamples.Draw(Rows, 32, 0, 1);
        // Student-t-like data: a normal over the root of a mean of squared normals (5 degrees of freedom, roughly).
        var sample = x.Select((v, i) => 1.5 + 2 * v / Math.Sqrt(0.6 + 0.4 * heavy[i] * heavy[i])).ToArray();
        var clusters = Enumerable.Range(0, Rows).Select(i => i % 97).ToArray();
        var spec = ModelCatalog.Create("studentt", Dataset.FromColumns(("x", sample)), new ModelColumns("x"));
        var options = new[]
        {
            new FitOptions { Covariance = CovarianceType.HC0, Profile = ["mu"] },
            new FitOptions { Covariance = CovarianceType.Cluster(clusters) },
        };
        foreach (var option in options)
            AssertSameFitOnEveryRankCount(spec, option);
    }

    [Fact]
    public void LinearModelFitIsBitIdenticalOnEveryRankCount() =>
        AssertSameFitOnEveryRankCount(SampleModels.Spec("linear"), new FitOptions { Covariance = CovarianceType.HC1 });

    [Fact]
    public void GlmFitThroughTheHessianPassIsBitIdenticalOnEveryRankCount()
    {
        var x1 = NormalSamples.Draw(Rows, 41, 0, 1);
        var x2 = NormalSamples.Draw(Rows, 42, 1, 0.5);
        var u = NormalSamples.Draw(Rows, 43, 0, 1);
        var y = x1.Select((v, i) => 0.2 + 0.8 * v - 0.5 * x2[i] + 1.7 * u[i] > 0 ? 1.0 : 0.0).ToArray();
        var spec = ModelCatalog.Create("logit", Dataset.FromColumns(("y", y), ("x1", x1), ("x2", x2)), new ModelColumns(Y: "y", X: ["x1", "x2"]));
        AssertSameFitOnEveryRankCount(spec, new FitOptions { Covariance = CovarianceType.HC0 });
    }

    // A design wider than a term vector: the wide passes (the linear sums, their per-row derivatives), value,
    // gradient, Hessian, score products, per-row log-densities and a sweep.
    [Fact]
    [Trait("Category", Categories.Slow)]
    public void WideDesignPassesAreBitIdenticalOnEveryRankCount()
    {
        const int k = 64, n = 40_000;
        var features = Enumerable.Range(0, k).Select(j => NormalSamples.Draw(n, 100 + j, 0, 1)).ToArray();
        var noise = NormalSamples.Draw(n, 99, 0, 1);
        var y = noise.Select((v, i) => 0.1 * features[0][i] - 0.1 * features[1][i] + v > 0 ? 1.0 : 0.0).ToArray();
        var model = new GlmModel(GlmFamily.Binomial, GlmLink.Logit, new double[k]);
        double[][] columns = [y, .. features];
        var point = Enumerable.Range(0, k + 1).Select(j => 0.01 * (j % 7) - 0.02).ToArray();
        var other = point.Select(v => v + 0.01).ToArray();
        var clusters = Enumerable.Range(0, n).Select(i => i % 13).ToArray();
        AssertSameOnEveryRankCount(() =>
        {
            using var engine = new LikelihoodEngine<GlmModel>(ComputeDevice.Open(Backend.Native), model, columns.AsColumns());
            var gradient = new double[k + 1];
            var hessian = new double[(k + 1) * (k + 1)];
            double value = engine.EvaluateHessian(point, gradient, hessian);
            return Bits([value, .. gradient, .. hessian, .. Flat(engine.ScoreProducts(point)), .. Flat(engine.ClusterScoreProducts(point, clusters, 13)),
                .. engine.LogDensities(point), .. engine.LogLikelihoods([point, other])]);
        });
    }

    // A family engine's value and gradient, sweep (more points than one block), per-row log-densities, score products.
    [Fact]
    [Trait("Category", Categories.Slow)]
    public void EnginePassesAreBitIdenticalOnEveryRankCount()
    {
        var t = Exponential();
        var points = Enumerable.Range(0, 70).Select(i => new[] { 0.5 + 0.01 * i }).ToArray();
        var clusters = Enumerable.Range(0, Rows).Select(i => i % 5).ToArray();
        AssertSameOnEveryRankCount(() =>
        {
            using var engine = Engine(t);
            var gradient = new double[1];
            double value = engine.Evaluate([0.8], gradient);
            return Bits([value, .. gradient, .. engine.LogLikelihoods(points), .. engine.LogDensities([0.8]),
                .. Flat(engine.ScoreProducts([0.8])), .. Flat(engine.ClusterScoreProducts([0.8], clusters, 5))]);
        });
    }

    // A sweep of several tiles of points (40,000 over 20,000 rows: tiles of 5,120, then growing). Each rank had sized
    // the tiles after the first by its own clock, so the ranks' exchanges differed in size and MPI_Allgatherv failed
    // (MPI_ERR_TRUNCATE, a trial: every 1-D sweep past 1,024 points under mpirun -np 2); the tiles now grow by a fixed
    // rule under several ranks, and the surface has one process's bits.
    [Fact]
    [Trait("Category", Categories.Slow)]
    public void SweepOfManyTilesIsBitIdenticalOnEveryRankCount()
    {
        var x = NormalSamples.Draw(20_000, 61, 1, 2);
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", x)), "x");
        var options = new GpuEstimation.Surfaces.SweepOptions { Axes = [new("mu", 0.5, 1.5, 200), new("sigma", 1.5, 2.5, 200)] };
        AssertSameOnEveryRankCount(() =>
        {
            using var device = ComputeDevice.Open(Backend.Native);
            using var session = new EstimationSession(spec, device);
            return Bits(GpuEstimation.Surfaces.Sweeper.Sweep(session, options).LogLikelihood);
        });
    }

    // A rank that read other data (a stale copy of the file on one node) is refused when the engine is built, naming the
    // rank: another row count, or one value changed (a trial's: exit 0 and a mean that matched neither file).
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RanksThatReadOtherDataAreRefused(bool sameRows)
    {
        var data = Exponential();
        var other = sameRows ? [.. data] : data[..^7];
        if (sameRows)
            other[12_345] += 1e-9;
        var e = Assert.Throws<AggregateException>(() => SimulatedRanks.Run(3, ranks =>
        {
            using var engine = Engine(ranks.Rank == 2 ? other : data);
            return engine.Rows;
        }));
        // Every rank compares, so each says the same.
        var refusals = e.InnerExceptions.OfType<InputException>().Select(r => r.Message).Distinct().ToList();
        Assert.Single(refusals);
        Assert.StartsWith("MPI rank 2 read ", refusals[0]);
        Assert.Contains(sameRows ? "other values than rank 0" : $"{Rows - 7:N0} rows, rank 0 {Rows:N0}", refusals[0]);
    }

    [Fact]
    public void NonlinearRegressionThroughLeastSquaresIsBitIdenticalOnEveryRankCount()
    {
        var x = NormalSamples.Draw(Rows, 51, 2, 1).Select(Math.Abs).ToArray();
        var noise = NormalSamples.Draw(Rows, 52, 0, 0.1);
        var y = x.Select((v, i) => 3 * Math.Exp(-0.7 * v) + noise[i]).ToArray();
        var spec = NonlinearRegression.Create(new Decay(), ["a", "b"], y, [x], [1.0, 1.0]);
        AssertSameFitOnEveryRankCount(spec, new FitOptions());
    }

    [Fact]
    [Trait("Category", Categories.Slow)]
    public void GaussianMixtureFitIsBitIdenticalOnEveryRankCount()
    {
        var columns = MixtureSamples.Draw(MixtureSamples.TwoD, 70_000, seed: 3);
        AssertSameOnEveryRankCount(() =>
        {
            using var device = ComputeDevice.Open(Backend.Native);
            using var fitter = new GaussianMixtureFitter(["a", "b"], columns, device);
            var fit = fitter.Fit(new GaussianMixtureOptions { Components = 2, Starts = 2 });
            Assert.True(fit.Converged);
            return Bits([fit.LogLikelihood, fit.Iterations, .. fit.Parameters().SelectMany(p => new[] { p.Estimate, p.StdError ?? double.NaN })]);
        });
    }

    private static void AssertSameFitOnEveryRankCount(IModelSpec spec, FitOptions options) => AssertSameOnEveryRankCount(() =>
    {
        using var device = ComputeDevice.Open(Backend.Native);
        using var session = new EstimationSession(spec, device);
        var fit = session.Fit(options);
        Assert.True(fit.Converged, fit.Reason);
        return Bits([fit.LogLikelihood, fit.Evaluations, .. fit.Parameters.SelectMany(p => new[]
        {
            p.Estimate, p.StdError ?? double.NaN, p.Profile?.Lower ?? double.NaN, p.Profile?.Upper ?? double.NaN, p.Wald?.Lower ?? double.NaN,
        })]);
    });

    // One process's bits, then each rank's with 1 … 4 ranks.
    private static void AssertSameOnEveryRankCount(Func<long[]> run)
    {
        var expected = run();
        foreach (int size in RankCounts)
        {
            var ranks = SimulatedRanks.Run(size, _ => run());
            for (int rank = 0; rank < size; rank++)
            {
                if (!expected.SequenceEqual(ranks[rank]))
                    Assert.Fail($"rank {rank} of {size}: {FirstDifference(expected, ranks[rank])}");
            }
        }
    }

    private static string FirstDifference(long[] expected, long[] actual)
    {
        if (expected.Length != actual.Length)
            return $"{actual.Length} values, expected {expected.Length}";
        int i = Enumerable.Range(0, expected.Length).First(index => expected[index] != actual[index]);
        return $"value {i}: {BitConverter.Int64BitsToDouble(actual[i]):R}, expected {BitConverter.Int64BitsToDouble(expected[i]):R}";
    }

    private static long[] Bits(IEnumerable<double> values) => values.Select(BitConverter.DoubleToInt64Bits).ToArray();

    private static IEnumerable<double> Flat(double[,] matrix) => matrix.Cast<double>();

    private static double[] Exponential() => NormalSamples.Draw(Rows, 21, 1, 1).Select(Math.Abs).ToArray();

    private static LikelihoodEngine<MyExponentialModel> Engine(double[] t) =>
        new(ComputeDevice.Open(Backend.Native), new MyExponentialModel(), [t]);

    // A collective whose exchange does nothing: each rank keeps only its own chunks' partials.
    private sealed class Silent(int rank, int size) : RowCollective
    {
        public override int Rank => rank;

        public override int Size => size;

        protected override void AllGather(Span<double> buffer, int[] counts, int[] displacements)
        {
        }

        // Nothing is exchanged here, the data's check included: each rank's own chunks are the test.
        public override void CheckSameData(IReadOnlyList<ReadOnlyMemory<double>> columns)
        {
        }
    }

    // μ = a·exp(−b·x).
    private readonly struct Decay : IMeanFunction<Decay>
    {
        public int ParameterCount => 2;

        public int ColumnCount => 1;

        public static double Evaluate<TVec, TRows>(in Decay mean, in TVec b, in TRows data, int firstColumn, long row, ref TVec gradient)
            where TVec : unmanaged, ITermVector<TVec>
            where TRows : struct, IDataRows
        {
            double x = data[firstColumn, row], e = Math.Exp(-b.Get(1) * x);
            gradient.Set(0, e);
            gradient.Set(1, -b.Get(0) * x * e);
            return b.Get(0) * e;
        }
    }
}
