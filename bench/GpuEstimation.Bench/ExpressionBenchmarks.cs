using BenchmarkDotNet.Attributes;
using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Engine;
using GpuEstimation.Expressions;
using GpuEstimation.Kernels;
using GpuEstimation.Models;

namespace GpuEstimation.Bench;

/// <summary>
/// A normal written as an expression (<c>normal_lpdf(x, mu, sigma)</c>, compiled at run time) against the built-in
/// <c>normal</c>, value + gradient with the data on the device, side by side in one run; and the one-off cost of
/// compiling a new expression in a warm process (parse, differentiate, generate, Roslyn, load).
/// </summary>
[Config(typeof(ShortInProcessConfig))]
public class ExpressionBenchmarks
{
    private readonly double[] _gradient = new double[2];
    private ComputeDevice? _device;
    private ILikelihoodEngine? _builtIn;
    private ILikelihoodEngine? _expression;
    private int _compiled;

    [Params(10_000_000)]
    public int N { get; set; }

    [Params(Backend.Native)]
    public Backend Backend { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        var x = new double[N];
        for (int i = 0; i < N; i++)
            x[i] = 3 + 2 * (random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5);
        var data = Dataset.FromColumns(("x", x));
        _device = ComputeDevice.Open(Backend);
        _builtIn = ModelCatalog.Normal(data, "x").CreateEngine(_device);
        _expression = ExpressionModel.Create("normal_lpdf(x, mu, sigma)", [new("mu"), new("sigma", ParameterDomain.Positive)], data,
            new Dictionary<string, double> { ["mu"] = 3, ["sigma"] = 2 }).CreateEngine(_device);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _builtIn?.Dispose();
        _expression?.Dispose();
        _device?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "built-in normal")]
    public double BuiltIn() => _builtIn!.Evaluate([3.1, 1.9], _gradient);

    [Benchmark(Description = "normal_lpdf expression")]
    public double Expression() => _expression!.Evaluate([3.1, 1.9], _gradient);

    // A new expression each call (a constant that differs), so nothing comes from the cache: the warm compile time.
    [Benchmark(Description = "compile a new expression")]
    public double Compile() => LogDensityExpression.Compile($"-log(beta) - (x-mu)/beta - exp(-(x-mu)/beta) + {++_compiled}",
        [new("mu"), new("beta", ParameterDomain.Positive)], ["x"]).CompileMilliseconds;
}
