using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Engine;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Models;
using GpuEstimation.Tests.Support;
using MathNet.Numerics.Random;
using Xunit;

namespace GpuEstimation.Tests.Engine;

/// <summary>
/// The Hessian pass (on the ILGPU backends LikelihoodKernels' RowDerivativesKernel and TileProductsKernel, for a family's
/// one design value HessianKernel; the blocked host loop on native): a logit's value, gradient and Hessian against the textbook sums −Σ w p(1 − p) x xᵀ at edge
/// sizes (1 row, one group, one group plus one, more rows than the groups' threads, several native chunks); every family's and link's Hessian against
/// differences of the engine's gradient (itself checked against MathNet in <see cref="GlmEngineTests"/>); the same bits
/// twice.
/// </summary>
[Collection(DeviceCollection.Name)]
public class HessianPassTests(DeviceFixture devices)
{
    private const int Features = 8;

    [Theory]
    [MemberData(nameof(DeviceFixture.Backends), MemberType = typeof(DeviceFixture))]
    public void LogitHessianMatchesTextbookSumsAtEdgeSizes(Backend backend)
    {
        int group = devices[backend].GroupSize;
        var sizes = new[] { 1, group, group + 1, 2049 }.Concat(backend == Backend.Native ? [32_769] : []).Distinct();
        foreach (int rows in sizes)
        {
            var (data, parameters) = Logit(rows, seed: rows);
            // The model struct itself: the catalogue would refuse fewer rows than coefficients.
            var features = Enumerable.Range(0, Features).Select(j => data.Column($"x{j}").ToArray()).ToArray();
            var means = features.Select(f => f.Average()).ToArray();
            var model = new GlmModel(GlmFamily.Binomial, GlmLink.Logit, means, offset: true, weights: true);
            double[][] deviceColumns = [data.Column("y").ToArray(), data.Column("off").ToArray(), data.Column("w").ToArray(), .. features.Select((f, j) => f.Select(v => v - means[j]).ToArray())];
            using var engine = new LikelihoodEngine<GlmModel>(devices[backend], model, deviceColumns.AsColumns());
            Assert.True(engine.HasExactHessian);
            int p = parameters.Length;
            var gradient = new double[p];
            var hessian = new double[p * p];

            double value = engine.EvaluateHessian(parameters, gradient, hessian);

            var (expectedValue, expectedGradient, expectedHessian, scale) = TextbookLogit(data, parameters);
            Assert.True(Numerics.Relative(value, expectedValue) <= 1e-12, $"{backend}, {rows} rows: log-likelihood {value:R} vs {expectedValue:R}");
            for (int a = 0; a < p; a++)
            {
                Assert.True(Math.Abs(gradient[a] - expectedGradient[a]) <= 1e-11 * scale[a, a] * 10,
                    $"{backend}, {rows} rows: gradient[{a}] {gradient[a]:R} vs {expectedGradient[a]:R}");
                for (int b = 0; b < p; b++)
                {
                    Assert.True(Math.Abs(hessian[a * p + b] - expectedHessian[a, b]) <= 1e-11 * scale[a, b],
                        $"{backend}, {rows} rows: hessian[{a},{b}] {hessian[a * p + b]:R} vs {expectedHessian[a, b]:R}");
                }
            }
        }
    }

    public static IEnumerable<object[]> Combinations =>
        from backend in new[] { Backend.Native, Backend.Cpu }
        from family in Enum.GetValues<GlmFamily>()
        from link in Enum.GetValues<GlmLink>()
        where GlmModel.Supports(family, link)
        select new object[] { backend, family, link };

    // Second derivatives in (η, α) for each family and link, the chain rule to the parameters and the centring (a
    // feature of mean 100): against Richardson-extrapolated central differences of the gradient.
    [Theory]
    [MemberData(nameof(Combinations))]
    public void HessianMatchesDifferencedGradient(Backend backend, GlmFamily family, GlmLink link)
    {
        var (data, columns, parameters) = GlmEngineTests.Problem(family, link, intercept: true, seed: 7 * (int)family + (int)link);
        var spec = ModelCatalog.Create("glm", data, columns);
        using var engine = spec.CreateEngine(devices[backend]);
        int p = parameters.Length;
        var gradient = new double[p];
        var hessian = new double[p * p];
        engine.EvaluateHessian(parameters, gradient, hessian);

        for (int k = 0; k < p; k++)
        {
            var column = Differenced(engine, parameters, k);
            for (int i = 0; i < p; i++)
            {
                double size = Math.Max(Math.Abs(column[i]), Math.Sqrt(Math.Abs(hessian[i * p + i] * hessian[k * p + k])));
                Assert.True(Math.Abs(hessian[i * p + k] - column[i]) <= 2e-7 * size,
                    $"{family}/{link} on {backend}: hessian[{spec.Parameters[i].Name}, {spec.Parameters[k].Name}] {hessian[i * p + k]:R} vs differenced {column[i]:R}");
            }
        }
    }

