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

    /// <summary><paramref name="values"/> less <paramref name="mean"/>, each, as an array (a design's centred copy of a column).</summary>
    internal static double[] Centred(ReadOnlySpan<double> values, double mean)
    {
        var centred = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
            centred[i] = values[i] - mean;
        return centred;
    }

    /// <summary>Arrays as columns.</summary>
    public static ReadOnlyMemory<double>[] AsColumns(this IEnumerable<double[]> arrays) => [.. arrays.Select(a => (ReadOnlyMemory<double>)a)];
}
