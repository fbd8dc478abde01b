namespace GpuEstimation.Estimation;

/// <summary>
/// A nonlinear regression's least-squares statistics, as NIST's StRD and R's <c>nls</c> report them beside the MLE.
/// </summary>
/// <param name="ResidualSumOfSquares">Σ (y − μ)² at the estimate.</param>
/// <param name="DegreesOfFreedom">n − p, p the estimated mean parameters.</param>
/// <param name="ResidualStdError">√(RSS/(n − p)): NIST's residual standard deviation, R's <c>sigma()</c> (the fit's σ is the MLE √(RSS/n)).</param>
/// <param name="StdErrorNist">Per mean parameter (by name; held ones absent): √(s² (JᵀJ)⁻¹ₖₖ) with s² = RSS/(n − p), NIST's certified standard deviation and R's <c>nls</c> standard error.</param>
/// <param name="RelativeOffset">Bates and Watts' relative offset at the estimate (the convergence test; NaN where another search than Levenberg–Marquardt's ended the fit).</param>
public sealed record NonlinearStatistics(
    double ResidualSumOfSquares, int DegreesOfFreedom, double ResidualStdError, IReadOnlyDictionary<string, double> StdErrorNist, double RelativeOffset)
{
    /// <summary>
    /// s² (JᵀJ)⁻¹ over the model's parameters in their order (R's <c>vcov</c> of an <c>nls</c> fit; 0 in the rows and
    /// columns of σ and of held parameters), or null where <see cref="StdErrorNist"/> is empty.
    /// </summary>
    public double[,]? CovarianceNist { get; init; }

    /// <summary>
    /// Whether Levenberg–Marquardt ended at an exact fit (residuals zero, or within rounding of the response): there the
    /// differenced curvature is rounding's, and its sign says nothing of the fit.
    /// </summary>
    public bool ExactFit { get; init; }
}
