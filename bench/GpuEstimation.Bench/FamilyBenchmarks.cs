using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Models;

namespace GpuEstimation.Bench;

/// <summary>Samples of 10⁶ points for each family, the same every run.</summary>
internal static class FamilyData
{
    public static Dataset Create(string family, int n)
    {
        var random = new Random(12);
        double Next() => random.NextDouble();
        double[] x = family switch
        {
            "exponential" or "gamma" or "lognormal" or "weibull" => Array.ConvertAll(new double[n], _ => 0.1 + 3 * Next()),
            "beta" => Array.ConvertAll(new double[n], _ => 0.01 + 0.98 * Next()),
            "poisson" or "negbinomial" => Array.ConvertAll(new double[n], _ => Math.Floor(8 * Next())),
            "bernoulli" => Array.ConvertAll(new double[n], _ => Next() < 0.3 ? 1.0 : 0.0),
            "binomial" => Array.ConvertAll(new double[n], _ => Math.Floor(21 * Next())),
            "geometric" => Array.ConvertAll(new double[n], _ => 1 + Math.Floor(6 * Next())),
            // Heavy tails, so that nu has a finite MLE (light-tailed data send it to infinity).
            "studentt" or "cauchy" => Array.ConvertAll(new double[n], _ => MathNet.Numerics.Distributions.StudentT.Sample(random, 1, 2, 5)),
            _ => Array.ConvertAll(new double[n], _ => 2 + 4 * (Next() + Next() + Next() - 1.5)),
        };
        return Dataset.FromColumns(("x", x));
    }

    public static ModelColumns Columns(string family) => family == "binomial" ? new ModelColumns("x", Trials: 20) : new ModelColumns("x");
}

/// <summary>A session of one family over 10⁶ points (on the native backend unless a subclass picks another), opened once per benchmark case.</summary>
public abstract class FamilySessionBenchmark
{
    protected EstimationSession Session { get; private set; } = null!;

    protected IModelSpec Spec { get; private set; } = null!;

    private ComputeDevice? _device;

    public abstract string Family { get; set; }

    /// <summary>The backend the session runs on.</summary>
    public virtual Backend Backend { get; set; } = Backend.Native;

    [GlobalSetup]
    public void Setup()
    {
        Spec = ModelCatalog.Create(Family, FamilyData.Create(Family, 1_000_000), FamilyData.Columns(Family));
        _device = ComputeDevice.Open(Backend);
        Session = new EstimationSession(Spec, _device);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Session?.Dispose();
        _device?.Dispose();
    }
}

/// <summary>Value + gradient of every family over 10⁶ points on the native backend (data in place).</summary>
public class FamilyBenchmarks : FamilySessionBenchmark
{
    [Params("normal", "lognormal", "exponential", "gamma", "beta", "weibull", "studentt", "cauchy", "laplace", "logistic",
        "poisson", "bernoulli", "binomial", "negbinomial", "geometric")]
    public override string Family { get; set; } = "normal";

    [Benchmark]
    public double ValueAndGradient() => Session.Evaluate(Spec.Start).LogLikelihood;
}

/// <summary>Whole fits (optimizer, convergence check, standard errors) over 10⁶ points on the native backend.</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class FitBenchmarks : FamilySessionBenchmark
{
    [Params("normal", "studentt", "gamma")]
    public override string Family { get; set; } = "normal";

    [Benchmark]
    public bool Fit() => Session.Fit(new FitOptions()).Converged;
}

/// <summary>
/// OpenCL (where a usable device exists; in CI and on the dev box, PoCL on the CPU inside the root that
/// tests/opencl/run.sh makes) against the native backend, Normal and Student-t over 10⁶ points: value + gradient and
/// whole fits, in one run. Run inside that root: bench/RESULTS.md says how.
/// </summary>
[Config(typeof(ShortInProcessConfig))]
public class OpenClBenchmarks : FamilySessionBenchmark
{
    [Params("normal", "studentt")]
    public override string Family { get; set; } = "normal";

    [ParamsSource(nameof(Backends))]
    public override Backend Backend { get; set; } = Backend.Native;

    public static IEnumerable<Backend> Backends() =>
        ComputeDevice.List().Where(d => d.Usable && d.Backend == Backend.OpenCL).Select(d => d.Backend).Distinct().Prepend(Backend.Native);

    [Benchmark]
    public double ValueAndGradient() => Session.Evaluate(Spec.Start).LogLikelihood;

    [Benchmark]
    public bool Fit() => Session.Fit(new FitOptions()).Converged;
}

/// <summary>
/// Value + gradient over 10⁶ points on the native backend for the families with a transcendental per point, and the
/// Normal they are measured against (issue 17: ratios to the Normal from one run), in this process with the short job.
/// </summary>
[Config(typeof(ShortInProcessConfig))]
public class FamilyRatioBenchmarks : FamilySessionBenchmark
{
    [Params("normal", "studentt", "logistic", "weibull", "cauchy", "negbinomial")]
    public override string Family { get; set; } = "normal";

    [Benchmark]
    public double ValueAndGradient() => Session.Evaluate(Spec.Start).LogLikelihood;
}

/// <summary>
/// Normal value + gradient over 10⁷ points on the native backend (issue 17: at least 1.5x the 2026-11-27 figure), in
/// this process with the short job, so that it can run with <see cref="FamilyRatioBenchmarks"/>.
/// </summary>
[Config(typeof(ShortInProcessConfig))]
public class NormalTenMillionBenchmarks
{
    private readonly double[] _gradient = new double[2];
    private ComputeDevice? _device;
    private GpuEstimation.Engine.LikelihoodEngine<GpuEstimation.Kernels.Models.NormalModel>? _engine;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        var x = new double[10_000_000];
        for (int i = 0; i < x.Length; i++)
            x[i] = 3 + 2 * (random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5);
        _device = ComputeDevice.Open(Backend.Native);
        _engine = new(_device, new GpuEstimation.Kernels.Models.NormalModel(), [x]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _engine?.Dispose();
        _device?.Dispose();
    }

    [Benchmark]
    public double ValueAndGradient() => _engine!.Evaluate([3.1, 1.9], _gradient);
}
