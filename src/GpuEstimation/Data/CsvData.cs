using System.Buffers;
using System.Globalization;
using System.Text.Unicode;
using nietras.SeparatedValues;

namespace GpuEstimation.Data;

/// <summary>Reads the chosen columns of a CSV file with a header row (through Sep, in parallel, rows kept in order).</summary>
public static class CsvData
{
    /// <summary>Files smaller than this are parsed on one thread.</summary>
    private const long ParallelBytes = 1 << 20;

    /// <summary>How much of the file's beginning must be text before it is read as CSV.</summary>
    private const int TextProbeBytes = 1024;

    /// <summary>
    /// Reads <paramref name="columns"/> from <paramref name="path"/>. Errors name the file, and where it applies the line
    /// (the header is line 1) and the column. Blank lines at the end of the file are skipped, as pandas and R do.
    /// </summary>
    /// <remarks>
    /// A missing value is an empty cell or one of <c>NA</c>, <c>N/A</c>, <c>NaN</c> and <c>null</c> (any case, as R and
    /// pandas write them); with <see cref="MissingValues.Drop"/> its row is skipped, otherwise it is the error any cell
    /// that is not a finite number is.
    /// </remarks>
    /// <param name="path">The file.</param>
    /// <param name="columns">Columns read as numbers: a cell that is not a finite number is an error naming its line.</param>
    /// <param name="factors">
    /// Columns read as a factor's levels (and not also named in <paramref name="columns"/>): one whose cells are all
    /// finite numbers is kept as numbers (integer codes), any other as text, each cell trimmed; an empty cell, or a
    /// number that is not finite (NaN, infinity), is an error naming its line.
    /// </param>
    /// <param name="missing">Whether a row with a missing value in a column read is an error or skipped.</param>
    /// <param name="textFactors">Factors kept as text even where every cell is a number.</param>
    /// <param name="spread">
    /// Under MPI, each rank to parse only its own rows (<see cref="Dataset.Spread"/>, in runs of this unit of rows, by byte ranges: <see cref="CsvRanges"/>)
    /// where no factor is read and a missing value is an error; a file that is not plain is read whole by every rank.
    /// </param>
    public static Dataset Read(string path, IReadOnlyList<string> columns, IReadOnlyCollection<string>? factors = null,
        MissingValues missing = MissingValues.Error, IReadOnlyCollection<string>? textFactors = null, long? spread = null)
    {
        return DataFile.Guard(path, () => RowsWithinReach(path, () =>
        {
            RequireText(path);
            // The header is read as a row, not by Sep, so that a duplicated name is reported as such.
            using var reader = Sep.Reader(o => o with { HasHeader = false, Unescape = true, DisableColCountCheck = true }).FromFile(path);
            var names = ReadHeader(reader, path);
            var wanted = columns.Concat((factors ?? []).Where(f => !columns.Contains(f))).Distinct().ToList();
            var indices = wanted.Select(name => IndexOf(path, names, name)).ToArray();
            var text = wanted.Select((_, c) => c >= columns.Count).ToArray();
            bool drop = missing == MissingValues.Drop;
            if (spread is { } unit && !drop && !text.Any(t => t) && wanted.Count > 0 &&
                CsvRanges.Read(path, wanted, unit, reader.Spec.Sep, row => ParseCells(row, names.Length, indices, text, drop) is { Values: { } values, BadColumn: < 0, Fields: var fields } && fields == names.Length ? values : null) is { } own)
                return own;
            // Small files on this thread: starting the parallel reader's workers (and compiling them, in a short-lived
            // process) costs more than parsing a few thousand rows.
            bool small = new FileInfo(path).Length < ParallelBytes;
            var rows = small
                ? reader.Enumerate(row => Parse(row, names.Length, indices, text, drop))
                : reader.ParallelEnumerate(row => Parse(row, names.Length, indices, text, drop));
            var keepText = wanted.Select((name, c) => text[c] && textFactors?.Contains(name) == true).ToArray();
            return Collect(path, wanted, text, keepText, names.Length, rows, small ? 0 : LineRows(path), drop);
        }));
    }

