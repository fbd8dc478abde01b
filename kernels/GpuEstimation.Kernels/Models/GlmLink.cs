namespace GpuEstimation.Kernels.Models;

/// <summary>The link g of a <see cref="GlmModel"/>: g(μ) = η, the linear predictor.</summary>
public enum GlmLink
{
    /// <summary>η = log(μ/(1 − μ)).</summary>
    Logit,

    /// <summary>η = Φ⁻¹(μ), Φ the standard normal CDF.</summary>
    Probit,

    /// <summary>η = log(−log(1 − μ)) (complementary log-log).</summary>
    CLogLog,

    /// <summary>η = log μ.</summary>
    Log,

    /// <summary>η = μ.</summary>
    Identity,

    /// <summary>η = 1/μ.</summary>
    Inverse,
}
