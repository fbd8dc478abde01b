using GpuEstimation.Priors;
using GpuEstimation.Tests.Support;
using MathNet.Numerics.Distributions;
using Xunit;

namespace GpuEstimation.Tests.Priors;

public class PriorTests
{
    public static IEnumerable<object[]> Cases =>
    [
        [new NormalPrior(1.5, 2), new Func<double, double>(x => Normal.PDFLn(1.5, 2, x))],
        [new LaplacePrior(-1, 0.5), new Func<double, double>(x => Laplace.PDFLn(-1, 0.5, x))],
        [new HalfNormalPrior(3), new Func<double, double>(x => Math.Log(2) + Normal.PDFLn(0, 3, x))],
        [new GammaPrior(2.5, 4), new Func<double, double>(x => Gamma.PDFLn(2.5, 4, x))],
        [new FlatPrior(), new Func<double, double>(_ => 0)],
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void DensityMatchesMathNetAndDerivativeMatchesFiniteDifferences(Prior prior, Func<double, double> reference)
    {
        string text = prior.ToString();
        foreach (var x in new[] { 0.3, 0.9, 1.7, 4.2 })
        {
            Assert.True(Numerics.Relative(prior.LogDensity(x), reference(x)) <= 1e-13, $"{text} at {x}: {prior.LogDensity(x)} vs {reference(x)}");
            const double h = 1e-6;
            double numeric = (prior.LogDensity(x + h) - prior.LogDensity(x - h)) / (2 * h);
            Assert.True(Math.Abs(prior.Derivative(x) - numeric) <= 1e-6 * Math.Max(1, Math.Abs(numeric)), $"{text} derivative at {x}");
            double second = (prior.Derivative(x + h) - prior.Derivative(x - h)) / (2 * h);
            Assert.True(Math.Abs(prior.SecondDerivative(x) - second) <= 1e-6 * Math.Max(1, Math.Abs(second)), $"{text} second derivative at {x}: {prior.SecondDerivative(x)} vs {second}");
        }
    }

    [Fact]
    public void PriorsPrintAsWrittenOnTheCommandLine()
    {
        Assert.Equal("normal(1.5,2)", new NormalPrior(1.5, 2).ToString());
        Assert.Equal("laplace(-1,0.5)", new LaplacePrior(-1, 0.5).ToString());
        Assert.Equal("halfnormal(1)", new HalfNormalPrior(1).ToString());
        Assert.Equal("gamma(2.5,4)", new GammaPrior(2.5, 4).ToString());
        Assert.Equal("flat", new FlatPrior().ToString());
    }

    [Fact]
    public void BadArgumentsNameThePriorAndTheArgument()
    {
        var e = Assert.Throws<InputException>(() => new NormalPrior(0, -1));
        Assert.Equal("normal prior: sd must be a positive finite number, got -1", e.Message);
        Assert.Equal("sd", e.ParamName);
        Assert.Contains("gamma prior: rate must be a positive finite number", Assert.Throws<InputException>(() => new GammaPrior(1, 0)).Message);
        Assert.Contains("laplace prior: location must be a finite number, got NaN", Assert.Throws<InputException>(() => new LaplacePrior(double.NaN, 1)).Message);
    }

    // A normal prior of sd 1e-160 made the log-prior −∞ at any start off its mean ((x/sd)² overflows), so the MAP fit
    // stopped at once "not converged", and `gpuest plot --prior-sd 1e-160` exited 3 without a word and drew the MLE
    // line as the MAP's. Below 1e-150 the sd is refused, pointing to holding it; at 1e-150 the log-density is still finite.
    [Fact]
    public void APriorTooNarrowToComputeWithIsRefused()
    {
        var e = Assert.Throws<InputException>(() => new NormalPrior(0, 1e-160));
        Assert.StartsWith("normal prior: sd 1E-160 is too small to compute with", e.Message);
        Assert.EndsWith("hold it fixed instead", e.Message);
        Assert.Contains("halfnormal prior: scale 1E-200 is too small", Assert.Throws<InputException>(() => new HalfNormalPrior(1e-200)).Message);
        Assert.True(double.IsFinite(new NormalPrior(0, 1e-150).LogDensity(1.0)));
    }
}
