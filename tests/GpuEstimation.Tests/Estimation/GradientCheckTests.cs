using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels;
using GpuEstimation.Models;
using GpuEstimation.Tests.Support;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;
using Xunit;

namespace GpuEstimation.Tests.Estimation;

/// <summary>
/// Normal(μ, σ) written by hand with one mistake, the kind the check is for: the σ derivative's sign wrong
/// (<see cref="WrongSigmaSign"/>), or μ's derivative NaN at row 0 (<see cref="NaNMuAtRow0"/>).
/// </summary>
public readonly struct BrokenNormalModel(int fault) : ILikelihoodModel<BrokenNormalModel>
{
    public const int WrongSigmaSign = 0, NaNMuAtRow0 = 1;

    private readonly int _fault = fault;

    public int ParameterCount => 2;

    public int ColumnCount => 1;

    public static void Accumulate<TVec, TRows>(in BrokenNormalModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double mu = arguments.Get(0), sigma = arguments.Get(1);
        double z = (data[0, row] - mu) / sigma;
        terms.Add(0, -0.5 * z * z - Math.Log(sigma) - 0.9189385332046728);
        terms.Add(1, model._fault == NaNMuAtRow0 && row == 0 ? double.NaN : z / sigma);
        // Correct: −1/σ + z²/σ.
        terms.Add(2, model._fault == WrongSigmaSign ? 1 / sigma - z * z / sigma : -1 / sigma + z * z / sigma);
    }
}

[Collection(DeviceCollection.Name)]
public class GradientCheckTests(DeviceFixture devices)
{
    private static double[] Normal(int n, double mu, double sigma, int seed)
    {
        var x = new double[n];
        new MathNet.Numerics.Distributions.Normal(mu, sigma, new Xoshiro256StarStar(seed)).Samples(x);
        return x;
    }

    [Theory]
    [InlineData(Backend.Native)]
    [InlineData(Backend.Cpu)]
    public void CatalogueGradientsAgreeFarFromTheMaximumToTightTolerances(Backend backend)
    {
        // The Normal, a positive scale, and the Bernoulli's p near 1 (logit coordinates), each checked at a point away
        // from the MLE, where the gradient is large: the numeric derivative within 1e-7 of it, relative.
        var x = Normal(10_000, 3, 2, 5);
        using var normal = new EstimationSession(ModelCatalog.Normal(Dataset.FromColumns(("x", x)), "x"), devices[backend]);
        var check = normal.CheckGradient([2.5, 1.7]);
        Assert.True(check.Agrees, check.ToString());
        foreach (var c in check.Parameters)
            Assert.True(Math.Abs(c.Analytic - c.Numeric) <= 1e-7 * Math.Abs(c.Analytic), $"{c.Name}: {c.Analytic:R} vs {c.Numeric:R}");
        Assert.Contains("agrees", check.ToString());

        var bits = Enumerable.Range(0, 1000).Select(i => i % 7 == 0 ? 0.0 : 1.0).ToArray();
        using var bernoulli = new EstimationSession(ModelCatalog.Create("bernoulli", Dataset.FromColumns(("y", bits)), new ModelColumns { Column = "y" }), devices[backend]);
        var p = bernoulli.CheckGradient([0.999]).Parameters[0];
        Assert.True(p.Agrees, $"{p.Analytic:R} vs {p.Numeric:R} within {p.Tolerance:R}");
        Assert.True(Math.Abs(p.Analytic - p.Numeric) <= 1e-7 * Math.Abs(p.Analytic));
        // Nearer 1 the points a step reaches are rounded to p's spacing, 10⁻⁸ of 1 − p at 1 − 10⁻⁸: differenced over
        // the intended steps, the correct gradient disagreed (a review); over the points' own coordinates it agrees.
        foreach (double near in new[] { 1 - 1e-6, 1 - 1e-8 })
        {
            var q = bernoulli.CheckGradient([near]).Parameters[0];
            Assert.True(q.Agrees, $"p = {near:R}: {q.Analytic:R} vs {q.Numeric:R} within {q.Tolerance:R}");
            Assert.True(Math.Abs(q.Analytic - q.Numeric) <= 1e-6 * Math.Abs(q.Analytic), $"p = {near:R}: {q.Analytic:R} vs {q.Numeric:R}");
        }
    }

