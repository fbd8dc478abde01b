using System.Runtime.CompilerServices;
using ILGPU;

namespace GpuEstimation.Kernels.Mixtures;

/// <summary>Read access to a flat array of doubles (a mixture's packed component parameters) on the device or the host.</summary>
public interface IValues
{
    /// <summary>The value at <paramref name="index"/>.</summary>
    double this[long index] { get; }
}

/// <summary>Values in accelerator memory.</summary>
public readonly struct DeviceValues : IValues
{
    private readonly ArrayView<double> _values;

    /// <summary>The values of a device view.</summary>
    public DeviceValues(ArrayView<double> values) => _values = values;

    /// <inheritdoc/>
    public double this[long index] => _values[index];
}

/// <summary>Values in pinned or native host memory, for the native backend.</summary>
public readonly unsafe struct HostValues : IValues
{
    private readonly double* _values;

    /// <param name="values">The values; must stay valid while this is used.</param>
    public HostValues(double* values) => _values = values;

    /// <inheritdoc/>
    public double this[long index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _values[index];
    }
}
