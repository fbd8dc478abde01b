namespace GpuEstimation.Kernels.Models;

/// <summary>The response distribution of a <see cref="GlmModel"/>, with its mean μ from the linear predictor.</summary>
public enum GlmFamily
{
    /// <summary>Successes y out of n trials (n = 1: y ∈ {0, 1}), probability μ. statsmodels: <c>families.Binomial</c>.</summary>
    Binomial,

    /// <summary>Counts y with mean μ. statsmodels: <c>families.Poisson</c>, <c>discrete.Poisson</c>.</summary>
    Poisson,

    /// <summary>
    /// NB2 counts: mean μ, variance μ + αμ², α estimated (statsmodels: <c>NegativeBinomial(loglike_method='nb2')</c>;
    /// MASS <c>glm.nb</c>'s θ = 1/α).
    /// </summary>
    NegativeBinomial,

    /// <summary>Positive y with mean μ and shape k (variance μ²/k), k estimated. statsmodels: <c>families.Gamma</c> (scale 1/k).</summary>
    Gamma,

    /// <summary>Real y with mean μ and standard deviation σ, σ estimated. statsmodels: <c>families.Gaussian</c> (scale σ²).</summary>
    Normal,
}
