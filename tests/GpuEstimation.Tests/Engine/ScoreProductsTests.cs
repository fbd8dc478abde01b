using GpuEstimation.Data;
using GpuEstimation.Backends;
using GpuEstimation.Engine;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Engine;

/// <summary>
/// The meat of the robust covariance, Σ sᵢ sᵢᵀ, and its cluster form Σ_g S_g S_gᵀ, on every backend against host loops
/// over scores written out by hand; the linear model runs on centred columns, so its Finish is exercised on both sides.
/// </summary>
[Collection(DeviceCollection.Name)]
public class ScoreProductsTests(DeviceFixture devices)
{
    public static IEnumerable<object[]> EdgeSizesOnEachBackend =>
        from backend in DeviceFixture.Present
        from size in new[] { 1, -1, 0, 2049 } // -1: one group; 0: one group plus one row (the device's group size)
        select new object[] { backend, size };

    [Theory]
    [MemberData(nameof(EdgeSizesOnEachBackend))]
    public void LinearMeatEqualsHostLoop(Backend backend, int size)
    {
        int n = Rows(backend, size);
        var (columns, raw) = LinearData(n, features: 2, seed: n);
        double[] theta = [0.7, 1.9, -0.45, 1.3];
        using var engine = LinearEngine(backend, columns);

        var meat = engine.ScoreProducts(theta);

        var scores = LinearScores(raw, theta);
        AssertMeat(Expected(scores, Enumerable.Repeat(0, n).ToArray(), 1, perRow: true), Scale(scores), meat, 1e-12);
    }

    [Theory]
    [MemberData(nameof(EdgeSizesOnEachBackend))]
    public void ClusterMeatEqualsHostLoop(Backend backend, int size)
    {
        int n = Rows(backend, size);
        var (columns, raw) = LinearData(n, features: 2, seed: n + 7);
        double[] theta = [0.7, 1.9, -0.45, 1.3];
        int groups = Math.Min(n, 5);
        var clusters = Enumerable.Range(0, n).Select(i => (3 * i + i / 4) % groups).ToArray();
        using var engine = LinearEngine(backend, columns);

        var meat = engine.ClusterScoreProducts(theta, clusters, groups);

        var scores = LinearScores(raw, theta);
        AssertMeat(Expected(scores, clusters, groups, perRow: false), Scale(scores), meat, 1e-12);
    }

    // 13 features: P = 15, 120 entries of the triangle, so the kernel runs in two blocks (64 + 56) whose seam is checked.
    [Theory]
    [MemberData(nameof(DeviceFixture.Backends), MemberType = typeof(DeviceFixture))]
    public void WideModelTriangleComesInBlocks(Backend backend)
    {
        const int n = 777, k = 13;
        var (columns, raw) = LinearData(n, features: k, seed: 3);
        var theta = Enumerable.Range(0, k + 2).Select(j => j == k + 1 ? 1.7 : 0.3 * Math.Sin(j + 1)).ToArray();
        using var engine = LinearEngine(backend, columns);

        var meat = engine.ScoreProducts(theta);

        var scores = LinearScores(raw, theta);
        AssertMeat(Expected(scores, new int[n], 1, perRow: true), Scale(scores), meat, 1e-12);
    }

    [Theory]
    [MemberData(nameof(DeviceFixture.Backends), MemberType = typeof(DeviceFixture))]
    public void PoissonMeatIsTheSumOfSquaredScores(Backend backend)
    {
        const int n = 1001;
        var x = Enumerable.Range(0, n).Select(i => (double)((i * 7919) % 11)).ToArray();
        const double rate = 4.2;
        using var engine = new LikelihoodEngine<PoissonModel>(devices[backend], new PoissonModel(), PoissonModel.Columns(x, null));

        var meat = engine.ScoreProducts([rate]);

        // ∂/∂λ log f = x/λ − 1.
        double expected = Numerics.Sum(x.Select(v => (v / rate - 1) * (v / rate - 1)));
        Assert.True(Numerics.Relative(meat[0, 0], expected) <= 1e-12, $"{meat[0, 0]:R} vs {expected:R}");
    }

    [Fact]
    public void RepeatedRunsGiveTheSameBits()
    {
        var (columns, _) = LinearData(5000, features: 3, seed: 11);
        double[] theta = [0.1, 0.2, 0.3, 0.4, 1.1];
        var clusters = Enumerable.Range(0, 5000).Select(i => i % 37).ToArray();
        foreach (var backend in DeviceFixture.Present)
        {
            using var engine = LinearEngine(backend, columns);
            Assert.Equal(Flat(engine.ScoreProducts(theta)), Flat(engine.ScoreProducts(theta)));
            Assert.Equal(Flat(engine.ClusterScoreProducts(theta, clusters, 37)), Flat(engine.ClusterScoreProducts(theta, clusters, 37)));
        }
    }

