using GpuEstimation.Data;
using GpuEstimation.Backends;
using GpuEstimation.Engine;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Engine;

/// <summary>
/// The least-squares pass (<see cref="ILeastSquares"/>) of a nonlinear regression engine on every backend against the
/// sums written out on the host from the mean's value and gradient, and its bits the same run after run.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class LeastSquaresPassTests(DeviceFixture devices)
{
    [Theory]
    [MemberData(nameof(DeviceFixture.Backends), MemberType = typeof(DeviceFixture))]
    public void NormalEquationsMatchHostSumsAndRepeatToTheBit(Backend backend)
    {
        // Rat43 (4 parameters: 15 sums of the augmented triangle) on 3,001 rows: several groups and chunks.
        var random = new Random(14);
        var x = Enumerable.Range(0, 3001).Select(i => 1 + 14.0 * i / 3000).ToArray();
        double[] theta = [699.6, 5.28, 0.76, 1.28];
        var y = x.Select(v => Rat43(theta, v) + random.NextDouble() - 0.5).ToArray();
        var model = new NonlinearRegressionModel<NistMeans.Rat43>(new NistMeans.Rat43());
        using var engine = new LikelihoodEngine<NonlinearRegressionModel<NistMeans.Rat43>>(devices[backend], model, [y, x]);
        var ls = Assert.IsAssignableFrom<ILeastSquares>(engine.LeastSquares);
        Assert.Equal(4, ls.MeanParameterCount);
        double[] at = [700, 5.2, 0.75, 1.3];
        var g = new double[4];
        var a = new double[16];
        double rss = ls.Evaluate(at, g, a);

        // The host's sums from central differences of the closed-form mean (step 1e-6 relative): 1e-7 relative.
        double expectedRss = 0;
        var expectedG = new double[4];
        var expectedA = new double[16];
        for (int i = 0; i < x.Length; i++)
        {
            double r = y[i] - Rat43(at, x[i]);
            var j = Enumerable.Range(0, 4).Select(k =>
            {
                var up = at.ToArray();
                var down = at.ToArray();
                double h = 1e-6 * Math.Abs(at[k]);
                up[k] += h;
                down[k] -= h;
                return (Rat43(up, x[i]) - Rat43(down, x[i])) / (2 * h);
            }).ToArray();
            expectedRss += r * r;
            for (int k = 0; k < 4; k++)
            {
                expectedG[k] += j[k] * r;
                for (int l = 0; l < 4; l++)
                    expectedA[k * 4 + l] += j[k] * j[l];
            }
        }
        Assert.Equal(expectedRss, rss, expectedRss * 1e-12);
        for (int k = 0; k < 4; k++)
        {
            double scale = Math.Sqrt(expectedA[k * 4 + k] * expectedRss);
            Assert.True(Math.Abs(g[k] - expectedG[k]) <= 1e-7 * scale, $"Jᵀr[{k}] = {g[k]}, host {expectedG[k]}");
            for (int l = 0; l < 4; l++)
            {
                Assert.Equal(a[k * 4 + l], a[l * 4 + k]);
                double s = Math.Sqrt(expectedA[k * 4 + k] * expectedA[l * 4 + l]);
                Assert.True(Math.Abs(a[k * 4 + l] - expectedA[k * 4 + l]) <= 1e-7 * s, $"JᵀJ[{k},{l}] = {a[k * 4 + l]}, host {expectedA[k * 4 + l]}");
            }
        }

        var g2 = new double[4];
        var a2 = new double[16];
        Assert.Equal(rss, ls.Evaluate(at, g2, a2));
        Assert.Equal(g, g2);
        Assert.Equal(a, a2);
    }

    [Fact]
    public void OtherModelsHaveNoLeastSquaresPass()
    {
        using var engine = new LikelihoodEngine<NormalModel>(devices.Native, new NormalModel(), [new[] { 1.0, 2.0, 4.0 }]);
        Assert.Null(engine.LeastSquares);
    }

    private static double Rat43(double[] b, double x) => b[0] / Math.Pow(1 + Math.Exp(b[1] - b[2] * x), 1 / b[3]);
}
