using BenchmarkDotNet.Attributes;
using GpuEstimation.Backends;
using GpuEstimation.Engine;
using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Models;

namespace GpuEstimation.Bench;

/// <summary>
/// Normal log-likelihood + gradient, data already on the device, on each backend present, against a plain
/// single-threaded C# loop over the same array (the baseline).
/// </summary>
[MemoryDiagnoser(false)]
public class ValueAndGradientBenchmarks
{
    private readonly double[] _gradient = new double[2];
    private double[] _x = [];
    private ComputeDevice? _device;
    private LikelihoodEngine<NormalModel>? _engine;

    [Params(1_000_000, 10_000_000)]
    public int N { get; set; }

    [ParamsSource(nameof(Backends))]
    public Backend Backend { get; set; }

    public static IEnumerable<Backend> Backends() =>
        ComputeDevice.List().Where(d => d.Usable).Select(d => d.Backend).Distinct();

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _x = new double[N];
        for (int i = 0; i < N; i++)
            _x[i] = 3 + 2 * (random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5);
        _device = ComputeDevice.Open(Backend);
        _engine = new LikelihoodEngine<NormalModel>(_device, new NormalModel(), [_x]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _engine?.Dispose();
        _device?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "plain C# loop")]
    public double PlainLoop()
    {
        const double mu = 3.1, sigma = 1.9;
        double inverse = 1 / sigma, constant = -Math.Log(sigma) - KernelConstants.HalfLogTwoPi;
        double value = 0, dMu = 0, dSigma = 0;
        foreach (var v in _x)
        {
            double z = (v - mu) * inverse;
            value += constant - 0.5 * z * z;
            dMu += z * inverse;
            dSigma += (z * z - 1) * inverse;
        }
        _gradient[0] = dMu;
        _gradient[1] = dSigma;
        return value;
    }

    [Benchmark(Description = "engine value+gradient")]
    public double Engine() => _engine!.Evaluate([3.1, 1.9], _gradient);
}
