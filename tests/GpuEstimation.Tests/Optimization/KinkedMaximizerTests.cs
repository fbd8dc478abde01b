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

    // A logistic log-likelihood over an intercept and 20 slopes (300 rows), a kink at 0 on each slope: with F's exact
    // Hessian the units, the OWL-QN coordinates and the active set's Newton steps take one pass each instead of
    // differences of the gradient per coordinate. Both ways reach the same maximum (to 1e-9, the same exact zeros),
    // which meets the lasso's conditions: ∂F/∂x = w·sign(x) off the kink, |∂F/∂x| ≤ w on it; the exact way in fewer
    // passes than there are coordinates, the differenced one in more than twice as many.
    [Fact]
    public void ExactHessianGivesTheSameLassoInFewerPasses()
    {
        const int rows = 300, slopes = 20;
        var random = new Random(17);
        var x = new double[rows, slopes];
        var y = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            double eta = 0.3;
            for (int j = 0; j < slopes; j++)
            {
                x[i, j] = MathNet.Numerics.Distributions.Normal.Sample(random, 0, 1);
                eta += (j < 5 ? 0.8 - 0.3 * j : 0) * x[i, j];
            }
            y[i] = random.NextDouble() < 1 / (1 + Math.Exp(-eta)) ? 1 : 0;
        }
        int n = slopes + 1;
        double Value(ReadOnlySpan<double> b, Span<double> g, MathNet.Numerics.LinearAlgebra.Matrix<double>? h)
        {
            g.Clear();
            h?.Clear();
            double value = 0;
            var row = new double[n];
            for (int i = 0; i < rows; i++)
            {
                row[0] = 1;
                for (int j = 0; j < slopes; j++)
                    row[j + 1] = x[i, j];
                double eta = 0;
                for (int j = 0; j < n; j++)
                    eta += b[j] * row[j];
                double p = 1 / (1 + Math.Exp(-eta));
                value += y[i] * eta - (eta > 0 ? eta + double.LogP1(Math.Exp(-eta)) : double.LogP1(Math.Exp(eta)));
                for (int j = 0; j < n; j++)
                {
                    g[j] += (y[i] - p) * row[j];
                    if (h is not null)
                    {
                        for (int l = 0; l < n; l++)
                            h[j, l] -= p * (1 - p) * row[j] * row[l];
                    }
                }
            }
            return value;
        }
        const double w = 12;
        var kinks = Enumerable.Range(1, slopes).Select(j => new Kink(j, 0, w)).ToArray();
        var start = new double[n];
        var scales = Enumerable.Repeat(0.1, n).ToArray();

        var differenced = KinkedMaximizer.Maximize((b, g) => Value(b, g, null), kinks, start, scales, new OptimizerSettings());
        var exact = KinkedMaximizer.Maximize((b, g) => Value(b, g, null), kinks, start, scales, new OptimizerSettings(), (b, g, h) => Value(b, g, h));

        Assert.True(differenced.Converged, differenced.Reason);
        Assert.True(exact.Converged, exact.Reason);
        Assert.Contains(exact.Point.Skip(1), v => v == 0);
        Assert.Contains(exact.Point.Skip(1), v => v != 0);
        var gradient = new double[n];
        Value(exact.Point, gradient, null);
        Assert.True(Math.Abs(gradient[0]) <= 1e-8, $"intercept's gradient {gradient[0]:G3}");
        for (int j = 0; j < n; j++)
        {
            Assert.Equal(differenced.Point[j] == 0, exact.Point[j] == 0);
            Assert.True(Math.Abs(exact.Point[j] - differenced.Point[j]) <= 1e-9, $"coordinate {j}: {exact.Point[j]:R} vs {differenced.Point[j]:R}");
            if (j == 0)
                continue;
            if (exact.Point[j] == 0)
                Assert.True(Math.Abs(gradient[j]) <= w + 1e-8, $"slope {j} at its kink: |∂F| = {Math.Abs(gradient[j]):R} above {w}");
            else
                Assert.True(Math.Abs(gradient[j] - w * Math.Sign(exact.Point[j])) <= 1e-8, $"slope {j}: ∂F = {gradient[j]:R}, w·sign = {w * Math.Sign(exact.Point[j])}");
        }
        Assert.True(exact.Evaluations < n, $"{exact.Evaluations} passes with the exact Hessian");
        Assert.True(differenced.Evaluations > 2 * n, $"{differenced.Evaluations} passes differenced");
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
