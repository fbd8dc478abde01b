using GpuEstimation.Backends;
using GpuEstimation.Cli.Parsing;
using GpuEstimation.Priors;
using GpuEstimation.Surfaces;
using Xunit;

namespace GpuEstimation.Tests.Cli;

/// <summary>The CLI's text parsers: values to the library's records, errors naming the option.</summary>
public sealed class ParserTests
{
    [Fact]
    public void PriorsToRecords()
    {
        Assert.Equal(new NormalPrior(0, 1.5), PriorText.Parse("--prior", "b", "normal(0, 1.5)"));
        Assert.Equal(new LaplacePrior(-1, 2), PriorText.Parse("--prior", "b", "Laplace(-1,2)"));
        Assert.Equal(new HalfNormalPrior(3), PriorText.Parse("--prior", "s", "halfnormal(3)"));
        Assert.Equal(new GammaPrior(2, 0.5), PriorText.Parse("--prior", "s", "gamma(2,0.5)"));
        Assert.Equal(new FlatPrior(), PriorText.Parse("--prior", "s", "flat"));
        Assert.Equal(new FlatPrior(), PriorText.Parse("--prior", "s", "flat()"));
    }

    [Theory]
    [InlineData("normal(0,-1)", "--prior b=normal(0,-1): sd must be positive")]
    [InlineData("normal(0,1", "--prior b=normal(0,1: missing ')'")]
    [InlineData("normal(0,1)extra", "--prior b=normal(0,1)extra: unexpected 'extra' after ')'")]
    [InlineData("gamma(1)", "--prior b=gamma(1): expected gamma(shape,rate)")]
    [InlineData("flat(1)", "--prior b=flat(1): expected flat")]
    [InlineData("normal(0,x)", "--prior b=normal(0,x): 'x' is not a finite number")]
    [InlineData("student(3)", "--prior b=student(3): unknown prior 'student'")]
    public void PriorErrorsNameTheOptionAndParameter(string text, string expected) =>
        Assert.StartsWith(expected, Assert.Throws<InputException>(() => PriorText.Parse("--prior", "b", text)).Message);

    [Fact]
    public void PairsSplitOnlyOutsideParentheses()
    {
        var pairs = NameValueList.Pairs("--prior", ["b=normal(0,1),c=flat", "d=gamma(2,3)"]);
        Assert.Equal([("b", "normal(0,1)"), ("c", "flat"), ("d", "gamma(2,3)")], pairs);
        Assert.Contains("--fix a: given twice", Assert.Throws<InputException>(() => NameValueList.Numbers("--fix", ["a=1", "a=2"])).Message);
        Assert.Contains("--at b: 'x' is not a finite number", Assert.Throws<InputException>(() => NameValueList.Numbers("--at", ["a=1,b=x"])).Message);
        Assert.Contains("--at a: 'NaN' is not a finite number", Assert.Throws<InputException>(() => NameValueList.Numbers("--at", ["a=NaN"])).Message);
    }

    [Fact]
    public void GridAxes()
    {
        Assert.Equal(new GridAxis("mu", -1, 2.5, 128), GridAxisText.Parse("--grid", "mu=-1:2.5:128"));
        Assert.Equal(new GridAxis("mu", 3, 3, 1), GridAxisText.Parse("--grid", "mu=3:3:1"));
        Assert.StartsWith("--grid mu=1:2:0: the count", Assert.Throws<InputException>(() => GridAxisText.Parse("--grid", "mu=1:2:0")).Message);
        Assert.StartsWith("--grid mu=1:inf:3: 'inf'", Assert.Throws<InputException>(() => GridAxisText.Parse("--grid", "mu=1:inf:3")).Message);
        Assert.StartsWith("--grid mu: expected NAME=LOW:HIGH:COUNT", Assert.Throws<InputException>(() => GridAxisText.Parse("--grid", "mu")).Message);
    }

    [Fact]
    public void DeviceNames()
    {
        foreach (var name in BackendText.Names)
            Assert.Equal(name, BackendText.Name(BackendText.Parse("--device", name)));
        Assert.Equal(Backend.OpenCL, BackendText.Parse("--device", "OpenCL"));
        Assert.StartsWith("--device: unknown device 'gpu'", Assert.Throws<InputException>(() => BackendText.Parse("--device", "gpu")).Message);
    }

    [Fact]
    public void Numbers()
    {
        Assert.Equal(1e-3, NumberText.Finite("--level", "1e-3"));
        Assert.Equal(0.9, NumberText.Fraction("--level", "0.9"));
        Assert.Throws<InputException>(() => NumberText.Fraction("--level", "0"));
        Assert.Throws<InputException>(() => NumberText.Finite("--trials", "Infinity"));
        Assert.Throws<InputException>(() => NumberText.Count("--repeat", "1.5", 1));
        Assert.Equal(7, NumberText.Count("--repeat", "7", 1));
    }

    // --trials past 2³¹ − 1 was "expected a whole number of at least 1" (an int's cap); a column of trials had none.
    // A whole number in exponent form (1e15) is one too (a trial); read exactly, so 2⁵³ + 1 is not rounded to 2⁵³.
    [Theory]
    [InlineData("3000000000", 3e9)]
    [InlineData("9007199254740992", 9007199254740992.0)]
    [InlineData("1", 1.0)]
    [InlineData("1e15", 1e15)]
    [InlineData("2.5E3", 2500.0)]
    public void TrialsAreWholeNumbersUpToTwoToThe53(string text, double expected) =>
        Assert.Equal(expected, NumberText.WholeNumber("--trials", text, 1));

    [Theory]
    [InlineData("0")]
    [InlineData("1.5")]
    [InlineData("1.5e0")]
    [InlineData("9007199254740993")]
    [InlineData("9.007199254740993e15")]
    [InlineData("1e16")]
    public void TrialsOutsideTheWholeNumbersADoubleHoldsAreRefused(string text) =>
        Assert.Contains("expected a whole number from 1 to 2^53", Assert.Throws<InputException>(() => NumberText.WholeNumber("--trials", text, 1)).Message);
}
