namespace GpuEstimation.Results;

/// <summary>A parameter's name and one value of it (a coordinate or a gradient entry) in an evaluation's JSON.</summary>
/// <param name="Name">The parameter's name.</param>
/// <param name="Value">The value; null in JSON where not finite.</param>
public sealed record NamedValueReport(string Name, double Value);
