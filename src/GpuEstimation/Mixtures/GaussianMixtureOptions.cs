namespace GpuEstimation.Mixtures;

/// <summary>How a Gaussian mixture is fitted.</summary>
public sealed record GaussianMixtureOptions
{
    /// <summary>The number of components K (1 … 16).</summary>
    public int Components { get; init; } = 1;

    /// <summary>The covariance structure.</summary>
    public GaussianMixtureCovariance Covariance { get; init; } = GaussianMixtureCovariance.Full;

    /// <summary>
    /// Independent starts (k-means++ seedings and Lloyd's steps); the one with the highest log-likelihood among those that
    /// converged is kept (among all where none did); <see cref="MixtureOptions.DefaultStarts"/> unless told, as for
    /// every mixture.
    /// </summary>
    public int Starts { get; init; } = MixtureOptions.DefaultStarts;

    /// <summary>The seed of the first start's k-means++ seeding (start s uses seed + s).</summary>
    public int Seed { get; init; } = MixtureOptions.DefaultSeed;

    /// <summary>
    /// The position of this fit's first start among a whole fit's starts (a subsample's one-start fit is told which start
    /// it is): only the whole fit's first start keeps the best of several seedings (<c>GaussianMixtureFitter.Seed</c>).
    /// </summary>
    internal int FirstStart { get; init; }

    /// <summary>EM stops when an EM step changes the log-likelihood by at most this, relative to its magnitude.</summary>
    public double Tolerance { get; init; } = 1e-12;

    /// <summary>The default of <see cref="MaxIterations"/>.</summary>
    public const int DefaultMaxIterations = 10_000;

    /// <summary>The most EM steps (passes over all the data) per start; a subsample's steps (<see cref="SubsampleRows"/>) are not counted (it may take this many or the default, whichever is more).</summary>
    public int MaxIterations { get; init; } = DefaultMaxIterations;

    /// <summary>Added to the diagonal of every covariance estimate (sklearn's <c>reg_covar</c>), so none is singular.</summary>
    public double Regularization { get; init; } = 1e-6;

    /// <summary>SQUAREM extrapolation of the EM steps (Varadhan and Roland 2008); off: plain EM.</summary>
    public bool Accelerate { get; init; } = true;

    /// <summary>
    /// Where the data have at least four times this many rows, each start is first fitted on every m-th row (about this
    /// many), to a looser tolerance, and EM on all rows goes on from there: most steps then cost a fraction of a pass.
    /// 0: never.
    /// </summary>
    public int SubsampleRows { get; init; } = 100_000;

    /// <summary>Standard errors of the weights and means (a host pass over the rows after the fit).</summary>
    public bool StandardErrors { get; init; } = true;
}
