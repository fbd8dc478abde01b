using System.Runtime.CompilerServices;
using ILGPU;

namespace GpuEstimation.Kernels;

/// <summary>
/// Read access to the dataset, <c>Columns</c> columns of <c>Rows</c> values each stored column after column (so that
/// neighbouring threads read neighbouring addresses). Models are generic over it, so the same model code runs on
/// device memory in the kernels (<see cref="DeviceRows"/>) and on host memory in the native backend
/// (<see cref="HostRows"/>).
/// </summary>
public interface IDataRows
{
    /// <summary>The number of observations.</summary>
    long Rows { get; }

    /// <summary>The value of column <paramref name="column"/> in row <paramref name="row"/>.</summary>
    double this[int column, long row] { get; }
}

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
}

/// <summary>The dataset in pinned host memory, as the native backend sees it.</summary>
public readonly unsafe struct HostRows : IDataRows
{
    private readonly double* _values;

    /// <param name="values">Column-major values; must stay valid (pinned or native) while this is used.</param>
    /// <param name="rows">Rows per column.</param>
    public HostRows(double* values, long rows)
    {
        _values = values;
        Rows = rows;
    }

    public long Rows { get; }

    public double this[int column, long row]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _values[column * Rows + row];
    }
}
