using System.Numerics;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;

namespace GpuEstimation.Data;

/// <summary>
/// Reads columns of an Apache Arrow IPC file (Feather v2, <c>.arrow</c>, <c>.feather</c>: known by its ARROW1 magic)
/// or an Arrow IPC stream (<c>.arrows</c>) by name, through Apache.Arrow: every numeric type (float, double, integers,
/// bool, decimal) as doubles, and text (plain or dictionary-encoded) as a factor's levels. Record batches are appended
/// in order. Rows are named "row N", counted from 1 in the file. Compressed IPC bodies (LZ4, Zstandard) are not read.
/// </summary>
public static class ArrowData
{
    /// <summary>The six bytes an Arrow IPC file (Feather v2) begins and ends with.</summary>
    internal static ReadOnlySpan<byte> FileMagic => "ARROW1"u8;

    /// <summary>The schema's top-level column names, in the file's order.</summary>
    public static IReadOnlyList<string> ColumnNames(string path) => DataFile.Guard(path, () => Readable(path, () =>
    {
        using var reader = Open(path);
        return reader.Schema.FieldsList.Select(f => f.Name).ToArray();
    }));

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
    public static Dataset Read(string path, IReadOnlyList<string> columns, IReadOnlyCollection<string>? factors = null,
        MissingValues missing = MissingValues.Error, IReadOnlyCollection<string>? textFactors = null) => DataFile.Guard(path, () => Readable(path, () =>
    {
        var wanted = columns.Concat((factors ?? []).Where(f => !columns.Contains(f))).Distinct().ToList();
        var isFactor = wanted.Select((_, c) => c >= columns.Count).ToArray();
        using var reader = Open(path);
        var schema = reader.Schema;
        var indices = wanted.Select(name => IndexOf(path, schema, name)).ToArray();
        var text = indices.Select(i => IsText(schema.GetFieldByIndex(i).DataType)).ToArray();

        // Each batch's wanted columns are converted and the batch let go, so only they are held twice, not the file.
        var chunks = wanted.Select(_ => new List<System.Array>()).ToArray();
        var firstNull = wanted.Select(_ => -1L).ToArray();
        long rows = 0;
        while (reader.ReadNextRecordBatch() is { } batch)
        {
            using (batch)
            {
                for (int c = 0; c < wanted.Count; c++)
                {
                    var array = batch.Column(indices[c]);
                    chunks[c].Add(text[c] ? Texts(array) : Numbers(array));
                    if (firstNull[c] < 0 && array.NullCount > 0)
                        firstNull[c] = rows + Enumerable.Range(0, array.Length).First(array.IsNull);
                }
                rows += batch.Length;
            }
        }
        var table = new ColumnarTable(path, wanted, text, rows);
        for (int c = 0; c < wanted.Count; c++)
        {
            int at = 0;
            foreach (var chunk in chunks[c])
            {
                if (table.Numbers[c] is { } numbers)
                    ((double[])chunk).CopyTo(numbers.Span[at..]);
                else
                    System.Array.Copy(chunk, 0, table.Texts[c]!, at, chunk.Length);
                at += chunk.Length;
            }
            chunks[c].Clear();
            if (firstNull[c] >= 0)
                table.NoteNull(c, firstNull[c]);
        }
        return table.ToDataset(isFactor, missing, [.. wanted.Select((name, c) => isFactor[c] && textFactors?.Contains(name) == true)]);
    }));

