using System.Runtime.Intrinsics;
using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Models;
using Xunit;

namespace GpuEstimation.Tests.Kernels;

/// <summary>
/// The native backend's vectorized logit rows (<see cref="GlmModel.CurvatureBlock"/>) against the scalar
/// <see cref="ILinearPredictorModel{TSelf}.Curvature"/> row by row, and the vector exp and log they use against the
/// host's libm, in ulps.
/// </summary>
public class CurvatureBlockTests
{
    private static long Ulps(double a, double b) => Math.Abs(BitConverter.DoubleToInt64Bits(a) - BitConverter.DoubleToInt64Bits(b));

    // The exp and log the blocks use (VectorMath) on the ranges the logit uses: exp within 2 ulps of Math.Exp on
    // [−745, 0], log within 3 of Math.Log on [1, 2].
    [Fact]
    public void VectorExpAndLogStayWithinAFewUlpsOfLibm()
    {
        var random = new Random(3);
        long exp = 0, log = 0;
        for (int i = 0; i < 200_000; i++)
        {
            double x = -random.NextDouble() * (i % 2 == 0 ? 40 : 745);
            exp = Math.Max(exp, Ulps(VectorMath.Exp(Vector256.Create(x)).GetElement(0), Math.Exp(x)));
            double u = 1 + random.NextDouble();
            log = Math.Max(log, Ulps(VectorMath.Log(Vector256.Create(u)).GetElement(0), Math.Log(u)));
        }
        Assert.True(exp <= 2, $"exp: {exp} ulps");
        Assert.True(log <= 3, $"log: {log} ulps");
    }

    // The normal's rows four at a time: the same bits as row by row (a block length that leaves a scalar tail).
    [Fact]
    public unsafe void VectorNormalRowsAreTheScalarRows()
    {
        const int n = 1027;
        var random = new Random(12);
        var x = Enumerable.Range(0, n).Select(_ => (random.NextDouble() - 0.5) * 40).ToArray();
        var design = Enumerable.Repeat(1.75, n).ToArray();
        var arguments = new double[4];
        NormalModel.Prepare(default, [1.75, 2.5], arguments);
        var own = default(Vec4);
        for (int k = 0; k < 4; k++)
            own.Set(k, arguments[k]);
        var vector = new double[6 * n];
        var scalar = new double[6 * n];
        double** table = stackalloc double*[1];
        fixed (double* v = x, d = design, a = vector, b = scalar)
        {
            var data = HostRows.Contiguous(v, 1, n, table);
            NormalModel.CurvatureBlock(default, own, data, 0, n, d, a, n);
            RowBlocks.OneByOne(default(NormalModel), own, data, 0, n, d, b, n);
        }
        for (int k = 0; k < 6 * n; k++)
            Assert.True(vector[k].Equals(scalar[k]), $"derivative {k / n}, row {k % n}: {vector[k]:R} vs {scalar[k]:R}");
    }

    // The exponential's and the gamma's rows four at a time: the same bits as row by row.
    [Fact]
    public unsafe void VectorExponentialAndGammaRowsAreTheScalarRows()
    {
        const int n = 1026;
        var random = new Random(13);
        var x = Enumerable.Range(0, n).Select(_ => 0.01 + random.NextDouble() * 30).ToArray();
        var values = x.Concat(x.Select(v => Math.Log(v))).ToArray();
        AssertSameRows<ExponentialModel>([1.3], x, n);
        AssertSameRows<GammaModel>([2.7, 0.8], values, n);
    }

    private static unsafe void AssertSameRows<TModel>(double[] parameters, double[] values, int n)
        where TModel : unmanaged, ILinearPredictorModel<TModel>
    {
        var model = default(TModel);
        var arguments = new double[Math.Max(4, TModel.ArgumentCount(model))];
        TModel.Prepare(model, parameters, arguments);
        var own = default(Vec4);
        for (int k = 0; k < 4; k++)
            own.Set(k, arguments[k]);
        var design = Enumerable.Repeat(arguments[model.DesignArgument(0)], n).ToArray();
        var vector = new double[6 * n];
        var scalar = new double[6 * n];
        double** table = stackalloc double*[values.Length / n];
        fixed (double* v = values, d = design, a = vector, b = scalar)
        {
            var data = HostRows.Contiguous(v, values.Length / n, n, table);
            TModel.CurvatureBlock(model, own, data, 0, n, d, a, n);
            RowBlocks.OneByOne(model, own, data, 0, n, d, b, n);
        }
        for (int k = 0; k < 6 * n; k++)
            Assert.True(vector[k].Equals(scalar[k]), $"{typeof(TModel).Name} derivative {k / n}, row {k % n}: {vector[k]:R} vs {scalar[k]:R}");
    }

