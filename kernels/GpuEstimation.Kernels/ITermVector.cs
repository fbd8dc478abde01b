namespace GpuEstimation.Kernels;

/// <summary>
/// A fixed-capacity vector of doubles that lives in registers on the device. Kernels use it both for a model's
/// per-evaluation arguments and for each thread's running sums (log-density and gradient terms).
/// </summary>
/// <remarks>
/// The capacities are built as a binary tree (<see cref="Vec4"/>, <see cref="Twice{T}"/> of it, ...), so an index
/// known when the kernel is compiled folds to a single field access, and a run-time index costs a few uniform
/// branches: no local-memory array, whatever the parameter count.
/// </remarks>
public interface ITermVector<TSelf> where TSelf : unmanaged, ITermVector<TSelf>
{
    /// <summary>How many values the vector holds.</summary>
    static abstract int Capacity { get; }

    /// <summary>The value at <paramref name="index"/>.</summary>
    double Get(int index);

    /// <summary>Sets the value at <paramref name="index"/>.</summary>
    void Set(int index, double value);

    /// <summary>Adds <paramref name="value"/> to the value at <paramref name="index"/>.</summary>
    void Add(int index, double value);
}
