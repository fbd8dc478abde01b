namespace GpuEstimation.Data;

/// <summary>
/// The one entry for data files: NumPy <c>.npy</c> arrays, known by their magic bytes whatever their extension (or by
/// the extension <c>.npy</c>), and CSV with a header row otherwise.
/// </summary>
public static class DataFile
{
    /// <summary>
    /// Reads <paramref name="columns"/> as numbers and <paramref name="factors"/> as a factor's levels (text or numeric
    /// codes in CSV; numbers in .npy) from <paramref name="path"/> (for .npy, column indices as text).
    /// </summary>
    public static Dataset Read(string path, IReadOnlyList<string> columns, IReadOnlyCollection<string>? factors = null) =>
        Guard(path, () => IsNpy(path))
            ? NpyData.Read(path, [.. columns.Concat(factors ?? []).Distinct()])
            : CsvData.Read(path, columns, factors);

    /// <summary>The names of the columns in <paramref name="path"/>: the CSV header's, or a .npy array's indices as text.</summary>
    public static IReadOnlyList<string> ColumnNames(string path) =>
        Guard(path, () => IsNpy(path)) ? NpyData.ColumnNames(path) : CsvData.ColumnNames(path);

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
    /// Whether <paramref name="path"/> is to be read as .npy: by its extension (the reader then says if it is not one)
    /// or by its magic bytes, since an array renamed to another extension is still an array, not text.
    /// </summary>
    private static bool IsNpy(string path)
    {
        if (Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase))
            return true;
        Span<byte> start = stackalloc byte[NpyData.Magic.Length];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false) == start.Length && start.SequenceEqual(NpyData.Magic);
    }
}
