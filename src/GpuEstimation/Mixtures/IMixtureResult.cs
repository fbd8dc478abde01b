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

    /// <summary>
    /// Where a component holds fewer of the rows than it has parameters (<see cref="SpuriousComponent.Find"/>): what it
    /// is, as a component-count table lists it and does not choose it; null where every component holds enough.
    /// </summary>
    string? Spurious { get; }
}

/// <summary>
/// A spurious maximum of a mixture's likelihood: a component whose expected rows, n·wₖ, are fewer than its parameters
/// (its own and its weight), so that it describes a few points rather than a part of the population. A normal component
/// on two close points is the usual one: its likelihood grows as it narrows, and such a maximum can win on BIC (a
/// trial: 500 rows of two normals, K = 3 chosen with a third component of σ 0.0013 on two rows).
/// </summary>
public static class SpuriousComponent
{
    /// <summary>
    /// The first component (in reported order) holding fewer of the <paramref name="rows"/> rows than its parameters,
    /// described with <paramref name="name"/>'s name for it; null where none does. With one component its weight is
    /// not a parameter.
    /// </summary>
    /// <param name="weights">The K weights.</param>
    /// <param name="rows">n.</param>
    /// <param name="parameters">Each component's own parameters (not its weight).</param>
    /// <param name="name">Each component's name for the message (from 0).</param>
    public static string? Find(IReadOnlyList<double> weights, long rows, Func<int, int> parameters, Func<int, string> name)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(name);
        for (int c = 0; c < weights.Count; c++)
        {
            int count = parameters(c) + (weights.Count > 1 ? 1 : 0);
            double held = weights[c] * rows;
            if (held < count)
            {
                string heldText = held.ToString("G3", System.Globalization.CultureInfo.InvariantCulture);
                return $"{name(c)} holds {heldText} of the {rows} rows, fewer than its {count} parameters: a spurious maximum, a component fitted to a few points";
            }
        }
        return null;
    }
}

/// <summary>
/// A mixture fit that ends without a usable optimum in any start: a component collapsing onto a point (an unbounded
/// likelihood) or losing all its weight. The message names the component; the command line exits with status 3.
/// </summary>
public sealed class MixtureFitException(string message) : Exception(message);
