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
    /// Where a component holds fewer rows than its estimates need (<see cref="SpuriousComponent.Find"/>): what it is, as
    /// a component-count table lists it and does not choose it; null where every component holds enough (and for an
    /// implementation that does not say).
    /// </summary>
    string? Spurious => null;
}

/// <summary>
/// A spurious maximum of a mixture's likelihood: a component whose expected rows, n·wₖ, are fewer than its estimates
/// need, so that it describes a few points rather than a part of the population. A normal component on two close points
/// is the usual one: its likelihood grows as it narrows, and such a maximum can win on BIC (a trial: 500 rows of two
/// normals, K = 3 chosen with a third component of σ 0.0013 on two rows). What a component needs is one row more than
/// the fewest that determine it: for a catalogue family one more than its parameters (a normal's μ and σ: 3 rows); for a
/// Gaussian component one more than the rows that make its covariance non-singular (d + 2 for a full covariance in d
/// dimensions, 3 for a diagonal or spherical one, 2 for a tied one, whose covariance is shared).
/// </summary>
public static class SpuriousComponent
{
    /// <summary>
    /// The first component (in reported order) holding fewer of the <paramref name="rows"/> rows than
    /// <paramref name="needed"/> says it needs, by more than half a row, described with <paramref name="name"/>'s name
    /// for it; null where none does, and for one component (which holds every row).
    /// </summary>
    /// <param name="weights">The K weights.</param>
    /// <param name="rows">n.</param>
    /// <param name="needed">Each component's rows needed and why, e.g. (3, "one more than its 2 parameters").</param>
    /// <param name="name">Each component's name for the message (from 0).</param>
    public static string? Find(IReadOnlyList<double> weights, long rows, Func<int, (int Rows, string Why)> needed, Func<int, string> name)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(needed);
        ArgumentNullException.ThrowIfNull(name);
        if (weights.Count < 2)
            return null;
        for (int c = 0; c < weights.Count; c++)
        {
            var (count, why) = needed(c);
            double held = weights[c] * rows;
            // Half a row short, not a hair: the rows of a separate cluster of exactly that many have responsibilities a
            // hair below 1, so its n·wₖ is 2.999999998 where it holds 3 (a regression hunt: such clusters were all
            // passed over, and the count chosen fell back to another).
            if (held < count - 0.5)
            {
                string heldText = held.ToString("G3", System.Globalization.CultureInfo.InvariantCulture);
                return $"{name(c)} holds {heldText} of the {rows} rows, fewer than the {count} its estimates need ({why}): a spurious maximum, a component fitted to a few points";
            }
        }
        return null;
    }

    /// <summary>What a catalogue family's component of <paramref name="parameters"/> parameters needs: one row more.</summary>
    public static (int Rows, string Why) ForParameters(int parameters) =>
        (parameters + 1, $"one more than its {parameters} parameter{(parameters == 1 ? "" : "s")}");

    /// <summary>What a Gaussian component in <paramref name="dimensions"/> dimensions with <paramref name="covariance"/> needs.</summary>
    public static (int Rows, string Why) ForGaussian(int dimensions, GaussianMixtureCovariance covariance) => covariance switch
    {
        GaussianMixtureCovariance.Full => (dimensions + 2, $"one more than the {dimensions + 1} rows a full covariance in {dimensions} dimension{(dimensions == 1 ? "" : "s")} needs"),
        GaussianMixtureCovariance.Diagonal or GaussianMixtureCovariance.Spherical => (3, "one more than the 2 rows its variances need"),
        GaussianMixtureCovariance.Tied => (2, "one more than the row its mean needs: the covariance is shared"),
        _ => throw new ArgumentOutOfRangeException(nameof(covariance)),
    };
}

/// <summary>
/// A mixture fit that ends without a usable optimum in any start: a component collapsing onto a point (an unbounded
/// likelihood) or losing all its weight. The message names the component; the command line exits with status 3.
/// </summary>
public sealed class MixtureFitException(string message) : Exception(message);
