using System.Globalization;
using nietras.SeparatedValues;

namespace GpuEstimation.Data;

/// <summary>Reads the chosen columns of a CSV file with a header row (through Sep, in parallel, rows kept in order).</summary>
public static class CsvData
{
    /// <summary>
    /// Reads <paramref name="columns"/> from <paramref name="path"/>. Errors name the file, and where it applies the line
    /// (the header is line 1) and the column.
    /// </summary>
    public static Dataset Read(string path, IReadOnlyList<string> columns)
    {
        return DataFile.Guard(path, () =>
        {
            using var reader = Sep.Reader(o => o with { Unescape = true, DisableColCountCheck = false }).FromFile(path);
            var header = reader.Header;
            if (header.IsEmpty)
                throw new InputException($"{path}: the file is empty (no header row)");
            var names = header.ColNames;
            var indices = new int[columns.Count];
            for (int c = 0; c < columns.Count; c++)
            {
                indices[c] = IndexOf(names, columns[c]);
                if (indices[c] < 0)
                    throw new InputException($"{path}: no column '{columns[c]}'; columns present: {string.Join(", ", names)}");
            }

            var rows = reader.ParallelEnumerate(row =>
            {
                var values = new double[indices.Length];
                for (int c = 0; c < indices.Length; c++)
                {
                    var text = row[indices[c]].Span;
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out values[c]) || !double.IsFinite(values[c]))
                        return new ParsedRow(values, row.LineNumberFrom, c, text.ToString());
                }
                return new ParsedRow(values, 0, -1, null);
            });

            var data = new List<double>[columns.Count];
            for (int c = 0; c < data.Length; c++)
                data[c] = new List<double>();
            foreach (var row in rows)
            {
                if (row.BadColumn >= 0)
                    throw new InputException(
                        $"{path}: line {row.Line}, column '{columns[row.BadColumn]}': '{row.BadText}' is not a finite number");
                for (int c = 0; c < data.Length; c++)
                    data[c].Add(row.Values[c]);
            }
            if (data.Length > 0 && data[0].Count == 0)
                throw new InputException($"{path}: no data rows after the header");
            return new Dataset(columns.Select((name, c) => KeyValuePair.Create(name, data[c].ToArray())), path);
        });
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (names[i].Trim() == name)
                return i;
        }
        return -1;
    }

    private readonly record struct ParsedRow(double[] Values, int Line, int BadColumn, string? BadText);
}
