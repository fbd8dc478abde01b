using GpuEstimation.Priors;
using GpuEstimation.Tests.Support;
using MathNet.Numerics.Distributions;
using Xunit;

namespace GpuEstimation.Tests.Priors;

public class PriorTests
{
    public static IEnumerable<object[]> Cases =>
    [
        ["normal(1.5, 2)", new Func<double, double>(x => Normal.PDFLn(1.5, 2, x))],
        ["laplace(-1,0.5)", new Func<double, double>(x => Laplace.PDFLn(-1, 0.5, x))],
        ["halfnormal(3)", new Func<double, double>(x => Math.Log(2) + Normal.PDFLn(0, 3, x))],
        ["gamma(2.5, 4)", new Func<double, double>(x => Gamma.PDFLn(2.5, 4, x))],
        ["flat", new Func<double, double>(_ => 0)],
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void DensityMatchesMathNetAndDerivativeMatchesFiniteDifferences(string text, Func<double, double> reference)
    {
        var prior = Prior.Parse(text, "b");
        foreach (var x in new[] { 0.3, 0.9, 1.7, 4.2 })
        {
            Assert.True(Numerics.Relative(prior.LogDensity(x), reference(x)) <= 1e-13, $"{text} at {x}: {prior.LogDensity(x)} vs {reference(x)}");
            const double h = 1e-6;
            double numeric = (prior.LogDensity(x + h) - prior.LogDensity(x - h)) / (2 * h);
            Assert.True(Math.Abs(prior.Derivative(x) - numeric) <= 1e-6 * Math.Max(1, Math.Abs(numeric)), $"{text} derivative at {x}");
        }
    }

    [Theory]
    [InlineData("normal(0)", "expected normal(mean,sd)")]
    [InlineData("normal(0,-1)", "sd must be positive")]
    [InlineData("gamma(1,x)", "'x' is not a number")]
    [InlineData("cauchy(0,1)", "unknown prior 'cauchy'")]
    [InlineData("halfnormal(1", "missing ')'")]
    public void BadPriorsNameTheParameterAndTheProblem(string text, string expected)
    {
        var e = Assert.Throws<InputException>(() => Prior.Parse(text, "slope"));
        Assert.Contains("--prior slope=", e.Message);
        Assert.Contains(expected, e.Message);
    }
}