    /// <summary>
    /// <paramref name="read"/>, where the reader's refusal of a row past 16 MiB becomes an input error: mostly a quote
    /// never closed, which makes the rest of the file one cell (a trial: an unclosed quote 19 MB before the end of a
    /// 48 MB file was an "internal error" with exit 1, where one nearer the end was named by its line), named by the
    /// line that opens it; else the row's length.
    /// </summary>
    private static T RowsWithinReach<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (RowTooLong(e))
        {
            throw RunOnQuote(path) switch
            {
                (int line, true) => OpenQuote(path, line),
                (int line, false) => new InputException($"{path}: line {line} opens a quoted cell that runs past the 16,777,216 characters the reader holds in a row (a cell that long, or quotes out of step)"),
                _ => new InputException($"{path}: a row is longer than the reader holds (16,777,216 characters)"),
            };
        }
    }

    // Sep's refusal of a row past its buffer, thrown by itself or from the parallel reader's workers.
    private static bool RowTooLong(Exception e) => e switch
    {
        NotSupportedException { Message: var message } => message.Contains("maximum supported length", StringComparison.Ordinal),
        AggregateException aggregate => aggregate.InnerExceptions.Any(RowTooLong),
        _ => false,
    };

    // The line that opens the quote of a row that runs on: rows end at line ends (\n, \r\n or \r) outside quotes
    // (quotes pair up, "" in a quoted cell too); where a row runs on past a line end inside a quote, the line that
    // opened that quote is the row's. The first row past the reader's 16 MiB (bytes here, characters there: near
    // enough, as the reader has refused one already) names it, or the row the file ends in with a quote open; and
    // whether the file ends with a quote open (a quote never closed: later rows' own quoted cells, read out of step,
    // keep one open) or not (a quoted cell that long). Null where no row runs on.
    private static (int Line, bool NeverClosed)? RunOnQuote(string path)
    {
        const long limit = 1 << 24;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var buffer = new byte[1 << 20];
        bool quoted = false, afterCarriageReturn = false;
        int line = 1, opened = 0, spanned = 0, longest = 0;
        long rowBytes = 0;
        for (int read; (read = stream.Read(buffer, 0, buffer.Length)) > 0;)
        {
            foreach (byte b in buffer.AsSpan(0, read))
            {
                rowBytes++;
                bool lineEnd = b == (byte)'\r' || (b == (byte)'\n' && !afterCarriageReturn);
                afterCarriageReturn = b == (byte)'\r';
                if (b == (byte)'"')
                {
                    quoted = !quoted;
                    if (quoted)
                        opened = line;
                }
                else if (lineEnd)
                {
                    if (!quoted)
                        (rowBytes, spanned) = (0, 0);
                    else if (spanned == 0)
                        spanned = opened;
                    line++;
                }
                if (rowBytes > limit && spanned != 0 && longest == 0)
                    longest = spanned;
            }
        }
        if (quoted)
            return (longest != 0 ? longest : spanned != 0 ? spanned : opened, true);
        return longest != 0 ? (longest, false) : null;
    }

    /// <summary>The header's names (an unnamed column as an empty name).</summary>
    public static IReadOnlyList<string> ColumnNames(string path) => DataFile.Guard(path, () => RowsWithinReach(path, () =>
    {
        RequireText(path);
        using var reader = Sep.Reader(o => o with { HasHeader = false, Unescape = true, DisableColCountCheck = true }).FromFile(path);
        return ReadHeader(reader, path);
    }));

    /// <summary>
    /// The compressed formats a data file is most often sent in, by their magic bytes, and how to unpack each.
    /// bzip2's magic is "BZh" and a block-size digit, 1 to 9 (text could begin "BZh" alone), then the first block's magic (0x314159265359).
    /// </summary>
    private static readonly (byte[] Magic, string Format, string Tool)[] Compressed =
    [
        ([0x1F, 0x8B], "a gzip-compressed file", "gunzip -k FILE"),
        ([0x50, 0x4B, 0x03, 0x04], "a zip archive", "unzip FILE"),
        ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "an xz-compressed file", "unxz -k FILE"),
        ([0x28, 0xB5, 0x2F, 0xFD], "a zstd-compressed file", "unzstd FILE"),
        .. Enumerable.Range('1', 9).Select(digit => (new byte[] { 0x42, 0x5A, 0x68, (byte)digit, 0x31, 0x41, 0x59, 0x26 }, "a bzip2-compressed file", "bunzip2 -k FILE")),
    ];

    /// <summary>
    /// Refuses a file whose first kilobyte holds a NUL byte or is not UTF-8, before any of it can reach a message:
    /// binary data (an image, an archive, a renamed array) is not CSV.
    /// </summary>
    private static void RequireText(string path)
    {
        Span<byte> start = stackalloc byte[TextProbeBytes];
        int read;
        using (var stream = File.OpenRead(path))
            read = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        start = start[..read];
        // UTF-16 text has NUL bytes; its byte-order mark is what the reader decodes it by.
        if (start.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || start.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
            return;
        foreach (var (magic, format, tool) in Compressed)
        {
            if (start.StartsWith(magic))
                throw new InputException($"{path}: {format}; only uncompressed files are read: decompress it first ({tool})");
        }
        int nul = start.IndexOf((byte)0);
        if (nul >= 0)
            throw new InputException($"{path}: not a CSV text file (byte {nul} is a NUL byte, as in binary data)");
        // A character cut at the probe's end is not an error: only a complete sequence can be invalid.
        Span<char> chars = stackalloc char[TextProbeBytes];
        var status = Utf8.ToUtf16(start, chars, out int valid, out _, replaceInvalidSequences: false, isFinalBlock: read < TextProbeBytes);
        if (status == OperationStatus.InvalidData)
            throw new InputException($"{path}: not a CSV text file (byte {valid} is not UTF-8 text)");
    }

    /// <summary>The header's names, trimmed; an empty file, a blank header or a name given twice is an error.</summary>
    private static string[] ReadHeader(SepReader reader, string path)
    {
        if (!reader.MoveNext())
            throw new InputException($"{path}: the file is empty (no header row)");
        var row = reader.Current;
        if (row.Span.Count('"') % 2 != 0)
            throw OpenQuote(path, 1);
        var names = new string[row.ColCount];
        for (int i = 0; i < names.Length; i++)
            names[i] = row[i].ToString().Trim();
        if (names is [""])
            throw new InputException($"{path}: line 1, the header row, is blank");
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++)
        {
            // Unnamed columns cannot be asked for, so several of them are no ambiguity.
            if (names[i].Length > 0 && !seen.TryAdd(names[i], i))
                throw new InputException($"{path}: the header names column '{names[i]}' twice (columns {seen[names[i]] + 1} and {i + 1}); column names must be unique");
        }
        return names;
    }

    private static int IndexOf(string path, string[] names, string name)
    {
        int index = Array.IndexOf(names, name);
        return index >= 0
            ? index
            : throw new InputException($"{path}: no column '{name}'; columns present: {string.Join(", ", names)}", name);
    }

    /// <summary>
    /// One data row: blank, ragged (a field count other than the header's), a cell that is not a finite number (or, in a
    /// factor column, is empty or a number that is not finite), or the wanted values; a factor cell's text is kept too.
    /// Runs in parallel, so it reports rather than throws; the rows are judged in file order. Where missing values are
    /// dropped (<paramref name="drop"/>), a row with one is reported as such.
    /// </summary>
    private static ParsedRow Parse(SepReader.Row row, int width, int[] indices, bool[] text, bool drop) =>
        ParseCells(row, width, indices, text, drop) with { End = row.LineNumberToExcl };

    private static ParsedRow ParseCells(SepReader.Row row, int width, int[] indices, bool[] text, bool drop)
    {
        int line = row.LineNumberFrom;
        // Quotes come in pairs ("" inside a quoted cell is two); an odd count means one opened and never closed, and
        // the reader took everything after it, up to the end of the file, as one cell. (Such a row's first line is
        // where the row before it ended: the parallel reader's LineNumberFrom is not, for a row of many lines.)
        if (row.Span.Count('"') % 2 != 0)
            return new ParsedRow(null, null, line, row.ColCount, OpenQuote: true);
        if (row.ColCount == 1 && row.Span.IsWhiteSpace())
            return new ParsedRow(null, null, line, 0);
        if (row.ColCount != width)
            return new ParsedRow(null, null, line, row.ColCount);
        var values = new double[indices.Length];
        string[]? texts = null;
        for (int c = 0; c < indices.Length; c++)
        {
            var cell = row[indices[c]].Span;
            if (drop && IsMissing(cell))
                return new ParsedRow(null, null, line, width, Missing: true);
            bool number = double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out values[c]);
            if (!text[c])
            {
                if (!number || !double.IsFinite(values[c]))
                    return new ParsedRow(values, texts, line, width, c, cell.ToString());
                continue;
            }
            var trimmed = cell.Trim();
            // A missing value (empty, NA, N/A, NaN, null) is not a level: an error here, as in a numeric column.
            if (IsMissing(trimmed) || (number && !double.IsFinite(values[c])))
                return new ParsedRow(values, texts, line, width, c, cell.ToString());
            if (!number)
                values[c] = double.NaN;
            texts ??= new string[indices.Length];
            texts[c] = trimmed.ToString();
        }
        return new ParsedRow(values, texts, line, width);
    }

    /// <summary>A cell that R or pandas writes for a missing value: empty, NA, N/A, NaN or null (any case).</summary>
    private static bool IsMissing(ReadOnlySpan<char> cell)
    {
        var trimmed = cell.Trim();
        // A signed NaN (-nan, as C's printf writes one) too, as pandas reads it.
        return trimmed.IsEmpty || trimmed.Equals("NA", StringComparison.OrdinalIgnoreCase) || trimmed.Equals("N/A", StringComparison.OrdinalIgnoreCase)
            || (trimmed is ['+' or '-', .. var unsigned] ? unsigned : trimmed).Equals("NaN", StringComparison.OrdinalIgnoreCase) || trimmed.Equals("null", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The parsed rows in file order, as a dataset whose rows are named by their lines. Blank lines that end the file are
    /// skipped; one inside the data is an error, or, where rows with missing values are dropped (<paramref name="drop"/>),
    /// a row of missing cells, dropped and counted as such (as pandas and R skip blank lines; a one-column file written
    /// by R with a missing value has an empty line there). The first problem in the file is the one reported. A factor column is kept
    /// as numbers if every cell is one, else as text (each distinct text held once). The columns are made
    /// <paramref name="expected"/> rows long from the start (see <see cref="LineRows"/>; 0: grown in chunks).
    /// </summary>
    private static Dataset Collect(string path, IReadOnlyList<string> columns, bool[] text, bool[] keepText, int width, IEnumerable<ParsedRow> rows, long expected, bool drop)
    {
        var data = columns.Select(_ => new ColumnBuilder<double>(expected)).ToArray();
        var texts = columns.Select((_, c) => text[c] ? new ColumnBuilder<string>(expected) : null).ToArray();
        var isText = keepText.ToArray();
        var distinct = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = new LineMap();
        int count = 0, blankLine = 0, blanks = 0, nextLine = 2;
        var dropped = new List<int>();
        foreach (var row in rows)
        {
            int line = nextLine;
            nextLine = row.End;
            if (row.Fields == 0)
            {
                blankLine = blankLine == 0 ? row.Line : blankLine;
                blanks++;
                continue;
            }
            if (blankLine != 0 && !drop)
            {
                throw new InputException($"{path}: line {blankLine} is blank; blank lines may only end the file, or be left out as rows of missing values") { MissingValue = true };
            }
            for (; blanks > 0; blanks--)
                dropped.Add(count + dropped.Count);
            blankLine = 0;
            if (row.OpenQuote)
                throw OpenQuote(path, line);
            if (row.Fields != width || row.BadColumn >= 0)
                throw Problem(path, columns, text, width, row);
            if (row.Missing)
            {
                dropped.Add(count + dropped.Count);
                continue;
            }
            lines.Add(count++, row.Line);
            for (int c = 0; c < data.Length; c++)
            {
                double value = row.Values![c];
                data[c].Add(value);
                if (texts[c] is { } cells)
                {
                    var cell = row.Texts![c];
                    if (!distinct.TryGetValue(cell, out var held))
                        distinct.Add(cell, held = cell);
                    cells.Add(held);
                    isText[c] |= double.IsNaN(value);
                }
            }
        }
        if (count == 0)
            throw new InputException(dropped.Count == 0 ? $"{path}: no data rows after the header" : $"{path}: no data rows left: each of the {dropped.Count} rows has a missing value");
        return new Dataset(
            columns.Select((name, c) => (name, c)).Where(e => !isText[e.c]).Select(e => KeyValuePair.Create(e.name, (ReadOnlyMemory<double>)data[e.c].ToArray())),
            path, index => $"line {lines.LineOf(index)}",
            columns.Select((name, c) => (name, c)).Where(e => isText[e.c]).Select(e => KeyValuePair.Create(e.name, texts[e.c]!.ToArray())))
        {
            Dropped = dropped,
        };
    }

    /// <summary>
    /// The data rows a CSV file holds, counted over its bytes before parsing (~0.1 s for 200 MB), so that the columns
    /// are filled in place rather than grown and copied (peak memory about the doubles themselves instead of twice
    /// them): the newlines outside quoted fields (a quote's parity; a run of bytes without a quote is counted in
    /// vectors), less the header's and those after the last line with text. Rows dropped for missing values, a stray
    /// quote inside an unquoted field or blank lines inside the file (an error anyway) make it an overestimate, and
    /// the columns are then copied to their length. UTF-16 files (a byte-order mark) are not counted: 0, grown in chunks.
    /// </summary>
    internal static long LineRows(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long newlines = 0, trailing = 0;
            bool quoted = false, first = true;
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                var bytes = buffer.AsSpan(0, read);
                if (first && read >= 2 && (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])))
                    return 0;
                first = false;
                if (!quoted && !bytes.Contains((byte)'"'))
                {
                    newlines += bytes.Count((byte)'\n');
                }
                else
                {
                    foreach (byte b in bytes)
                    {
                        if (b == (byte)'"')
                            quoted = !quoted;
                        else if (b == (byte)'\n' && !quoted)
                            newlines++;
                    }
                }
                // Newlines after the last byte of text so far: none of them inside quotes.
                int text = bytes.LastIndexOfAnyExcept(" \t\r\n"u8);
                trailing = text >= 0 ? bytes[(text + 1)..].Count((byte)'\n') : trailing + bytes.Count((byte)'\n');
            }
            return Math.Clamp(newlines - trailing, 0, Array.MaxLength);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The error for a ragged row or a cell that is not a finite number, naming its line.</summary>
    private static InputException Problem(string path, IReadOnlyList<string> columns, bool[] text, int width, ParsedRow row) =>
        row.Fields != width
            ? new InputException($"{path}: line {row.Line} has {FieldsText(row.Fields)}, the header has {FieldsText(width)}")
            : IsMissing(row.BadText)
                ? new InputException($"{path}: line {row.Line}, column '{columns[row.BadColumn]}': the value is missing " +
                    (string.IsNullOrWhiteSpace(row.BadText) ? "(an empty cell)" : $"('{row.BadText.Trim()}')"), columns[row.BadColumn]) { MissingValue = true }
                : row.BadText!.Contains(',') && row.BadText.Any(char.IsAsciiDigit)
                    ? new InputException($"{path}: line {row.Line}, column '{columns[row.BadColumn]}': '{row.BadText}' is not a finite number" +
                        " ('.' is the decimal point, and there is no thousands separator: 2.5, not 2,5; 2500, not 2,500)", columns[row.BadColumn])
                    : new InputException($"{path}: line {row.Line}, column '{columns[row.BadColumn]}': '{row.BadText}' is not a finite number" +
                        (IsInfinity(row.BadText) ? " (an infinity is not a missing value, so rows with one are not left out as those with an empty cell, NA or NaN are)"
                            : Overflows(row.BadText) ? OverflowNote : ""), columns[row.BadColumn])
                    {
                        // Text that could be a level (a word): not an infinity, nor a lone mark such as - or ?.
                        TextColumn = LooksLikeALevel(row.BadText) ? columns[row.BadColumn] : null,
                    };

    private static bool LooksLikeALevel(string text) => text.Any(char.IsLetter) && !IsInfinity(text) && !Overflows(text);

    /// <summary>Whether <paramref name="text"/> is a number beyond a double's range (1e400), not text (a trial's got the factor hint).</summary>
    internal static bool Overflows(string text) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsInfinity(value) && !IsInfinity(text);

    /// <summary>What <see cref="Overflows"/> adds to the error.</summary>
    internal const string OverflowNote = " (a number beyond the range of a double, about ±1.8e308: rescale the column)";

    private static bool IsInfinity(string text)
    {
        var word = text.Trim().TrimStart('+', '-');
        return word.Equals("inf", StringComparison.OrdinalIgnoreCase) || word.Equals("infinity", StringComparison.OrdinalIgnoreCase) || word == "∞";
    }

    /// <summary>The error for a quote opened on <paramref name="line"/> and never closed.</summary>
    private static InputException OpenQuote(string path, int line) =>
        new($"{path}: line {line} opens a quote (\") that is never closed, so the rest of the file would read as one cell; " +
            "a quote anywhere in a cell opens one (c\"d too); close it, or, for a quote that is part of a value, quote the whole cell and double the quote inside it (\"c\"\"d\")");

    private static string FieldsText(int count) => count == 1 ? "1 field" : $"{count} fields";

    /// <summary>
    /// A data row as <see cref="Parse"/> judged it: <see cref="Fields"/> is 0 for a blank line, the values are null for
    /// a blank or ragged row, <see cref="BadColumn"/> names the first wanted cell that is not a finite number (or not a
    /// usable level), and <see cref="Texts"/> holds the factor columns' cells (NaN in the values where one is text);
    /// <see cref="Missing"/> marks a row skipped for a missing value, <see cref="OpenQuote"/> one whose quote is never closed.
    /// </summary>
    private readonly record struct ParsedRow(double[]? Values, string[]? Texts, int Line, int Fields, int BadColumn = -1, string? BadText = null, bool Missing = false, bool OpenQuote = false)
    {
        /// <summary>The line after the row's last (a row may span lines: a quoted cell with a newline).</summary>
        public int End { get; init; }
    }
}
