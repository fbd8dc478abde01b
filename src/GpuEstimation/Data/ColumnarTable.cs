using System.Globalization;

namespace GpuEstimation.Data;

/// <summary>
/// The wanted columns of a columnar file (Parquet, Arrow) as its reader fills them, before they become a
/// <see cref="Dataset"/>: each column as doubles (NaN where the file has a null) or as text (null where the file has a
/// null), with the first null row of each. Rows are named "row N", counted from 1 in the file. What to do with nulls,
/// text in a numeric column and text factors that are all numbers is decided here, once for both formats, as
/// <see cref="CsvData"/> decides it for CSV.
/// </summary>
internal sealed class ColumnarTable
{
    private readonly long[] _firstNull;

    /// <summary>
    /// An empty table of <paramref name="rows"/> rows for the columns <paramref name="names"/>, whose
    /// <paramref name="text"/> ones hold text. With <paramref name="spillAbove"/> (bytes), numeric columns larger than
    /// that together are held in a scratch file mapped into memory (<see cref="MappedColumns.Scratch"/>), one after
    /// another, rather than in arrays: the file's rows are then decoded into pages the system writes back to disk and
    /// drops, so a file larger than the memory the process may use is read without holding it.
    /// </summary>
    /// <param name="path">The file, for messages.</param>
    /// <param name="names">The columns' names.</param>
    /// <param name="text">Which columns hold text.</param>
    /// <param name="rows">The file's rows.</param>
    /// <param name="spillAbove">Bytes of numeric columns beyond which they go to a scratch file.</param>
    /// <param name="allocate">Where given, the numeric columns' memory (a spread's, <see cref="RowSpread.Allocate"/>), never spilled.</param>
    public ColumnarTable(string path, IReadOnlyList<string> names, IReadOnlyList<bool> text, long rows, long? spillAbove = null, Func<int, Memory<double>>? allocate = null)
    {
        if (rows > Array.MaxLength)
            throw new InputException($"{path}: {rows} rows are more than one column can hold ({Array.MaxLength})");
        Path = path;
        Names = names;
        Rows = (int)rows;
        int numeric = text.Count(t => !t);
        long bytes = numeric * rows * sizeof(double);
        string? failure = null;
        var scratch = allocate is null && bytes > 0 && bytes > spillAbove ? MappedColumns.Scratch(bytes, out failure) : null;
        int slot = 0;
        try
        {
            Numbers = names.Select((_, c) => text[c] ? (Memory<double>?)null
                : allocate is not null ? allocate(Rows) : scratch is null ? new double[Rows] : scratch.Column(slot++ * rows * sizeof(double), Rows)).ToArray();
        }
        catch (OutOfMemoryException) when (failure is not null)
        {
            // The columns were to go to a scratch file for want of memory, and held in memory they do not fit either.
            throw new InputException($"{path}: the columns read take {bytes / 1e6:N0} MB, more than this process may hold in memory, and {failure} " +
                "(set TMPDIR to a writable folder on a disk with room)");
        }
        Texts = names.Select((_, c) => text[c] ? new string?[Rows] : null).ToArray();
        _firstNull = names.Select(_ => long.MaxValue).ToArray();
    }

    /// <summary>The file, for messages.</summary>
    public string Path { get; }

    /// <summary>The columns' names, in the order asked for.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The number of rows in the file.</summary>
    public int Rows { get; }

    /// <summary>Each numeric column's values (NaN where null); null for a text column.</summary>
    public Memory<double>?[] Numbers { get; }

    /// <summary>
    /// Bytes of numeric columns beyond which a reader that decodes a file part by part spills them (half of the memory
    /// this process may use: the machine's, a container's limit, or the managed heap's limit where one is set).
    /// </summary>
    public static long SpillAbove => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2;

    /// <summary>Each text column's cells (null where null); null for a numeric column.</summary>
    public string?[]?[] Texts { get; }

    /// <summary>Notes that column <paramref name="column"/> is null at file row <paramref name="row"/> (from 0); safe from several threads.</summary>
    public void NoteNull(int column, long row)
    {
        long seen = Volatile.Read(ref _firstNull[column]);
        while (row < seen)
        {
            long found = Interlocked.CompareExchange(ref _firstNull[column], row, seen);
            if (found == seen)
                return;
            seen = found;
        }
    }

