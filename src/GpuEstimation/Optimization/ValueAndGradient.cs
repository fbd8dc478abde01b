namespace GpuEstimation.Optimization;

/// <summary>An objective's value at a point, with its gradient written to the second argument.</summary>
public delegate double ValueAndGradient(ReadOnlySpan<double> point, Span<double> gradient);
