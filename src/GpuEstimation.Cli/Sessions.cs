using GpuEstimation.Backends;
using GpuEstimation.Estimation;
using GpuEstimation.Models;
using GpuEstimation.Surfaces;

namespace GpuEstimation.Cli;

/// <summary>The CLI's one place for opening estimation sessions and running sweeps (so a library API change is one line each).</summary>
internal static class Sessions
{
    /// <summary>A session of <paramref name="model"/> on <paramref name="device"/>: data uploaded, kernels loaded.</summary>
    public static EstimationSession Open(IModelSpec model, ComputeDevice device) => new(model, device);

    /// <summary>A sweep over the session's model.</summary>
    public static SweepResult Sweep(EstimationSession session, SweepOptions options, IProgress<double>? progress = null) =>
        Sweeper.Sweep(session, options, progress);
}
