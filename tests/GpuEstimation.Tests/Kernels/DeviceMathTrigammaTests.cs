using GpuEstimation.Kernels;
using MathNet.Numerics;
using Xunit;

namespace GpuEstimation.Tests.Kernels;

/// <summary>
/// ψ′ (the second derivatives of the negative binomial's and the gamma's log-density need it): closed forms at whole
/// and half-whole arguments, the poles' 1/x², the asymptotic 1/x, and central differences of MathNet's digamma.
/// </summary>
public class DeviceMathTrigammaTests
{
    [Fact]
    public void WholeArgumentsMatchTheZetaSum()
    {
        // ψ′(n) = π²/6 − Σ_{k<n} 1/k².
        double expected = Math.PI * Math.PI / 6;
        for (int n = 1; n <= 40; n++)
        {
            Assert.True(Math.Abs(DeviceMath.Trigamma(n) - expected) <= 2e-15 * expected, $"ψ′({n}) = {DeviceMath.Trigamma(n):R}, expected {expected:R}");
            expected -= 1.0 / ((double)n * n);
        }
    }

    [Fact]
    public void HalfAndExtremeArguments()
    {
        Assert.True(Relative(DeviceMath.Trigamma(0.5), Math.PI * Math.PI / 2) <= 2e-15);
        // Near 0: 1/x² + π²/6 − 2ζ(3) x + ...
        double x = 1e-6;
        Assert.True(Relative(DeviceMath.Trigamma(x), 1 / (x * x) + Math.PI * Math.PI / 6 - 2 * 1.2020569031595942 * x) <= 1e-15);
        // Far out: 1/x + 1/(2x²) + 1/(6x³).
        x = 1e7;
        Assert.True(Relative(DeviceMath.Trigamma(x), 1 / x + 0.5 / (x * x) + 1 / (6 * x * x * x)) <= 1e-15);
        Assert.Equal(0.0, DeviceMath.Trigamma(double.PositiveInfinity));
        Assert.True(double.IsNaN(DeviceMath.Trigamma(0)));
        Assert.True(double.IsNaN(DeviceMath.Trigamma(-3)));
        Assert.True(double.IsNaN(DeviceMath.Trigamma(double.NegativeInfinity)));
    }

    // Below 0 by the reflection ψ′(x) = π²/sin²(πx) − ψ′(1 − x) (an expression's digamma of a negative argument has it as
    // its derivative; it was NaN there, and the derivative reported missing): mpmath 1.2.1, psi(1, x) at 30 digits.
    [Theory]
    [InlineData(-0.3, 13.945160267805722489)]
    [InlineData(-0.5, 8.9348022005446793094)]
    [InlineData(-1.25, 19.181879647671606498)]
    [InlineData(-2.9, 103.06378142648573135)]
    [InlineData(-7.5, 9.7447662821704325968)]
    [InlineData(-0.001, 1000001.6473414317354)]
    [InlineData(-10.3, 14.98688706572263782)]
    public void NegativeArgumentsMatchMpmath(double x, double expected)
    {
        // 1e-13: sin(πx) near the poles and the subtraction of ψ′(1 − x) cost a few roundings.
        Assert.True(Relative(DeviceMath.Trigamma(x), expected) <= 1e-13, $"ψ′({x}) = {DeviceMath.Trigamma(x):R}, mpmath {expected:R}");
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(2.7)]
    [InlineData(19.5)]
    [InlineData(20.5)]
    [InlineData(333.3)]
    public void MatchesDifferencesOfMathNetDigamma(double x)
    {
        double h = 1e-4 * x;
        double differenced = (8 * (SpecialFunctions.DiGamma(x + h) - SpecialFunctions.DiGamma(x - h))
            - (SpecialFunctions.DiGamma(x + 2 * h) - SpecialFunctions.DiGamma(x - 2 * h))) / (12 * h);
        Assert.True(Relative(DeviceMath.Trigamma(x), differenced) <= 1e-8, $"ψ′({x}) = {DeviceMath.Trigamma(x):R}, differenced {differenced:R}");
    }

    [Theory]
    [InlineData(2.5, 3.0)]
    [InlineData(1e6, 7.0)]
    [InlineData(0.4, 100.0)]
    [InlineData(3.0, 0.5)]
    public void IncrementIsTheDifference(double x, double a)
    {
        double expected = a == Math.Floor(a) && a <= 64
            ? -Enumerable.Range(0, (int)a).Sum(j => 1 / ((x + j) * (x + j)))
            : DeviceMath.Trigamma(x + a) - DeviceMath.Trigamma(x);
        if (a == Math.Floor(a) && a > 64)
            expected = DeviceMath.Trigamma(x + a) - DeviceMath.Trigamma(x);
        Assert.True(Relative(DeviceMath.TrigammaIncrement(x, a), expected) <= 1e-14, $"{DeviceMath.TrigammaIncrement(x, a):R} vs {expected:R}");
        // The sum and the difference agree where both are accurate.
        if (x < 1e3)
            Assert.True(Relative(DeviceMath.TrigammaIncrement(x, a), DeviceMath.Trigamma(x + a) - DeviceMath.Trigamma(x)) <= 1e-12);
        Assert.Equal(0.0, DeviceMath.TrigammaIncrement(x, 0));
    }

    private static double Relative(double actual, double expected) => Math.Abs(actual - expected) / Math.Abs(expected);
}
