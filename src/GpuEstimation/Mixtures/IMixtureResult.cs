namespace GpuEstimation.Mixtures;

/// <summary>
/// What the shared mixture outputs need of a fitted mixture, whatever its kind (catalogue families in one column,
/// Gaussian components in several): the component-count table (log-likelihood, parameter count, rows) and the
/// assignments file (each row's responsibilities).
/// </summary>
public interface IMixtureResult
{
    /// <summary>The number of components, K.</summary>
    int Components { get; }

    /// <summary>The number of observations, n.</summary>
    int Rows { get; }

    /// <summary>The maximized log-likelihood.</summary>
    double LogLikelihood { get; }

    /// <summary>The number of free parameters (weights K − 1, and every component's).</summary>
    int ParameterCount { get; }

    /// <summary>Why the fit did not converge, as a component-count table lists it; null where it converged.</summary>
    string? NotConverged { get; }

    /// <summary>Each row's posterior component probabilities, row by row (K per row, in the reported component order).</summary>
    double[] Responsibilities();
}

/// <summary>
/// A mixture fit that ends without a usable optimum in any start: a component collapsing onto a point (an unbounded
/// likelihood) or losing all its weight. The message names the component; the command line exits with status 3.
/// </summary>
public sealed class MixtureFitException(string message) : Exception(message);
