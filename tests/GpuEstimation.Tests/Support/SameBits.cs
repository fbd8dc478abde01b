using GpuEstimation.Data;
using GpuEstimation.Backends;
using GpuEstimation.Engine;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Mixtures;
using GpuEstimation.Models;
using GpuEstimation.Tests.Mixtures;
using Xunit;

namespace GpuEstimation.Tests.Support;

/// <summary>
/// The cases and passes that the row-block tests (streamed past a device-memory limit, sharded over several devices)
/// run twice, on a reference layout and on the one under test, and compare bit for bit: the same data and passes for
/// both, so that only the layout differs.
/// </summary>
internal static class SameBits
{
    /// <summary>Every pass of a Normal engine at one point, and how many of its row blocks are streamed.</summary>
    public sealed record NormalPasses(double Value, double[] Gradient, double[] Densities, double[] Sweep, double[,] Products,
        double[,] Clusters, (int Streamed, int Total) Blocks);

    /// <summary>A logistic GLM (intercept, a normal and a uniform feature) and Rat43's mean over a regular grid, with noise.</summary>
    public sealed record LogitAndRat43(GlmModel Model, double[][] Columns, double[] Theta,
        NonlinearRegressionModel<NistMeans.Rat43> Mean, double[][] RatColumns, double[] RatAt);

    /// <summary>Value and gradient, log-densities, a sweep of nine points, score products and cluster score products (13 clusters).</summary>
    public static NormalPasses Normal(LikelihoodEngine<NormalModel> engine, double[] at)
    {
        var gradient = new double[2];
        double value = engine.Evaluate(at, gradient);
        var points = Enumerable.Range(0, 9).Select(i => new[] { 1.5 + 0.1 * i, 2.8 + 0.05 * i }).ToList();
        var clusters = Enumerable.Range(0, engine.Rows).Select(i => i * 7 % 13).ToArray();
        return new(value, gradient, engine.LogDensities(at), engine.LogLikelihoods(points), engine.ScoreProducts(at),
            engine.ClusterScoreProducts(at, clusters, 13), engine.RowBlocks);
    }

    /// <summary>Every pass of <paramref name="actual"/> has the bits of <paramref name="expected"/>'s (the block counts aside).</summary>
    public static void AssertEqual(NormalPasses expected, NormalPasses actual)
    {
        Assert.Equal(expected.Value, actual.Value);
        Assert.Equal(expected.Gradient, actual.Gradient);
        Assert.Equal(expected.Densities, actual.Densities);
        Assert.Equal(expected.Sweep, actual.Sweep);
        Assert.Equal(expected.Products, actual.Products);
        Assert.Equal(expected.Clusters, actual.Clusters);
    }

    /// <summary>The GLM and Rat43 data of <paramref name="rows"/> rows from <paramref name="seed"/>.</summary>
    public static LogitAndRat43 LogitAndRat43Case(int rows, int seed)
    {
        var random = new Random(seed);
        var x1 = NormalSamples.Draw(rows, seed, 0, 1);
        var x2 = Enumerable.Range(0, rows).Select(_ => random.NextDouble()).ToArray();
        var y = x1.Zip(x2, (a, b) => random.NextDouble() < 1 / (1 + Math.Exp(-(0.3 + a - 2 * b))) ? 1.0 : 0.0).ToArray();
        var rat = Enumerable.Range(0, rows).Select(i => 1 + 14.0 * i / rows).ToArray();
        var ratY = rat.Select(v => 700 / Math.Pow(1 + Math.Exp(5.3 - 0.76 * v), 1 / 1.28) + random.NextDouble() - 0.5).ToArray();
        return new(new GlmModel(GlmFamily.Binomial, GlmLink.Logit, [0.0, 0.0]), [y, x1, x2], [0.2, 0.9, -1.8],
            new NonlinearRegressionModel<NistMeans.Rat43>(new NistMeans.Rat43()), [ratY, rat], [700, 5.2, 0.75, 1.3]);
    }

