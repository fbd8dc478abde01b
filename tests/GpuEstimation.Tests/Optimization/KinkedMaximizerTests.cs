using GpuEstimation.Optimization;
using Xunit;

namespace GpuEstimation.Tests.Optimization;

/// <summary>The kink-aware maximizer on host objectives with closed-form answers (no device).</summary>
public class KinkedMaximizerTests
{
    // F(x) = −½ a (x − m)² − w|x − c| (a = 1): the maximum is c + S(m − c, w/a), S the soft threshold; exactly c when |m − c| ≤ w/a.
    [Theory]
    [InlineData(3.0, 0.0, 1.0, 2.0)]
    [InlineData(3.0, 0.0, 5.0, 0.0)]
    [InlineData(-1.0, 0.5, 0.5, -0.5)]
    [InlineData(0.6, 0.5, 4.0, 0.5)]
    public void OneCoordinateIsTheSoftThreshold(double m, double c, double w, double expected)
    {
        const double a = 1.0;
        ValueAndGradient f = (x, g) =>
        {
            g[0] = -a * (x[0] - m);
            return -0.5 * a * (x[0] - m) * (x[0] - m);
        };
        var expectedAlso = c + Math.Sign(m - c) * Math.Max(Math.Abs(m - c) - w / a, 0);
        Assert.Equal(expected, expectedAlso, 12);

        var result = KinkedMaximizer.Maximize(f, [new Kink(0, c, w)], [10.0], [1.0], new OptimizerSettings());

        Assert.True(result.Converged, result.Reason);
        if (expected == c)
            Assert.Equal(c, result.Point[0]);
        else
            Assert.True(Math.Abs(result.Point[0] - expected) <= 1e-10, $"{result.Point[0]:R} vs {expected:R}");
        Assert.True(Math.Abs(result.Value - (-0.5 * a * (expected - m) * (expected - m) - w * Math.Abs(expected - c))) <= 1e-12);
    }

    // Two coupled coordinates, only the second penalized: F = −½ (x − m)ᵀA(x − m). At x₂ = 0 the first is m₁ + A₁₂m₂/A₁₁
    // and stays there exactly when |∂F/∂x₂| ≤ w; here it does, from a start on the other side of the kink.
    [Fact]
    public void CoupledCoordinatesReachTheKinkFromEitherSide()
    {
        double[,] a = { { 2, 0.8 }, { 0.8, 1 } };
        double[] m = [1, 0.3];
        ValueAndGradient f = (x, g) =>
        {
            double d0 = x[0] - m[0], d1 = x[1] - m[1];
            g[0] = -(a[0, 0] * d0 + a[0, 1] * d1);
            g[1] = -(a[1, 0] * d0 + a[1, 1] * d1);
            return -0.5 * (d0 * (a[0, 0] * d0 + a[0, 1] * d1) + d1 * (a[1, 0] * d0 + a[1, 1] * d1));
        };
        double x0 = m[0] + a[0, 1] * m[1] / a[0, 0];
        double slope = a[1, 0] * (x0 - m[0]) - a[1, 1] * m[1];
        const double w = 0.5;
        Assert.True(Math.Abs(slope) < w, "the data of this test put the answer at the kink");

        foreach (double start in new[] { -3.0, 3.0 })
        {
            var result = KinkedMaximizer.Maximize(f, [new Kink(1, 0, w)], [0.0, start], [1.0, 1.0], new OptimizerSettings());
            Assert.True(result.Converged, result.Reason);
            Assert.Equal(0.0, result.Point[1]);
            Assert.True(Math.Abs(result.Point[0] - x0) <= 1e-10, $"{result.Point[0]:R} vs {x0:R}");
        }
    }

    [Fact]
    public void TwoKinksOnOneCoordinateAreRefused()
    {
        ValueAndGradient f = (x, g) =>
        {
            g[0] = 0;
            return 0;
        };
        Assert.Throws<ArgumentException>(() => KinkedMaximizer.Maximize(f, [new Kink(0, 0, 1), new Kink(0, 1, 1)], [0.0], [1.0], new OptimizerSettings()));
    }
}
