using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Models;
using GpuEstimation.Priors;
using GpuEstimation.Tests.Support;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuEstimation.Tests.Estimation;

[Collection(DeviceCollection.Name)]
public class MapTests(DeviceFixture devices)
{
    private const int N = 20_000;
    private static readonly double[] X1 = NormalSamples.Draw(N, 31, 2, 1.5);
    private static readonly double[] X2 = NormalSamples.Draw(N, 32, -1, 0.4);
    private static readonly double[] Noise = NormalSamples.Draw(N, 33, 0, 0.8);
    private static readonly double[] Y = Enumerable.Range(0, N).Select(i => 0.3 + 0.9 * X1[i] - 1.7 * X2[i] + Noise[i]).ToArray();

    // sigma fixed, Normal(0, a) on the slopes, flat on the intercept: the ridge closed form (XᵀX + (σ²/a²)D)⁻¹Xᵀy,
    // computed here by solving the normal equations with MathNet's Cholesky, independent of the library's QR form.
    [Theory]
    [InlineData(0.01)]
    [InlineData(0.2)]
    public void MapWithFixedSigmaEqualsRidge(double a)
    {
        const double sigma = 0.8;
        var spec = ModelCatalog.Linear(Dataset.FromColumns(("y", Y), ("u", X1), ("v", X2)), "y", ["u", "v"]);
        using var session = new EstimationSession(spec, devices.Cpu);

        var fit = session.Fit(new FitOptions
        {
            Map = true,
            Fixed = new Dictionary<string, double> { ["sigma"] = sigma },
            Priors = new Dictionary<string, Prior> { ["u"] = new NormalPrior(0, a), ["v"] = new NormalPrior(0, a) },
        });

        var design = Matrix<double>.Build.Dense(N, 3, (i, j) => j switch { 0 => 1, 1 => X1[i], _ => X2[i] });
        var penalty = Matrix<double>.Build.DenseOfDiagonalArray([0, 1, 1]) * (sigma * sigma / (a * a));
        var ridge = (design.TransposeThisAndMultiply(design) + penalty).Cholesky().Solve(design.TransposeThisAndMultiply(Vector<double>.Build.DenseOfArray(Y)));
        Assert.True(fit.Converged, fit.Reason);
        Assert.Equal("map", fit.Method);
        for (int k = 0; k < 3; k++)
            Assert.True(Numerics.Relative(fit.Parameters[k].Estimate, ridge[k]) <= 1e-8, $"{fit.Parameters[k].Name}: {fit.Parameters[k].Estimate:R} vs ridge {ridge[k]:R}");
        Assert.True(fit.LogPosterior < fit.LogLikelihood, "the prior's log-density is negative here and must be included");
        double logPrior = new NormalPrior(0, a).LogDensity(fit["u"]) + new NormalPrior(0, a).LogDensity(fit["v"]);
        Assert.True(Numerics.Relative(fit.LogPosterior!.Value, fit.LogLikelihood + logPrior) <= 1e-14);
    }

    [Fact]
    public void LibraryRidgeFormMatchesTheNormalEquations()
    {
        var ridge = LinearClosedForm.Ridge(Y, [X1, X2], 0.8, 0.05);
        var design = Matrix<double>.Build.Dense(N, 3, (i, j) => j switch { 0 => 1, 1 => X1[i], _ => X2[i] });
        var penalty = Matrix<double>.Build.DenseOfDiagonalArray([0, 1, 1]) * (0.64 / 0.0025);
        var expected = (design.TransposeThisAndMultiply(design) + penalty).Cholesky().Solve(design.TransposeThisAndMultiply(Vector<double>.Build.DenseOfArray(Y)));
        for (int k = 0; k < 3; k++)
            Assert.True(Numerics.Relative(ridge[k], expected[k]) <= 1e-10);
    }

