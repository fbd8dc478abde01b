namespace GpuEstimation.Backends;

/// <summary>An accelerator the machine offers, and whether this engine can use it.</summary>
/// <param name="Backend">Its kind.</param>
/// <param name="Name">The device's name.</param>
/// <param name="Usable">Whether the engine can run on it.</param>
/// <param name="Reason">Why not, where it cannot.</param>
public sealed record DeviceInfo(Backend Backend, string Name, bool Usable, string? Reason)
{
    /// <summary>"kind: name", with the reason where unusable.</summary>
    public override string ToString() =>
        Usable ? $"{Backend.ToString().ToLowerInvariant()}: {Name}" : $"{Backend.ToString().ToLowerInvariant()}: {Name} (unusable: {Reason})";
}
