using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using GpuEstimation.Data;
using Parquet;
using Parquet.Schema;

namespace GpuEstimation.Bench;

/// <summary>
/// Issue 16's read-rate check: one column of doubles (10⁸ by default, 800 MB) read through <see cref="DataFile.Read"/>
/// as a .npy array and as Parquet in 10 row groups, uncompressed and Snappy-compressed; Parquet is to read at least as
/// fast as .npy per byte of doubles. The files are written once to the temporary folder. The formats are read in turn,
/// round after round, and each one's median is reported: on a shared machine whose page cache other work evicts, one
/// format timed after another would measure the cache, not the reader.
/// </summary>
public static class ReadRate
{
    private const int RowGroups = 10;

    /// <summary>Writes the files where absent, times <paramref name="rounds"/> rounds and prints the medians.</summary>
    public static void Run(int rows, int rounds)
    {
        var folder = Path.GetTempPath();
        var files = new (string Name, string Path, string Column)[]
        {
            (".npy", Path.Combine(folder, $"gpuest-readrate-{rows}.npy"), "0"),
            ("Parquet, uncompressed", Path.Combine(folder, $"gpuest-readrate-{rows}.parquet"), "x"),
            ("Parquet, Snappy", Path.Combine(folder, $"gpuest-readrate-{rows}-snappy.parquet"), "x"),
        };
        if (files.Any(f => !File.Exists(f.Path)))
        {
            var random = new Random(16);
            var x = new double[rows];
            for (int i = 0; i < x.Length; i++)
                x[i] = random.NextDouble() * 10 - 5;
            WriteNpy(files[0].Path, x);
            WriteParquet(files[1].Path, x, CompressionMethod.None);
            WriteParquet(files[2].Path, x, CompressionMethod.Snappy);
        }
        var times = files.Select(_ => new List<double>()).ToArray();
        for (int round = 0; round <= rounds; round++)
        {
            for (int f = 0; f < files.Length; f++)
            {
                GC.Collect();
                var watch = Stopwatch.StartNew();
                int read = DataFile.Read(files[f].Path, [files[f].Column]).Rows;
                watch.Stop();
                if (read != rows)
                    throw new InvalidOperationException($"{files[f].Path}: {read} rows, not {rows}");
                // Round 0 warms the code and the page cache.
                if (round > 0)
                    times[f].Add(watch.Elapsed.TotalMilliseconds);
            }
        }
        double megabytes = rows * 8.0 / 1e6;
        double npy = Median(times[0]);
        Console.WriteLine($"{rows:N0} doubles ({megabytes:N0} MB), {rounds} rounds, medians (each round's times in brackets):");
        for (int f = 0; f < files.Length; f++)
        {
            double ms = Median(times[f]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {files[f].Name,-22} {ms,8:F0} ms  {megabytes / ms * 1000,6:F0} MB/s  time ÷ .npy's {ms / npy,5:F2}  [{string.Join(", ", times[f].Select(t => t.ToString("F0", CultureInfo.InvariantCulture)))}]"));
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static void WriteNpy(string path, double[] x)
    {
        // Magic, version 1.0, header length, header padded with spaces to a multiple of 64 bytes in all.
        var header = $"{{'descr': '<f8', 'fortran_order': False, 'shape': ({x.Length},), }}";
        header = header.PadRight(128 - 10 - 1) + "\n";
        using var stream = File.Create(path);
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0]);
        stream.Write(Encoding.ASCII.GetBytes(header));
        for (int first = 0; first < x.Length; first += 1 << 24)
            stream.Write(MemoryMarshal.AsBytes(x.AsSpan(first, Math.Min(1 << 24, x.Length - first))));
    }

    private static void WriteParquet(string path, double[] x, CompressionMethod compression)
    {
        var field = new DataField<double>("x");
        using var stream = File.Create(path);
        var writer = ParquetWriter.CreateAsync(new ParquetSchema(field), stream, new ParquetOptions { CompressionMethod = compression }).GetAwaiter().GetResult();
        int part = x.Length / RowGroups;
        for (int g = 0; g < RowGroups; g++)
        {
            using var group = writer.CreateRowGroup();
            int count = g == RowGroups - 1 ? x.Length - g * part : part;
            group.WriteAsync<double>(field, x.AsMemory(g * part, count)).GetAwaiter().GetResult();
        }
        writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
