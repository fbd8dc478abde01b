namespace GpuEstimation.Inference;

/// <summary>One end of a profile-likelihood interval: the value, or why there is none.</summary>
public sealed record ProfileBound(double? Value, string? Problem);
