using System.Buffers;
using System.Runtime.InteropServices;

namespace GpuEstimation.Engine;

/// <summary>
/// Columns of equal length as one column-major block that does not move, as the native backend's passes read them
/// (<see cref="Kernels.HostRows"/>): a single column is pinned where it lies, not copied, so that a fit holds its data
/// once (a 10⁹-row column is 8 GB, not 16), and so are columns that already lie one after another (those of a
/// Fortran-order <c>.npy</c> file mapped into memory, in the file's order); others are copied into one block of native
/// memory, 64-byte aligned. The columns must not change while this lives; <see cref="Dispose"/> unpins or frees.
/// </summary>
internal sealed unsafe class HostColumns : IDisposable
{
    private readonly MemoryHandle[] _pins;
    private double* _owned;

    public HostColumns(IReadOnlyList<ReadOnlyMemory<double>> columns)
    {
        Rows = columns.Count == 0 ? 0 : columns[0].Length;
        _pins = Rows == 0 ? [] : columns.Select(c => c.Pin()).ToArray();
        if (_pins.Length > 0 && Adjacent(_pins, Rows))
        {
            Values = (double*)_pins[0].Pointer;
            return;
        }
        Release();
        _owned = (double*)NativeMemory.AlignedAlloc((nuint)(Math.Max(1, Rows * columns.Count) * sizeof(double)), 64);
        for (int c = 0; c < columns.Count; c++)
            columns[c].Span.CopyTo(new Span<double>(_owned + c * Rows, (int)Rows));
        Values = _owned;
    }

    /// <summary>Whether each column begins where the one before it ends.</summary>
    private static bool Adjacent(MemoryHandle[] pins, long rows)
    {
        for (int c = 1; c < pins.Length; c++)
        {
            if ((double*)pins[c].Pointer != (double*)pins[0].Pointer + c * rows)
                return false;
        }
        return true;
    }

    private void Release()
    {
        foreach (var pin in _pins)
            pin.Dispose();
        Array.Clear(_pins);
    }

    /// <summary>The first column's first value; column c begins <see cref="Rows"/> · c values after it.</summary>
    public double* Values { get; }

    /// <summary>Values per column.</summary>
    public long Rows { get; }

    public void Dispose()
    {
        Release();
        if (_owned != null)
            NativeMemory.AlignedFree(_owned);
        _owned = null;
    }
}
