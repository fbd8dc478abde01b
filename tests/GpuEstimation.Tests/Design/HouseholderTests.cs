using GpuEstimation.Data;
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

        var (coefficients, singular) = Householder.LeastSquares(z, columns.AsColumns(), intercept: true, root);

        Assert.False(singular);
        var x = Matrix<double>.Build.Dense(Rows, 4, (i, j) => root[i] * (j == 0 ? 1.0 : columns[j - 1][i]));
        var expected = x.QR().Solve(Vector<double>.Build.Dense(Rows, i => root[i] * z[i]));
        for (int j = 0; j < 4; j++)
            Assert.True(Math.Abs(coefficients[j] - expected[j]) <= 1e-10 * Math.Abs(expected[j]), $"{j}: {coefficients[j]:R} against {expected[j]:R}");

        var (zeros, repeated) = Householder.LeastSquares(z, [columns[0], columns[1], columns[0]], intercept: true, root);
        Assert.True(repeated);
        Assert.All(zeros, v => Assert.Equal(0.0, v));
    }

    // As many rows as coefficients: the square system's solution (a GLM start of 3 rows and 3 coefficients), not 0s;
    // a feature in units of 10¹⁴ beside the intercept and a 0/1 column is not called singular (R's diagonals differ
    // by 10¹⁴, but each is large against its own column), and its slope is the unscaled one over 10¹⁴ to 1e-12.
    [Fact]
    public void SquareSystemsAndColumnsOfVeryDifferentScalesAreSolved()
    {
        double[] z = [Math.Log(1000), Math.Log(2000), Math.Log(5000)];
        var (square, squareSingular) = Householder.LeastSquares(z, new double[][] { [0.0, 1, 2], [1.0, 0, 3] }.AsColumns(), intercept: true);
        Assert.False(squareSingular);
        // 1·c + 0·a + 1·b = z0, c + a = z1, c + 2a + 3b = z2.
        Assert.True(Math.Abs(square[0] + square[2] - z[0]) <= 1e-12 && Math.Abs(square[0] + square[1] - z[1]) <= 1e-12
            && Math.Abs(square[0] + 2 * square[1] + 3 * square[2] - z[2]) <= 1e-12, string.Join(", ", square));

        var random = new MersenneTwister(5);
        var u = Enumerable.Range(0, 5000).Select(_ => Normal.Sample(random, 0, 1)).ToArray();
        var d = Enumerable.Range(0, 5000).Select(i => (double)(i % 2)).ToArray();
        var y = Enumerable.Range(0, 5000).Select(i => 2 + 1.5 * u[i] + 0.5 * d[i] + Normal.Sample(random, 0, 0.1)).ToArray();
        var (plain, _) = Householder.LeastSquares(y, [u, d], intercept: true);
        var (scaled, singular) = Householder.LeastSquares(y, new double[][] { [.. u.Select(v => v * 1e14)], d }.AsColumns(), intercept: true);
        Assert.False(singular);
        Assert.True(Math.Abs(scaled[1] * 1e14 - plain[1]) <= 1e-12 * Math.Abs(plain[1]), $"{scaled[1] * 1e14:R} against {plain[1]:R}");
        Assert.True(Math.Abs(scaled[2] - plain[2]) <= 1e-12 * Math.Abs(plain[2]), $"{scaled[2]:R} against {plain[2]:R}");
    }
}
