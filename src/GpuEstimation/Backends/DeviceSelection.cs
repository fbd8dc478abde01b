namespace GpuEstimation.Backends;

/// <summary>
/// Which devices of a backend to open (<see cref="ComputeDevice.Open(Backend, DeviceSelection, int?, long?, long?)"/>):
/// the first usable one, all of them, or a list of indices among the backend's devices in the order ILGPU lists them.
/// Several devices share the rows in contiguous runs of row blocks, with the bits of one device (docs/design.md,
/// "Several devices").
/// </summary>
public sealed class DeviceSelection
{
    private DeviceSelection(bool all, IReadOnlyList<int>? indices, int? localRank = null)
    {
        All = all;
        Indices = indices;
        LocalRank = localRank;
    }

    /// <summary>The first usable device of the backend (what a plain backend name opens).</summary>
    public static DeviceSelection First { get; } = new(false, null);

    /// <summary>Every usable device of the backend (for the CPU accelerator: <see cref="ComputeDevice.CpuAccelerators"/> of them).</summary>
    public static DeviceSelection Every { get; } = new(true, null);

    /// <summary>Whether every device of the backend is meant.</summary>
    public bool All { get; }

    /// <summary>The devices' indices, in the order they share the rows (null: <see cref="First"/> or <see cref="Every"/>).</summary>
    public IReadOnlyList<int>? Indices { get; }

    /// <summary>The devices at <paramref name="indices"/>: at least one, none negative, none twice.</summary>
    public static DeviceSelection Of(params int[] indices)
    {
        if (indices.Length == 0)
            throw new InputException("a device list needs at least one index", nameof(indices));
        foreach (int index in indices)
        {
            if (index < 0)
                throw new InputException($"device index {index} is negative", nameof(indices));
        }
        if (indices.Distinct().Count() != indices.Length)
            throw new InputException($"device {indices.GroupBy(i => i).First(g => g.Count() > 1).Key} is named twice", nameof(indices));
        return new DeviceSelection(false, [.. indices]);
    }

    /// <summary>
    /// For a rank of an MPI job: of the backend's usable devices, the one at <paramref name="localRank"/> (the rank's
    /// number among the job's ranks on its machine) modulo their number, so that ranks on one machine with several GPUs
    /// each take their own.
    /// </summary>
    public static DeviceSelection OfLocalRank(int localRank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(localRank);
        return new DeviceSelection(false, null, localRank);
    }

    /// <summary>The local rank of <see cref="OfLocalRank"/>; null for the other selections.</summary>
    public int? LocalRank { get; }

    /// <summary>The selection as the device option writes it after the backend: "all", "0,1", or empty for the first device.</summary>
    public override string ToString() => All ? "all" : Indices is null ? "" : string.Join(",", Indices);
}
