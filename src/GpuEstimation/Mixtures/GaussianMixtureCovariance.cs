namespace GpuEstimation.Mixtures;

/// <summary>The covariance structure of a Gaussian mixture's components (sklearn's <c>covariance_type</c>).</summary>
public enum GaussianMixtureCovariance
{
    /// <summary>Each component its own unrestricted covariance matrix.</summary>
    Full,

    /// <summary>Each component its own diagonal covariance matrix.</summary>
    Diagonal,

    /// <summary>Each component its own variance, the same in every direction (σₖ² I).</summary>
    Spherical,

    /// <summary>One unrestricted covariance matrix shared by all components.</summary>
    Tied,
}
