using MathNet.Numerics.LinearAlgebra;

namespace GpuEstimation.Optimization;

/// <summary>An objective's value at a point, with its gradient and its exact Hessian written to the other arguments.</summary>
public delegate double ValueGradientHessian(ReadOnlySpan<double> point, Span<double> gradient, Matrix<double> hessian);
