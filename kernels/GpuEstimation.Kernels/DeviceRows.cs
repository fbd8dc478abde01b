using ILGPU;

namespace GpuEstimation.Kernels;

/// <summary>The dataset in accelerator memory, as the kernels see it.</summary>
public readonly struct DeviceRows : IDataRows
{
    private readonly ArrayView<double> _values;

    /// <summary>The rows of a device view, <paramref name="rows"/> long.</summary>
    public DeviceRows(ArrayView<double> values, long rows)
    {
        _values = values;
        Rows = rows;
    }

    /// <inheritdoc/>
    public long Rows { get; }

    /// <inheritdoc/>
    public double this[int column, long row] => _values[column * Rows + row];

    /// <inheritdoc/>
    public static double Exp(double x) => DeviceMath.Exp(x);

    /// <inheritdoc/>
    public static double Log1p(double x) => DeviceMath.Log1p(x);

    /// <inheritdoc/>
    public static double LogGamma(double x) => DeviceMath.LogGamma(x);

    /// <inheritdoc/>
    public static double Digamma(double x) => DeviceMath.Digamma(x);
}
