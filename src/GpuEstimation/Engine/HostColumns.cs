using System.Buffers;
using System.Runtime.InteropServices;

namespace GpuEstimation.Engine;

/// <summary>
/// Columns of equal length as the native backend's passes read them (<see cref="Kernels.HostRows"/>, through a table of
/// the columns' first values), pinned where they lie or copied once:
/// <list type="bullet">
/// <item>a single column, and every column that is not a managed array (a file's, mapped into memory), is pinned where it
/// lies, so that a file larger than the machine's memory is not loaded, and a fit of in-memory data holds it once;</item>
/// <item>several managed arrays (columns read from CSV, a GLM's response and weights) are copied into one block of native
/// memory, each column 64-byte aligned: the vector passes over them (a GLM's dot products) run ~10% faster on aligned
/// columns than on arrays wherever the allocator put them (a logit 10⁶ × 10: 57 against 64 ms a fit); an array column
/// that starts 64-byte aligned already (a regression's centred features, on the pinned object heap) is pinned where
/// it lies instead.</item>
/// </list>
/// Copying mapped columns too had made a linear model over a 10⁷ × 2 <c>.npy</c> 725 MB at its peak. The columns must not
/// change while this lives; <see cref="Dispose"/> unpins them and frees what it allocated.
/// </summary>
internal sealed unsafe class HostColumns : IDisposable
{
    private readonly MemoryHandle[] _pins;
    private double** _table;
    private double* _owned;

    public HostColumns(IReadOnlyList<ReadOnlyMemory<double>> columns)
    {
        Rows = columns.Count == 0 ? 0 : columns[0].Length;
        _pins = new MemoryHandle[columns.Count];
        _table = (double**)NativeMemory.Alloc((nuint)Math.Max(1, columns.Count), (nuint)sizeof(double*));
        try
        {
            Fill(columns);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    // The table: each array of several that does not start 64-byte aligned copied into the aligned block, every other
    // column pinned where it lies.
    private void Fill(IReadOnlyList<ReadOnlyMemory<double>> columns)
    {
        var copied = columns.Count == 1 ? [] : Enumerable.Range(0, columns.Count).Where(c => MemoryMarshal.TryGetArray(columns[c], out _) && !Aligned(columns[c])).ToArray();
        long stride = (Rows + 7) / 8 * 8;
        if (copied.Length > 0)
            _owned = (double*)NativeMemory.AlignedAlloc((nuint)(Math.Max(1, stride * copied.Length) * sizeof(double)), 64);
        for (int c = 0, k = 0; c < columns.Count; c++)
        {
            if (k < copied.Length && copied[k] == c)
            {
                _table[c] = _owned + k++ * stride;
                columns[c].Span.CopyTo(new Span<double>(_table[c], (int)Rows));
            }
            else
            {
                _pins[c] = columns[c].Pin();
                _table[c] = (double*)_pins[c].Pointer;
            }
        }
    }

    // Whether an array column's first value is 64-byte aligned where it lies now: an array of the pinned object heap (a
    // design's centred copy, ColumnArrays.CentredAligned) stays so; another may move before it is pinned, which would
    // cost speed only.
    private static bool Aligned(ReadOnlyMemory<double> column)
    {
        using var pin = column.Pin();
        return (nuint)pin.Pointer % 64 == 0;
    }

    /// <summary>The table of the columns' first values: column c's rows follow <c>Columns[c]</c>.</summary>
    public double** Columns => _table;

    /// <summary>Values per column.</summary>
    public long Rows { get; }

    public void Dispose()
    {
        foreach (var pin in _pins)
            pin.Dispose();
        Array.Clear(_pins);
        if (_table != null)
            NativeMemory.Free(_table);
        _table = null;
        if (_owned != null)
            NativeMemory.AlignedFree(_owned);
        _owned = null;
    }
}
