using GpuEstimation.Backends;
using GpuEstimation.Engine;
using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Engine;

/// <summary>
/// The native backend's row blocks (<see cref="ILikelihoodModel{TSelf}.AccumulateBlock"/>: four rows to a 256-bit
/// vector, VectorMath's exp, log1p, log-gamma and digamma) against the model's scalar Accumulate summed row by row
/// here (compensated), for every family with a block: value and gradient within 1e-12 of the sum of the terms' sizes,
/// over row counts that leave a partial block and a partial chunk, with edge data in the support; the same bits with
/// one thread as with two, also where Student-t's ν and the negative binomial's r are past their asymptotic shapes.
/// </summary>
public class NativeBlockTests
{
    public static TheoryData<string, int> Cases()
    {
        var cases = new TheoryData<string, int>();
        foreach (var family in new[] { "normal", "studentt", "studentt-near-asymptotic", "studentt-large-nu", "logistic", "weibull", "cauchy", "laplace", "lognormal", "beta", "beta-near-zero", "gamma", "gamma-large-shape", "negbinomial", "negbinomial-whole-r", "negbinomial-large-r" })
        {
            foreach (int rows in new[] { 1, 7, 2 * 32_768 + 13 })
                cases.Add(family, rows);
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BlocksAgreeWithTheRowByRowSums(string family, int rows)
    {
        switch (family)
        {
            case "normal":
                Check(new NormalModel(), Draw(rows, 1, r => 3 + 2 * Gaussian(r)), [2.9, 2.1]);
                break;
            case "studentt":
                Check(new StudentTModel(), Draw(rows, 2, r => 1 + 2 * Gaussian(r) / Math.Sqrt(Math.Max(1e-3, r.NextDouble()))), [0.9, 2.1, 4.5]);
                break;
            case "studentt-near-asymptotic":
                // Just below the asymptotic shape with every |z| near 1e-3 (t ~ 1e-8): the ν-derivative's terms are
                // ~2.5e-5 each, and a sum of the log(1 + t) through products of the 1 + t, which always drop the
                // products of two t (below half an ulp of 1), would miss by ~1e-12 of them; held to 1e-13 here.
                Check(new StudentTModel(), Draw(rows, 10, r => 0.9 + 2.1e-3 * (1 + 0.02 * r.NextDouble()) * (r.Next(2) == 0 ? -1 : 1)), [0.9, 2.1, 99.99],
                    tolerance: 1e-13);
                break;
            case "studentt-large-nu":
                // From the asymptotic shape on, with tails far enough for w = z²/(ν + z²) beyond the series' range.
                Check(new StudentTModel(), Draw(rows, 3, r => r.Next(100) == 0 ? 60 * Gaussian(r) : 1 + 2 * Gaussian(r)), [0.9, 2.1, 150.0]);
                break;
            case "logistic":
                // Far tails too: e^{−|z|} underflows to 0 beyond |z| ≈ 745.
                Check(new LogisticModel(), Draw(rows, 4, r => r.Next(50) == 0 ? 2000 * (r.NextDouble() - 0.5) : 1 + 3 * Gaussian(r)), [1.1, 1.7]);
                break;
            case "weibull":
                // Down to 1e-300 (log x ≈ −690) and up to 1e3.
                Check(new WeibullModel(), Draw(rows, 5, r => r.Next(50) == 0 ? Math.Pow(10, -300 * r.NextDouble()) : 0.05 + 3 * r.NextDouble()), [1.7, 1.3]);
                break;
            case "cauchy":
                // x at the location itself (z = 0) and far out.
                Check(new CauchyModel(), Draw(rows, 6, r => r.Next(20) == 0 ? 0.4 : r.Next(50) == 0 ? 1e6 * Gaussian(r) : 0.4 + 1.3 * Gaussian(r)), [0.4, 1.3]);
                break;
            case "laplace":
                // x at the location itself (the derivative's sign 0) on a row in twenty, both sides of it otherwise.
                Check(new LaplaceModel(), Draw(rows, 19, r => r.Next(20) == 0 ? 0.4 : 0.4 + 1.3 * Gaussian(r)), [0.4, 1.3]);
                break;
            case "lognormal":
                Check(new LogNormalModel(), Draw(rows, 21, r => Math.Exp(0.3 + 1.2 * Gaussian(r))), [0.3, 1.2]);
                break;
            case "beta":
                Check(new BetaModel(), Draw(rows, 26, r => 0.001 + 0.998 * r.NextDouble()), [0.7, 2.5]);
                break;
            case "beta-near-zero":
                // Within 1e-10 of 0, β ~ 10¹⁰ (the log-gamma increments' range).
                Check(new BetaModel(), Draw(rows, 27, r => 1e-10 * (1e-4 + r.NextDouble())), [0.54, 4.5e10]);
                break;
            case "gamma":
                // Down to 1e-300 (log x ≈ −690) and up to 1e3.
                Check(new GammaModel(), Draw(rows, 22, r => r.Next(50) == 0 ? Math.Pow(10, -300 * r.NextDouble()) : 0.05 + 3 * r.NextDouble()), [1.7, 1.3]);
                break;
            case "gamma-large-shape":
                // Past StableShape the cancellation-free form, one row at a time: no block.
                Check(new GammaModel(), Draw(rows, 23, r => 100 + r.NextDouble()), [GammaModel.StableShape * 2, 2.0], blocked: false);
                break;
            case "negbinomial":
                // Zeros (a quarter of the rows), small counts and a few large ones.
                Check(new NegativeBinomialModel(), Draw(rows, 7, Counts), [2.37, 0.31]);
                break;
            case "negbinomial-whole-r":
                // k + r whole: log Γ exact for the small ones.
                Check(new NegativeBinomialModel(), Draw(rows, 8, Counts), [3.0, 0.45]);
                break;
            default:
                // From the asymptotic shape on: DeviceMath's increments, tabulated or lane by lane.
                Check(new NegativeBinomialModel(), Draw(rows, 9, Counts), [180.0, 0.97]);
                break;
        }
    }

    [Theory]
    [InlineData("normal")]
    [InlineData("studentt")]
    [InlineData("logistic")]
    [InlineData("weibull")]
    [InlineData("cauchy")]
    [InlineData("laplace")]
    [InlineData("lognormal")]
    [InlineData("beta")]
    [InlineData("gamma")]
    [InlineData("negbinomial")]
    [InlineData("negbinomial-large-r")]
    [InlineData("studentt-large-nu")]
    public void BlocksGiveTheSameBitsWithAnyThreadCount(string family)
    {
        const int rows = 5 * 32_768 + 4_003;
        switch (family)
        {
            case "normal":
                SameBits(new NormalModel(), Draw(rows, 11, r => 3 + 2 * Gaussian(r)), [2.9, 2.1]);
                break;
            case "studentt":
                SameBits(new StudentTModel(), Draw(rows, 12, r => 1 + 2 * Gaussian(r)), [0.9, 2.1, 4.5]);
                break;
            case "logistic":
                SameBits(new LogisticModel(), Draw(rows, 13, r => 1 + 3 * Gaussian(r)), [1.1, 1.7]);
                break;
            case "weibull":
                SameBits(new WeibullModel(), Draw(rows, 14, r => 0.05 + 3 * r.NextDouble()), [1.7, 1.3]);
                break;
            case "cauchy":
                SameBits(new CauchyModel(), Draw(rows, 15, r => 0.4 + 1.3 * Gaussian(r)), [0.4, 1.3]);
                break;
            case "laplace":
                SameBits(new LaplaceModel(), Draw(rows, 20, r => 0.4 + 1.3 * Gaussian(r)), [0.4, 1.3]);
                break;
            case "lognormal":
                SameBits(new LogNormalModel(), Draw(rows, 24, r => Math.Exp(0.3 + 1.2 * Gaussian(r))), [0.3, 1.2]);
                break;
            case "beta":
                SameBits(new BetaModel(), Draw(rows, 28, r => 0.001 + 0.998 * r.NextDouble()), [0.7, 2.5]);
                break;
            case "gamma":
                SameBits(new GammaModel(), Draw(rows, 25, r => 0.05 + 3 * r.NextDouble()), [1.7, 1.3]);
                break;
            case "negbinomial":
                SameBits(new NegativeBinomialModel(), Draw(rows, 16, Counts), [2.37, 0.31]);
                break;
            case "studentt-large-nu":
                SameBits(new StudentTModel(), Draw(rows, 18, r => 1 + 2 * Gaussian(r)), [0.9, 2.1, 150.0]);
                break;
            default:
                SameBits(new NegativeBinomialModel(), Draw(rows, 17, Counts), [180.0, 0.97]);
                break;
        }
    }

    private static void Check<TModel>(TModel model, double[] x, double[] parameters, bool blocked = true, double tolerance = 1e-12)
        where TModel : unmanaged, IDistribution<TModel>
    {
        var columns = TModel.Columns(x, null);
        var arguments = Prepared(model, parameters);
        Assert.Equal(blocked, TModel.HasBlock(model, arguments));
        var (expected, scale) = RowByRow(model, arguments, columns, x.Length);
        using var device = ComputeDevice.Open(Backend.Native);
        using var engine = new LikelihoodEngine<TModel>(device, model, columns);
        var gradient = new double[parameters.Length];
        double value = engine.Evaluate(parameters, gradient);
        for (int k = 0; k <= parameters.Length; k++)
        {
            double actual = k == 0 ? value : gradient[k - 1];
            Assert.True(Math.Abs(actual - expected[k]) <= tolerance * scale[k],
                $"{TModel.Name}, {x.Length} rows, term {k}: {actual:R} vs {expected[k]:R} (scale {scale[k]:G3})");
        }
    }

    private static void SameBits<TModel>(TModel model, double[] x, double[] parameters)
        where TModel : unmanaged, IDistribution<TModel>
    {
        var columns = TModel.Columns(x, null);
        Assert.True(TModel.HasBlock(model, Prepared(model, parameters)));
        using var one = ComputeDevice.Open(Backend.Native, 1);
        using var two = ComputeDevice.Open(Backend.Native, 2);
        using var single = new LikelihoodEngine<TModel>(one, model, columns);
        using var several = new LikelihoodEngine<TModel>(two, model, columns);
        var a = new double[parameters.Length];
        var b = new double[parameters.Length];
        Assert.Equal(BitConverter.DoubleToInt64Bits(single.Evaluate(parameters, a)), BitConverter.DoubleToInt64Bits(several.Evaluate(parameters, b)));
        Assert.Equal(a.Select(BitConverter.DoubleToInt64Bits), b.Select(BitConverter.DoubleToInt64Bits));
    }

    private static Twice<Vec4> Prepared<TModel>(TModel model, double[] parameters) where TModel : unmanaged, IDistribution<TModel>
    {
        Span<double> values = stackalloc double[Twice<Vec4>.Capacity];
        TModel.Prepare(model, parameters, values);
        var arguments = default(Twice<Vec4>);
        for (int k = 0; k < values.Length; k++)
            arguments.Set(k, values[k]);
        return arguments;
    }

    // The model's own Accumulate, one row at a time, each term summed with compensation; and Σ|term| for the scale.
    private static unsafe (double[] Sums, double[] Scale) RowByRow<TModel>(TModel model, Twice<Vec4> arguments, ReadOnlyMemory<double>[] columns, int rows)
        where TModel : unmanaged, IDistribution<TModel>
    {
        var data = new double[Math.Max(1, columns.Length * rows)];
        for (int c = 0; c < columns.Length; c++)
            columns[c].Span.CopyTo(data.AsSpan(c * rows));
        int terms = TModel.Parameters.Count + 1;
        var values = new double[terms][];
        for (int k = 0; k < terms; k++)
            values[k] = new double[rows];
        double** table = stackalloc double*[columns.Length];
        fixed (double* pointer = data)
        {
            var host = HostRows.Contiguous(pointer, columns.Length, rows, table);
            for (int row = 0; row < rows; row++)
            {
                var sums = default(Twice<Vec4>);
                TModel.Accumulate(model, arguments, host, row, ref sums);
                for (int k = 0; k < terms; k++)
                    values[k][row] = sums.Get(k);
            }
        }
        return (values.Select(v => Numerics.Sum(v)).ToArray(), values.Select(v => v.Sum(Math.Abs)).ToArray());
    }

    private static double[] Draw(int rows, int seed, Func<Random, double> next)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(_ => next(random)).ToArray();
    }

    private static double Counts(Random random) => random.Next(4) == 0 ? 0 : random.Next(100) == 0 ? random.Next(5000) : random.Next(12);

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
