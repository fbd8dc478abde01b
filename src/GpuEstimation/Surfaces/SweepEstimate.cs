namespace GpuEstimation.Surfaces;

/// <summary>An estimate located in a swept space: "MLE" or "MAP", its full parameter vector and the objective there.</summary>
/// <param name="Label">"MLE" or "MAP".</param>
/// <param name="Parameters">Every parameter's value, in model order.</param>
/// <param name="Value">The log-likelihood there (MLE) or the log-posterior (MAP), as the sweep's values count it.</param>
public sealed record SweepEstimate(string Label, double[] Parameters, double Value);
