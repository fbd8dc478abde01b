namespace GpuEstimation.Kernels;

/// <summary>A model parameter's name (as the CLI and JSON use it) and domain.</summary>
public sealed record ParameterInfo(string Name, ParameterDomain Domain = ParameterDomain.Real);
