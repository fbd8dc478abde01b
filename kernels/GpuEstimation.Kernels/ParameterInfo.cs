namespace GpuEstimation.Kernels;

/// <summary>
/// Where a parameter lives. The optimizer works on an unbounded scale: log θ for positive parameters, logit θ for
/// those in (0, 1); results are reported on the parameter's own scale.
/// </summary>
public enum ParameterDomain
{
    Real,
    Positive,
    UnitInterval,
}

/// <summary>A model parameter's name (as the CLI and JSON use it) and domain.</summary>
public sealed record ParameterInfo(string Name, ParameterDomain Domain = ParameterDomain.Real);
