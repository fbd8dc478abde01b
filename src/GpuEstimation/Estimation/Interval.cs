namespace GpuEstimation.Estimation;

/// <summary>An interval; a null end is open (no bound found on that side).</summary>
/// <param name="Lower">The lower end, or null if open.</param>
/// <param name="Upper">The upper end, or null if open.</param>
public sealed record Interval(double? Lower, double? Upper);