    // On the native backend a GLM's value and gradient are the Hessian pass's first sums (in vectors; the model's
    // Accumulate a row at a time was ~5x slower), and a sweep's values its value sums: the same bits as that pass's
    // value and gradient, and within 1e-12 of the CPU accelerator's, whose kernels sum the model's own Accumulate.
    [Theory]
    [MemberData(nameof(Estimation.GlmFitTests.Combinations), MemberType = typeof(Estimation.GlmFitTests))]
    public void NativeValueAndGradientAreTheHessianPassFirstSums(GlmFamily family, GlmLink link)
    {
        var (data, columns, parameters) = GlmEngineTests.Problem(family, link, intercept: true, seed: 11 * (int)family + (int)link);
        var spec = ModelCatalog.Create("glm", data, columns);
        using var native = spec.CreateEngine(devices.Native);
        using var kernel = spec.CreateEngine(devices.Cpu);
        int p = parameters.Length;
        var (gradient, passGradient, kernelGradient, hessian) = (new double[p], new double[p], new double[p], new double[p * p]);

        // Evaluate first: after a Hessian pass at the same point it would return that pass's sums without a pass.
        double value = native.Evaluate(parameters, gradient);
        double passValue = native.EvaluateHessian(parameters, passGradient, hessian);
        double kernelValue = kernel.Evaluate(parameters, kernelGradient);

        Assert.Equal(BitConverter.DoubleToInt64Bits(passValue), BitConverter.DoubleToInt64Bits(value));
        Assert.Equal(passGradient.Select(BitConverter.DoubleToInt64Bits), gradient.Select(BitConverter.DoubleToInt64Bits));
        Assert.True(Numerics.Relative(value, kernelValue) <= 1e-12, $"{family}/{link}: {value:R} vs the CPU accelerator's {kernelValue:R}");
        double size = gradient.Max(Math.Abs) + Math.Abs(value) / data.Rows;
        for (int k = 0; k < p; k++)
            Assert.True(Math.Abs(gradient[k] - kernelGradient[k]) <= 1e-11 * size, $"{family}/{link}: gradient[{k}] {gradient[k]:R} vs {kernelGradient[k]:R}");
        // A sweep's points are the same pass's value sums (one per point): the value at the point to 1e-14, and the CPU
        // accelerator's sweep to 1e-12.
        var moved = parameters.Select(v => v + 0.01).ToArray();
        double[][] points = [parameters, moved];
        var swept = native.LogLikelihoods(points);
        var kernelSwept = kernel.LogLikelihoods(points);
        Assert.True(Numerics.Relative(swept[0], value) <= 1e-14, $"{family}/{link}: sweep {swept[0]:R} vs {value:R}");
        // (The moved point can leave the domain, a binomial mean above 1: NaN on both.)
        for (int i = 0; i < points.Length; i++)
            Assert.True((double.IsNaN(swept[i]) && double.IsNaN(kernelSwept[i])) || Numerics.Relative(swept[i], kernelSwept[i]) <= 1e-12, $"{family}/{link}: sweep point {i} {swept[i]:R} vs the CPU accelerator's {kernelSwept[i]:R}");
    }

