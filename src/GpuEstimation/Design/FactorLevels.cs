using System.Globalization;
using GpuEstimation.Data;

namespace GpuEstimation.Design;

/// <summary>
/// A factor's levels and each row's level: numeric codes in numeric order, text in ordinal (code-point) order, as R's
/// <c>factor()</c> and patsy sort them. The first level is the reference of treatment coding.
/// </summary>
public sealed class FactorLevels
{
    private FactorLevels(string column, IReadOnlyList<string> names, int[] codes)
    {
        Column = column;
        Names = names;
        Codes = codes;
    }

    /// <summary>The column the factor reads.</summary>
    public string Column { get; }

    /// <summary>The levels' names, in sorted order (a chosen reference first, <see cref="WithReference"/>): a numeric code as its shortest round-trip text (2, 0.5), text as it is.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Each row's level, an index into <see cref="Names"/>.</summary>
    public int[] Codes { get; }

    /// <summary>The name of a design column that indicates level <paramref name="level"/>: <c>g[b]</c>.</summary>
    public string ColumnName(int level) => $"{Column}[{Names[level]}]";

    /// <summary>
    /// These levels with <paramref name="reference"/> first (the others in their order), each row's code following its
    /// level: the reference of treatment coding. A number matches a numeric level of the same value (2.0 matches 2); a
    /// level not among them is an error naming the factor, <paramref name="source"/> and the levels.
    /// </summary>
    public FactorLevels WithReference(string reference, string source)
    {
        ArgumentNullException.ThrowIfNull(reference);
        // The level written so, else (numeric codes only) the level of that value: a text level "1.0" is not "1".
        var names = Names.ToList();
        int at = names.IndexOf(reference);
        if (at < 0 && AreNumeric(Names) && double.TryParse(reference, NumberStyles.Float, CultureInfo.InvariantCulture, out double r))
            at = names.FindIndex(n => double.Parse(n, CultureInfo.InvariantCulture) == r);
        if (at < 0)
            throw new InputException($"{source}: factor '{Column}' has no level '{reference}' to take as its reference (levels: {string.Join(", ", Names.Take(20))}{(Names.Count > 20 ? ", ..." : "")})", Column);
        if (at == 0)
            return this;
        var order = new[] { at }.Concat(Enumerable.Range(0, Names.Count).Where(k => k != at)).ToArray();
        var place = new int[Names.Count];
        for (int k = 0; k < order.Length; k++)
            place[order[k]] = k;
        return new FactorLevels(Column, [.. order.Select(k => Names[k])], [.. Codes.Select(c => place[c])]);
    }

    /// <summary>The levels of <paramref name="column"/> in <paramref name="data"/>, text or numbers.</summary>
    public static FactorLevels Of(Dataset data, string column)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.IsText(column) ? FromText(column, data.TextColumn(column)) : FromNumbers(column, data.Column(column));
    }

    /// <summary>Whether <paramref name="levels"/> are numeric codes: each the shortest round-trip text of a finite number.</summary>
    public static bool AreNumeric(IReadOnlyList<string> levels)
    {
        ArgumentNullException.ThrowIfNull(levels);
        return levels.All(l => double.TryParse(l, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) &&
            v.ToString("R", CultureInfo.InvariantCulture) == l);
    }

    /// <summary>
    /// Column <paramref name="column"/> of <paramref name="data"/> coded with the given <paramref name="levels"/> (a
    /// fit's, in their order): text cells match a level's name exactly; a number matches the level written as its
    /// shortest text (2 matches 2, never 2.0 or 02). Where the fitted levels include such other forms of a number (2.0,
    /// 02, 1e1), numbers are refused: read as numbers, a cell 2 may have been written 2.0, and coding it as 2 would be the
    /// wrong level without a word (a trial); such a column must be read as text (<see cref="Data.DataFile.Read"/>'s
    /// textFactors). A cell that matches none is an error naming its row, the cell and the levels.
    /// </summary>
    public static FactorLevels Matching(Dataset data, string column, IReadOnlyList<string> levels)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(levels);
        var codes = new int[data.Rows];
        if (data.IsText(column))
        {
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int k = 0; k < levels.Count; k++)
                index.TryAdd(levels[k], k);
            var cells = data.TextColumn(column);
            for (int i = 0; i < cells.Length; i++)
                codes[i] = index.TryGetValue(cells[i], out int code) ? code : throw Unknown(data, column, i, cells[i], levels);
        }
        else if (levels.FirstOrDefault(OtherFormOfANumber) is { } other)
        {
            throw new InputException($"{data.Source}: column '{column}' holds numbers, but the factor's fitted levels include '{other}', another way of " +
                $"writing a number ({string.Join(", ", levels)}): a number cannot be matched to them for sure; give the column as text", column);
        }
        else
        {
            // Each level written as its number's shortest text (every level where the codes were numeric; a text
            // factor's numeric-looking levels, where there are no others, such as 1 and 10 beside a).
            var index = new Dictionary<double, int>();
            for (int k = 0; k < levels.Count; k++)
            {
                if (double.TryParse(levels[k], NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                    index.TryAdd(value == 0 ? 0.0 : value, k);
            }
            var values = data.Column(column).Span;
            for (int i = 0; i < values.Length; i++)
            {
                double key = values[i] == 0 ? 0.0 : values[i];
                codes[i] = index.TryGetValue(key, out int code) ? code : throw Unknown(data, column, i, key.ToString("R", CultureInfo.InvariantCulture), levels);
            }
        }
        return new FactorLevels(column, levels, codes);
    }

    // A level that reads as a finite number but is not its shortest text (2.0, 02, 1e1).
    private static bool OtherFormOfANumber(string level) =>
        double.TryParse(level, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value) &&
        value.ToString("R", CultureInfo.InvariantCulture) != level;

    private static InputException Unknown(Dataset data, string column, int row, string cell, IReadOnlyList<string> levels) =>
        new($"{data.Source}: {data.DescribeRow(row)}, column '{column}': level '{cell}' is not one of the factor's fitted levels ({string.Join(", ", levels)})");

    private static FactorLevels FromText(string column, string[] cells)
    {
        var sorted = cells.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var index = new Dictionary<string, int>(sorted.Length, StringComparer.Ordinal);
        for (int k = 0; k < sorted.Length; k++)
            index.Add(sorted[k], k);
        var codes = new int[cells.Length];
        for (int i = 0; i < cells.Length; i++)
            codes[i] = index[cells[i]];
        return new FactorLevels(column, sorted, codes);
    }

    private static FactorLevels FromNumbers(string column, ReadOnlyMemory<double> numbers)
    {
        // -0 and 0 are one level.
        var values = numbers.Span;
        var distinct = new HashSet<double>();
        foreach (double v in values)
            distinct.Add(v == 0 ? 0.0 : v);
        var sorted = distinct.Order().ToArray();
        var index = new Dictionary<double, int>(sorted.Length);
        for (int k = 0; k < sorted.Length; k++)
            index.Add(sorted[k], k);
        var codes = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
            codes[i] = index[values[i] == 0 ? 0.0 : values[i]];
        return new FactorLevels(column, [.. sorted.Select(v => v.ToString("R", CultureInfo.InvariantCulture))], codes);
    }
}
