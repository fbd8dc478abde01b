using GpuEstimation.Backends;
using GpuEstimation.Estimation;
using GpuEstimation.Models;
using GpuEstimation.Surfaces;

namespace GpuEstimation.Cli;

/// <summary>The CLI's one place for opening estimation sessions and running sweeps (so a library API change is one line each).</summary>
internal static class Sessions
{
    /// <summary>A session of <paramref name="model"/> on <paramref name="device"/>: data uploaded, kernels loaded.</summary>
    public static IEstimationSession Open(IModelSpec model, ComputeDevice device) => model.OpenSession(device);

    /// <summary>A sweep over the session's model.</summary>
    public static SweepResult Sweep(IModelSpec model, IEstimationSession session, SweepOptions options, IProgress<double>? progress = null) =>
        Sweeper.Sweep(model, session, options, progress);
}
