namespace GpuEstimation.Data;

/// <summary>The one entry for data files: NumPy <c>.npy</c> arrays by their extension, CSV with a header row otherwise.</summary>
public static class DataFile
{
    /// <summary>Reads <paramref name="columns"/> from <paramref name="path"/> (for .npy, column indices as text).</summary>
    public static Dataset Read(string path, IReadOnlyList<string> columns) =>
        Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase)
            ? NpyData.Read(path, columns)
            : CsvData.Read(path, columns);
}
