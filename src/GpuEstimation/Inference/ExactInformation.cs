using MathNet.Numerics.LinearAlgebra;

namespace GpuEstimation.Inference;

/// <summary>
/// The covariance from an exact negative Hessian at the optimum (the observed information, as statsmodels' Logit and
/// GLM with the observed Hessian give it), judged as <see cref="ObservedInformation"/> judges a differenced one: scaled
/// to unit diagonal, singular where its smallest eigenvalue is below 1e-10 of its largest.
/// </summary>
public static class ExactInformation
{
    private const double SingularRatio = 1e-10;

    /// <summary>The covariance (−H)⁻¹ of <paramref name="information"/> = −H on the optimizer's scale, with <paramref name="edm"/> passed on.</summary>
    public static Information Of(Matrix<double> information, double edm)
    {
        ArgumentNullException.ThrowIfNull(information);
        int n = information.RowCount;
        if (n == 0)
            return new Information(HessianStatus.Unavailable, null, 0, 0);
        if (!information.Enumerate().All(double.IsFinite) || Enumerable.Range(0, n).Any(k => !(information[k, k] > 0)))
            return new Information(Enumerable.Range(0, n).Any(k => information[k, k] < 0) ? HessianStatus.NotNegativeDefinite : HessianStatus.Singular, null, double.NaN, 0);
        var scale = Vector<double>.Build.Dense(n, k => 1 / Math.Sqrt(information[k, k]));
        var scaled = Matrix<double>.Build.Dense(n, n, (i, j) => scale[i] * information[i, j] * scale[j]);
        var values = scaled.Evd(Symmetricity.Symmetric).EigenValues.Select(v => v.Real).ToArray();
        double largest = values.Max(Math.Abs);
        if (values.Min() <= 0)
            return new Information(values.Min() >= -SingularRatio * largest ? HessianStatus.Singular : HessianStatus.NotNegativeDefinite, null, double.NaN, 0);
        if (values.Min() < SingularRatio * largest)
            return new Information(HessianStatus.Singular, null, double.NaN, 0);
        var inverse = scaled.Cholesky().Solve(Matrix<double>.Build.DenseIdentity(n));
        var covariance = Matrix<double>.Build.Dense(n, n, (i, j) => scale[i] * inverse[i, j] * scale[j]);
        return new Information(HessianStatus.NegativeDefinite, covariance, edm, 0);
    }
}
