using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace GpuEstimation.Data;

/// <summary>
/// Reads columns of a NumPy <c>.npy</c> file (format versions 1-3): a 1-D array is one column, a 2-D array of n rows
/// and k columns is k columns, named by their index <c>0</c> … <c>k−1</c>. Float, integer and bool element types in
/// either byte order and either memory order are read as doubles. Big data is better kept this way than as text:
/// 10⁸ doubles are 800 MB read at disk speed, not 2 GB of digits to parse. Columns of native doubles that lie whole in
/// the file (a 1-D array, or any column of a Fortran-order one) are not read at all but mapped into memory
/// (<see cref="MappedColumns"/>), so a file larger than the machine's memory is fitted without being loaded.
/// </summary>
public static partial class NpyData
{
    /// <summary>The six bytes every .npy file begins with.</summary>
    internal static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>The array's column indices as text ("0", "1", ...), the names <see cref="Read"/> takes.</summary>
    public static IReadOnlyList<string> ColumnNames(string path) => DataFile.Guard(path, () =>
    {
        using var stream = File.OpenRead(path);
        var header = ReadHeader(stream, path);
        return Enumerable.Range(0, (int)Math.Min(header.Columns, int.MaxValue)).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    });

    /// <summary>
    /// Reads <paramref name="columns"/> (each a column index as text) from <paramref name="path"/>. Errors name the file,
    /// and where it applies the row by its index (counted from 0, as NumPy counts) and the column. An array has no
    /// nulls: NumPy marks a missing value NaN, so with <see cref="MissingValues.Drop"/> a row with a NaN in any column
    /// read is left out (and otherwise a NaN is an error, as any value that is not finite is).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="columns">The columns' indices, as text.</param>
    /// <param name="missing">Whether a row with a NaN is an error or left out.</param>
    /// <param name="spread">
    /// Under MPI, each rank to read only its own rows (<see cref="Dataset.Spread"/>; in runs of this unit of rows) where a missing value is an error:
    /// mapped columns are read only there; columns read into arrays (another element type, C order of several columns)
    /// are read whole, and only the rank's own rows used.
    /// </param>
    public static Dataset Read(string path, IReadOnlyList<string> columns, MissingValues missing = MissingValues.Error, long? spread = null)
    {
        return DataFile.Guard(path, () =>
        {
            using var stream = File.OpenRead(path);
            var header = ReadHeader(stream, path);
            if (header.Rows == 0 || header.Columns == 0)
                throw new InputException($"{path}: the array has no {(header.Rows == 0 ? "rows" : "columns")}");
            var indices = columns.Select(name => ColumnIndex(path, name, header.Columns)).ToArray();
            long available = (stream.Length - header.DataOffset) / header.ItemSize;
            // Compared by division: rows × columns of a corrupt header can overflow a long.
            if (available / header.Rows < header.Columns)
                throw new InputException($"{path}: the file ends early: its header promises {header.Rows} × {header.Columns} values of type '{header.Descr}', the file holds {available}");
            if (header.Rows > Array.MaxLength)
                throw new InputException($"{path}: {header.Rows} rows are more than one column can hold ({Array.MaxLength})");

            // Spread over ranks, every rank agrees on the file first; columns that cannot be mapped are read whole into
            // arrays, of which the rank then uses only its own rows.
            var own = spread is { } unit && missing == MissingValues.Error ? RowSpread.Over(header.Rows, path, unit) : null;
            if (Mapped(path, header, indices, missing) is { } mapped)
                return new Dataset(columns.Select((name, c) => KeyValuePair.Create(name, mapped[c])), path, index => $"row index {index}", spread: own);
            var data = ReadColumns(stream, header, indices).Select(c => (Memory<double>?)c).ToArray();
            var rowOf = new LineMap();
            int[] dropped = missing == MissingValues.Drop ? MissingRows.Drop(data.Length == 0 ? 0 : data[0]!.Value.Length, data, new string?[data.Length][], rowOf) : [];
            if (missing == MissingValues.Error)
                rowOf.Add(0, 0);
            if (data.Length > 0 && data[0]!.Value.Length == 0)
                throw new InputException($"{path}: no data rows left: each of the {dropped.Length} rows has a missing value (NaN)");
            return new Dataset(columns.Select((name, c) => KeyValuePair.Create(name, (ReadOnlyMemory<double>)data[c]!.Value)), path, index => $"row index {rowOf.LineOf(index)}", spread: own)
            {
                Dropped = dropped,
            };
        });
    }

