namespace GpuEstimation.Data;

/// <summary>
/// Named columns of doubles, all of one length, validated once (finite values only). This is the one form in which
/// data reaches an engine, whatever it was read from.
/// </summary>
public sealed class Dataset
{
    private readonly Dictionary<string, double[]> _columns;
    private readonly Func<int, string> _describeRow;

    /// <summary>A dataset of the given columns, held in memory: its rows are named "row 1", "row 2", … in messages.</summary>
    public Dataset(IEnumerable<KeyValuePair<string, double[]>> columns, string source = "data")
        : this(columns, source, index => $"row {index + 1}")
    {
    }

    /// <summary>
    /// A dataset read from <paramref name="source"/>, whose rows messages name through <paramref name="describeRow"/>
    /// (a data row index from 0 to the place the source counts, such as a file line).
    /// </summary>
    internal Dataset(IEnumerable<KeyValuePair<string, double[]>> columns, string source, Func<int, string> describeRow)
    {
        Source = source;
        _describeRow = describeRow;
        _columns = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var (name, values) in columns)
        {
            if (!_columns.TryAdd(name, values))
                throw new InputException($"{source}: column '{name}' appears twice");
            if (_columns.Count == 1)
                Rows = values.Length;
            else if (values.Length != Rows)
                throw new InputException($"{source}: column '{name}' has {values.Length} values, others have {Rows}");
            for (int i = 0; i < values.Length; i++)
            {
                if (!double.IsFinite(values[i]))
                    throw new InputException($"{source}: {describeRow(i)}, column '{name}': value {values[i]} is not a finite number");
            }
        }
    }

    /// <summary>Where the data came from, for messages.</summary>
    public string Source { get; }

    /// <summary>The number of rows.</summary>
    public int Rows { get; }

    /// <summary>The column names, in order.</summary>
    public IReadOnlyCollection<string> ColumnNames => _columns.Keys;

    /// <summary>The values of column <paramref name="name"/>; an unknown name is an error that lists the columns present.</summary>
    public double[] Column(string name) =>
        _columns.TryGetValue(name, out var values)
            ? values
            : throw new InputException($"{Source}: no column '{name}'; columns present: {string.Join(", ", _columns.Keys)}");

    /// <summary>
    /// Names data row <paramref name="index"/> (counted from 0) as its source counts rows, for messages: "line 5" of a
    /// CSV file (whose header is line 1), "row index 4" of a .npy array, "row 5" of data held in memory.
    /// </summary>
    public string DescribeRow(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Rows);
        return _describeRow(index);
    }

    /// <summary>A dataset of the given columns.</summary>
    public static Dataset FromColumns(params (string Name, double[] Values)[] columns) =>
        new(columns.Select(c => KeyValuePair.Create(c.Name, c.Values)));
}
