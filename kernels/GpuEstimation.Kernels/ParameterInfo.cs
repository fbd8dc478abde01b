namespace GpuEstimation.Kernels;

/// <summary>A model parameter's name (as results and JSON use it; not empty) and domain.</summary>
public sealed record ParameterInfo(string Name, ParameterDomain Domain = ParameterDomain.Real)
{
    /// <summary>The parameter's name.</summary>
    public string Name { get; init; } = Name is null ? throw new ArgumentNullException(nameof(Name))
        : string.IsNullOrWhiteSpace(Name) ? throw new ArgumentException("a parameter's name must not be empty", nameof(Name)) : Name;
}