    /// <summary>
    /// The columns at <paramref name="indices"/> read where they lie in the file mapped into memory, where they are
    /// native doubles, each contiguous (a 1-D array, one column, or Fortran order; aligned to 8 bytes or not, as NumPy's
    /// headers pad them to 64 but another writer may not), and (read with
    /// <see cref="MissingValues.Drop"/>) without a NaN to drop, and the system maps them; otherwise null, and they are
    /// read into arrays.
    /// </summary>
    private static ReadOnlyMemory<double>[]? Mapped(string path, Header header, int[] indices, MissingValues missing)
    {
        if (indices.Length == 0 || !header.NativeDoubles || !header.ContiguousColumns)
            return null;
        // The range from the first column read to the end of the last, not the whole file.
        long columnBytes = header.Rows * sizeof(double);
        int first = indices.Min(), last = indices.Max();
        if (MappedColumns.Map(path, header.DataOffset + first * columnBytes, (last - first + 1) * columnBytes) is not { } file)
            return null;
        var columns = indices.Select(c => (ReadOnlyMemory<double>)file.Column((c - first) * columnBytes, (int)header.Rows)).ToArray();
        return missing == MissingValues.Drop && columns.Any(c => c.Span.Contains(double.NaN)) ? null : columns;
    }

    /// <summary>The columns at <paramref name="indices"/>, each as doubles.</summary>
    private static double[][] ReadColumns(Stream stream, Header header, int[] indices)
    {
        int rows = (int)header.Rows;
        var data = indices.Select(_ => new double[rows]).ToArray();
        if (header.ContiguousColumns)
        {
            // Each column is contiguous.
            for (int c = 0; c < indices.Length; c++)
            {
                stream.Position = header.DataOffset + indices[c] * header.Rows * header.ItemSize;
                if (header.NativeDoubles)
                    ReadDoubles(stream, data[c]);
                else
                    ReadRows(stream, header, rows, 1, [0], [data[c]]);
            }
        }
        else if (header.Columns * header.ItemSize > BlockBytes)
        {
            ReadScattered(stream, header, rows, indices, data);
        }
        else
        {
            stream.Position = header.DataOffset;
            ReadRows(stream, header, rows, header.Columns, indices, data);
        }
        return data;
    }

