using GpuEstimation.Backends;
using GpuEstimation.Engine;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Tests.Support;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;
using Xunit;

namespace GpuEstimation.Tests.Engine;

[Collection(DeviceCollection.Name)]
public class LikelihoodEngineTests(DeviceFixture devices)
{
    public static IEnumerable<object[]> SizesOnEachBackend =>
        from backend in DeviceFixture.Present
        from size in new[] { 0, 1, 511, 512, 513, 1_000_000 }
        select new object[] { backend, size };

    // The fewest points a sweep's launch holds to fill the device (the sweep's tiles hold at least as many): on the
    // CPU accelerator's group-summed sweep, four points per group and data chunk of 16,384 rows (of a row block: a
    // launch is one block's), so that the points' groups over one block's chunks reach the device's groups, and four
    // points fewer would not; the native backend takes any. Blocks of 16,384 rows (one chunk each) as a block of
    // 100,000 rows has seven chunks: a review found the job's chunks counted, which filled a block's launch a seventh.
    [Theory]
    [InlineData(5_000, 0)]
    [InlineData(100_000, 0)]
    [InlineData(100_000, 16_384)]
    [InlineData(3_000_000, 0)]
    public void ASweepLaunchHoldsThePointsThatFillTheDevice(int rows, int blockRows)
    {
        var x = NormalSamples.Draw(rows, seed: 4, mean: 3.1, sd: 1.9);
        using var blocks = blockRows > 0 ? KernelBlocks.Override(blockRows) : null;
        using var kernels = new LikelihoodEngine<NormalModel>(devices.Cpu, new NormalModel(), [x]);
        using var native = new LikelihoodEngine<NormalModel>(devices.Native, new NormalModel(), [x]);
        long chunks = blockRows > 0 ? 1 : Math.Min((rows + 16_383) / 16_384, (KernelBlocks.MaxBlockRows + 16_383) / 16_384);
        int points = kernels.SweepPointsAtOnce;
        Assert.Equal(0, points % 4);
        Assert.True(points / 4 * chunks >= devices.Cpu.MaxGroups, $"{points} points over {chunks} chunks");
        Assert.True(points == 4 || (points / 4 - 1) * chunks < devices.Cpu.MaxGroups, $"{points} points over {chunks} chunks");
        Assert.Equal(1, native.SweepPointsAtOnce);
    }

    // Edge sizes around one group of 512 and a size that needs a grid-stride loop, against MathNet's log-density.
    [Theory]
    [MemberData(nameof(SizesOnEachBackend))]
    public void NormalLogLikelihoodMatchesMathNet(Backend backend, int size)
    {
        var x = NormalSamples.Draw(size, seed: size + 1, mean: 3.1, sd: 1.9);
        const double mu = 2.9, sigma = 2.1;
        using var engine = new LikelihoodEngine<NormalModel>(devices[backend], new NormalModel(), [x]);
        var gradient = new double[2];

        double value = engine.Evaluate([mu, sigma], gradient);

        double expected = Numerics.Sum(x.Select(v => Normal.PDFLn(mu, sigma, v)));
        double expectedMu = Numerics.Sum(x.Select(v => (v - mu) / (sigma * sigma)));
        double expectedSigma = Numerics.Sum(x.Select(v => ((v - mu) * (v - mu) / (sigma * sigma) - 1) / sigma));
        if (size == 0)
        {
            Assert.Equal(0.0, value);
            Assert.Equal([0.0, 0.0], gradient);
            return;
        }
        Assert.True(Numerics.Relative(value, expected) <= 1e-12, $"log-likelihood {value} vs {expected}");
        // The gradient of mu is a sum of terms of both signs: compare against the scale of its terms.
        double muScale = Numerics.Sum(x.Select(v => Math.Abs(v - mu) / (sigma * sigma)));
        Assert.True(Math.Abs(gradient[0] - expectedMu) <= 1e-12 * muScale, $"d/dmu {gradient[0]} vs {expectedMu}");
        double sigmaScale = Numerics.Sum(x.Select(v => ((v - mu) * (v - mu) / (sigma * sigma) + 1) / sigma));
        Assert.True(Math.Abs(gradient[1] - expectedSigma) <= 1e-12 * sigmaScale, $"d/dsigma {gradient[1]} vs {expectedSigma}");
    }

    [Theory]
    [MemberData(nameof(DeviceFixture.Backends), MemberType = typeof(DeviceFixture))]
    public void LinearLogLikelihoodAndGradientMatchHostLoop(Backend backend)
    {
        const int n = 2049;
        var x1 = NormalSamples.Draw(n, 1, 0, 1);
        var x2 = NormalSamples.Draw(n, 2, 5, 3);
        var y = Enumerable.Range(0, n).Select(i => 1 + 2 * x1[i] - 0.5 * x2[i] + 0.1 * i % 7).ToArray();
        double[] theta = [0.7, 1.9, -0.45, 1.3];
        using var engine = new LikelihoodEngine<LinearModel>(devices[backend], new LinearModel(new double[2]), [y, x1, x2]);
        var gradient = new double[4];

        double value = engine.Evaluate(theta, gradient);

        var residuals = Enumerable.Range(0, n).Select(i => y[i] - theta[0] - theta[1] * x1[i] - theta[2] * x2[i]).ToArray();
        double s = theta[3];
        Assert.True(Numerics.Relative(value, Numerics.Sum(residuals.Select(r => Normal.PDFLn(0, s, r)))) <= 1e-12);
        double[] expected =
        [
            Numerics.Sum(residuals.Select(r => r / (s * s))),
            Numerics.Sum(residuals.Select((r, i) => r * x1[i] / (s * s))),
            Numerics.Sum(residuals.Select((r, i) => r * x2[i] / (s * s))),
            Numerics.Sum(residuals.Select(r => (r * r / (s * s) - 1) / s)),
        ];
        for (int k = 0; k < 4; k++)
            Assert.True(Numerics.Relative(gradient[k], expected[k]) <= 1e-10, $"gradient[{k}] {gradient[k]} vs {expected[k]}");
    }