    /// <summary>A reader of the file format (ARROW1 at the start) or else of the stream format.</summary>
    private static ArrowStreamReader Open(string path)
    {
        var stream = File.OpenRead(path);
        try
        {
            Span<byte> start = stackalloc byte[FileMagic.Length];
            bool file = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false) == start.Length && start.SequenceEqual(FileMagic);
            if (file)
            {
                stream.Position = Math.Max(0, stream.Length - FileMagic.Length);
                if (stream.Length < 2 * FileMagic.Length || stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false) < start.Length || !start.SequenceEqual(FileMagic))
                    throw new InputException($"{path}: the file ends early: an Arrow IPC file ends with its footer and ARROW1, and this one does not (cut short?)");
            }
            else
            {
                // A stream begins with a message: the continuation marker 0xFFFFFFFF, or (before format 0.15) the
                // message's length, within the file. Anything else (random bytes under a .arrow name) is no stream.
                int first = start.Length >= 4 && stream.Length >= 4 ? System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(start) : 0;
                if (first != -1 && !(first > 0 && first <= stream.Length - 4))
                    throw new InputException($"{path}: not an Arrow file: it neither begins with ARROW1 (the IPC file format, Feather v2) nor with a message of the IPC stream format");
                // A stream cut between two messages would read as a shorter stream: a whole one ends with its
                // end-of-stream marker (0xFFFFFFFF then a zero length, or a zero length alone before format 0.15).
                stream.Position = Math.Max(0, stream.Length - 4);
                if (stream.Length < 8 || stream.ReadAtLeast(start[..4], 4, throwOnEndOfStream: false) < 4 || start[..4].ContainsAnyExcept((byte)0))
                    throw new InputException($"{path}: the Arrow IPC stream ends without its end-of-stream marker (cut short?)");
            }
            stream.Position = 0;
            return file ? new ArrowFileReader(stream, leaveOpen: false) : new ArrowStreamReader(stream, leaveOpen: false);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static int IndexOf(string path, Schema schema, string name)
    {
        int index = schema.GetFieldIndex(name);
        if (index < 0)
            throw new InputException($"{path}: no column '{name}'; columns present: {string.Join(", ", schema.FieldsList.Select(f => f.Name))}", name);
        DataFile.RequireUnique(path, name, [.. schema.FieldsList.Select(f => f.Name)]);
        var type = schema.GetFieldByIndex(index).DataType;
        if (!IsText(type) && !IsNumeric(type))
            throw new InputException($"{path}: column '{name}' has type {type.Name}, which is not read; columns of numbers (float, double, integers, bool, decimal) or text are");
        return index;
    }

    private static bool IsNumeric(IArrowType type) => type switch
    {
        DictionaryType dictionary => IsNumeric(dictionary.ValueType),
        _ => type.TypeId is ArrowTypeId.Double or ArrowTypeId.Float or ArrowTypeId.HalfFloat or ArrowTypeId.Int8 or ArrowTypeId.UInt8
            or ArrowTypeId.Int16 or ArrowTypeId.UInt16 or ArrowTypeId.Int32 or ArrowTypeId.UInt32 or ArrowTypeId.Int64
            or ArrowTypeId.UInt64 or ArrowTypeId.Boolean or ArrowTypeId.Decimal128,
    };

    private static bool IsText(IArrowType type) => type switch
    {
        DictionaryType dictionary => IsText(dictionary.ValueType),
        _ => type.TypeId is ArrowTypeId.String or ArrowTypeId.LargeString or ArrowTypeId.StringView,
    };

    /// <summary>A numeric array as doubles, NaN where null; a dictionary's values looked up by index.</summary>
    private static double[] Numbers(IArrowArray array)
    {
        var values = new double[array.Length];
        switch (array)
        {
            case DoubleArray doubles:
                doubles.Values.CopyTo(values);
                break;
            case FloatArray floats:
                Convert(floats.Values, values);
                break;
            case HalfFloatArray halves:
                Convert(halves.Values, values);
                break;
            case Int8Array a:
                Convert(a.Values, values);
                break;
            case UInt8Array a:
                Convert(a.Values, values);
                break;
            case Int16Array a:
                Convert(a.Values, values);
                break;
            case UInt16Array a:
                Convert(a.Values, values);
                break;
            case Int32Array a:
                Convert(a.Values, values);
                break;
            case UInt32Array a:
                Convert(a.Values, values);
                break;
            case Int64Array a:
                Convert(a.Values, values);
                break;
            case UInt64Array a:
                Convert(a.Values, values);
                break;
            case BooleanArray booleans:
                for (int r = 0; r < values.Length; r++)
                    values[r] = booleans.GetValue(r) == true ? 1 : 0;
                break;
            case Decimal128Array decimals:
                for (int r = 0; r < values.Length; r++)
                    values[r] = decimals.GetValue(r) is { } value ? (double)value : double.NaN;
                break;
            case DictionaryArray dictionary:
                var levels = Numbers(dictionary.Dictionary);
                var codes = Numbers(dictionary.Indices);
                for (int r = 0; r < values.Length; r++)
                    values[r] = dictionary.IsNull(r) ? double.NaN : levels[(long)codes[r]];
                break;
            default:
                throw new InvalidDataException($"an array of type {array.Data.DataType.Name} where the schema promises numbers");
        }
        if (array.NullCount > 0)
        {
            for (int r = 0; r < values.Length; r++)
            {
                if (array.IsNull(r))
                    values[r] = double.NaN;
            }
        }
        return values;
    }

