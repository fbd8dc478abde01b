using MathNet.Numerics.LinearAlgebra;

namespace GpuEstimation.Optimization;

/// <summary>
/// Where a maximization ended and why. <c>Transform</c> is the preconditioner T of the coordinates the search ran in
/// (x = x₀ + T w, one unit of w about one standard error), for computing the Hessian at the optimum in well-scaled
/// coordinates.
/// </summary>
/// <param name="Point">The end point, in the objective's coordinates.</param>
/// <param name="Value">The objective there.</param>
/// <param name="Converged">Whether the stopping rules were met.</param>
/// <param name="Reason">Why the search stopped, in words.</param>
/// <param name="Iterations">Iterations taken.</param>
/// <param name="Evaluations">Objective evaluations made.</param>
/// <param name="GradientNorm">The largest preconditioned gradient component at the end (standard-error units).</param>
/// <param name="Edm">Estimated distance to the maximum, ½ gᵀ H⁻¹ g.</param>
/// <param name="Transform">The preconditioner T at the end.</param>
public sealed record OptimizationResult(
    double[] Point, double Value, bool Converged, string Reason, int Iterations, int Evaluations, double GradientNorm, double Edm,
    Matrix<double> Transform)
{
    /// <summary>The method that found the point, where it is not the settings' own (Newton's for a model with an exact Hessian).</summary>
    public string? Method { get; init; }

    /// <summary>
    /// The negative Hessian of the objective, exact, where the search computed it (Newton's): at <c>Point</c>, or at
    /// <see cref="InformationPoint"/> where Newton's last step was taken without another pass.
    /// </summary>
    public Matrix<double>? Information { get; init; }

    /// <summary>
    /// Where <see cref="Information"/> and the search's last pass were summed, where that is not <c>Point</c>: the point
    /// before Newton's last step, taken without a pass where the search converged quadratically (the rate seen putting
    /// the next gradient a thousand times below the tolerance) and the step would change the information by at most 1e-8
    /// of its scale (<see cref="NewtonMaximizer"/>). <c>Value</c> is then the quadratic model's at <c>Point</c>, right to
    /// the cube of the step. Null: <c>Point</c>.
    /// </summary>
    public double[]? InformationPoint { get; init; }

    /// <summary>Newton's step from <c>Point</c>, the one a converged Newton search did not take (with <c>Information</c>).</summary>
    public double[]? NewtonStep { get; init; }

    /// <summary>Where the search found the objective rising along a ray without a maximum: the ray's direction (unit length).</summary>
    public double[]? Ray { get; init; }

    /// <summary>Coordinates held at a kink of the objective itself (Laplace's location on a data point), where it has no curvature.</summary>
    public int[] Kinked { get; init; } = [];

    /// <summary>A nonlinear regression's least-squares statistics at <c>Point</c>, where Levenberg–Marquardt found it and converged.</summary>
    public Estimation.NonlinearStatistics? LeastSquares { get; init; }
}
