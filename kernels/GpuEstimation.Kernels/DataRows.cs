using ILGPU;

namespace GpuEstimation.Kernels;

/// <summary>
/// The dataset on the device: <c>Columns</c> columns of <c>Rows</c> values each, stored column after column so
/// that neighbouring threads read neighbouring addresses.
/// </summary>
public readonly struct DataRows
{
    private readonly ArrayView<double> _values;

    public DataRows(ArrayView<double> values, long rows)
    {
        _values = values;
        Rows = rows;
    }

    /// <summary>The number of observations.</summary>
    public long Rows { get; }

    /// <summary>The value of column <paramref name="column"/> in row <paramref name="row"/>.</summary>
    public double this[int column, long row] => _values[column * Rows + row];
}