    [Fact]
    public void AGradientOfNaNDisagrees()
    {
        // One row's μ term NaN: the numeric derivative is a number, so the gradient disagrees (it read "not conclusive").
        var x = Normal(500, 1, 0.5, 23);
        var spec = new ModelSpec<BrokenNormalModel>("nan normal", new BrokenNormalModel(BrokenNormalModel.NaNMuAtRow0), [x],
            [new ParameterInfo("mu"), new ParameterInfo("sigma", ParameterDomain.Positive)], start: [0.0, 1.0]);
        using var session = new EstimationSession(spec, devices.Native);
        var check = session.CheckGradient(spec.Start);
        Assert.False(check.Agrees);
        Assert.True(double.IsNaN(check.Parameters[0].Analytic));
        Assert.True(double.IsFinite(check.Parameters[0].Numeric));
        Assert.True(check.Parameters[1].Agrees, check.ToString());
        Assert.StartsWith("gradient disagrees with the numeric derivative: mu: gradient NaN, numeric", check.ToString());
    }

    [Fact]
    public void AWrongDerivativeIsNamedAndTheRightOneAgrees()
    {
        var x = Normal(2_000, 1, 0.5, 7);
        var spec = new ModelSpec<BrokenNormalModel>("wrong normal", new BrokenNormalModel(BrokenNormalModel.WrongSigmaSign), [x],
            [new ParameterInfo("mu"), new ParameterInfo("sigma", ParameterDomain.Positive)], start: [0.0, 1.0]);
        using var session = new EstimationSession(spec, devices.Native);
        var check = session.CheckGradient(spec.Start);
        Assert.False(check.Agrees);
        Assert.True(check.Parameters[0].Agrees, check.ToString());
        var sigma = check.Parameters[1];
        Assert.False(sigma.Agrees);
        // The numeric derivative is the true one: Σ (z² − 1)/σ, the negative of what the model says.
        double expected = x.Sum(v => v * v - 1);
        Assert.True(Numerics.Relative(sigma.Numeric, expected) <= 1e-8, $"{sigma.Numeric:R} vs {expected:R}");
        Assert.True(Numerics.Relative(sigma.Analytic, -expected) <= 1e-12);
        Assert.StartsWith("gradient disagrees with the numeric derivative: sigma: gradient", check.ToString());
        Assert.DoesNotContain("mu:", check.ToString());
    }

    [Fact]
    public void AParameterBendingFarBelowItsScaleIsDifferencedAtASmallEnoughStep()
    {
        // A Cauchy's location ≈ 10⁻⁷ with scale 10⁻⁹: the default step scale of a real parameter is 0.1 (10⁸ scales),
        // over which the log-likelihood is far from quadratic; the finer levels take it.
        var x = Normal(1_000, 1e-7, 1e-9, 11);
        var spec = (ModelSpec<GpuEstimation.Kernels.Models.CauchyModel>)ModelCatalog.Create("cauchy", Dataset.FromColumns(("x", x)), new ModelColumns { Column = "x" });
        using var session = new EstimationSession(new ModelSpec<GpuEstimation.Kernels.Models.CauchyModel>("cauchy", default, spec.Columns, spec.Parameters, spec.Start), devices.Native);
        Assert.Equal(0.1, session.Model.Scales[0]);
        var check = session.CheckGradient([1.000005e-7, 1.2e-9]);
        Assert.True(check.Agrees, check.ToString());
        Assert.All(check.Parameters, p => Assert.True(Math.Abs(p.Analytic - p.Numeric) <= 1e-6 * Math.Abs(p.Analytic), $"{p.Name}: {p.Analytic:R} vs {p.Numeric:R}"));
    }

    [Theory]
    [InlineData(Backend.Native)]
    [InlineData(Backend.Cpu)]
    public void CountsOverManyChunksAgree(Backend backend)
    {
        // A library trial: 50,000 counts (two native chunks) on the native backend read "rate: gradient 38078, numeric
        // 38077.894 (tolerance 0.0975)": the sweep's four-point sums ran a chunk's 32,768 rows into one running sum,
        // 10⁻⁷ off where the terms repeat, and the steps chose that noise. Exact here: Σ k / λ − n at λ = 1.
        var rng = new Xoshiro256StarStar(13);
        var counts = Enumerable.Range(0, 50_000).Select(_ => rng.NextDouble() < 0.3 ? 0.0 : (double)Poisson.Sample(rng, 2.5)).ToArray();
        using var session = new EstimationSession(ModelCatalog.Create("poisson", Dataset.FromColumns(("x", counts)), new ModelColumns { Column = "x" }), devices[backend]);
        var check = session.CheckGradient([1.0]);
        Assert.True(check.Agrees, check.ToString());
        double exact = counts.Sum() - counts.Length;
        var rate = check.Parameters[0];
        Assert.True(Numerics.Relative(rate.Numeric, exact) <= 1e-8, $"{rate.Numeric:R} vs {exact:R}");
    }

