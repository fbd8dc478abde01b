using System.Globalization;

namespace GpuEstimation.Data;

/// <summary>
/// Named columns of doubles, all of one length, validated once (finite values only). This is the one form in which
/// data reaches an engine, whatever it was read from. A column is a <see cref="ReadOnlyMemory{T}"/>: an array, or the
/// doubles of a file mapped into memory (a <c>.npy</c> column, <see cref="NpyData"/>; a Parquet file's spilled columns,
/// <see cref="ParquetData"/>), which the engines read where they lie, so that a file larger than the machine's memory
/// is fitted without being loaded. A column read as a factor may instead hold text (the levels of a
/// categorical column); the design step (<c>GpuEstimation.Design</c>) turns it into numeric columns, and asking
/// for it as numbers is an error naming its first cell that is not one.
/// </summary>
public sealed class Dataset
{
    private readonly Dictionary<string, ReadOnlyMemory<double>> _columns;
    private readonly Dictionary<string, string[]> _text;
    private readonly Func<int, string> _describeRow;

    /// <summary>A dataset of the given columns, held in memory: its rows are named "row 1", "row 2", … in messages.</summary>
    public Dataset(IEnumerable<KeyValuePair<string, double[]>> columns, string source = "data")
        : this(Memories(columns), source, index => $"row {index + 1}")
    {
    }

    /// <summary>
    /// A dataset read from <paramref name="source"/>, whose rows messages name through <paramref name="describeRow"/>
    /// (a data row index from 0 to the place the source counts, such as a file line).
    /// </summary>
    internal Dataset(IEnumerable<KeyValuePair<string, ReadOnlyMemory<double>>> columns, string source, Func<int, string> describeRow,
        IEnumerable<KeyValuePair<string, string[]>>? text = null, RowSpread? spread = null)
    {
        Source = source;
        _describeRow = describeRow;
        _columns = new Dictionary<string, ReadOnlyMemory<double>>(StringComparer.Ordinal);
        _text = new Dictionary<string, string[]>(StringComparer.Ordinal);
        Rows = -1;
        foreach (var (name, values) in columns)
            Add(name, values, values.Length, _columns);
        // Spread over the ranks where the reader spread it (numeric columns only: a factor's levels are the whole column's).
        if (spread is not null && (text is not null || spread.Rows != Math.Max(Rows, 0)))
            throw new ArgumentException($"a spread of {spread.Rows} rows over numeric columns of {Rows} rows", nameof(spread));
        Spread = spread;
        foreach (var (name, values) in _columns)
            CheckFinite(source, describeRow, name, values, Spread);
        foreach (var (name, values) in text ?? [])
        {
            if (_columns.ContainsKey(name))
                throw new InputException($"{source}: column '{name}' appears twice", name);
            Add(name, values, values.Length, _text);
            if (Array.IndexOf(values, null) is var missing and >= 0)
                throw new InputException($"{source}: {describeRow(missing)}, column '{name}': no value", name);
        }
        Rows = Math.Max(Rows, 0);
    }

    /// <summary>A dataset of text columns (factors) beside numeric ones, held in memory; rows are named as in the other constructor.</summary>
    public Dataset(IEnumerable<KeyValuePair<string, double[]>> columns, IEnumerable<KeyValuePair<string, string[]>> text, string source = "data")
        : this(Memories(columns), source, index => $"row {index + 1}", text)
    {
    }

    // A copy with more numeric columns: the columns present are shared and not checked again.
    private Dataset(Dataset data, IEnumerable<KeyValuePair<string, double[]>> added)
    {
        Source = data.Source;
        _describeRow = data._describeRow;
        _columns = new Dictionary<string, ReadOnlyMemory<double>>(data._columns, StringComparer.Ordinal);
        _text = data._text;
        Rows = data.Rows;
        Dropped = data.Dropped;
        Spread = data.Spread;
        foreach (var (name, values) in added)
        {
            if (_text.ContainsKey(name))
                throw new InputException($"{Source}: column '{name}' appears twice", name);
            Add(name, (ReadOnlyMemory<double>)values, values.Length, _columns);
            CheckFinite(Source, _describeRow, name, values, Spread);
        }
    }

    /// <summary>Arrays as columns.</summary>
    internal static IEnumerable<KeyValuePair<string, ReadOnlyMemory<double>>> Memories(IEnumerable<KeyValuePair<string, double[]>> columns) =>
        columns.Select(c => KeyValuePair.Create(c.Key, (ReadOnlyMemory<double>)(c.Value ?? throw new ArgumentNullException(nameof(columns), $"column '{c.Key}' is null"))));

    /// <summary>
    /// The first value of column <paramref name="name"/> that is not finite, as an error naming its row (NaN: a missing
    /// value); over rows spread across ranks, each rank reads its own and all agree on the first.
    /// </summary>
    private static void CheckFinite(string source, Func<int, string> describeRow, string name, ReadOnlyMemory<double> values, RowSpread? spread)
    {
        long FirstIn(long from, long to)
        {
            var span = values.Span;
            for (long row = from; row < to; row++)
            {
                if (!double.IsFinite(span[(int)row]))
                    return row;
            }
            return -1;
        }
        if (RowSpread.FirstWhere(spread, values.Length, FirstIn, values) is var (row, found))
            throw NotFinite(source, describeRow, name, (int)row, found[0]);
    }

    private static InputException NotFinite(string source, Func<int, string> describeRow, string name, int row, double value) =>
        new($"{source}: {describeRow(row)}, column '{name}': value {value} is not a finite number" +
            (double.IsNaN(value) ? "" : " (an infinity is not a missing value, so rows with one are not left out as those with NaN are)"), name) { MissingValue = double.IsNaN(value) };

