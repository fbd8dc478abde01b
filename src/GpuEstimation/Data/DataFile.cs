namespace GpuEstimation.Data;

/// <summary>
/// The one entry for data files: NumPy <c>.npy</c> arrays, Apache Parquet files, Arrow IPC files (Feather v2) and
/// streams, each known by its magic bytes whatever its extension (or by its extension), and CSV with a header row
/// otherwise.
/// </summary>
public static class DataFile
{
    /// <summary>
    /// Reads <paramref name="columns"/> as numbers and <paramref name="factors"/> as a factor's levels (text or numeric
    /// codes) from <paramref name="path"/> (for .npy, column indices as text). With <see cref="MissingValues.Drop"/>,
    /// rows with a missing value in any of these columns are left out and counted (<see cref="Dataset.DroppedRows"/>).
    /// A factor whose cells are all numbers written as text (CSV; a Parquet or Arrow text column) is kept as numbers
    /// unless named in <paramref name="textFactors"/> (a fit's factor with text levels, such as 01 or 2.0: its new cells
    /// are matched as the text they are); a column of numbers (.npy; a numeric Parquet or Arrow column) stays numbers.
    /// With <paramref name="spread"/> (the ranks' unit of rows, <see cref="RowSpread.Over(long, string, long)"/>), under
    /// MPI each rank reads only its own rows where the format allows it, without
    /// factors or rows to drop (<see cref="Dataset.Spread"/>): a .npy file's columns mapped into memory, a Parquet file's
    /// row groups that hold its rows, a plain CSV file's bytes of its rows; elsewhere (an Arrow file, a CSV file with
    /// quotes or blank lines), and for one process, every row is read. Read whole under MPI, the ranks compare the file
    /// they read (<see cref="RowSpread.RequireSameFile"/>; every rank must call it).
    /// </summary>
    public static Dataset Read(string path, IReadOnlyList<string> columns, IReadOnlyCollection<string>? factors = null,
        MissingValues missing = MissingValues.Error, IReadOnlyCollection<string>? textFactors = null, long? spread = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count == 0 && (factors is null || factors.Count == 0))
            throw new InputException($"{path}: no columns asked for: name the columns to read", nameof(columns));
        var data = Guard(path, () => FormatOf(path)) switch
        {
            Format.Npy => NpyData.Read(path, [.. columns.Concat(factors ?? []).Distinct()], missing, factors is null || factors.Count == 0 ? spread : null),
            Format.Parquet => ParquetData.Read(path, columns, factors, missing, textFactors, spread),
            Format.Arrow => ArrowData.Read(path, columns, factors, missing, textFactors),
            _ => CsvData.Read(path, columns, factors, missing, textFactors, spread),
        };
        // A spread read compared the ranks' files before reading; one read whole on every rank is compared now, so that
        // a rank's other copy is named by its file (it was named later by the columns' hash alone, a trial).
        if (data.Spread is null)
            RowSpread.RequireSameFile(path, data.Rows);
        return data;
    }

    /// <summary>
    /// The names of the columns in <paramref name="path"/>: the CSV header's, a Parquet or Arrow schema's, or a .npy
    /// array's indices as text.
    /// </summary>
    public static IReadOnlyList<string> ColumnNames(string path) => Guard(path, () => FormatOf(path)) switch
    {
        Format.Npy => NpyData.ColumnNames(path),
        Format.Parquet => ParquetData.ColumnNames(path),
        Format.Arrow => ArrowData.ColumnNames(path),
        _ => CsvData.ColumnNames(path),
    };

    /// <summary>The name of the data's one column, where the file has exactly one (a 1-D .npy array); else null.</summary>
    public static string? OnlyColumn(string path) => ColumnNames(path) is [var only] ? only : null;

    /// <summary>
    /// A column read by name must be named once: a file whose columns name <paramref name="name"/> twice is an error (as
    /// a CSV header naming a column twice is; a Parquet or Arrow file with two 'x' columns was read by its first).
    /// </summary>
    internal static void RequireUnique(string path, string name, IReadOnlyList<string> names)
    {
        var at = Enumerable.Range(0, names.Count).Where(i => names[i] == name).Take(2).ToArray();
        if (at.Length > 1)
            throw new InputException($"{path}: the file names column '{name}' twice (columns {at[0] + 1} and {at[1] + 1}); column names must be unique", name);
    }

    /// <summary>
    /// What a columnar library said of a damaged file, for its input error: its own words where they describe the data
    /// (an unknown type, a bad block, a value it cannot convert), and "its metadata is inconsistent" where it failed on
    /// what it read without saying what (a null reference, an index or argument out of range: a fuzzing trial printed
    /// "Object reference not set to an instance of an object" for a damaged footer).
    /// </summary>
    internal static string LibraryReason(string library, Exception error) => error is NullReferenceException or IndexOutOfRangeException
        or ArgumentOutOfRangeException
        ? "its metadata is inconsistent"
        : $"the {library} library says: {error.Message.ReplaceLineEndings(" ")}";

    /// <summary>
    /// What every reader shares: a missing file or a directory named as such, and the file system's and the format's
    /// errors turned into input errors that name the file.
    /// </summary>
    internal static T Guard<T>(string path, Func<T> read)
    {
        if (Directory.Exists(path))
            throw new InputException($"{path}: is a directory, not a data file");
        if (!File.Exists(path))
            throw new InputException($"{path}: file not found");
        try
        {
            CheckSeekable(path);
            return read();
        }
        catch (EndOfStreamException)
        {
            throw new InputException($"{path}: the file ends early");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new InputException($"{path}: {e.Message}");
        }
    }

    /// <summary>
    /// A pipe (<c>/dev/stdin</c> fed by one, a shell's <c>&lt;(...)</c>, a named FIFO) cannot be read as the readers read
    /// (headers then rows, footers first, arrays mapped): said so, where it was "the file is empty".
    /// </summary>
    private static void CheckSeekable(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        if (!stream.CanSeek)
            throw new InputException($"{path}: a pipe, not a file: the data must be a file that can be read more than once (save the stream to a file first, e.g. with cat > data.csv)");
    }

    private enum Format
    {
        Csv,
        Npy,
        Parquet,
        Arrow,
    }

    /// <summary>
    /// How <paramref name="path"/> is to be read: by its extension (the reader then says if it is not one) or by its
    /// magic bytes, since an array or a table renamed to another extension is still one, not text. An Arrow stream has
    /// no magic; it begins with a message's continuation marker (0xFFFFFFFF), which text never does.
    /// </summary>
    private static Format FormatOf(string path)
    {
        // Said once for every format (an empty .parquet is not "a file without PAR1", nor an empty .arrow a stream cut short).
        if (new FileInfo(path).Length == 0)
            throw new InputException($"{path}: the file is empty");
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".npy":
                return Format.Npy;
            case ".parquet":
                return Format.Parquet;
            case ".arrow" or ".arrows" or ".feather" or ".ipc":
                return Format.Arrow;
        }
        Span<byte> start = stackalloc byte[8];
        using var stream = File.OpenRead(path);
        start = start[..stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false)];
        if (start.StartsWith(NpyData.Magic))
            return Format.Npy;
        if (start.StartsWith(ParquetData.Magic))
            return Format.Parquet;
        if (start.StartsWith(ArrowData.FileMagic) || start.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFF, 0xFF, 0xFF]))
            return Format.Arrow;
        return Format.Csv;
    }
}
