using MathNet.Numerics.LinearAlgebra;

namespace GpuEstimation.Models;

/// <summary>
/// Closed-form answers for linear regression with Gaussian noise, by MathNet's QR (host, double): the references that
/// the iterative MLE and MAP fits are checked against, and what <c>gpuest demo</c> prints beside them.
/// </summary>
public static class LinearClosedForm
{
    /// <summary>Least squares b = argmin ‖y − [1 X] b‖² (intercept first) and the MLE σ = √(RSS/n).</summary>
    public static (double[] Coefficients, double Sigma) LeastSquares(double[] y, IReadOnlyList<double[]> features)
    {
        var design = Design(y.Length, features);
        var target = Vector<double>.Build.DenseOfArray(y);
        var b = design.QR().Solve(target);
        var residual = target - design * b;
        return (b.ToArray(), Math.Sqrt(residual.DotProduct(residual) / y.Length));
    }

    /// <summary>
    /// The MAP coefficients with σ known, a flat prior on the intercept and Normal(0, a) on each slope:
    /// b = (XᵀX + (σ²/a²)·D)⁻¹ Xᵀy, D the identity with 0 for the intercept. Solved as the least-squares problem of X
    /// stacked over √λ·D with zeros appended to y, which is the same equation without forming XᵀX.
    /// </summary>
    public static double[] Ridge(double[] y, IReadOnlyList<double[]> features, double sigma, double priorSd)
    {
        int n = y.Length, p = features.Count + 1;
        double root = sigma / priorSd;
        var design = Matrix<double>.Build.Dense(n + p - 1, p);
        design.SetSubMatrix(0, 0, Design(n, features));
        for (int j = 1; j < p; j++)
            design[n + j - 1, j] = root;
        var target = Vector<double>.Build.Dense(n + p - 1);
        target.SetSubVector(0, n, Vector<double>.Build.DenseOfArray(y));
        return design.QR().Solve(target).ToArray();
    }

    private static Matrix<double> Design(int n, IReadOnlyList<double[]> features)
    {
        var design = Matrix<double>.Build.Dense(n, features.Count + 1);
        for (int i = 0; i < n; i++)
            design[i, 0] = 1;
        for (int j = 0; j < features.Count; j++)
            design.SetColumn(j + 1, features[j]);
        return design;
    }
}