    // Five 0s under p ~ normal(0.5, 0.1): the MLE is p → 0, where the data's start sits (1e-6) and the log-odds slope is
    // 1e-6, so L-BFGS from there ran 1,000 steps and stopped "not converged" (a trial); the search from the prior's
    // mode found the MAP, the root of −5/(1 − p) − (p − 0.5)/0.01 = 0: p = (1.5 − √0.45)/2. Newton's method on the
    // exact Hessian of the log-posterior (the prior's curvature added) now finds it from the data's start.
    [Fact]
    public void MapFarFromAnEdgeMleIsFoundFromThePriorsMode()
    {
        var spec = ModelCatalog.Create("bernoulli", Dataset.FromColumns(("x", new double[5])), new ModelColumns("x"));
        using var session = new EstimationSession(spec, devices.Native);
        var fit = session.Fit(new FitOptions { Map = true, Priors = new Dictionary<string, Prior> { ["p"] = new NormalPrior(0.5, 0.1) } });

        Assert.True(fit.Converged, fit.Reason);
        Assert.Equal((1.5 - Math.Sqrt(0.45)) / 2, fit["p"], 1e-9);
        Assert.Equal("newton", fit.Optimizer);
        // L-BFGS still needs the prior's mode as a second start.
        var lbfgs = session.Fit(new FitOptions { Map = true, Priors = new Dictionary<string, Prior> { ["p"] = new NormalPrior(0.5, 0.1) }, Optimizer = new GpuEstimation.Optimization.OptimizerSettings { Kind = GpuEstimation.Optimization.OptimizerKind.Lbfgs } });
        Assert.Equal((1.5 - Math.Sqrt(0.45)) / 2, lbfgs["p"], 1e-9);
        Assert.Contains(lbfgs.Diagnostics.Notes, n => n.StartsWith("the search from the starting values did not converge", StringComparison.Ordinal)
            && n.Contains("other starting values (p = 0.5) found this maximum", StringComparison.Ordinal));

        // A gamma prior on the probability (its domain inside the positive numbers): the mode solves
        // −20/(1 − p) + 1/p − 10 = 0 for twenty 0s under gamma(2, 10), p = 0.0326 (a trial: refused before).
        var twenty = ModelCatalog.Create("bernoulli", Dataset.FromColumns(("x", new double[20])), new ModelColumns("x"));
        using var second = new EstimationSession(twenty, devices.Native);
        var gamma = second.Fit(new FitOptions { Map = true, Priors = new Dictionary<string, Prior> { ["p"] = new GammaPrior(2, 10) } });
        Assert.True(gamma.Converged, gamma.Reason);
        double root = (31 - Math.Sqrt(31 * 31 - 40)) / 20;
        Assert.Equal(root, gamma["p"], 1e-9);
    }

    // A Gamma prior on sigma moves the MAP where the stationarity condition says: d/dσ [logL + log p(σ)] = 0.
    [Fact]
    public void PriorOnPositiveParameterMovesTheModeAsTheFirstOrderConditionSays()
    {
        var x = NormalSamples.Draw(500, 41, 1, 2);
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", x)), "x");
        using var session = new EstimationSession(spec, devices.Cpu);
        var prior = new GammaPrior(20, 40);

        var fit = session.Fit(new FitOptions { Map = true, Priors = new Dictionary<string, Prior> { ["sigma"] = prior } });

        double mu = fit["mu"], s = fit["sigma"];
        double dSigma = x.Sum(v => ((v - mu) * (v - mu) / (s * s) - 1) / s) + prior.Derivative(s);
        Assert.True(fit.Converged, fit.Reason);
        Assert.True(Math.Abs(dSigma) <= 1e-6 * x.Length, $"d log posterior / d sigma = {dSigma}");
        Assert.True(Numerics.Relative(mu, x.Average()) <= 1e-10, "a prior on sigma alone leaves mu at the mean");
        double mle = Math.Sqrt(x.Sum(v => (v - x.Average()) * (v - x.Average())) / x.Length);
        Assert.True(s < mle, $"the Gamma(20, 40) prior (mode 0.475) pulls sigma {s} below the MLE {mle}");
    }

    [Fact]
    public void PriorWithoutMapIsAnError()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X1)), "x");
        using var session = new EstimationSession(spec, devices.Cpu);
        var e = Assert.Throws<InputException>(() => session.Fit(new FitOptions { Priors = new Dictionary<string, Prior> { ["mu"] = new FlatPrior() } }));
        Assert.Equal("prior on mu: priors apply to MAP estimation, not to the MLE", e.Message);
    }

    [Fact]
    public void PositiveOnlyPriorOnRealParameterIsAnError()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X1)), "x");
        using var session = new EstimationSession(spec, devices.Cpu);
        var e = Assert.Throws<InputException>(() => session.Fit(new FitOptions { Map = true, Priors = new Dictionary<string, Prior> { ["mu"] = new HalfNormalPrior(1) } }));
        Assert.Contains("mu", e.Message);
        Assert.Contains("positive", e.Message);
    }
}
