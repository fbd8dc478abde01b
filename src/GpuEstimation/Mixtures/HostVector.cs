using System.Runtime.CompilerServices;
using GpuEstimation.Kernels;

namespace GpuEstimation.Mixtures;

/// <summary>
/// The native backend's term vector for <see cref="Kernels.Mixtures.GaussianMixtureRow"/>: 32 doubles in a fixed buffer,
/// indexed directly. The device's binary-tree vectors (<see cref="Vec4"/>, <see cref="Twice{T}"/>) exist to keep a
/// run-time index in registers; on the host a stack array is faster (no chain of comparisons per access).
/// </summary>
internal unsafe struct HostVector : ITermVector<HostVector>
{
    private fixed double _values[32];

    public static int Capacity => 32;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly double Get(int index) => _values[index];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int index, double value) => _values[index] = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int index, double value) => _values[index] += value;
}
