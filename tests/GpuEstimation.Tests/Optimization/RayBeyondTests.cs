using GpuEstimation.Optimization;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuEstimation.Tests.Optimization;

/// <summary>
/// NewtonMaximizer.RayBeyond on host objectives with known answers: a converged end far out on a ray is found to be
/// one, a maximum and a flat ridge are not.
/// </summary>
public class RayBeyondTests
{
    // F(x, y) = −300 eˣ − (y − 1)²: the supremum 0 as x → −∞ (a Poisson intercept on counts that are all 0), y bounded.
    private static double Rising(ReadOnlySpan<double> p, Span<double> g, Matrix<double>? h)
    {
        double e = 300 * Math.Exp(p[0]);
        g[0] = -e;
        g[1] = -2 * (p[1] - 1);
        if (h is not null)
        {
            h.Clear();
            h[0, 0] = -e;
            h[1, 1] = -2;
        }
        return -e - (p[1] - 1) * (p[1] - 1);
    }

    // At x = −34 the gradient in standard-error units is √(300 e⁻³⁴) = 7e-7, at −45 it is 3e-9: a search stops there.
    [Theory]
    [InlineData(-34.0)]
    [InlineData(-45.0)]
    public void AnEndFarOutOnARayIsOne(double x)
    {
        var end = End([x, 1], Rising);
        int evaluations = 0;

        var ray = NewtonMaximizer.RayBeyond((p, g, h) => Rising(p, g, h), end, [0.1, 0.1], [true, true], ref evaluations);

        Assert.NotNull(ray);
        Assert.True(ray[0] < -0.999_999, $"ray ({ray[0]:R}, {ray[1]:R})");
        Assert.True(Math.Abs(ray[1]) <= 1e-12, $"ray ({ray[0]:R}, {ray[1]:R})");
        Assert.Equal(5, evaluations); // the pass at the end, then one for each of four full steps
    }

    // A coordinate that may not run off is held: the same objective with x bounded has no ray among the others.
    [Fact]
    public void OnlyTheCoordinatesThatMayRunOffAreSearched()
    {
        var end = End([-34, 1], Rising);
        int evaluations = 0;

        var ray = NewtonMaximizer.RayBeyond((p, g, h) => Rising(p, g, h), end, [0.1, 0.1], [false, true], ref evaluations);

        Assert.Null(ray);
    }

    // F = −½ (x − 3)² · 10⁻⁸ − (y + 1)²: a maximum with a standard error of 10⁴ in x, from a point 10⁻⁴ of one off it
    // (a step the prefilter lets through against a typical scale of 1): the step lands on the maximum, and the next is 0.
    [Fact]
    public void AMaximumWithALargeStandardErrorIsNotARay()
    {
        static double F(ReadOnlySpan<double> p, Span<double> g, Matrix<double>? h)
        {
            g[0] = -1e-8 * (p[0] - 3);
            g[1] = -2 * (p[1] + 1);
            if (h is not null)
            {
                h.Clear();
                h[0, 0] = -1e-8;
                h[1, 1] = -2;
            }
            return -0.5e-8 * (p[0] - 3) * (p[0] - 3) - (p[1] + 1) * (p[1] + 1);
        }
        var end = End([3 + 1, -1], F);
        int evaluations = 0;

        var ray = NewtonMaximizer.RayBeyond((p, g, h) => F(p, g, h), end, [1, 1], [true, true], ref evaluations);

        Assert.Null(ray);
        Assert.Equal(2, evaluations); // the pass at the end and the one after the step
    }

    // F = −(x + y − 1)²: a ridge along x + y = 1, flat; its Hessian is singular, and no step along it rises.
    [Fact]
    public void AFlatRidgeIsNotARay()
    {
        static double F(ReadOnlySpan<double> p, Span<double> g, Matrix<double>? h)
        {
            double r = p[0] + p[1] - 1;
            g[0] = g[1] = -2 * r;
            if (h is not null)
            {
                for (int i = 0; i < 2; i++)
                    for (int j = 0; j < 2; j++)
                        h[i, j] = -2;
            }
            return -r * r;
        }
        var end = End([0.25, 0.75 + 1e-9], F);
        int evaluations = 0;

        Assert.Null(NewtonMaximizer.RayBeyond((p, g, h) => F(p, g, h), end, [1e-6, 1e-6], [true, true], ref evaluations));
        Assert.Equal(1, evaluations); // the pass: A does not factor
    }

    private delegate double Objective(ReadOnlySpan<double> point, Span<double> gradient, Matrix<double>? hessian);

    private static OptimizationResult End(double[] point, Objective f)
    {
        var g = new double[point.Length];
        double value = f(point, g, null);
        return new OptimizationResult(point, value, true, "gradient below tolerance", 10, 10, 1e-9, 1e-18, Matrix<double>.Build.DenseIdentity(point.Length));
    }
}
