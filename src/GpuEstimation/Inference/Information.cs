using MathNet.Numerics.LinearAlgebra;

namespace GpuEstimation.Inference;

/// <summary>The covariance of the free parameters on the optimizer's scale, and how it was judged.</summary>
public sealed record Information(HessianStatus Status, Matrix<double>? Covariance, double Edm, int Evaluations);