    /// <summary>
    /// The dataset: a null is an error naming its row and column (the first row with one, and of that row the first
    /// column asked for), or with <see cref="MissingValues.Drop"/> its row is left out (as is a row with a NaN);
    /// a text column asked for as numbers must hold numbers, and a factor whose cells are all numbers is kept as numbers.
    /// </summary>
    /// <param name="factors">Which columns were asked for as factors (text or numeric levels).</param>
    /// <param name="missing">What a missing value means.</param>
    /// <param name="keepText">Which factors stay text even where every cell is a number written as text.</param>
    /// <param name="spread">
    /// Where this rank read only the parts of the file that hold its own rows (numeric columns, a null an error): the
    /// ranks' rows, over which the first null is agreed and the dataset spread (<see cref="Dataset.Spread"/>).
    /// </param>
    public Dataset ToDataset(IReadOnlyList<bool> factors, MissingValues missing, IReadOnlyList<bool> keepText, RowSpread? spread = null)
    {
        var rowOf = new LineMap();
        if (missing == MissingValues.Error && Names.Count > 0)
        {
            // Spread: each rank has seen the nulls of the parts it read, which hold all its own rows; the first of all.
            var firstNull = spread is null ? _firstNull : [.. _firstNull.Select(row =>
                spread.EachProcess(row == long.MaxValue ? double.PositiveInfinity : row).Min() is var first && double.IsFinite(first) ? (long)first : long.MaxValue)];
            int column = Enumerable.Range(0, Names.Count).MinBy(c => firstNull[c]);
            if (firstNull[column] != long.MaxValue)
                throw new InputException($"{Path}: row {firstNull[column] + 1}, column '{Names[column]}': the value is missing (null)") { MissingValue = true };
        }
        if (spread is not null && (missing != MissingValues.Error || Texts.Any(t => t is not null)))
            throw new ArgumentException("a table read spread over ranks holds numeric columns, a null an error", nameof(spread));
        int[] dropped = missing == MissingValues.Drop ? MissingRows.Drop(Rows, Numbers, Texts, rowOf) : [];
        if (missing == MissingValues.Error)
            rowOf.Add(0, 0);
        int rows = Rows - dropped.Length;
        if (rows == 0)
            throw new InputException(dropped.Length == 0 ? $"{Path}: no data rows" : $"{Path}: no data rows left: each of the {dropped.Length} rows has a missing value");

        string Describe(int index) => $"row {rowOf.LineOf(index) + 1}";
        var numbers = new List<KeyValuePair<string, ReadOnlyMemory<double>>>();
        var texts = new List<KeyValuePair<string, string[]>>();
        for (int c = 0; c < Names.Count; c++)
        {
            if (Numbers[c] is { } values)
            {
                numbers.Add(KeyValuePair.Create(Names[c], (ReadOnlyMemory<double>)values));
                continue;
            }
            var cells = Texts[c]!;
            if (keepText[c])
                texts.Add(KeyValuePair.Create(Names[c], Interned(cells)));
            else if (AsNumbers(cells, out int bad) is { } parsed)
                numbers.Add(KeyValuePair.Create(Names[c], (ReadOnlyMemory<double>)parsed));
            else if (factors[c])
                texts.Add(KeyValuePair.Create(Names[c], Interned(cells)));
            else
                throw NotANumber(Describe(bad), Names[c], cells[bad] ?? "");
        }
        return new Dataset(numbers, Path, Describe, spread is null ? texts : null, spread) { Dropped = dropped };
    }

    // A text cell where numbers are read: a number beyond a double's range said so, other text with the column for a
    // factor's hint.
    private InputException NotANumber(string row, string column, string cell)
    {
        bool overflows = CsvData.Overflows(cell);
        return new InputException($"{Path}: {row}, column '{column}': '{cell}' is not a finite number" + (overflows ? CsvData.OverflowNote : ""))
        {
            TextColumn = overflows ? null : column,
        };
    }

    /// <summary>
    /// The cells as numbers where every one is a finite number (each trimmed, as CSV's cells are); otherwise null, and
    /// <paramref name="bad"/> the first that is not.
    /// </summary>
    private static double[]? AsNumbers(string?[] cells, out int bad)
    {
        var values = new double[cells.Length];
        for (bad = 0; bad < cells.Length; bad++)
        {
            if (!double.TryParse(cells[bad].AsSpan().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out values[bad]) || !double.IsFinite(values[bad]))
                return null;
        }
        return values;
    }

    /// <summary>The cells trimmed, each distinct text held once.</summary>
    private static string[] Interned(string?[] cells)
    {
        var distinct = new Dictionary<string, string>(StringComparer.Ordinal);
        var result = new string[cells.Length];
        for (int r = 0; r < cells.Length; r++)
        {
            var cell = cells[r]!.Trim();
            if (!distinct.TryGetValue(cell, out var held))
                distinct.Add(cell, held = cell);
            result[r] = held;
        }
        return result;
    }
}
