namespace GpuEstimation.Mixtures;

/// <summary>One fitted component: weight, mean and covariance, with their standard errors where known.</summary>
/// <param name="Weight">The mixing weight wₖ.</param>
/// <param name="Mean">The mean vector (d values).</param>
/// <param name="Covariance">The covariance matrix (d × d, rows), regularization included.</param>
/// <param name="WeightStdError">The standard error of the weight (null where the information is singular or not computed).</param>
/// <param name="MeanStdError">The standard errors of the mean's coordinates (null as for the weight).</param>
/// <param name="CovarianceStdError">
/// The standard errors of the covariance's entries (d × d, symmetric; 0 where the covariance type holds an entry at 0;
/// a spherical component's diagonal all that of its variance, a tied covariance's the same for every component); null
/// where the covariances were held for the weights' and means' errors, or as for the weight.
/// </param>
public sealed record GaussianMixtureComponent(double Weight, double[] Mean, double[][] Covariance, double? WeightStdError, double[]? MeanStdError,
    double[][]? CovarianceStdError = null);
