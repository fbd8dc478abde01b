using GpuEstimation.Surfaces;

namespace GpuEstimation.Results;

/// <summary>One axis of a sweep's grid in its JSON.</summary>
/// <param name="Name">The swept parameter.</param>
/// <param name="Low">The first grid value.</param>
/// <param name="High">The last grid value.</param>
/// <param name="Count">Grid values on the axis.</param>
public sealed record AxisReport(string Name, double Low, double High, int Count)
{
    /// <summary>The report of <paramref name="axis"/>.</summary>
    public static AxisReport From(GridAxis axis) => new(axis.Name, axis.Low, axis.High, axis.Count);
}
