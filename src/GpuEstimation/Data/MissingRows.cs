namespace GpuEstimation.Data;

/// <summary>
/// Leaves out the rows that lack a value (NaN among numbers, null among text) in any column, for the readers that hold
/// their columns whole before making a dataset (.npy, Parquet, Arrow); CSV skips its rows as it reads them.
/// </summary>
internal static class MissingRows
{
    /// <summary>
    /// Replaces each column in <paramref name="numbers"/> and <paramref name="texts"/> (entry by entry, one of the two
    /// set) with its rows that have a value in every column, recording in <paramref name="rowOf"/> the source row
    /// (from 0) of each row kept; returns the source rows left out, in order. With none left out the columns stay as
    /// they are and <paramref name="rowOf"/> maps each row to itself.
    /// </summary>
    public static int[] Drop(int rows, Memory<double>?[] numbers, string?[]?[] texts, LineMap rowOf)
    {
        var missing = new bool[rows];
        for (int c = 0; c < numbers.Length; c++)
        {
            if (numbers[c] is { } column)
            {
                var values = column.Span;
                for (int r = 0; r < rows; r++)
                    missing[r] |= double.IsNaN(values[r]);
            }
            else
            {
                var cells = texts[c]!;
                for (int r = 0; r < rows; r++)
                    missing[r] |= cells[r] is null;
            }
        }
        int dropped = missing.Count(m => m);
        if (dropped == 0)
        {
            rowOf.Add(0, 0);
            return [];
        }
        for (int c = 0; c < numbers.Length; c++)
        {
            if (numbers[c] is { } values)
                numbers[c] = Kept<double>(values.Span, missing, rows - dropped);
            else
                texts[c] = Kept(texts[c]!, missing, rows - dropped);
        }
        var left = new int[dropped];
        for (int r = 0, kept = 0, d = 0; r < rows; r++)
        {
            if (!missing[r])
                rowOf.Add(kept++, r);
            else
                left[d++] = r;
        }
        return left;
    }

    private static T[] Kept<T>(ReadOnlySpan<T> values, bool[] missing, int count)
    {
        var kept = new T[count];
        for (int r = 0, k = 0; r < values.Length; r++)
        {
            if (!missing[r])
                kept[k++] = values[r];
        }
        return kept;
    }
}