    [Fact]
    public void AtTheMaximumOrAnUlpFromAnEdgeTheCheckSaysItIsNotConclusive()
    {
        // At the MLE every component is ~0 and agrees with anything small: the check says so rather than "agrees"
        // (a trial's ZIP at π = 10⁻³⁰⁰ passed with a tolerance of 10²⁹²).
        var x = Normal(1_000, 2, 1, 17);
        using var session = new EstimationSession(ModelCatalog.Normal(Dataset.FromColumns(("x", x)), "x"), devices.Native);
        double mean = x.Average(), sd = Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / x.Length);
        var atMaximum = session.CheckGradient([mean, sd]);
        Assert.False(atMaximum.Agrees);
        Assert.All(atMaximum.Parameters, p => Assert.False(p.Conclusive, $"{p.Name}: {p.Analytic:R}, tolerance {p.Tolerance:R}"));
        Assert.Contains("not conclusive for mu", atMaximum.ToString());
        Assert.DoesNotContain("disagrees", atMaximum.ToString());

        // A Bernoulli p one ulp below 1: every step leaves the domain (it threw "p = 1: p must lie strictly between 0 and 1",
        // a value never given); not conclusive, and p's gradient is still given.
        var bits = Enumerable.Range(0, 100).Select(i => i % 3 == 0 ? 0.0 : 1.0).ToArray();
        using var bernoulli = new EstimationSession(ModelCatalog.Create("bernoulli", Dataset.FromColumns(("y", bits)), new ModelColumns { Column = "y" }), devices.Native);
        var edge = bernoulli.CheckGradient([1 - 1e-16]).Parameters[0];
        Assert.False(edge.Conclusive);
        Assert.False(edge.Agrees);
        Assert.True(edge.Analytic < -1e15, $"{edge.Analytic:R}");
    }

    [Fact]
    public void ASweepsValueAtAPointDoesNotDependOnItsPlaceInTheList()
    {
        // Five copies of one point: the first four went through the four-point sums, the fifth alone, 10⁻⁷ apart at
        // 10⁵ counts (a trial). One order of the runs for both now, bit for bit.
        var rng = new Xoshiro256StarStar(19);
        var counts = Enumerable.Range(0, 100_000).Select(_ => (double)Poisson.Sample(rng, 2.5)).ToArray();
        using var session = new EstimationSession(ModelCatalog.Create("poisson", Dataset.FromColumns(("x", counts)), new ModelColumns { Column = "x" }), devices.Native);
        var values = session.LogLikelihoods(Enumerable.Repeat(new[] { 2.3 }, 5).ToList());
        Assert.All(values, v => Assert.Equal(values[4], v));
        // And the sum within rounding of an exact one (the terms added in extended precision, then rounded).
        double exact = (double)counts.Sum(k => (decimal)(k * Math.Log(2.3) - 2.3 - SpecialFunctionsLogFactorial(k)));
        Assert.True(Math.Abs(values[0] - exact) <= 1e-9, $"{values[0]:R} vs {exact:R}");
    }

    private static double SpecialFunctionsLogFactorial(double k) => MathNet.Numerics.SpecialFunctions.FactorialLn((int)k);

    [Fact]
    public void APointOutsideTheDomainOrOfTheWrongLengthIsRefusedByName()
    {
        var x = Normal(100, 0, 1, 3);
        using var session = new EstimationSession(ModelCatalog.Normal(Dataset.FromColumns(("x", x)), "x"), devices.Native);
        var outside = Assert.Throws<InputException>(() => session.CheckGradient([0.0, -1.0]));
        Assert.Contains("'sigma'", outside.Message);
        Assert.Equal("sigma", outside.ParamName);
        Assert.Throws<ArgumentException>(() => session.CheckGradient([0.0]));
    }
}
