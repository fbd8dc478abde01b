using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Models;
using GpuEstimation.Priors;
using GpuEstimation.Tests.Support;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuEstimation.Tests.Engine;

/// <summary>
/// Designs wider than a term vector (issue 13: at least 100 columns; here 150 features, 151 coefficients), which take
/// the wide passes (coefficients in memory, per-row derivatives, tiled sums): the engine's value, gradient, Hessian,
/// score products (and within clusters), per-row log-densities and sweep against plain host sums; logistic and Poisson fits against a host
/// Newton–Raphson (IRLS) written here with MathNet, coefficients and standard errors to 1e-8, HC0 to 1e-8; the native
/// backend and the CPU accelerator (ILGPU's kernels) to 1e-10 of each other; ridge and lasso priors at their optimality
/// conditions.
/// </summary>
[Collection(DeviceCollection.Name)]
public class WideDesignTests(DeviceFixture devices)
{
    private const int K = 150;

    // Features of unequal means and scales (not centred: wider than GlmModel.MaxCentred), a response from small
    // true effects so that neither model separates or overflows.
    private static (Dataset Data, string[] Names, Matrix<double> X, double[] Y) Problem(GlmFamily family, int n, int seed)
    {
        var names = Enumerable.Range(1, K).Select(j => $"x{j}").ToArray();
        var features = Enumerable.Range(0, K).Select(j => NormalSamples.Draw(n, seed + j, 0.2 * (j % 5) - 0.3, 0.6 + 0.01 * j)).ToArray();
        var effects = NormalSamples.Draw(K, seed - 1, 0, family == GlmFamily.Binomial ? 0.08 : 0.03);
        var uniform = new Random(seed);
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double eta = family == GlmFamily.Binomial ? -0.3 : 0.4;
            for (int j = 0; j < K; j++)
                eta += effects[j] * features[j][i];
            y[i] = family == GlmFamily.Binomial
                ? (uniform.NextDouble() < 1 / (1 + Math.Exp(-eta)) ? 1 : 0)
                : PoissonDraw(uniform, Math.Exp(eta));
        }
        var x = Matrix<double>.Build.Dense(n, K + 1, (i, j) => j == 0 ? 1 : features[j - 1][i]);
        return (Dataset.FromColumns([("y", y), .. names.Select((name, j) => (name, features[j]))]), names, x, y);
    }

    private static double PoissonDraw(Random random, double mean)
    {
        double limit = Math.Exp(-mean), product = random.NextDouble();
        int k = 0;
        for (; product > limit; k++)
            product *= random.NextDouble();
        return k;
    }

    // The mean and the IRLS weight (−∂²/∂η² of the log-density) at η: logit p and p(1 − p); log μ and μ.
    private static (double Mean, double Weight) Link(GlmFamily family, double eta)
    {
        if (family == GlmFamily.Poisson)
            return (Math.Exp(eta), Math.Exp(eta));
        double p = 1 / (1 + Math.Exp(-eta));
        return (p, p * (1 - p));
    }

    // Newton–Raphson (IRLS for these canonical links) on the host: b ← b + (XᵀWX)⁻¹ Xᵀ(y − μ) until the step is 1e-14
    // relative; the information XᵀWX and HC0's meat Σ (yᵢ − μᵢ)² xᵢ xᵢᵀ at the end.
    internal static (Vector<double> B, Matrix<double> Information, Matrix<double> Meat) HostNewton(GlmFamily family, Matrix<double> x, double[] y)
    {
        int n = x.RowCount, p = x.ColumnCount;
        var b = Vector<double>.Build.Dense(p);
        Matrix<double> information = null!;
        Vector<double> residual = null!;
        for (int iteration = 0; iteration < 50; iteration++)
        {
            var eta = x * b;
            var weight = Vector<double>.Build.Dense(n, i => Link(family, eta[i]).Weight);
            residual = Vector<double>.Build.Dense(n, i => y[i] - Link(family, eta[i]).Mean);
            information = x.TransposeThisAndMultiply(x.PointwiseMultiply(Matrix<double>.Build.Dense(n, p, (i, _) => weight[i])));
            var step = information.Cholesky().Solve(x.TransposeThisAndMultiply(residual));
            b += step;
            if (step.AbsoluteMaximum() <= 1e-14 * Math.Max(1, b.AbsoluteMaximum()))
                break;
        }
        var final = x * b;
        residual = Vector<double>.Build.Dense(n, i => y[i] - Link(family, final[i]).Mean);
        var w = Vector<double>.Build.Dense(n, i => Link(family, final[i]).Weight);
        information = x.TransposeThisAndMultiply(x.PointwiseMultiply(Matrix<double>.Build.Dense(n, p, (i, _) => w[i])));
        var scaled = x.PointwiseMultiply(Matrix<double>.Build.Dense(n, p, (i, _) => residual[i]));
        return (b, information, scaled.TransposeThisAndMultiply(scaled));
    }

    private static ModelSpec<GlmModel> Spec(GlmFamily family, Dataset data, string[] names) =>
        (ModelSpec<GlmModel>)ModelCatalog.Create(family == GlmFamily.Binomial ? "logit" : "glm", data,
            new ModelColumns(Y: "y", X: names) { Family = family == GlmFamily.Binomial ? null : "poisson" });

    public static TheoryData<GlmFamily> Families => new() { GlmFamily.Binomial, GlmFamily.Poisson };

    // 2500 rows, 151 coefficients, on the native backend: estimates and model-based and HC0 standard errors.
    [Theory]
    [MemberData(nameof(Families))]
    public void FitsMatchHostNewtonRaphson(GlmFamily family)
    {
        var (data, names, x, y) = Problem(family, 2500, family == GlmFamily.Binomial ? 100 : 400);
        var (b, information, meat) = HostNewton(family, x, y);
        var bread = information.Inverse();
        var robust = bread * meat * bread;
        var spec = Spec(family, data, names);
        using var session = new EstimationSession(spec, devices.Native);

        var fit = session.Fit(new FitOptions());
        var hc0 = session.Fit(new FitOptions { Covariance = CovarianceType.HC0 });

        Assert.True(fit.Converged, fit.Reason);
        Assert.Equal(K + 1, fit.Parameters.Count);
        for (int k = 0; k <= K; k++)
        {
            var name = fit.Parameters[k].Name;
            double se = Math.Sqrt(bread[k, k]), robustSe = Math.Sqrt(robust[k, k]);
            Assert.True(Math.Abs(fit.Parameters[k].Estimate - b[k]) <= 1e-8 * Math.Abs(b[k]) + 1e-10 * se, $"{name}: {fit.Parameters[k].Estimate:R} vs {b[k]:R}");
            Assert.True(Numerics.Relative(fit.Parameters[k].StdError!.Value, se) <= 1e-8, $"{name} se: {fit.Parameters[k].StdError:R} vs {se:R}");
            Assert.True(Numerics.Relative(hc0.Parameters[k].StdError!.Value, robustSe) <= 1e-8, $"{name} HC0 se: {hc0.Parameters[k].StdError:R} vs {robustSe:R}");
        }
    }

    public static IEnumerable<object[]> KernelBackends =>
        from backend in DeviceFixture.Present.Where(b => b != Backend.Native)
        from family in new[] { GlmFamily.Binomial, GlmFamily.Poisson }
        select new object[] { backend, family };

    // The same fits (with HC0) on each ILGPU backend present (the CPU accelerator here, which runs the wide kernels as
    // .NET code: a minute), against the native backend.
    [Theory]
    [Trait("Category", Categories.Slow)]
    [MemberData(nameof(KernelBackends))]
    public void BackendsAgree(Backend backend, GlmFamily family)
    {
        var (data, names, _, _) = Problem(family, 700, 31);
        var spec = Spec(family, data, names);
        FitResult Fit(ComputeDevice device)
        {
            using var session = new EstimationSession(spec, device);
            return session.Fit(new FitOptions { Covariance = CovarianceType.HC0 });
        }

        var native = Fit(devices.Native);
        var cpu = Fit(devices[backend]);

        Assert.True(native.Converged && cpu.Converged, $"{native.Reason} / {cpu.Reason}");
        Assert.True(Numerics.Relative(native.LogLikelihood, cpu.LogLikelihood) <= 1e-12, $"{native.LogLikelihood:R} vs {cpu.LogLikelihood:R}");
        for (int k = 0; k <= K; k++)
        {
            var (a, c) = (native.Parameters[k], cpu.Parameters[k]);
            Assert.True(Math.Abs(a.Estimate - c.Estimate) <= 1e-10 * Math.Max(Math.Abs(a.Estimate), a.StdError!.Value), $"{a.Name}: {a.Estimate:R} vs {c.Estimate:R}");
            Assert.True(Numerics.Relative(a.StdError!.Value, c.StdError!.Value) <= 1e-10, $"{a.Name} HC0 se: {a.StdError:R} vs {c.StdError:R}");
        }
    }

    // Every pass of the wide engine against host sums at a point away from the optimum: 1 row, a group plus one, and
    // (but on the CPU accelerator, which emulates the kernels' groups: slow) 600 rows.
    [Fact]
    public void NativeEnginePassesMatchHostSums() => EnginePassesMatchHostSums(Backend.Native);

    public static IEnumerable<object[]> KernelBackendsOnly => DeviceFixture.Present.Where(b => b != Backend.Native).Select(b => new object[] { b });

    [Theory]
    [Trait("Category", Categories.Slow)]
    [MemberData(nameof(KernelBackendsOnly))]
    public void KernelEnginePassesMatchHostSums(Backend backend) => EnginePassesMatchHostSums(backend);

    private void EnginePassesMatchHostSums(Backend backend)
    {
        foreach (int n in new[] { 1, devices[backend].GroupSize + 1, backend == Backend.Cpu ? 1 : 600 }.Distinct())
        {
            var (_, _, x, y) = Problem(GlmFamily.Binomial, Math.Max(n, 2), 7 + n);
            x = x.SubMatrix(0, n, 0, K + 1);
            var columns = new List<double[]> { y[..n] };
            columns.AddRange(Enumerable.Range(1, K).Select(j => x.Column(j).ToArray()));
            var model = new GlmModel(GlmFamily.Binomial, GlmLink.Logit, new double[K]);
            using var engine = new GpuEstimation.Engine.LikelihoodEngine<GlmModel>(devices[backend], model, columns.AsColumns());
            var b = Vector<double>.Build.Dense(K + 1, k => 0.05 * Math.Sin(k + 1.0));
            var eta = x * b;
            var p = eta.Map(e => 1 / (1 + Math.Exp(-e)));
            double value = Enumerable.Range(0, n).Sum(i => y[i] * Math.Log(p[i]) + (1 - y[i]) * Math.Log(1 - p[i]));
            var residual = Vector<double>.Build.Dense(n, i => y[i] - p[i]);
            var gradient = x.TransposeThisAndMultiply(residual);
            var hessian = -x.TransposeThisAndMultiply(x.PointwiseMultiply(Matrix<double>.Build.Dense(n, K + 1, (i, _) => p[i] * (1 - p[i]))));
            var scaled = x.PointwiseMultiply(Matrix<double>.Build.Dense(n, K + 1, (i, _) => residual[i]));
            var meat = scaled.TransposeThisAndMultiply(scaled);

            var g = new double[K + 1];
            var h = new double[(K + 1) * (K + 1)];
            var g2 = new double[K + 1];
            double v = engine.Evaluate(b.ToArray(), g);
            double v2 = engine.EvaluateHessian(b.ToArray(), g2, h);
            var products = engine.ScoreProducts(b.ToArray());
            var clusters = Enumerable.Range(0, n).Select(i => i % 7).ToArray();
            var clustered = engine.ClusterScoreProducts(b.ToArray(), clusters, 7);
            var sums = Matrix<double>.Build.Dense(7, K + 1, (c, a) => Enumerable.Range(0, n).Where(i => clusters[i] == c).Sum(i => scaled[i, a]));
            var clusterMeat = sums.TransposeThisAndMultiply(sums);
            var densities = engine.LogDensities(b.ToArray());
            var sweep = engine.LogLikelihoods([b.ToArray(), (b * 0.5).ToArray()]);

            string at = $"{backend}, {n} rows";
            Assert.True(Numerics.Relative(v, value) <= 1e-12, $"{at}: value {v:R} vs {value:R}");
            Assert.Equal(v, v2);
            // The sweep sums its rows in chunks, the value pass in groups: the same to rounding (on OpenCL one ulp apart).
            Assert.True(Numerics.Relative(sweep[0], v) <= 1e-14, $"{at}: sweep {sweep[0]:R} vs value {v:R}");
            Assert.True(Numerics.Relative(densities.Sum(), value) <= 1e-12, $"{at}: Σ densities");
            for (int a = 0; a <= K; a++)
            {
                double scale = Math.Sqrt(-hessian[a, a]) * Math.Sqrt(n) + 1e-300;
                Assert.True(Math.Abs(g[a] - gradient[a]) <= 1e-12 * scale * 10, $"{at}: gradient[{a}] {g[a]:R} vs {gradient[a]:R}");
                Assert.Equal(g[a], g2[a]);
                for (int c = 0; c <= K; c++)
                {
                    double entry = Math.Sqrt(-hessian[a, a] * -hessian[c, c]) + 1e-300;
                    Assert.True(Math.Abs(h[a * (K + 1) + c] - hessian[a, c]) <= 1e-12 * entry * 10, $"{at}: hessian[{a},{c}] {h[a * (K + 1) + c]:R} vs {hessian[a, c]:R}");
                    double meatEntry = Math.Sqrt(meat[a, a] * meat[c, c]) + 1e-300;
                    Assert.True(Math.Abs(products[a, c] - meat[a, c]) <= 1e-12 * meatEntry * 10, $"{at}: meat[{a},{c}] {products[a, c]:R} vs {meat[a, c]:R}");
                    double clusterEntry = Math.Sqrt(clusterMeat[a, a] * clusterMeat[c, c]) + 1e-300;
                    Assert.True(Math.Abs(clustered[a, c] - clusterMeat[a, c]) <= 1e-12 * clusterEntry * 10, $"{at}: cluster meat[{a},{c}]");
                }
            }
        }
    }

    // Ridge (a normal prior on the 150 slopes): at the MAP, Xᵀ(y − p) = b/a² for each slope and 0 for the intercept;
    // lasso (Laplace, scale s): |Xᵀ(y − p)| ≤ 1/s where a slope is 0, = sign(b)/s where it is not; with some of each.
    [Fact]
    public void RidgeAndLassoMeetTheirOptimalityConditions()
    {
        var (data, names, x, y) = Problem(GlmFamily.Binomial, 1500, 900);
        var spec = Spec(GlmFamily.Binomial, data, names);
        using var session = new EstimationSession(spec, devices.Native);
        Vector<double> Score(FitResult fit)
        {
            var b = Vector<double>.Build.Dense(K + 1, k => fit.Parameters[k].Estimate);
            var eta = x * b;
            return x.TransposeThisAndMultiply(Vector<double>.Build.Dense(y.Length, i => y[i] - 1 / (1 + Math.Exp(-eta[i]))));
        }

        const double a = 0.05;
        var ridge = session.Fit(new FitOptions { Map = true, CoefficientPrior = new NormalPrior(0, a) });
        Assert.True(ridge.Converged, ridge.Reason);
        var score = Score(ridge);
        Assert.True(Math.Abs(score[0]) <= 1e-7, $"ridge intercept score {score[0]:R}");
        for (int k = 1; k <= K; k++)
        {
            double penalty = ridge.Parameters[k].Estimate / (a * a);
            Assert.True(Math.Abs(score[k] - penalty) <= 1e-7 * Math.Max(1, Math.Abs(penalty)), $"ridge {names[k - 1]}: score {score[k]:R} vs b/a² {penalty:R}");
        }

        const double s = 0.02;
        var lasso = session.Fit(new FitOptions { Map = true, CoefficientPrior = new LaplacePrior(0, s) });
        Assert.True(lasso.Converged, lasso.Reason);
        score = Score(lasso);
        int zeros = 0;
        for (int k = 1; k <= K; k++)
        {
            double estimate = lasso.Parameters[k].Estimate;
            if (estimate == 0)
            {
                zeros++;
                Assert.True(Math.Abs(score[k]) <= 1 / s * (1 + 1e-9), $"lasso {names[k - 1]} = 0: |score| {Math.Abs(score[k]):R} > 1/s");
            }
            else
            {
                Assert.True(Math.Abs(score[k] - Math.Sign(estimate) / s) <= 1e-6 / s, $"lasso {names[k - 1]} = {estimate:R}: score {score[k]:R} vs ±1/s");
            }
        }
        Assert.InRange(zeros, 1, K - 1);
    }
}
