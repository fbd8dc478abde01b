using GpuEstimation.Design;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Random;
using Xunit;

namespace GpuEstimation.Tests.Design;

public sealed class HouseholderTests
{
    // 100,003 rows: three runs of 32,768 reduced in parallel and a short fourth, stacked in order.
    private const int Rows = 100_003;

    private static double[][] Columns(int seed)
    {
        var random = new MersenneTwister(seed);
        var a = Enumerable.Range(0, Rows).Select(_ => Normal.Sample(random, 2, 3)).ToArray();
        var b = Enumerable.Range(0, Rows).Select(_ => ContinuousUniform.Sample(random, -1, 1) * 1e4).ToArray();
        var c = Enumerable.Range(0, Rows).Select(i => 0.3 * a[i] - 2e-4 * b[i] + Normal.Sample(random, 0, 0.01)).ToArray();
        return [a, b, c];
    }

    // RᵀR of the parallel reduction = XᵀX of [1 a b c], each entry to 1e-12 of √(XᵀX_ii XᵀX_jj) (a sum of squares in
    // double differs by ~n ε; measured ~1e-15), and a second run gives the same bits (no run depends on another's timing).
    [Fact]
    public void ReductionInRunsKeepsTheColumnsInnerProducts()
    {
        var columns = Columns(7);
        void Fill(int j, int first, Span<double> block)
        {
            if (j == 0)
                block.Fill(1);
            else
                columns[j - 1].AsSpan(first, block.Length).CopyTo(block);
        }
        var r = Householder.Reduce(Rows, 4, Fill);
        var again = Householder.Reduce(Rows, 4, Fill);

        Assert.Equal(4, r.GetLength(0));
        Assert.Equal(r.Cast<double>(), again.Cast<double>());
        var x = Matrix<double>.Build.DenseOfColumnArrays([Enumerable.Repeat(1.0, Rows).ToArray(), .. columns]);
        var gram = x.TransposeThisAndMultiply(x);
        var rm = Matrix<double>.Build.DenseOfArray(r);
        var fromR = rm.TransposeThisAndMultiply(rm);
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                double scale = Math.Sqrt(gram[i, i] * gram[j, j]);
                Assert.True(Math.Abs(fromR[i, j] - gram[i, j]) <= 1e-12 * scale, $"({i},{j}): {fromR[i, j]:R} against {gram[i, j]:R}");
            }
        }
    }

    // Weighted least squares by rows times √w: MathNet's QR solve of the same scaled system to 1e-10 relative (both
    // backward stable; the design's condition number is ~1e4). A repeated column makes the system singular, which is
    // reported, with coefficients 0.
    [Fact]
    public void WeightedLeastSquaresMatchesMathNetAndFlagsASingularDesign()
    {
        var columns = Columns(11);
        var random = new MersenneTwister(12);
        var weights = Enumerable.Range(0, Rows).Select(_ => ContinuousUniform.Sample(random, 0, 3)).ToArray();
        weights[5] = 0;
        var z = Enumerable.Range(0, Rows).Select(i => 1.5 + 0.2 * columns[0][i] - 3e-5 * columns[1][i] + 4 * columns[2][i] + Normal.Sample(random, 0, 0.5)).ToArray();
        var root = weights.Select(Math.Sqrt).ToArray();

        var (coefficients, singular) = Householder.LeastSquares(z, columns, intercept: true, root);

        Assert.False(singular);
        var x = Matrix<double>.Build.Dense(Rows, 4, (i, j) => root[i] * (j == 0 ? 1.0 : columns[j - 1][i]));
        var expected = x.QR().Solve(Vector<double>.Build.Dense(Rows, i => root[i] * z[i]));
        for (int j = 0; j < 4; j++)
            Assert.True(Math.Abs(coefficients[j] - expected[j]) <= 1e-10 * Math.Abs(expected[j]), $"{j}: {coefficients[j]:R} against {expected[j]:R}");

        var (zeros, repeated) = Householder.LeastSquares(z, [columns[0], columns[1], columns[0]], intercept: true, root);
        Assert.True(repeated);
        Assert.All(zeros, v => Assert.Equal(0.0, v));
    }
}
