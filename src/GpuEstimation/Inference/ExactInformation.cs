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

    /// <summary>
    /// The covariance (Tᵀ A T + diag(d))⁻¹ of <paramref name="information"/> (<see cref="DesignInformation"/>),
    /// inverted in the design's coordinates: T⁻¹ (A + T⁻ᵀ diag(d) T⁻¹)⁻¹ T⁻ᵀ over the rows of T that the free parameters
    /// reach, judged as <see cref="Of"/> judges; null where those rows are not as many as the free parameters (a held
    /// intercept whose centred coordinate the free slopes still move), so that T has no inverse.
    /// </summary>
    public static Information? InDesign(DesignInformation information, double edm)
    {
        ArgumentNullException.ThrowIfNull(information);
        var t = information.Map;
        int f = t.ColumnCount;
        var rows = Enumerable.Range(0, t.RowCount).Where(i => t.Row(i).Any(v => v != 0)).ToArray();
        if (rows.Length != f || f == 0)
            return null;
        var square = Matrix<double>.Build.Dense(f, f, (i, a) => t[rows[i], a]);
        var inverse = square.Inverse();
        if (!inverse.Enumerate().All(double.IsFinite))
            return null;
        var own = Matrix<double>.Build.DiagonalOfDiagonalVector(information.Own);
        var inDesign = Matrix<double>.Build.Dense(f, f, (i, j) => information.Design[rows[i], rows[j]]) + inverse.TransposeThisAndMultiply(own) * inverse;
        var result = Of(inDesign, edm);
        result = result with { Evaluations = information.Passes };
        return result.Covariance is { } covariance ? result with { Covariance = inverse * covariance * inverse.Transpose() } : result;
    }
}

/// <summary>
/// An information −H_u = Tᵀ A T + diag(d) (<see cref="Estimation.Objective.InformationInDesign"/>): <see cref="Design"/>
/// A over the design's coordinates (P×P), <see cref="Map"/> T from the free parameters' coordinates to the design's
/// (P × free), <see cref="Own"/> d, and the passes over the data it took.
/// </summary>
public sealed record DesignInformation(Matrix<double> Design, Matrix<double> Map, Vector<double> Own, int Passes);