    /// <summary>
    /// A GLM's Hessian pass (value, gradient, Hessian) and, appended to the gradient, a plain evaluation's value and
    /// gradient just off the Hessian's point (there the engine answers from the Hessian pass).
    /// </summary>
    public static (double Value, double[] Gradient, double[] Hessian) Hessian(ComputeDevice device, GlmModel model, double[][] columns, double[] theta)
    {
        using var engine = new LikelihoodEngine<GlmModel>(device, model, columns.AsColumns());
        var gradient = new double[theta.Length];
        var hessian = new double[theta.Length * theta.Length];
        double value = engine.EvaluateHessian(theta, gradient, hessian);
        var other = new double[theta.Length];
        double plain = engine.Evaluate([theta[0], theta[1], theta[2] + 1e-3], other);
        return (value, [.. gradient, plain, .. other], hessian);
    }

    /// <summary>Rat43's least-squares sums: the residual sum of squares, Jᵀr and JᵀJ.</summary>
    public static (double Rss, double[] JacobianResidual, double[] Gram) LeastSquares(
        ComputeDevice device, NonlinearRegressionModel<NistMeans.Rat43> model, double[][] columns, double[] at)
    {
        using var engine = new LikelihoodEngine<NonlinearRegressionModel<NistMeans.Rat43>>(device, model, columns.AsColumns());
        var jr = new double[4];
        var gram = new double[16];
        double rss = engine.LeastSquares!.Evaluate(at, jr, gram);
        return (rss, jr, gram);
    }

    /// <summary>
    /// A logistic GLM with <paramref name="features"/> normal features (a design too wide for a term vector) over
    /// <paramref name="rows"/> rows from <paramref name="seed"/>, and a point of small coefficients.
    /// </summary>
    public static (GlmModel Model, double[][] Columns, double[] Theta) WideLogit(int features, int rows, int seed)
    {
        var random = new Random(seed);
        var x = Enumerable.Range(0, features).Select(f => NormalSamples.Draw(rows, seed * 1000 + f, 0, 1)).ToArray();
        var y = Enumerable.Range(0, rows).Select(i => random.NextDouble() < 1 / (1 + Math.Exp(-0.1 * x[i % features][i])) ? 1.0 : 0.0).ToArray();
        var theta = Enumerable.Range(0, features + 1).Select(j => 0.01 * (j % 7) - 0.02).ToArray();
        return (new GlmModel(GlmFamily.Binomial, GlmLink.Logit, new double[features]), [y, .. x], theta);
    }

    /// <summary>
    /// Two Gaussian components in 2-D, 4,000 rows, and the options of 8 EM steps from one start without standard
    /// errors: the mixture case of the row-block tests.
    /// </summary>
    public static (double[][] Columns, GaussianMixtureOptions Options) TwoComponentMixture()
    {
        var truth = new MixtureSamples.Truth([0.4, 0.6], [[-2.0, 0.5], [2.0, -1.0]], [MixtureSamples.RandomCovariance(2, 1, 3), MixtureSamples.RandomCovariance(2, 1, 4)]);
        return (MixtureSamples.Draw(truth, 4000, seed: 12),
            new GaussianMixtureOptions { Starts = 1, Seed = 0, Components = 2, StandardErrors = false, SubsampleRows = 0, MaxIterations = 8 });
    }

    /// <summary>The same log-likelihood, step count, weights, means and covariances, bit for bit.</summary>
    public static void AssertEqual(GaussianMixtureResult expected, GaussianMixtureResult actual)
    {
        Assert.Equal(expected.LogLikelihood, actual.LogLikelihood);
        Assert.Equal(expected.Iterations, actual.Iterations);
        Assert.Equal(expected.Components.Count, actual.Components.Count);
        for (int c = 0; c < expected.Components.Count; c++)
        {
            Assert.Equal(expected.Components[c].Weight, actual.Components[c].Weight);
            Assert.Equal(expected.Components[c].Mean, actual.Components[c].Mean);
            Assert.Equal(expected.Components[c].Covariance, actual.Components[c].Covariance);
        }
    }
}