    // Rows with η from −800 to 800 (each tail, and |η| where 1 + e^{−|η|} rounds to 1), y and trials with zeros, an
    // offset, per-row constants, weights with zeros; a block length that leaves a scalar tail.
    [Fact]
    public unsafe void VectorLogitRowsMatchTheScalarRows()
    {
        const int n = 1031;
        var random = new Random(11);
        var trials = Enumerable.Range(0, n).Select(i => (double)(1 + i % 4)).ToArray();
        var y = trials.Select((t, i) => (double)(i % 3 == 0 ? 0 : i % 3 == 1 ? t : random.Next(0, (int)t + 1))).ToArray();
        var constants = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
        var offsets = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var weights = Enumerable.Range(0, n).Select(i => i % 7 == 0 ? 0.0 : 1 + i % 3).ToArray();
        var design = Enumerable.Range(0, n).Select(i => i % 5 == 0 ? (random.NextDouble() - 0.5) * 1600 : (random.NextDouble() - 0.5) * 20).ToArray();
        design[1] = 40;
        design[2] = -40;
        var model = new GlmModel(GlmFamily.Binomial, GlmLink.Logit, [], trials: true, constant: true, offset: true, weights: true);
        var values = y.Concat(trials).Concat(constants).Concat(offsets).Concat(weights).ToArray();
        var vector = new double[6 * n];
        var scalar = new double[6 * n];
        double** table = stackalloc double*[values.Length / n];
        fixed (double* v = values, d = design, a = vector, b = scalar)
        {
            var data = HostRows.Contiguous(v, values.Length / n, n, table);
            GlmModel.CurvatureBlock(model, default, data, 0, n, d, a, n);
            RowBlocks.OneByOne(model, default, data, 0, n, d, b, n);
        }
        for (int k = 0; k < 6 * n; k++)
        {
            // Relative: exp and log differ by up to 3 ulps, and each derivative is one or two terms of them; the value
            // relative to its terms' size (the constant cancels much of log f).
            int row = k % n;
            double tolerance = 4e-15 * (Math.Abs(scalar[k]) + (k < n ? 2 * constants[row] * weights[row] : 0));
            Assert.True(Math.Abs(vector[k] - scalar[k]) <= tolerance || vector[k] == scalar[k],
                $"kind {k / n}, row {row} (η {design[row] + offsets[row]:R}): {vector[k]:R} vs {scalar[k]:R}");
        }
    }

    // Poisson under the log link: η from −50 to 50 (means from 2e-22 to 5e21), counts with zeros, an offset,
    // per-row constants, weights with zeros; the scalar rows use DeviceMath's exp, the vector rows .NET's (2 ulps).
    [Fact]
    public unsafe void VectorPoissonRowsMatchTheScalarRows()
    {
        const int n = 1029;
        var random = new Random(5);
        var y = Enumerable.Range(0, n).Select(i => i % 4 == 0 ? 0.0 : random.Next(0, 50)).ToArray();
        var constants = y.Select(v => -DeviceMath.LogGamma(v + 1)).ToArray();
        var offsets = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var weights = Enumerable.Range(0, n).Select(i => i % 9 == 0 ? 0.0 : 1 + i % 2).ToArray();
        var design = Enumerable.Range(0, n).Select(_ => (random.NextDouble() - 0.5) * 100).ToArray();
        var model = new GlmModel(GlmFamily.Poisson, GlmLink.Log, [], constant: true, offset: true, weights: true);
        var values = y.Concat(constants).Concat(offsets).Concat(weights).ToArray();
        var vector = new double[6 * n];
        var scalar = new double[6 * n];
        double** table = stackalloc double*[values.Length / n];
        fixed (double* v = values, d = design, a = vector, b = scalar)
        {
            var data = HostRows.Contiguous(v, values.Length / n, n, table);
            GlmModel.CurvatureBlock(model, default, data, 0, n, d, a, n);
            RowBlocks.OneByOne(model, default, data, 0, n, d, b, n);
        }
        for (int k = 0; k < 6 * n; k++)
        {
            // Relative to the size of the row's terms: y η, μ and the constant, each times the weight.
            int row = k % n;
            double eta = design[row] + offsets[row];
            double scale = weights[row] * (Math.Abs(y[row] * eta) + Math.Exp(eta) + Math.Abs(constants[row]));
            Assert.True(Math.Abs(vector[k] - scalar[k]) <= 8e-15 * scale || vector[k] == scalar[k],
                $"kind {k / n}, row {row} (η {eta:R}): {vector[k]:R} vs {scalar[k]:R}");
        }
    }
}
