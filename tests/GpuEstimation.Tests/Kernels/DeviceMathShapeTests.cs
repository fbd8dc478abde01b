using GpuEstimation.Kernels;
using Xunit;

namespace GpuEstimation.Tests.Kernels;

/// <summary>
/// The gamma shape's differences that cancel for a large shape: x log x − x − log Γ(x), log x − ψ(x) and 1/x − ψ′(x),
/// against mpmath at 40 digits (mpmath 1.2.1: <c>x*log(x) - x - loggamma(x)</c>, <c>log(x) - digamma(x)</c>,
/// <c>1/x - psi(1, x)</c>), from shapes of 0.5 up to 10²⁰, across the switches to the asymptotic forms (x = 10, 20, 50).
/// The direct forms would keep no digit of the last two at 10⁸ and beyond.
/// </summary>
public sealed class DeviceMathShapeTests
{
    // Relative tolerances: 4e-14 for the asymptotic forms (a handful of roundings), 1e-12 below the switches, where the
    // direct forms lose up to log10(x log x) ≈ 2.3 digits at x = 50, log10(log x / (1/2x)) ≈ 1.7 at x = 10.
    [Theory]
    [InlineData(0.5, -1.4189385332046727418, 1.27036284546147817, -2.9348022005446793094)]
    [InlineData(3.0, -0.39731031455561623523, 0.175827953569642552, -0.061600733514893103139)]
    [InlineData(10.0, 0.22402344985898722897, 0.050832503927324576371, -0.0051663356816857461222)]
    [InlineData(19.5, 0.56199556964807480987, 0.025860122144105817974, -0.0013373899316046482887)]
    [InlineData(20.0, 0.57476128388032583248, 0.025208281311841942558, -0.0012708229352031198315)]
    [InlineData(49.9, 1.0344019838475632405, 0.010053505804099708651, -0.00020214366414748499824)]
    [InlineData(50.0, 1.035406325062416922, 0.010033332000253861665, -0.00020133322669712580597)]
    [InlineData(123.25, 1.4874927422183927417, 0.004062280957980608314, -0.000033004192388581417213)]
    [InlineData(1e3, 2.5348557729558402279, 0.00050008333332500000397, -5.0016666663333335714e-7)]
    [InlineData(7.5e4, 4.6936820519434399, 6.6666814814814812181e-6, -8.8889283950617269904e-11)]
    [InlineData(1e6, 5.9888166624441309769, 5.0000008333333333332e-7, -5.0000016666666666663e-13)]
    [InlineData(3e9, 9.9920005295748099042, 1.6666666667592592593e-10, -5.5555555561728395062e-20)]
    [InlineData(1e12, 12.896572024759518029, 5.0000000000008333333e-13, -5.0000000000016666667e-25)]
    [InlineData(4.872591243e15, 17.142262603420771974, 1.0261480494968742797e-16, -2.1059596389724790932e-32)]
    [InlineData(1e20, 22.106912396735784098, 4.9999999999999999999e-21, -5.0e-41)]
    public void ShapeDifferencesMatchMpmath(double x, double constant, double logMinusDigamma, double inverseMinusTrigamma)
    {
        Near(constant, DeviceMath.XLogXMinusXMinusLogGamma(x), x >= 50 ? 4e-14 : 1e-12, $"x log x - x - log Gamma({x})");
        Near(logMinusDigamma, DeviceMath.LogMinusDigamma(x), x >= 10 ? 4e-14 : 1e-12, $"log x - digamma({x})");
        Near(inverseMinusTrigamma, DeviceMath.InverseMinusTrigamma(x), x >= 20 ? 4e-14 : 1e-12, $"1/x - trigamma({x})");
    }

    [Fact]
    public void ShapeDifferencesAtTheEdges()
    {
        foreach (var f in new Func<double, double>[] { DeviceMath.XLogXMinusXMinusLogGamma, DeviceMath.LogMinusDigamma, DeviceMath.InverseMinusTrigamma })
        {
            Assert.True(double.IsNaN(f(double.NaN)));
            Assert.True(double.IsNaN(f(-1.0)));
        }
        Assert.Equal(0.0, DeviceMath.LogMinusDigamma(double.PositiveInfinity));
        Assert.Equal(0.0, DeviceMath.InverseMinusTrigamma(double.PositiveInfinity));
    }

    private static void Near(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(actual - expected) <= tolerance * Math.Abs(expected), $"{what}: {actual:R} against {expected:R} ({Math.Abs(actual / expected - 1):E2} relative)");
}
