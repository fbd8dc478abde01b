namespace GpuEstimation.Kernels;

/// <summary>
/// Where a parameter lives. The optimizer works on an unbounded scale: log θ for positive parameters, logit θ for
/// those in (0, 1); results are reported on the parameter's own scale.
/// </summary>
public enum ParameterDomain
{
    /// <summary>Any real value.</summary>
    Real,

    /// <summary>Greater than 0 (optimized as log θ).</summary>
    Positive,

    /// <summary>Strictly between 0 and 1 (optimized as logit θ).</summary>
    UnitInterval,
}
