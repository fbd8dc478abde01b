using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using GpuEstimation.Data;

namespace GpuEstimation.Bench;

/// <summary>Reading 10⁷ rows × 2 columns of a CSV file (the engine-core issue asks for under 3 s on the dev box).</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class CsvReadBenchmarks
{
    private string _path = "";

    [Params(10_000_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), $"gpuest-bench-{Rows}.csv");
        if (File.Exists(_path))
            return;
        var random = new Random(2);
        using var writer = new StreamWriter(_path);
        writer.WriteLine("x,y");
        for (int i = 0; i < Rows; i++)
        {
            double x = 10 * random.NextDouble();
            writer.Write(x.ToString("R", CultureInfo.InvariantCulture));
            writer.Write(',');
            writer.WriteLine((0.5 * x + 0.4 + random.NextDouble()).ToString("R", CultureInfo.InvariantCulture));
        }
    }

    [Benchmark]
    public int ReadTwoColumns() => CsvData.Read(_path, ["x", "y"]).Rows;
}
