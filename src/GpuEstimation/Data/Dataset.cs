namespace GpuEstimation.Data;

/// <summary>
/// Named columns of doubles, all of one length, validated once (finite values only). This is the one form in which
/// data reaches an engine, whatever it was read from.
/// </summary>
public sealed class Dataset
{
    private readonly Dictionary<string, double[]> _columns;

    public Dataset(IEnumerable<KeyValuePair<string, double[]>> columns, string source = "data")
    {
        Source = source;
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
                    throw new InputException($"{source}: row {i + 1}, column '{name}': value {values[i]} is not a finite number");
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

    /// <summary>A dataset of the given columns.</summary>
    public static Dataset FromColumns(params (string Name, double[] Values)[] columns) =>
        new(columns.Select(c => KeyValuePair.Create(c.Name, c.Values)));
}
