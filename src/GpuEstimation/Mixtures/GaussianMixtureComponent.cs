namespace GpuEstimation.Mixtures;

/// <summary>One fitted component: weight, mean and covariance, with standard errors of the weight and mean where known.</summary>
/// <param name="Weight">The mixing weight wₖ.</param>
/// <param name="Mean">The mean vector (d values).</param>
/// <param name="Covariance">The covariance matrix (d × d, rows), regularization included.</param>
/// <param name="WeightStdError">The standard error of the weight (null where the information is singular or not computed).</param>
/// <param name="MeanStdError">The standard errors of the mean's coordinates (null as for the weight).</param>
public sealed record GaussianMixtureComponent(double Weight, double[] Mean, double[][] Covariance, double? WeightStdError, double[]? MeanStdError);
