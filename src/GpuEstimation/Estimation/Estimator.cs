using GpuEstimation.Backends;
using GpuEstimation.Models;

namespace GpuEstimation.Estimation;

/// <summary>The short way in: one call opens a device, uploads the data, fits and cleans up.</summary>
public static class Estimator
{
    /// <summary>
    /// Fits <paramref name="model"/> on <paramref name="backend"/> with <paramref name="options"/> (MLE by default); a
    /// cancelled <paramref name="cancellationToken"/> stops it before its next pass over the data
    /// (<see cref="OperationCanceledException"/>).
    /// </summary>
    /// <example><code>var fit = Estimator.Fit(ModelCatalog.Normal(data, "height"));</code></example>
    public static FitResult Fit(IModelSpec model, FitOptions? options = null, Backend backend = Backend.Auto, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var device = ComputeDevice.Open(backend);
        using var session = new EstimationSession(model, device);
        return session.Fit(options ?? new FitOptions(), cancellationToken);
    }
}
