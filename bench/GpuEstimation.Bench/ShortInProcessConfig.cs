using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace GpuEstimation.Bench;

/// <summary>
/// BenchmarkDotNet's short job (3 warm-ups, 3 iterations), run in this process: no generated project to build, which
/// on the busy 2-core dev box took longer than BenchmarkDotNet's 2-minute build timeout. For ratios from one run.
/// </summary>
public sealed class ShortInProcessConfig : ManualConfig
{
    /// <summary>The one job.</summary>
    public ShortInProcessConfig() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
}