    /// <summary>
    /// Native doubles straight into <paramref name="values"/>, a part at a time: a span of more than 2³¹ bytes cannot
    /// be formed, and a column may hold more.
    /// </summary>
    private static void ReadDoubles(Stream stream, double[] values)
    {
        const int part = 1 << 27;
        for (int first = 0; first < values.Length; first += part)
            stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan(first, Math.Min(part, values.Length - first))));
    }

    /// <summary>What the header says: element type, memory order, shape (as rows × columns), where the data begins.</summary>
    private sealed record Header(string Descr, char Kind, int ItemSize, bool LittleEndian, bool FortranOrder, long Rows, long Columns, long DataOffset)
    {
        /// <summary>Whether the elements are this machine's doubles, to be taken as they lie.</summary>
        public bool NativeDoubles => Kind == 'f' && ItemSize == 8 && LittleEndian == BitConverter.IsLittleEndian;

        /// <summary>Whether each column lies whole in the file (a 1-D array, one column, or Fortran order).</summary>
        public bool ContiguousColumns => FortranOrder || Columns == 1;
    }

    private static Header ReadHeader(Stream stream, string path)
    {
        Span<byte> prefix = stackalloc byte[12];
        int read = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (read < 10 || !prefix[..Magic.Length].SequenceEqual(Magic))
            throw new InputException($"{path}: not a NumPy .npy file (it does not begin with \\x93NUMPY)");
        int major = prefix[6];
        if (major is < 1 or > 3)
            throw new InputException($"{path}: .npy format version {major}.{prefix[7]} is not one this reader knows (1, 2 or 3)");
        int lengthBytes = major == 1 ? 2 : 4;
        if (read < 8 + lengthBytes)
            throw new InputException($"{path}: the file ends inside the .npy header");
        long length = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
        long offset = 8 + lengthBytes;
        if (length > 1 << 24 || offset + length > stream.Length)
            throw new InputException($"{path}: the .npy header's length ({length} bytes) runs past the end of the file");
        var bytes = new byte[length];
        stream.Position = offset;
        stream.ReadExactly(bytes);
        var text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes);

        var descr = DescrPattern().Match(text);
        var order = OrderPattern().Match(text);
        var shape = ShapePattern().Match(text);
        if (StructuredPattern().IsMatch(text))
            throw new InputException($"{path}: the array has a structured dtype (named fields), which is not supported; plain 1-D or 2-D arrays of float, integer or bool are read (numpy.lib.recfunctions.structured_to_unstructured makes one)");
        if (!descr.Success || !order.Success || !shape.Success)
            throw new InputException($"{path}: the .npy header lacks 'descr', 'fortran_order' or 'shape': {text.Trim()}");

        var type = TypePattern().Match(descr.Groups[1].Value);
        if (!type.Success)
            throw new InputException($"{path}: element type '{descr.Groups[1].Value}' is not numeric; float, integer and bool arrays are read");
        char kind = type.Groups[2].Value[0];
        int size = int.Parse(type.Groups[3].Value, CultureInfo.InvariantCulture);
        bool known = kind switch { 'f' => size is 4 or 8, 'i' or 'u' => size is 1 or 2 or 4 or 8, _ => size == 1 };
        if (!known)
            throw new InputException($"{path}: element type '{descr.Groups[1].Value}' is not one that is read (float32/64, integers up to 64 bits, bool)");
        bool little = type.Groups[1].Value switch { ">" => false, "<" => true, _ => BitConverter.IsLittleEndian };

        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(d => long.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v : -1).ToArray();
        if (dims.Length is < 1 or > 2 || dims.Any(d => d < 0))
            throw new InputException($"{path}: array shape ({shape.Groups[1].Value}) is not a column or a table; 1-D and 2-D arrays are read");
        return new Header(descr.Groups[1].Value, kind, size, little, order.Groups[1].Value == "True",
            dims[0], dims.Length == 2 ? dims[1] : 1, offset + length);
    }

    private static int ColumnIndex(string path, string name, long columns)
    {
        if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < columns)
            return index;
        throw new InputException($"{path}: no column '{name}'; a .npy file's columns are named by their index: " +
            (columns == 1 ? "0" : $"0 to {columns - 1}"), name);
    }

    /// <summary>The size of the blocks of whole rows read at once.</summary>
    private const int BlockBytes = 1 << 22;

    /// <summary>
    /// Rows of <paramref name="rowValues"/> values each (a row-major table, or 1 for a contiguous column), read in blocks
    /// of whole rows; value <c>indices[c]</c> of every row decoded into <c>outputs[c]</c>.
    /// </summary>
    private static void ReadRows(Stream stream, Header header, int rows, long rowValues, int[] indices, double[][] outputs)
    {
        long rowBytes = rowValues * header.ItemSize;
        int blockRows = (int)Math.Clamp(BlockBytes / rowBytes, 1, rows);
        var buffer = new byte[blockRows * rowBytes];
        for (int first = 0; first < rows; first += blockRows)
        {
            int count = Math.Min(blockRows, rows - first);
            var block = buffer.AsSpan(0, (int)(count * rowBytes));
            stream.ReadExactly(block);
            for (int c = 0; c < indices.Length; c++)
            {
                for (int r = 0; r < count; r++)
                    outputs[c][first + r] = Decode(header, block.Slice((int)(r * rowBytes + indices[c] * header.ItemSize), header.ItemSize));
            }
        }
    }

    /// <summary>
    /// A row-major table whose rows are wider than a block: each wanted value is read where it lies, since a whole row
    /// may be larger than any buffer.
    /// </summary>
    private static void ReadScattered(Stream stream, Header header, int rows, int[] indices, double[][] outputs)
    {
        Span<byte> value = stackalloc byte[header.ItemSize];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < indices.Length; c++)
            {
                stream.Position = header.DataOffset + (r * header.Columns + indices[c]) * header.ItemSize;
                stream.ReadExactly(value);
                outputs[c][r] = Decode(header, value);
            }
        }
    }

    private static double Decode(Header header, ReadOnlySpan<byte> bytes)
    {
        bool little = header.LittleEndian;
        return (header.Kind, header.ItemSize) switch
        {
            ('f', 8) => little ? BinaryPrimitives.ReadDoubleLittleEndian(bytes) : BinaryPrimitives.ReadDoubleBigEndian(bytes),
            ('f', 4) => little ? BinaryPrimitives.ReadSingleLittleEndian(bytes) : BinaryPrimitives.ReadSingleBigEndian(bytes),
            ('i', 1) => (sbyte)bytes[0],
            ('i', 2) => little ? BinaryPrimitives.ReadInt16LittleEndian(bytes) : BinaryPrimitives.ReadInt16BigEndian(bytes),
            ('i', 4) => little ? BinaryPrimitives.ReadInt32LittleEndian(bytes) : BinaryPrimitives.ReadInt32BigEndian(bytes),
            ('i', 8) => little ? BinaryPrimitives.ReadInt64LittleEndian(bytes) : BinaryPrimitives.ReadInt64BigEndian(bytes),
            ('u', 1) or ('b', 1) => bytes[0],
            ('u', 2) => little ? BinaryPrimitives.ReadUInt16LittleEndian(bytes) : BinaryPrimitives.ReadUInt16BigEndian(bytes),
            ('u', 4) => little ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt32BigEndian(bytes),
            _ => little ? BinaryPrimitives.ReadUInt64LittleEndian(bytes) : BinaryPrimitives.ReadUInt64BigEndian(bytes),
        };
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'descr'\s*:\s*\[")]
    private static partial Regex StructuredPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex OrderPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();

    [GeneratedRegex(@"^([<>|=]?)([fiub])(\d+)$")]
    private static partial Regex TypePattern();
}
