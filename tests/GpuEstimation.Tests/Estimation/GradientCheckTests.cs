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

/// <summary>Normal(μ, σ) written by hand with the σ derivative's sign wrong: the mistake the check is for.</summary>
public readonly struct WrongSignNormalModel : ILikelihoodModel<WrongSignNormalModel>
{
    public int ParameterCount => 2;

    public int ColumnCount => 1;

    public static void Accumulate<TVec, TRows>(in WrongSignNormalModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double mu = arguments.Get(0), sigma = arguments.Get(1);
        double z = (data[0, row] - mu) / sigma;
        terms.Add(0, -0.5 * z * z - Math.Log(sigma) - 0.9189385332046728);
        terms.Add(1, z / sigma);
        terms.Add(2, 1 / sigma - z * z / sigma); // should be −1/σ + z²/σ
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
    }

    [Fact]
    public void AWrongDerivativeIsNamedAndTheRightOneAgrees()
    {
        var x = Normal(2_000, 1, 0.5, 7);
        var spec = new ModelSpec<WrongSignNormalModel>("wrong normal", new WrongSignNormalModel(), [x],
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
