namespace GpuEstimation.Engine;

/// <summary>
/// The normal equations of a nonlinear regression y = μ(row; θ) + ε in one pass over the data: what a
/// Levenberg–Marquardt iteration needs. Offered by an engine whose model is a
/// <see cref="Kernels.Models.NonlinearRegressionModel{TMean}"/> (<see cref="ILikelihoodEngine.LeastSquares"/>).
/// </summary>
public interface ILeastSquares
{
    /// <summary>The mean's parameter count, P (the model's parameters less σ).</summary>
    int MeanParameterCount { get; }

    /// <summary>
    /// The residual sum of squares Σ rᵢ², rᵢ = yᵢ − μ(row i; θ), at mean parameters <paramref name="theta"/> (P
    /// values); Jᵀr into <paramref name="jacobianResidual"/> (P) and JᵀJ into <paramref name="gram"/> (P×P,
    /// row-major, both triangles), J the Jacobian ∂μᵢ/∂θₖ. Summed in a fixed order on every backend.
    /// </summary>
    double Evaluate(ReadOnlySpan<double> theta, Span<double> jacobianResidual, Span<double> gram);
}
