using ILGPU;

namespace GpuEstimation.Kernels;

/// <summary>The dataset in accelerator memory, as the kernels see it.</summary>
public readonly struct DeviceRows : IDataRows
{
    private readonly ArrayView<double> _values;

    public DeviceRows(ArrayView<double> values, long rows)
    {
        _values = values;
        Rows = rows;
    }

    public long Rows { get; }

    public double this[int column, long row] => _values[column * Rows + row];

    public static double Exp(double x) => DeviceMath.Exp(x);

    public static double Log1p(double x) => DeviceMath.Log1p(x);

    public static double LogGamma(double x) => DeviceMath.LogGamma(x);

    public static double Digamma(double x) => DeviceMath.Digamma(x);
}
