using GpuEstimation.Kernels.Models;

namespace GpuEstimation.Kernels.Mixtures;

/// <summary>The catalogue families a mixture component may take, as the kernel's dispatch numbers them (4 bits).</summary>
public enum MixtureFamily
{
    /// <summary><see cref="NormalModel"/>.</summary>
    Normal,

    /// <summary><see cref="LogNormalModel"/>.</summary>
    LogNormal,

    /// <summary><see cref="ExponentialModel"/>.</summary>
    Exponential,

    /// <summary><see cref="GammaModel"/>.</summary>
    Gamma,

    /// <summary><see cref="BetaModel"/>.</summary>
    Beta,

    /// <summary><see cref="WeibullModel"/>.</summary>
    Weibull,

    /// <summary><see cref="StudentTModel"/>.</summary>
    StudentT,

    /// <summary><see cref="CauchyModel"/>.</summary>
    Cauchy,

    /// <summary><see cref="LaplaceModel"/>.</summary>
    Laplace,

    /// <summary><see cref="LogisticModel"/>.</summary>
    Logistic,

    /// <summary><see cref="PoissonModel"/>.</summary>
    Poisson,

    /// <summary><see cref="BernoulliModel"/>.</summary>
    Bernoulli,

    /// <summary><see cref="NegativeBinomialModel"/>.</summary>
    NegativeBinomial,

    /// <summary><see cref="GeometricModel"/>.</summary>
    Geometric,
}