    // Centred columns with their means in the model give the raw model's value and gradient (Prepare/Finish).
    [Fact]
    public void CentredLinearModelEqualsTheRawOne()
    {
        const int n = 1000;
        var x1 = NormalSamples.Draw(n, 3, 1955, 5);
        var x2 = NormalSamples.Draw(n, 4, 3e5, 4e4);
        var y = NormalSamples.Draw(n, 5, 6e4, 300);
        double[] means = [x1.Average(), x2.Average()];
        double[] theta = [-3.4e6, 1800, 0.02, 310];
        using var raw = new LikelihoodEngine<LinearModel>(devices.Cpu, new LinearModel(new double[2]), [y, x1, x2]);
        using var centred = new LikelihoodEngine<LinearModel>(devices.Cpu, new LinearModel(means),
            [y, x1.Select(v => v - means[0]).ToArray(), x2.Select(v => v - means[1]).ToArray()]);
        var g1 = new double[4];
        var g2 = new double[4];
        double v1 = raw.Evaluate(theta, g1);
        double v2 = centred.Evaluate(theta, g2);
        Assert.True(Numerics.Relative(v2, v1) <= 1e-12, $"{v2:R} vs {v1:R}");
        for (int k = 0; k < 4; k++)
            Assert.True(Numerics.Relative(g2[k], g1[k]) <= 1e-8, $"gradient[{k}] {g2[k]:R} vs {g1[k]:R}");
    }

    // Linear regression with 20 features needs the 32-wide term vector: run-time indices through the Twice<> tree.
    [Fact]
    public void ManyFeaturesUseTheWiderTermVector()
    {
        const int n = 300, k = 20;
        var features = Enumerable.Range(0, k).Select(j => NormalSamples.Draw(n, 10 + j, j, 1)).ToArray();
        var y = NormalSamples.Draw(n, 99, 0, 1);
        var theta = Enumerable.Range(0, k + 1).Select(j => 0.01 * j).Append(1.5).ToArray();
        using var engine = new LikelihoodEngine<LinearModel>(devices.Cpu, new LinearModel(new double[k]), [y, .. features]);
        var gradient = new double[k + 2];

        double value = engine.Evaluate(theta, gradient);

        var residuals = Enumerable.Range(0, n).Select(i => y[i] - theta[0] - Enumerable.Range(0, k).Sum(j => theta[j + 1] * features[j][i])).ToArray();
        Assert.True(Numerics.Relative(value, Numerics.Sum(residuals.Select(r => Normal.PDFLn(0, 1.5, r)))) <= 1e-12);
        for (int j = 0; j < k; j++)
        {
            double expected = Numerics.Sum(residuals.Select((r, i) => r * features[j][i] / 2.25));
            Assert.True(Numerics.Relative(gradient[j + 1], expected) <= 1e-10, $"feature {j}: {gradient[j + 1]} vs {expected}");
        }
    }

    [Theory]
    [MemberData(nameof(DeviceFixture.Backends), MemberType = typeof(DeviceFixture))]
    public void RepeatedEvaluationsGiveIdenticalBits(Backend backend)
    {
        var x = NormalSamples.Draw(100_003, 7, 0, 1);
        using var engine = new LikelihoodEngine<NormalModel>(devices[backend], new NormalModel(), [x]);
        var first = new double[2];
        var second = new double[2];
        double a = engine.Evaluate([0.1, 0.9], first);
        double b = engine.Evaluate([0.1, 0.9], second);
        Assert.Equal(BitConverter.DoubleToInt64Bits(a), BitConverter.DoubleToInt64Bits(b));
        Assert.Equal(first.Select(BitConverter.DoubleToInt64Bits), second.Select(BitConverter.DoubleToInt64Bits));
    }

    // The engine held through its non-generic interface gives the same bits as through its own type.
    [Theory]
    [MemberData(nameof(DeviceFixture.Backends), MemberType = typeof(DeviceFixture))]
    public void InterfaceGivesTheSameResults(Backend backend)
    {
        var x = NormalSamples.Draw(5_000, 8, 1, 2);
        using var typed = new LikelihoodEngine<NormalModel>(devices[backend], new NormalModel(), [x]);
        using ILikelihoodEngine engine = new LikelihoodEngine<NormalModel>(devices[backend], new NormalModel(), [x]);
        double[] theta = [0.8, 2.2];
        var g1 = new double[2];
        var g2 = new double[2];

        Assert.Equal(2, engine.ParameterCount);
        Assert.Equal(x.Length, engine.Rows);
        Assert.Same(devices[backend], engine.Device);
        Assert.Equal(BitConverter.DoubleToInt64Bits(typed.Evaluate(theta, g1)), BitConverter.DoubleToInt64Bits(engine.Evaluate(theta, g2)));
        Assert.Equal(g1, g2);
        Assert.Equal(typed.LogDensities(theta), engine.LogDensities(theta));
        Assert.Equal(typed.LogLikelihoods([theta, [1.0, 1.0]]), engine.LogLikelihoods([theta, [1.0, 1.0]]));
    }

    [Fact]
    public void WrongColumnCountIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new LikelihoodEngine<LinearModel>(devices.Cpu, new LinearModel(new double[2]), [new double[3]]));
        Assert.Contains("reads 3 columns", e.Message);
    }
}
