using GpuEstimation.Optimization;
using Xunit;

namespace GpuEstimation.Tests.Optimization;

/// <summary>The Levenberg–Marquardt solver on its own, over host-computed normal equations.</summary>
public sealed class LevenbergMarquardtTests
{
    // A straight line y = b0 + b1·x (a linear least-squares problem): the solver reaches the closed-form OLS solution,
    // and its relative offset there is the convergence test's, not a step size.
    [Fact]
    public void LinearProblemReachesTheClosedFormSolution()
    {
        double[] x = [1, 2, 3, 4, 5, 6];
        double[] y = [2.1, 3.9, 6.2, 7.8, 10.1, 12.2];
        double mx = x.Average(), my = y.Average();
        double slope = x.Zip(y, (a, b) => (a - mx) * (b - my)).Sum() / x.Sum(a => (a - mx) * (a - mx));
        double intercept = my - slope * mx;
        double Pass(ReadOnlySpan<double> b, Span<double> g, Span<double> gram)
        {
            g.Clear();
            gram.Clear();
            double rss = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double r = y[i] - b[0] - b[1] * x[i];
                double[] j = [1, x[i]];
                rss += r * r;
                for (int k = 0; k < 2; k++)
                {
                    g[k] += j[k] * r;
                    for (int l = 0; l < 2; l++)
                        gram[k * 2 + l] += j[k] * j[l];
                }
            }
            return rss;
        }
        var result = LevenbergMarquardt.Minimize(Pass, [100.0, -50.0], x.Length, 100);
        Assert.True(result.Converged, result.Reason);
        // A relative offset of 10⁻⁸ leaves the point about 10⁻⁸ standard errors (here ~0.1) from the solution.
        Assert.Equal(intercept, result.Point[0], 1e-7);
        Assert.Equal(slope, result.Point[1], 1e-7);
        Assert.True(result.RelativeOffset <= LevenbergMarquardt.OffsetTolerance || result.Reason.Contains("rounding"), result.Reason);
    }

    [Fact]
    public void RelativeOffsetIsScaleFreeAndNaNWhereSingular()
    {
        // g = Jᵀr, A = JᵀJ for J = diag(2, 3) (n = 5, p = 2, RSS = 3): offset² = (g₀²/4 + g₁²/9)/2 / (3/3).
        double[] gram = [4, 0, 0, 9];
        double[] g = [0.2, 0.3];
        double expected = Math.Sqrt((0.04 / 4 + 0.09 / 9) / 2 / 1.0);
        Assert.Equal(expected, LevenbergMarquardt.RelativeOffset(gram, g, 3, 5, 2), 1e-15);
        // Rescaling a parameter (column of J by 1000) leaves it unchanged.
        double[] scaledGram = [4e6, 0, 0, 9];
        double[] scaledG = [200, 0.3];
        Assert.Equal(expected, LevenbergMarquardt.RelativeOffset(scaledGram, scaledG, 3, 5, 2), 1e-15);
        Assert.True(double.IsNaN(LevenbergMarquardt.RelativeOffset([1, 1, 1, 1], g, 3, 5, 2)));
        Assert.Null(LevenbergMarquardt.Inverse([1, 1, 1, 1], 2));
        Assert.Equal([0.25, 0, 0, 1 / 9.0], LevenbergMarquardt.Inverse(gram, 2)!);
    }
}