    private void Add<T>(string name, T values, int length, Dictionary<string, T> into)
    {
        if (!into.TryAdd(name, values))
            throw new InputException($"{Source}: column '{name}' appears twice", name);
        if (Rows < 0)
            Rows = length;
        else if (length != Rows)
            throw new InputException($"{Source}: column '{name}' has {length} values, others have {Rows}", name);
    }

    /// <summary>
    /// Under MPI, where this process reads only its own rows of the columns (a file read so, <see cref="DataFile.Read"/>'s
    /// spread): which rows, and the collectives that host-side statistics of the data take (<see cref="RowSpread"/>);
    /// null where every row is read.
    /// </summary>
    public RowSpread? Spread { get; }

    /// <summary>
    /// Refuses data spread over MPI ranks (<see cref="Spread"/>) for <paramref name="what"/>, whose host-side set-up
    /// reads every row (a GLM's start, an expression's, a mixture's seeds): read whole on every rank, as the command
    /// line does for them, each rank would compute one process's answer; spread, a rank would read rows it does not hold.
    /// </summary>
    public void RequireWhole(string what)
    {
        if (Spread is not null)
            throw new ArgumentException($"{Source}: {what} reads every row on each MPI rank, but this process read only its own rows: read the data without a spread for it", nameof(Spread));
    }

    /// <summary>Where the data came from, for messages.</summary>
    public string Source { get; }

    /// <summary>The number of rows.</summary>
    public int Rows { get; private set; }

    /// <summary>
    /// The rows of the source skipped for a missing value (when read with <see cref="MissingValues.Drop"/>); 0 otherwise.
    /// Row names (<see cref="DescribeRow"/>) still count the source's rows, the dropped ones included.
    /// </summary>
    public int DroppedRows => Dropped.Count;

    /// <summary>
    /// Which of the source's data rows were skipped, in order: each one's place among the source's data rows (from 0,
    /// the dropped ones counted), so that per-row results can be matched to the source's rows (a prediction left empty
    /// where its row was dropped, as R's <c>na.exclude</c> does). Empty where none was.
    /// </summary>
    public IReadOnlyList<int> Dropped { get; internal init; } = [];

    /// <summary>The numeric column names, in order.</summary>
    public IReadOnlyCollection<string> ColumnNames => _columns.Keys;

    /// <summary>The names of the columns that hold text (factors), in order.</summary>
    public IReadOnlyCollection<string> TextColumnNames => _text.Keys;

    /// <summary>
    /// The values of column <paramref name="name"/>: an array, or a file's doubles mapped into memory (see
    /// <see cref="NpyData"/>; <see cref="ColumnArrays.AsArray"/> gives an array either way). An unknown name is an error
    /// that lists the columns present, and a column that holds text is an error naming its first cell that is not a
    /// finite number.
    /// </summary>
    public ReadOnlyMemory<double> Column(string name)
    {
        if (_columns.TryGetValue(name, out var values))
            return values;
        if (_text.TryGetValue(name, out var text))
        {
            int bad = Array.FindIndex(text, cell => !double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v));
            throw new InputException(bad >= 0
                ? $"{Source}: {_describeRow(bad)}, column '{name}': '{text[bad]}' is not a finite number"
                : $"{Source}: column '{name}' holds text, not numbers", name);
        }
        // A file's dataset holds the columns asked for when it was read (a library trial's formula named a factor the
        // file has but the read did not ask for, and was told the file lacked it).
        throw new InputException($"{Source}: no column '{name}'; columns present: {string.Join(", ", _columns.Keys.Concat(_text.Keys))}" +
            " (a dataset holds the columns it was read or built with: a file's other columns are read by naming them, a factor's among the factors)", name);
    }

    /// <summary>Whether column <paramref name="name"/> holds text (a factor's levels) rather than numbers.</summary>
    public bool IsText(string name) => _text.ContainsKey(name);

    /// <summary>The cells of text column <paramref name="name"/>; an unknown or numeric column is an error.</summary>
    public string[] TextColumn(string name) =>
        _text.TryGetValue(name, out var values)
            ? values
            : throw new InputException($"{Source}: no text column '{name}'", nameof(name));

    /// <summary>
    /// This dataset with the numeric columns <paramref name="added"/> beside its own (derived design columns, for
    /// example), each checked as the constructor checks; rows keep their names.
    /// </summary>
    public Dataset With(IEnumerable<KeyValuePair<string, double[]>> added) => new(this, added);

    /// <summary>
    /// Names data row <paramref name="index"/> (counted from 0) as its source counts rows, for messages: "line 5" of a
    /// CSV file (whose header is line 1), "row index 4" of a .npy array, "row 5" of a Parquet or Arrow file (counted from 1)
    /// or of data held in memory.
    /// </summary>
    public string DescribeRow(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Rows);
        return _describeRow(index);
    }

    /// <summary>A dataset of the given columns: the arrays themselves, not copies (do not change them while a model built on them is in use).</summary>
    public static Dataset FromColumns(params (string Name, double[] Values)[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        foreach (var (name, values) in columns)
        {
            // A null name named as the columns' (a trial: ArgumentNullException 'key', from inside a dictionary).
            ArgumentNullException.ThrowIfNull(name, nameof(columns));
            ArgumentNullException.ThrowIfNull(values, name);
        }
        return new(columns.Select(c => KeyValuePair.Create(c.Name, c.Values)));
    }
}
