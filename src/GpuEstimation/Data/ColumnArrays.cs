using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GpuEstimation.Data;

/// <summary>
/// Columns (<see cref="Dataset.Column"/>) as arrays, for host code built on arrays (a design's centred copies, MathNet,
/// <see cref="Mixtures.GaussianMixtureFitter"/>), and arrays as columns.
/// </summary>
public static class ColumnArrays
{
    /// <summary>
    /// The array that <paramref name="column"/> is, where it is one whole array (no copy); otherwise a copy of its values
    /// (a column of a file mapped into memory is then loaded).
    /// </summary>
    public static double[] AsArray(this ReadOnlyMemory<double> column) =>
        MemoryMarshal.TryGetArray(column, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : column.ToArray();

    /// <summary>
    /// <paramref name="values"/> less <paramref name="mean"/>, each, in an array of the pinned object heap from a
    /// 64-byte-aligned element on: a column that the native backend reads where it lies (<see cref="Engine.HostColumns"/>
    /// copies an array column only where it is not so aligned), so that a design's centred copy is held once. Over rows
    /// spread across ranks (<paramref name="spread"/>), the rank's own rows only, in memory taken only where written
    /// (<see cref="RowSpread.Allocate"/>), aligned alike.
    /// </summary>
    internal static unsafe ReadOnlyMemory<double> CentredAligned(ReadOnlySpan<double> values, double mean, RowSpread? spread = null)
    {
        const int Lanes = 8;
        if (spread is not null)
        {
            var memory = spread.Allocate(values.Length + Lanes - 1);
            using var pin = memory.Pin();
            int at = (int)((Lanes - (long)pin.Pointer / sizeof(double) % Lanes) % Lanes);
            var own = memory.Slice(at, values.Length);
            var span = own.Span;
            for (int i = (int)spread.First; i < spread.End; i++)
                span[i] = values[i] - mean;
            return own;
        }
        var array = GC.AllocateUninitializedArray<double>(values.Length + Lanes - 1, pinned: true);
        // The pinned object heap never moves an array, so its address, and the offset that aligns it, stay as found.
        long address = (long)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        int offset = (int)((Lanes - address / sizeof(double) % Lanes) % Lanes);
        var centred = array.AsSpan(offset, values.Length);
        for (int i = 0; i < values.Length; i++)
            centred[i] = values[i] - mean;
        return new ReadOnlyMemory<double>(array, offset, values.Length);
    }

    /// <summary>
    /// Adds Σⱼ coefficients[j] · columns[j][begin + i] to each into[i], a column at a time and the columns in order (so
    /// each row's terms in the order row by row would add them): a block of a linear predictor over columns that may lie
    /// in a file mapped into memory.
    /// </summary>
    internal static void AddTerms(Span<double> into, int begin, IReadOnlyList<ReadOnlyMemory<double>> columns, IReadOnlyList<double> coefficients)
    {
        for (int j = 0; j < columns.Count; j++)
        {
            var x = columns[j].Span.Slice(begin, into.Length);
            double c = coefficients[j];
            for (int i = 0; i < into.Length; i++)
                into[i] += c * x[i];
        }
    }

    /// <summary>Arrays as columns.</summary>
    public static ReadOnlyMemory<double>[] AsColumns(this IEnumerable<double[]> arrays) => [.. arrays.Select(a => (ReadOnlyMemory<double>)a)];
}
