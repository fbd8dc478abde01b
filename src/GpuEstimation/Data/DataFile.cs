namespace GpuEstimation.Data;

/// <summary>The one entry for data files: NumPy <c>.npy</c> arrays by their extension, CSV with a header row otherwise.</summary>
public static class DataFile
{
    /// <summary>Reads <paramref name="columns"/> from <paramref name="path"/> (for .npy, column indices as text).</summary>
    public static Dataset Read(string path, IReadOnlyList<string> columns) =>
        Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase)
            ? NpyData.Read(path, columns)
            : CsvData.Read(path, columns);

    /// <summary>
    /// What every reader shares: a missing file named as such, and the file system's and the format's errors turned
    /// into input errors that name the file.
    /// </summary>
    internal static Dataset Guard(string path, Func<Dataset> read)
    {
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
}