    [Fact]
    public void ClustersOutsideTheRangeAreRefused()
    {
        var (columns, _) = LinearData(10, features: 2, seed: 1);
        using var engine = LinearEngine(Backend.Native, columns);
        var clusters = new int[10];
        clusters[4] = 3;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => engine.ClusterScoreProducts([0, 0, 0, 1], clusters, 3));
        Assert.Contains("row 5", e.Message);
        Assert.Throws<ArgumentException>(() => engine.ClusterScoreProducts([0, 0, 0, 1], new int[9], 1));
    }

    private int Rows(Backend backend, int size) => size switch
    {
        -1 => devices[backend].GroupSize,
        0 => devices[backend].GroupSize + 1,
        _ => size,
    };

    private LikelihoodEngine<LinearModel> LinearEngine(Backend backend, (double[] Means, double[][] Columns) columns) =>
        new(devices[backend], new LinearModel(columns.Means), columns.Columns.AsColumns());

    // y, raw features and the centred columns the model reads (with the means), as the catalogue builds them.
    private static ((double[] Means, double[][] Columns), double[][] Raw) LinearData(int n, int features, int seed)
    {
        var raw = new double[features + 1][];
        for (int j = 1; j <= features; j++)
            raw[j] = NormalSamples.Draw(n, seed * 31 + j, 2 * j - 5, 0.5 + j);
        var noise = NormalSamples.Draw(n, seed * 31, 0, 1);
        raw[0] = Enumerable.Range(0, n).Select(i => 1 + Enumerable.Range(1, features).Sum(j => 0.2 * j * raw[j][i]) + noise[i] * (1 + Math.Abs(raw[1][i]))).ToArray();
        var means = Enumerable.Range(1, features).Select(j => raw[j].Average()).ToArray();
        var columns = new[] { raw[0] }.Concat(Enumerable.Range(1, features).Select(j => raw[j].Select(v => v - means[j - 1]).ToArray())).ToArray();
        return ((means, columns), raw);
    }

    // The linear model's scores by hand: e/σ², e xⱼ/σ², (e²/σ² − 1)/σ with e = y − b₀ − Σ bⱼ xⱼ on the raw columns.
    private static double[][] LinearScores(double[][] raw, double[] theta)
    {
        int k = raw.Length - 1, n = raw[0].Length;
        double sigma = theta[k + 1];
        return Enumerable.Range(0, n).Select(i =>
        {
            double e = raw[0][i] - theta[0] - Enumerable.Range(1, k).Sum(j => theta[j] * raw[j][i]);
            var s = new double[k + 2];
            s[0] = e / (sigma * sigma);
            for (int j = 1; j <= k; j++)
                s[j] = e * raw[j][i] / (sigma * sigma);
            s[k + 1] = (e * e / (sigma * sigma) - 1) / sigma;
            return s;
        }).ToArray();
    }

    private static double[,] Expected(double[][] scores, int[] clusters, int groups, bool perRow)
    {
        int p = scores[0].Length;
        var units = perRow ? scores : Enumerable.Range(0, groups)
            .Select(g => Enumerable.Range(0, p).Select(a => Numerics.Sum(scores.Where((_, i) => clusters[i] == g).Select(s => s[a]))).ToArray())
            .ToArray();
        var meat = new double[p, p];
        for (int a = 0; a < p; a++)
        {
            for (int b = 0; b < p; b++)
                meat[a, b] = Numerics.Sum(units.Select(s => s[a] * s[b]));
        }
        return meat;
    }

    // Entries are sums of terms of both signs: compared against Σ |sₐ s_b|.
    private static double[,] Scale(double[][] scores)
    {
        int p = scores[0].Length;
        var scale = new double[p, p];
        for (int a = 0; a < p; a++)
        {
            for (int b = 0; b < p; b++)
                scale[a, b] = Numerics.Sum(scores.Select(s => Math.Abs(s[a] * s[b])));
        }
        return scale;
    }

    private static void AssertMeat(double[,] expected, double[,] scale, double[,] actual, double tolerance)
    {
        int p = expected.GetLength(0);
        Assert.Equal(p, actual.GetLength(0));
        for (int a = 0; a < p; a++)
        {
            for (int b = 0; b < p; b++)
            {
                Assert.True(Math.Abs(actual[a, b] - expected[a, b]) <= tolerance * scale[a, b] + 1e-300,
                    $"meat[{a},{b}] {actual[a, b]:R} vs {expected[a, b]:R} (scale {scale[a, b]:R})");
            }
        }
    }

    private static double[] Flat(double[,] matrix) => matrix.Cast<double>().ToArray();
}
