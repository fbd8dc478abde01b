using System.Runtime.InteropServices;

namespace GpuEstimation.Engine;

/// <summary>
/// Columns of equal length as one column-major block that the GC does not move, as the native backend's passes read
/// them (<see cref="Kernels.HostRows"/>): a single column is pinned where it lies, not copied, so that a fit holds its
/// data once (a 10⁹-row column is 8 GB, not 16); several are copied into one block of native memory, 64-byte aligned.
/// The arrays must not change while this lives; <see cref="Dispose"/> unpins or frees.
/// </summary>
internal sealed unsafe class HostColumns : IDisposable
{
    private GCHandle _pin;
    private double* _owned;

    public HostColumns(IReadOnlyList<double[]> columns)
    {
        Rows = columns.Count == 0 ? 0 : columns[0].Length;
        if (columns.Count == 1 && Rows > 0)
        {
            _pin = GCHandle.Alloc(columns[0], GCHandleType.Pinned);
            Values = (double*)_pin.AddrOfPinnedObject();
            return;
        }
        _owned = (double*)NativeMemory.AlignedAlloc((nuint)(Math.Max(1, Rows * columns.Count) * sizeof(double)), 64);
        for (int c = 0; c < columns.Count; c++)
            columns[c].AsSpan().CopyTo(new Span<double>(_owned + c * Rows, (int)Rows));
        Values = _owned;
    }

    /// <summary>The first column's first value; column c begins <see cref="Rows"/> · c values after it.</summary>
    public double* Values { get; }

    /// <summary>Values per column.</summary>
    public long Rows { get; }

    public void Dispose()
    {
        if (_pin.IsAllocated)
            _pin.Free();
        if (_owned != null)
            NativeMemory.AlignedFree(_owned);
        _owned = null;
    }
}
