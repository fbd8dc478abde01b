using GpuEstimation.Backends;
using GpuEstimation.Mixtures;
using GpuEstimation.Tests.Support;
using MathNet.Numerics.Distributions;
using Xunit;

namespace GpuEstimation.Tests.Mixtures;

/// <summary>
/// The mixtures' kernels on every ILGPU backend present (the CPU accelerator here, OpenCL in CI's PoCL run, CUDA
/// where there is one) against the native passes: the Gaussian mixture's statistics kernel (tiles of rows in shared
/// memory, each statistic owned by one thread) through one EM step of a full-covariance fit and against a plain sum,
/// and the one-column normal mixture's unrolled kernel through its statistics.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class MixtureBackendTests(DeviceFixture devices)
{
    public static IEnumerable<object[]> KernelBackends => DeviceFixture.Present.Where(b => b != Backend.Native).Select(b => new object[] { b });

    [Theory]
    [MemberData(nameof(KernelBackends))]
    public void GaussianMixtureStepAgreesWithNative(Backend backend)
    {
        var columns = MixtureSamples.Draw(MixtureSamples.TwoD, 1500, seed: 21);
        string[] names = ["a", "b"];
        var options = new GaussianMixtureOptions { Components = 3, Starts = 1, MaxIterations = 1, Accelerate = false, StandardErrors = false };
        using var native = new GaussianMixtureFitter(names, columns, devices.Native);
        using var device = new GaussianMixtureFitter(names, columns, devices[backend]);
        var (a, b) = (native.Fit(options), device.Fit(options));
        Assert.Equal(a.LogLikelihood, b.LogLikelihood, 1e-11 * Math.Abs(a.LogLikelihood));
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(a.Components[c].Weight, b.Components[c].Weight, 1e-11);
            for (int j = 0; j < 2; j++)
                Assert.Equal(a.Components[c].Mean[j], b.Components[c].Mean[j], 1e-10);
        }
    }

    [Theory]
    [MemberData(nameof(KernelBackends))]
    public void NormalMixtureStatisticsAgreeWithNative(Backend backend)
    {
        const int components = 5;
        var random = new Random(4);
        var x = Enumerable.Range(0, 2501).Select(_ => Normal.Sample(random, 0, 2)).ToArray();
        var packed = new double[3 * components];
        for (int c = 0; c < components; c++)
        {
            double sigma = 0.6 + 0.3 * c;
            packed[3 * c] = Math.Log(1.0 / components) - Math.Log(sigma) - 0.5 * Math.Log(2 * Math.PI);
            packed[3 * c + 1] = -3 + 1.5 * c;
            packed[3 * c + 2] = 1 / sigma;
        }
        var codes = MixturePass.NormalCodes(components);
        using var onDevice = MixturePass.OpenNormal(devices[backend], x, components);
        using var onHost = MixturePass.OpenNormal(devices.Native, x, components);
        var (a, b) = (new double[codes.Length], new double[codes.Length]);
        double va = onDevice.Run(packed, codes, a), vb = onHost.Run(packed, codes, b);
        Assert.Equal(vb, va, 1e-12 * Math.Abs(vb));
        for (int e = 0; e < codes.Length; e++)
            Assert.True(Math.Abs(a[e] - b[e]) <= 1e-12 * (1 + Math.Abs(b[e])), $"statistic {e}: {a[e]:R} vs native {b[e]:R}");
    }

    // The unrolled kernel takes a thread's log-likelihood as Σ largest + log Π sum, the product scaled by 2^-900 each time
    // it passes 2^900. Sixteen equal components make every row's sum exactly 16 = 2⁴, so a thread's product passes 2^900
    // after 225 rows: with more rows a thread than that, the log-likelihood must still be the single normal's, Σ log φ,
    // within 1e-12 of its magnitude.
    // Each launch covers one row block (2²⁴ rows of one column) with every thread of the device, so the scaling is
    // reached only where 225 rows a thread fit in a block: the CPU accelerator and small devices, not a large GPU
    // (the H200's 270,336 threads take ~62 rows each), where the test says so.
    [SkippableTheory]
    [MemberData(nameof(KernelBackends))]
    public void NormalMixtureLogLikelihoodSurvivesLongProducts(Backend backend)
    {
        const int components = 16;
        var device = devices[backend];
        long threads = (long)device.MaxGroups * device.GroupSize;
        long needed = 230 * threads;
        Skip.If(needed > GpuEstimation.Engine.KernelBlocks.MaxBlockRows, $"{threads} threads need {needed} rows in one block to reach the scaling");
        int rows = (int)needed;
        var random = new Random(9);
        var x = Enumerable.Range(0, rows).Select(_ => Normal.Sample(random, 1, 2)).ToArray();
        const double sigma = 2;
        var packed = new double[3 * components];
        for (int c = 0; c < components; c++)
        {
            packed[3 * c] = Math.Log(1.0 / components) - Math.Log(sigma) - 0.5 * Math.Log(2 * Math.PI);
            packed[3 * c + 1] = 1;
            packed[3 * c + 2] = 1 / sigma;
        }
        var codes = MixturePass.NormalCodes(components);
        using var pass = MixturePass.OpenNormal(device, x, components);
        double value = pass.Run(packed, codes, new double[codes.Length]);
        double expected = x.Sum(v => Normal.PDFLn(1, sigma, v));
        Assert.Equal(expected, value, 1e-12 * Math.Abs(expected));
    }

    public static IEnumerable<object[]> StatisticShapes =>
        from b in DeviceFixture.Present.Where(b => b != Backend.Native)
        from shape in new[] { (32, 16, true), (5, 4, false), (1, 2, true), (3, 7, false) }
        select new object[] { b, shape.Item1, shape.Item2, shape.Item3 };

    // Every statistic of an EM step (Σ rₖ, Σ rₖ xⱼ, Σ rₖ xᵢxⱼ or Σ rₖ xⱼ²) and the log-likelihood against a plain sum
    // written here, row after row, within 1e-12 of the sum of the terms' magnitudes: 32-D with 16 diagonal components
    // (1,040 statistics: several launches on the CPU accelerator's small groups, one on a GPU's), full covariances in
    // 5-D and 3-D, one dimension. 3,001 rows fill no whole tile. A second run gives the same bits.
    [Theory]
    [MemberData(nameof(StatisticShapes))]
    public void GaussianMixtureStatisticsAgreeWithAPlainSum(Backend backend, int d, int k, bool diagonal)
    {
        var reference = new StatisticsReference(d, k, diagonal, 3001);
        var codes = reference.Codes;
        using var pass = MixturePass.Open(devices[backend], reference.Columns.Select(c => (ReadOnlyMemory<double>)c).ToArray(), k, diagonal);
        var packedCodes = reference.PackedCodes;
        var (sums, again) = (new double[codes.Count], new double[codes.Count]);
        double value = pass.Run([.. reference.Packed], packedCodes, sums);
        reference.Check(value, sums);
        double valueAgain = pass.Run([.. reference.Packed], packedCodes, again);
        Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(valueAgain));
        Assert.Equal(sums.Select(BitConverter.DoubleToInt64Bits), again.Select(BitConverter.DoubleToInt64Bits));
    }
}