    private static void Convert<T>(ReadOnlySpan<T> from, Span<double> into) where T : struct, INumberBase<T>
    {
        for (int r = 0; r < into.Length; r++)
            into[r] = double.CreateTruncating(from[r]);
    }

    /// <summary>
    /// A text array's cells, null where null; a dictionary's levels made once and shared by index. The cells' bounds are
    /// checked against the data first: the Arrow library reads a cell where its offsets say, unchecked, and a damaged
    /// offset ended the process (a trial: an access violation, exit 134).
    /// </summary>
    private static string?[] Texts(IArrowArray array)
    {
        CheckBounds(array);
        var cells = new string?[array.Length];
        switch (array)
        {
            case StringArray strings:
                for (int r = 0; r < cells.Length; r++)
                    cells[r] = strings.IsNull(r) ? null : strings.GetString(r);
                break;
            case LargeStringArray strings:
                for (int r = 0; r < cells.Length; r++)
                    cells[r] = strings.IsNull(r) ? null : strings.GetString(r);
                break;
            case StringViewArray strings:
                for (int r = 0; r < cells.Length; r++)
                    cells[r] = strings.IsNull(r) ? null : strings.GetString(r);
                break;
            case DictionaryArray dictionary:
                var levels = Texts(dictionary.Dictionary);
                var codes = Numbers(dictionary.Indices);
                for (int r = 0; r < cells.Length; r++)
                    cells[r] = dictionary.IsNull(r) ? null : levels[(long)codes[r]];
                break;
            default:
                throw new InvalidDataException($"an array of type {array.Data.DataType.Name} where the schema promises text");
        }
        return cells;
    }

    // Every non-null cell of a text array within its data buffer (its offsets in order, a view's buffer and range real).
    private static void CheckBounds(IArrowArray array)
    {
        bool inside = true;
        switch (array)
        {
            case StringArray strings:
            {
                var offsets = strings.ValueOffsets;
                int length = strings.Values.Length;
                inside = offsets.Length >= strings.Length + 1;
                for (int r = 0; inside && r < strings.Length; r++)
                    inside = strings.IsNull(r) || (offsets[r] >= 0 && offsets[r] <= offsets[r + 1] && offsets[r + 1] <= length);
                break;
            }
            case LargeStringArray strings:
            {
                var offsets = strings.ValueOffsets;
                long length = strings.ValueBuffer.Length;
                inside = offsets.Length >= strings.Length + 1;
                for (int r = 0; inside && r < strings.Length; r++)
                    inside = strings.IsNull(r) || (offsets[r] >= 0 && offsets[r] <= offsets[r + 1] && offsets[r + 1] <= length && offsets[r + 1] - offsets[r] <= int.MaxValue);
                break;
            }
            case StringViewArray strings:
            {
                var views = strings.Views;
                inside = views.Length >= strings.Length;
                for (int r = 0; inside && r < strings.Length; r++)
                {
                    var view = views[r];
                    // Twelve bytes or fewer lie in the view itself; longer ones in a data buffer.
                    inside = strings.IsNull(r) || (view.Length >= 0 && (view.Length <= 12 ||
                        (view.BufferIndex >= 0 && view.BufferIndex < strings.DataBufferCount && view.BufferOffset >= 0 &&
                         (long)view.BufferOffset + view.Length <= strings.DataBuffer(view.BufferIndex).Length)));
                }
                break;
            }
        }
        if (!inside)
            throw new InvalidDataException("a text column's cell bounds point outside its data");
    }

    /// <summary>
    /// Runs <paramref name="read"/>, turning the library's errors on a damaged file into an input error naming it; the
    /// file system's errors are left to <see cref="DataFile.Guard{T}"/>.
    /// </summary>
    private static T Readable<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not (InputException or IOException))
        {
            throw new InputException($"{path}: the file cannot be read as Arrow IPC: it is damaged, or not Arrow's ({DataFile.LibraryReason("Arrow", e)})");
        }
    }
}
