using System.Diagnostics;
using System.Globalization;
using System.Text;
using GpuEstimation.Data;

namespace GpuEstimation.Bench;

/// <summary>
/// Issue 16's CSV memory check: one column of <c>rows</c> doubles (written once to the temporary folder with 17
/// significant digits) read through <see cref="CsvData.Read"/>, and the process's peak working set before and after,
/// against the 8 bytes per value the doubles take. Run it in a process of its own: the peak is the process's.
/// </summary>
public static class CsvMemory
{
    /// <summary>Writes the file where absent, reads it once and prints the peak working set.</summary>
    public static void Run(int rows)
    {
        var path = Path.Combine(Path.GetTempPath(), $"gpuest-csvmemory-{rows}.csv");
        if (!File.Exists(path))
        {
            var random = new Random(16);
            using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
            writer.Write("x\n");
            for (int i = 0; i < rows; i++)
            {
                writer.Write((random.NextDouble() * 10 - 5).ToString("R", CultureInfo.InvariantCulture));
                writer.Write('\n');
            }
        }
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        long before = process.PeakWorkingSet64;
        var watch = Stopwatch.StartNew();
        var data = CsvData.Read(path, ["x"]);
        double seconds = watch.Elapsed.TotalSeconds;
        process.Refresh();
        long peak = process.PeakWorkingSet64;
        double doubles = 8.0 * data.Rows;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{data.Rows} rows, {new FileInfo(path).Length / 1e6:F0} MB of text, {doubles / 1e6:F0} MB of doubles: read in {seconds:F2} s; " +
            $"peak working set {peak / 1e6:F0} MB ({before / 1e6:F0} MB before reading): {(peak - before) / doubles:F2}x the doubles above the start, {peak / doubles:F2}x in all"));
    }
}
