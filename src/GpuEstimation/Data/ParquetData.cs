using System.Buffers;
using System.Numerics;
using Parquet;
using Parquet.Schema;

namespace GpuEstimation.Data;

/// <summary>
/// Reads columns of an Apache Parquet file (through Parquet.Net) by name: every numeric type (float, double, integers
/// of 8 to 64 bits signed or not, bool, decimal) as doubles, and text columns (plain or dictionary-encoded) as a factor's
/// levels. Row groups are read in parallel, each into its own slice of the columns, so the result does not depend on
/// how many threads read. Rows are named "row N", counted from 1 in the file. Numeric columns larger than half the memory
/// the process may use are decoded into a scratch file mapped into memory instead of arrays (<see cref="ColumnarTable"/>).
/// </summary>
public static class ParquetData
{
    /// <summary>The four bytes a Parquet file begins and ends with.</summary>
    internal static ReadOnlySpan<byte> Magic => "PAR1"u8;

    /// <summary>The file's top-level column names, in the file's order.</summary>
    public static IReadOnlyList<string> ColumnNames(string path) => DataFile.Guard(path, () =>
    {
        CheckEnds(path);
        var reader = Open(path);
        try
        {
            return reader.Schema.Fields.Select(f => f.Name).ToArray();
        }
        finally
        {
            Close(reader);
        }
    });

    /// <summary>
    /// Reads <paramref name="columns"/> as numbers and <paramref name="factors"/> as a factor's levels (text, or numbers
    /// where the column holds numbers or text that is all numbers) from <paramref name="path"/>. Errors name the file,
    /// and where it applies the row and the column.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="columns">Columns read as numbers.</param>
    /// <param name="factors">Columns read as a factor's levels.</param>
    /// <param name="missing">Whether a null is an error or drops its row.</param>
    /// <param name="textFactors">Factors kept as text even where every cell is a number written as text.</param>
    /// <param name="spread">
    /// Under MPI, each rank to read only the row groups that hold its own rows (<see cref="Dataset.Spread"/>; in runs of this unit of rows), where the
    /// columns are all numeric, none a factor, and a null is an error; otherwise every row group is read.
    /// </param>
    public static Dataset Read(string path, IReadOnlyList<string> columns, IReadOnlyCollection<string>? factors = null,
        MissingValues missing = MissingValues.Error, IReadOnlyCollection<string>? textFactors = null, long? spread = null) =>
        Read(path, columns, factors, missing, ColumnarTable.SpillAbove, textFactors, spread);

    /// <summary>
    /// <see cref="Read(string, IReadOnlyList{string}, IReadOnlyCollection{string}?, MissingValues, IReadOnlyCollection{string}?, long?)"/>, the numeric columns
    /// decoded into a scratch file mapped into memory where they take more than <paramref name="spillAbove"/> bytes
    /// (<see cref="ColumnarTable"/>): row group by row group, so that a file larger than the memory the process may use
    /// is read without holding it.
    /// </summary>
    /// <remarks>
    /// Spread over ranks, a rank holds columns of the file's length (never spilled), of which only the rows of the row
    /// groups it reads are written, in memory taken only there (<see cref="RowSpread.Allocate"/>).
    /// </remarks>
    internal static Dataset Read(string path, IReadOnlyList<string> columns, IReadOnlyCollection<string>? factors,
        MissingValues missing, long spillAbove, IReadOnlyCollection<string>? textFactors = null, long? spread = null) => DataFile.Guard(path, () =>
    {
        CheckEnds(path);
        var wanted = columns.Concat((factors ?? []).Where(f => !columns.Contains(f))).Distinct().ToList();
        var isFactor = wanted.Select((_, c) => c >= columns.Count).ToArray();
        ColumnarTable table;
        DataField[] fields;
        long[] starts;
        RowSpread? own;
        var reader = Open(path);
        try
        {
            fields = wanted.Select(name => FieldOf(path, reader.Schema, name)).ToArray();
            starts = new long[reader.RowGroupCount + 1];
            for (int g = 0; g < reader.RowGroupCount; g++)
                starts[g + 1] = starts[g] + reader.RowGroups[g].RowCount;
            // Spread only where every value read is a number that the dataset takes as it is (the ranks have agreed on
            // the file, footer and schema included, first); into memory taken only for the rows read.
            own = spread is { } unit && missing == MissingValues.Error && !isFactor.Any(f => f) ? RowSpread.Over(starts[^1], path, unit) : null;
            if (fields.Any(IsText))
                own = null;
            table = new ColumnarTable(path, wanted, fields.Select(IsText).ToArray(), starts[^1], spillAbove, own is null ? null : own.Allocate);
        }
        finally
        {
            Close(reader);
        }
        ReadGroups(path, fields, starts, table, own);
        return table.ToDataset(isFactor, missing, [.. wanted.Select((name, c) => isFactor[c] && textFactors?.Contains(name) == true)], own);
    });

