namespace GpuEstimation.Engine;

/// <summary>
/// The value, gradient and Hessian of a linear-predictor model in one pass over the data (one launch per run of
/// sums on a device, one parallel host loop on the native backend), summed in a fixed order.
/// </summary>
internal interface IHessianPass
{
    /// <summary>
    /// The log-likelihood at <paramref name="parameters"/>; the gradient (P) and the Hessian (P×P, row-major) into the
    /// spans, the Hessian in the design's coordinates (<see cref="DesignMap"/> carries it to the parameters').
    /// </summary>
    double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient, Span<double> hessian);

    /// <summary>
    /// C, where the parameters θ are not the design's coordinates but γ = C θ (<see cref="DesignCoordinates"/>); null
    /// where they are the same.
    /// </summary>
    double[]? DesignMap { get; }
}
