namespace GpuEstimation.Data;

/// <summary>
/// The file line on which each data row of a CSV file begins. Rows mostly follow one another a line apart, so only the
/// rows where that stops (after a quoted field that spans lines) are stored: a few entries, not one per row.
/// </summary>
internal sealed class LineMap
{
    private readonly List<int> _rows = [];
    private readonly List<int> _lines = [];
    private int _offset = int.MinValue;

    /// <summary>Records that data row <paramref name="row"/> (rows added in order) begins on line <paramref name="line"/>.</summary>
    public void Add(int row, int line)
    {
        if (line - row != _offset)
        {
            _offset = line - row;
            _rows.Add(row);
            _lines.Add(line);
        }
    }

    /// <summary>The line on which data row <paramref name="row"/> begins.</summary>
    public int LineOf(int row)
    {
        int found = _rows.BinarySearch(row);
        int entry = found >= 0 ? found : ~found - 1;
        return _lines[entry] + (row - _rows[entry]);
    }
}