    [Theory]
    [MemberData(nameof(DeviceFixture.Backends), MemberType = typeof(DeviceFixture))]
    public void SameBitsTwice(Backend backend)
    {
        var (data, columns, parameters) = GlmEngineTests.Problem(GlmFamily.NegativeBinomial, GlmLink.Log, intercept: true, seed: 3);
        using var engine = ModelCatalog.Create("glm", data, columns).CreateEngine(devices[backend]);
        int p = parameters.Length;
        var (g1, h1, g2, h2) = (new double[p], new double[p * p], new double[p], new double[p * p]);

        double v1 = engine.EvaluateHessian(parameters, g1, h1);
        double v2 = engine.EvaluateHessian(parameters, g2, h2);

        Assert.Equal(BitConverter.DoubleToInt64Bits(v1), BitConverter.DoubleToInt64Bits(v2));
        Assert.Equal(g1.Select(BitConverter.DoubleToInt64Bits), g2.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(h1.Select(BitConverter.DoubleToInt64Bits), h2.Select(BitConverter.DoubleToInt64Bits));
    }

    // The gradient's central differences along parameter k at h, h/2, h/4, with Richardson's tableau over them.
    private static double[] Differenced(ILikelihoodEngine engine, double[] parameters, int k)
    {
        int p = parameters.Length;
        // Small: a coefficient of a feature near 100 moves η a hundred times as far.
        double h = 1e-5 * Math.Max(1, Math.Abs(parameters[k]));
        var levels = new double[3][];
        for (int level = 0; level < 3; level++)
        {
            double step = h / (1 << level);
            var plus = parameters.ToArray();
            var minus = parameters.ToArray();
            plus[k] += step;
            minus[k] -= step;
            var gPlus = new double[p];
            var gMinus = new double[p];
            engine.Evaluate(plus, gPlus);
            engine.Evaluate(minus, gMinus);
            levels[level] = Enumerable.Range(0, p).Select(i => (gPlus[i] - gMinus[i]) / (2 * step)).ToArray();
        }
        for (int order = 1; order < 3; order++)
        {
            double factor = Math.Pow(4, order);
            for (int level = 2; level >= order; level--)
            {
                for (int i = 0; i < p; i++)
                    levels[level][i] = (factor * levels[level][i] - levels[level - 1][i]) / (factor - 1);
            }
        }
        return levels[2];
    }

    // Eight features (one of mean 100), an offset, frequency weights (some 0): 1 + 8 + 45 sums, two kernel launches.
    private static (Dataset, double[]) Logit(int rows, int seed)
    {
        var random = new Xoshiro256StarStar(seed);
        var named = new List<(string, double[])>();
        for (int j = 0; j < Features; j++)
        {
            double centre = j == 1 ? 100 : 0;
            named.Add(($"x{j}", Enumerable.Range(0, rows).Select(_ => centre + 2 * random.NextDouble() - 1).ToArray()));
        }
        named.Add(("off", Enumerable.Range(0, rows).Select(_ => 0.2 * random.NextDouble()).ToArray()));
        named.Add(("w", Enumerable.Range(0, rows).Select(i => (double)((i + 1) % 4)).ToArray()));
        named.Add(("y", Enumerable.Range(0, rows).Select(_ => (double)random.Next(0, 2)).ToArray()));
        var data = Dataset.FromColumns([.. named]);
        var parameters = new double[Features + 1];
        parameters[0] = 30;
        for (int j = 1; j <= Features; j++)
            parameters[j] = j == 2 ? -0.3 : 0.5 * Math.Sin(j);
        return (data, parameters);
    }

    // −Σ w p(1 − p) x xᵀ on the raw features (no centring), value and gradient from the plain formulas; the scale of each
    // Hessian entry is the sum of its terms' magnitudes.
    private static (double, double[], double[,], double[,]) TextbookLogit(Dataset data, double[] b)
    {
        int p = b.Length, rows = data.Rows;
        var x = Enumerable.Range(0, Features).Select(j => data.Column($"x{j}").ToArray()).ToArray();
        double[] off = data.Column("off").ToArray(), w = data.Column("w").ToArray(), y = data.Column("y").ToArray();
        var values = new List<double>();
        var gradient = Enumerable.Range(0, p).Select(_ => new List<double>()).ToArray();
        var hessian = new List<double>[p, p];
        var scale = new double[p, p];
        for (int a = 0; a < p; a++)
        {
            for (int c = 0; c < p; c++)
                hessian[a, c] = [];
        }
        for (int i = 0; i < rows; i++)
        {
            var row = new double[p];
            row[0] = 1;
            double eta = b[0] + off[i];
            for (int j = 0; j < Features; j++)
            {
                row[j + 1] = x[j][i];
                eta += b[j + 1] * x[j][i];
            }
            double prob = 1 / (1 + Math.Exp(-eta));
            values.Add(w[i] * (y[i] == 1 ? Math.Log(prob) : Math.Log(1 - prob)));
            for (int a = 0; a < p; a++)
            {
                gradient[a].Add(w[i] * (y[i] - prob) * row[a]);
                for (int c = 0; c < p; c++)
                {
                    double term = -w[i] * prob * (1 - prob) * row[a] * row[c];
                    hessian[a, c].Add(term);
                    scale[a, c] += Math.Abs(term);
                }
            }
        }
        var expected = new double[p, p];
        for (int a = 0; a < p; a++)
        {
            for (int c = 0; c < p; c++)
                expected[a, c] = Numerics.Sum(hessian[a, c]);
        }
        return (Numerics.Sum(values), gradient.Select(Numerics.Sum).ToArray(), expected, scale);
    }
}
