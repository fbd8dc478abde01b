using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Models;
using GpuEstimation.Surfaces;

namespace GpuEstimation.Bench;

/// <summary>
/// A 64×64 (mu, sigma) Normal surface over 10⁶ points: one sweep against 4096 single evaluations through the fit
/// engine (the baseline), on each backend present.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class SweepBenchmarks
{
    private IModelSpec _spec = null!;
    private EstimationSession _session = null!;
    private ComputeDevice? _device;
    private double[][] _points = [];

    [ParamsSource(nameof(Backends))]
    public Backend Backend { get; set; }

    public static IEnumerable<Backend> Backends() => ComputeDevice.List().Where(d => d.Usable && d.Backend != Backend.Cpu).Select(d => d.Backend).Distinct();

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        var x = Array.ConvertAll(new double[1_000_000], _ => 3 + 2 * (random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5));
        _spec = ModelCatalog.Normal(Dataset.FromColumns(("x", x)), "x");
        _device = ComputeDevice.Open(Backend);
        _session = new EstimationSession(_spec, _device);
        _points = Enumerable.Range(0, 64 * 64).Select(i => new[] { 2.9 + 0.2 * (i / 64) / 63, 1.9 + 0.2 * (i % 64) / 63 }).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.Dispose();
        _device?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "4096 single evaluations")]
    public double OneByOne()
    {
        double sum = 0;
        foreach (var point in _points)
            sum += _session.Evaluate(point).LogLikelihood;
        return sum;
    }

    [Benchmark(Description = "one 64x64 sweep")]
    public double Sweep() => Sweeper.Sweep(_session, new SweepOptions
    {
        Axes = [new GridAxis("mu", 2.9, 3.1, 64), new GridAxis("sigma", 1.9, 2.1, 64)],
    }).LogLikelihood.Sum();
}
