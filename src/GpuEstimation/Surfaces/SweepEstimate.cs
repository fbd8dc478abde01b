namespace GpuEstimation.Surfaces;

/// <summary>An estimate located in a swept space: "MLE" or "MAP" and its full parameter vector.</summary>
/// <param name="Label">"MLE" or "MAP".</param>
/// <param name="Parameters">Every parameter's value, in model order.</param>
public sealed record SweepEstimate(string Label, double[] Parameters);
