using GpuEstimation.Backends;

namespace GpuEstimation.Engine;

/// <summary>
/// A model's likelihood over one dataset on one device, whatever the model's struct type: what the estimation layer
/// holds. <see cref="LikelihoodEngine{TModel}"/> is the implementation.
/// </summary>
public interface ILikelihoodEngine : IDisposable
{
    /// <summary>The device that evaluates.</summary>
    ComputeDevice Device { get; }

    /// <summary>The number of observations.</summary>
    int Rows { get; }

    /// <summary>The number of parameters.</summary>
    int ParameterCount { get; }

    /// <summary>The total log-likelihood at natural-scale <paramref name="parameters"/>; its gradient goes to <paramref name="gradient"/>.</summary>
    double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient);

    /// <summary>The log-likelihood at each of <paramref name="points"/> (natural-scale parameter vectors).</summary>
    double[] LogLikelihoods(IReadOnlyList<double[]> points);

    /// <summary>The log-density of each observation at natural-scale <paramref name="parameters"/>.</summary>
    double[] LogDensities(ReadOnlySpan<double> parameters);
}