    /// <summary>
    /// The row groups read in parallel by one worker per core, each through its own reader, worker w reading groups
    /// w, w + W, …; a group that cannot be read is reported as the first such group in the file, whichever worker met it
    /// first. (A worker per task of a plain parallel loop opened a reader, which parses the whole footer, each time the
    /// loop started a task: with 20,000 row groups of text a trial's 57 MB file took 383 s and 23 GB.)
    /// </summary>
    /// <remarks>Spread over ranks (<paramref name="spread"/>), only the groups that hold some of this rank's rows.</remarks>
    private static void ReadGroups(string path, DataField[] fields, long[] starts, ColumnarTable table, RowSpread? spread)
    {
        int groups = starts.Length - 1;
        var read = Enumerable.Range(0, groups).Where(g => spread is null || (starts[g + 1] > spread.First && starts[g] < spread.End)).ToArray();
        var failures = new (string? Column, Exception Error)?[groups];
        int workers = Math.Max(1, Math.Min(Environment.ProcessorCount, read.Length));
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            Worker? worker = null;
            try
            {
                for (int i = w; i < read.Length; i += workers)
                {
                    int g = read[i];
                    int c = -1;
                    try
                    {
                        worker ??= new Worker(path);
                        var group = worker.Reader.OpenRowGroupReader(g);
                        for (c = 0; c < fields.Length; c++)
                            ReadColumn(worker, group, fields[c], table, c, starts[g], (int)(starts[g + 1] - starts[g]));
                    }
                    catch (Exception e)
                    {
                        // This worker's later groups cannot be the first failure in the file: it stops.
                        failures[g] = (c >= 0 ? fields[c].Name : null, e);
                        break;
                    }
                }
            }
            finally
            {
                worker?.Dispose();
            }
        });
        for (int g = 0; g < groups; g++)
        {
            if (failures[g] is not var (column, error))
                continue;
            // The file system's errors, a file cut short among them, are the guard's to word; running out of memory is
            // no fault of the file's.
            if (error is InputException or IOException or OutOfMemoryException)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
            throw new InputException($"{path}: row group {g + 1} of {groups}{(column is null ? "" : $", column '{column}'")}: the data cannot be read ({Describe(error)})");
        }
    }

    /// <summary>What one worker reads through: Parquet.Net's reader, and the file's handle for plain doubles.</summary>
    private sealed class Worker(string path) : IDisposable
    {
        public ParquetReader Reader { get; } = Open(path);

        public Microsoft.Win32.SafeHandles.SafeFileHandle File { get; } = System.IO.File.OpenHandle(path, options: FileOptions.RandomAccess);

        /// <summary>The buffers pages are decoded through, kept from one chunk to the next.</summary>
        public ParquetPlainDoubles.Buffers Buffers { get; } = new();

        public void Dispose()
        {
            Close(Reader);
            File.Dispose();
        }
    }

    /// <summary>One column of one row group into its slice of the table, nulls noted.</summary>
    private static void ReadColumn(Worker worker, ParquetRowGroupReader group, DataField field, ColumnarTable table, int column, long start, int rows)
    {
        if (table.Texts[column] is { } texts)
        {
            Wait(group.ReadAsync(field, texts.AsMemory((int)start, rows)));
            for (int r = 0; r < rows; r++)
            {
                if (texts[start + r] is null)
                {
                    table.NoteNull(column, start + r);
                    break;
                }
            }
            return;
        }
        var type = field.ClrType;
        if (type == typeof(double))
            ReadDoubles(worker, group, field, table, column, start, rows);
        else if (type == typeof(float))
            ReadConverted<float>(group, field, table, column, start, rows);
        else if (type == typeof(Half))
            ReadConverted<Half>(group, field, table, column, start, rows);
        else if (type == typeof(sbyte))
            ReadConverted<sbyte>(group, field, table, column, start, rows);
        else if (type == typeof(byte))
            ReadConverted<byte>(group, field, table, column, start, rows);
        else if (type == typeof(short))
            ReadConverted<short>(group, field, table, column, start, rows);
        else if (type == typeof(ushort))
            ReadConverted<ushort>(group, field, table, column, start, rows);
        else if (type == typeof(int))
            ReadConverted<int>(group, field, table, column, start, rows);
        else if (type == typeof(uint))
            ReadConverted<uint>(group, field, table, column, start, rows);
        else if (type == typeof(long))
            ReadConverted<long>(group, field, table, column, start, rows);
        else if (type == typeof(ulong))
            ReadConverted<ulong>(group, field, table, column, start, rows);
        else if (type == typeof(decimal))
            ReadConverted<decimal>(group, field, table, column, start, rows);
        else
            ReadBooleans(group, field, table, column, start, rows);
    }

    /// <summary>
    /// Doubles straight into the table: through <see cref="ParquetPlainDoubles"/> where the layout allows, else through
    /// Parquet.Net, a column without nulls as it lies; with nulls, the values present first, then
    /// spread backwards to their rows (a value only ever moves to a later place, so nothing is overwritten unread).
    /// </summary>
    private static void ReadDoubles(Worker worker, ParquetRowGroupReader group, DataField field, ColumnarTable table, int column, long start, int rows)
    {
        var output = table.Numbers[column]!.Value.Slice((int)start, rows);
        var chunk = group.RowGroup.Columns.FirstOrDefault(c => c.MetaData?.PathInSchema is [var name] && name == field.Name);
        if (chunk is not null && field.MaxRepetitionLevel == 0
            && ParquetPlainDoubles.TryRead(worker.File, chunk, field.MaxDefinitionLevel, output.Span, worker.Buffers, out int firstNull))
        {
            if (firstNull >= 0)
                table.NoteNull(column, start + firstNull);
            return;
        }
        if (field.MaxDefinitionLevel == 0)
        {
            Wait(group.ReadAsync<double>(field, output));
            return;
        }
        var levels = ArrayPool<int>.Shared.Rent(rows);
        try
        {
            Wait(group.ReadRawAsync<double>(field, output, levels.AsMemory(0, rows), null));
            var values = output.Span;
            int present = levels.AsSpan(0, rows).Count(field.MaxDefinitionLevel);
            for (int r = rows - 1, v = present - 1; r >= 0; r--)
            {
                if (levels[r] == field.MaxDefinitionLevel)
                    values[r] = values[v--];
                else
                    values[r] = double.NaN;
            }
            NoteNulls(levels, rows, field.MaxDefinitionLevel, table, column, start);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(levels);
        }
    }

    /// <summary>Another numeric type, read into a pooled buffer and converted to doubles; NaN where null.</summary>
    private static void ReadConverted<T>(ParquetRowGroupReader group, DataField field, ColumnarTable table, int column, long start, int rows)
        where T : struct, INumberBase<T>
    {
        var output = table.Numbers[column]!.Value.Span.Slice((int)start, rows);
        var buffer = ArrayPool<T>.Shared.Rent(rows);
        try
        {
            if (field.MaxDefinitionLevel == 0)
            {
                Wait(group.ReadAsync<T>(field, buffer.AsMemory(0, rows)));
                for (int r = 0; r < rows; r++)
                    output[r] = double.CreateTruncating(buffer[r]);
                return;
            }
            var levels = ArrayPool<int>.Shared.Rent(rows);
            try
            {
                Wait(group.ReadRawAsync<T>(field, buffer.AsMemory(0, rows), levels.AsMemory(0, rows), null));
                for (int r = 0, v = 0; r < rows; r++)
                    output[r] = levels[r] == field.MaxDefinitionLevel ? double.CreateTruncating(buffer[v++]) : double.NaN;
                NoteNulls(levels, rows, field.MaxDefinitionLevel, table, column, start);
            }
            finally
            {
                ArrayPool<int>.Shared.Return(levels);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(buffer);
        }
    }

    /// <summary>Booleans as 1 and 0; NaN where null.</summary>
    private static void ReadBooleans(ParquetRowGroupReader group, DataField field, ColumnarTable table, int column, long start, int rows)
    {
        var output = table.Numbers[column]!.Value.Span.Slice((int)start, rows);
        var values = new bool[rows];
        if (field.MaxDefinitionLevel == 0)
        {
            Wait(group.ReadAsync<bool>(field, values.AsMemory()));
            for (int r = 0; r < rows; r++)
                output[r] = values[r] ? 1 : 0;
            return;
        }
        var levels = new int[rows];
        Wait(group.ReadRawAsync<bool>(field, values.AsMemory(), levels.AsMemory(), null));
        for (int r = 0, v = 0; r < rows; r++)
            output[r] = levels[r] == field.MaxDefinitionLevel ? (values[v++] ? 1 : 0) : double.NaN;
        NoteNulls(levels, rows, field.MaxDefinitionLevel, table, column, start);
    }

    private static void NoteNulls(int[] levels, int rows, int present, ColumnarTable table, int column, long start)
    {
        int first = levels.AsSpan(0, rows).IndexOfAnyExcept(present);
        if (first >= 0)
            table.NoteNull(column, start + first);
    }

    /// <summary>The column <paramref name="name"/>: a top-level column of numbers or text, else an error that says what it is.</summary>
    private static DataField FieldOf(string path, ParquetSchema schema, string name)
    {
        var field = schema.Fields.FirstOrDefault(f => f.Name == name)
            ?? throw new InputException($"{path}: no column '{name}'; columns present: {string.Join(", ", schema.Fields.Select(f => f.Name))}", name);
        DataFile.RequireUnique(path, name, [.. schema.Fields.Select(f => f.Name)]);
        if (field is not DataField data || data.IsArray || data.MaxRepetitionLevel > 0)
            throw new InputException($"{path}: column '{name}' is a nested column ({field.SchemaType.ToString().ToLowerInvariant()}), which is not read; columns of numbers or text are");
        if (!IsText(data) && !Numeric.Contains(data.ClrType))
            throw new InputException($"{path}: column '{name}' has type {TypeName(data)}, which is not read; columns of numbers (float, double, integers, bool, decimal) or text are");
        return data;
    }

    private static readonly Type[] Numeric =
    [
        typeof(double), typeof(float), typeof(Half), typeof(sbyte), typeof(byte), typeof(short), typeof(ushort),
        typeof(int), typeof(uint), typeof(long), typeof(ulong), typeof(decimal), typeof(bool),
    ];

    private static bool IsText(DataField field) => field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>);

    private static string TypeName(DataField field) => field switch
    {
        DateTimeDataField => "date/time",
        TimeDataField => "time",
        _ when field.ClrType == typeof(byte[]) => "binary",
        _ => field.ClrType.Name,
    };

    /// <summary>
    /// A file that does not begin and end with PAR1 is not a whole Parquet file: said plainly, before the library
    /// reads a footer that is not there.
    /// </summary>
    private static void CheckEnds(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> bytes = stackalloc byte[4];
        int read = stream.ReadAtLeast(bytes, 4, throwOnEndOfStream: false);
        if (read < 4 || !bytes.SequenceEqual(Magic))
        {
            // Text under a .parquet name (a CSV saved with the wrong extension, say): said so.
            bool text = read > 0 && bytes[..read].IndexOfAnyExcept(TextBytes) < 0;
            throw new InputException($"{path}: not a Parquet file (it does not begin with PAR1{(text ? "; it begins with text: a CSV file under a .parquet name? rename it .csv" : "")})");
        }
        stream.Position = Math.Max(4, stream.Length - 4);
        if (stream.Length < 12 || stream.ReadAtLeast(bytes, 4, throwOnEndOfStream: false) < 4 || !bytes.SequenceEqual(Magic))
            throw new InputException($"{path}: the file ends early: a Parquet file ends with its footer and PAR1, and this one does not (cut short?)");
        // The footer's length, in the 4 bytes before the last PAR1, must fit between the two (a damaged one was read as
        // 2 GB and reported as out of memory).
        stream.Position = stream.Length - 8;
        stream.ReadExactly(bytes);
        int footer = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes);
        if (footer <= 0 || footer > stream.Length - 12)
            throw new InputException($"{path}: the file cannot be read as Parquet: its footer's length ({footer:N0} bytes) does not fit in the file ({stream.Length:N0} bytes): the footer is damaged, or the file is not Parquet");
    }

    /// <summary>A reader over the file's footer; the library's errors on a damaged footer become an input error naming the file.</summary>
    private static ParquetReader Open(string path)
    {
        try
        {
            return ParquetReader.CreateAsync(path).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not IOException and not OutOfMemoryException)
        {
            throw new InputException($"{path}: the file cannot be read as Parquet: its footer (the schema and row groups) is damaged or not Parquet's ({Describe(e)})");
        }
    }

    private static void Close(ParquetReader reader) => reader.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static string Describe(Exception e) => DataFile.LibraryReason("Parquet", e);

    // Printable ASCII, tab, CR, LF: how a text file begins.
    private static readonly System.Buffers.SearchValues<byte> TextBytes =
        System.Buffers.SearchValues.Create([.. Enumerable.Range(32, 95).Select(b => (byte)b), (byte)'\t', (byte)'\r', (byte)'\n']);

    private static void Wait(ValueTask task) => task.AsTask().GetAwaiter().GetResult();
}