/// <summary>
/// A Gaussian mixture's parameters (packed as the statistics kernel takes them), data, and every statistic of an EM step
/// (Σ rₖ, Σ rₖ zⱼ, Σ rₖ zᵢzⱼ or Σ rₖ zⱼ², z = x − μₖ) with the log-likelihood, as a plain sum written here: log-sum-exp per row, then
/// each statistic's terms added row after row. <see cref="Check"/> holds a pass's sums to 1e-12 of the sum of the
/// terms' magnitudes.
/// </summary>
internal sealed class StatisticsReference
{
    public StatisticsReference(int d, int k, bool diagonal, int n)
    {
        var random = new Random(100 * d + k);
        var columns = Enumerable.Range(0, d).Select(_ => Enumerable.Range(0, n).Select(_ => Normal.Sample(random, 0, 2)).ToArray()).ToArray();
        // Component c: weight ∝ 1 + c, mean drawn, F = L⁻¹ lower triangular with a positive diagonal (diagonal: F's diagonal).
        var mean = new double[k][];
        var factor = new double[k][,];
        var packed = new List<double>();
        for (int c = 0; c < k; c++)
        {
            mean[c] = Enumerable.Range(0, d).Select(_ => Normal.Sample(random, 0, 1.5)).ToArray();
            factor[c] = new double[d, d];
            double logDeterminant = 0;
            for (int i = 0; i < d; i++)
            {
                factor[c][i, i] = 0.4 + random.NextDouble();
                logDeterminant += Math.Log(factor[c][i, i]);
                for (int j = 0; j < i && !diagonal; j++)
                    factor[c][i, j] = 0.3 * (random.NextDouble() - 0.5);
            }
            double weight = (1.0 + c) / (k * (k + 1) / 2.0);
            packed.Add(Math.Log(weight) + logDeterminant - 0.5 * d * Math.Log(2 * Math.PI));
            packed.AddRange(mean[c]);
            for (int i = 0; i < d; i++)
            {
                if (diagonal)
                    packed.Add(factor[c][i, i]);
                else
                    for (int j = 0; j <= i; j++)
                        packed.Add(factor[c][i, j]);
            }
        }
        var codes = new List<(int C, int A, int B)>();
        for (int c = 0; c < k; c++)
        {
            codes.Add((c, d, d));
            codes.AddRange(Enumerable.Range(0, d).Select(j => (c, j, d)));
            for (int i = 0; i < d; i++)
                codes.AddRange(Enumerable.Range(i, diagonal ? 1 : d - i).Select(j => (c, i, j)));
        }

        // The plain sums: log-sum-exp per row, then each statistic's terms added row after row.
        var expected = new double[codes.Count];
        var magnitude = new double[codes.Count];
        double logLikelihood = 0, logMagnitude = 0;
        var z = new double[d + 1];
        var log = new double[k];
        for (int row = 0; row < n; row++)
        {
            for (int j = 0; j < d; j++)
                z[j] = columns[j][row];
            z[d] = 1;
            for (int c = 0; c < k; c++)
            {
                double quadratic = 0;
                for (int i = 0; i < d; i++)
                {
                    double u = 0;
                    for (int j = 0; j <= i; j++)
                        u += factor[c][i, j] * (z[j] - mean[c][j]);
                    quadratic += u * u;
                }
                log[c] = packed[c * (packed.Count / k)] - 0.5 * quadratic;
            }
            double largest = log.Max(), total = log.Sum(l => Math.Exp(l - largest));
            double density = largest + Math.Log(total);
            logLikelihood += density;
            logMagnitude += Math.Abs(density);
            for (int e = 0; e < codes.Count; e++)
            {
                var (c, a, b) = codes[e];
                // The row less the component's mean (the constant at index d is not centred).
                double term = Math.Exp(log[c] - density) * (a < d ? z[a] - mean[c][a] : 1.0) * (b < d ? z[b] - mean[c][b] : 1.0);
                expected[e] += term;
                magnitude[e] += Math.Abs(term);
            }
        }

        Columns = columns;
        Packed = packed;
        Codes = codes;
        PackedCodes = [.. codes.Select(t => GpuEstimation.Kernels.Mixtures.GaussianMixtureRow.Code(t.C, t.A, t.B))];
        _expected = expected;
        _magnitude = magnitude;
        _logLikelihood = logLikelihood;
        _logMagnitude = logMagnitude;
    }

    private readonly double[] _expected, _magnitude;
    private readonly double _logLikelihood, _logMagnitude;

    /// <summary>The d columns.</summary>
    public double[][] Columns { get; }

    /// <summary>The packed parameters.</summary>
    public List<double> Packed { get; }

    /// <summary>Every statistic, component after component.</summary>
    public List<(int C, int A, int B)> Codes { get; }

    /// <summary>The statistics' codes as the kernel takes them.</summary>
    public int[] PackedCodes { get; }

    /// <summary>Holds a pass's log-likelihood and sums to the plain ones within 1e-12 of their terms' magnitudes.</summary>
    public void Check(double value, double[] sums)
    {
        Assert.True(Math.Abs(value - _logLikelihood) <= 1e-12 * _logMagnitude, $"log-likelihood {value:R} vs {_logLikelihood:R}");
        for (int e = 0; e < Codes.Count; e++)
            Assert.True(Math.Abs(sums[e] - _expected[e]) <= 1e-12 * (1 + _magnitude[e]), $"statistic {Codes[e]}: {sums[e]:R} vs {_expected[e]:R}");
    }
}
