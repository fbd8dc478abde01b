namespace GpuEstimation.Inference;

/// <summary>What the Hessian of the objective at the optimum allows.</summary>
public enum HessianStatus
{
    /// <summary>Negative definite: covariance and standard errors are sound.</summary>
    NegativeDefinite,
    /// <summary>Has a non-negative eigenvalue: not a maximum, or not one in every direction.</summary>
    NotNegativeDefinite,
    /// <summary>Negative semi-definite to rounding (a direction along which the objective is flat): not identified.</summary>
    Singular,
    /// <summary>
    /// Not smooth: a kink of the log-likelihood (an abs, min or max of a parameter) lies within the differencing steps of
    /// the optimum, where the observed information does not exist.
    /// </summary>
    NotSmooth,
    /// <summary>Not computed (no free parameters, or a non-finite value).</summary>
    Unavailable,
}
