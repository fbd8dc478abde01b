namespace GpuEstimation.Kernels;

/// <summary>
/// A family of distributions for one observed column (independent observations of one variable), with what the host
/// needs besides the likelihood: the parameters, the support, the columns the kernel reads (derived once from the
/// observations, e.g. log x, so that no per-point logarithm is repeated at every evaluation) and data-driven
/// starting values. Everything here is plain arithmetic, usable on the host and (the likelihood) on the device.
/// </summary>
public interface IDistribution<TSelf> : ILikelihoodModel<TSelf> where TSelf : unmanaged, IDistribution<TSelf>
{
    /// <summary>The name the CLI and results use.</summary>
    static abstract string Name { get; }

    /// <summary>The support, in words, for messages (e.g. "x > 0").</summary>
    static abstract string Support { get; }

    /// <summary>The parameters, in model order, with their domains.</summary>
    static abstract IReadOnlyList<ParameterInfo> Parameters { get; }

    /// <summary>The number of parameters: the length of <see cref="Parameters"/>, so the two cannot disagree.</summary>
    // Host-side only (the kernels are given the term count), so the interface call costs nothing per data point.
    int ILikelihoodModel<TSelf>.ParameterCount => TSelf.Parameters.Count;

    /// <summary>Whether the family needs a number of trials per observation (binomial).</summary>
    static virtual bool UsesTrials => false;

    /// <summary>Whether <paramref name="x"/> (with <paramref name="trials"/> where used) lies in the support.</summary>
    static abstract bool InSupport(double x, double trials);

    /// <summary>The columns the kernel reads, from the observations (and trials where used).</summary>
    static abstract ReadOnlyMemory<double>[] Columns(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials);

    /// <summary>Starting values on the natural scale: moments, or the closed-form MLE where there is one.</summary>
    static abstract double[] Start(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials);

    /// <summary>
    /// More starting values (natural scale) for a family whose likelihood can have several maxima (Student-t: one that
    /// fits every row with a wide scale, one that fits the bulk with heavy tails): each is searched from too and the
    /// highest maximum kept. None by default.
    /// </summary>
    static virtual double[][] OtherStarts(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials) => [];

    /// <summary>
    /// Host side: the Fisher (expected) information of one observation at natural-scale <paramref name="parameters"/>,
    /// P×P row by row, for a family whose log-likelihood has a kink at its maximum, where the observed information does
    /// not exist (Laplace's location); null (the default) where standard errors come from the observed information.
    /// </summary>
    static virtual double[]? FisherInformation(ReadOnlySpan<double> parameters) => null;

    /// <summary>
    /// The model the family becomes as <paramref name="parameter"/> runs to infinity ("the normal limit" for Student-t's
    /// ν), for fits whose maximum lies there; null where the family names none.
    /// </summary>
    static virtual string? LimitAtInfinity(string parameter) => null;

    /// <summary>
    /// Host side: a parameter whose maximum-likelihood estimate on data <paramref name="x"/> is not one value but every
    /// value of a closed interval, whatever the others are (Laplace's location between the middle two of an even number
    /// of points, where Σ|x − μ| is flat): its index and the interval's ends; null (the default) where the maximum is
    /// unique. A fit reports the interval's midpoint, as scipy and R report the median, with a note.
    /// </summary>
    static virtual (int Parameter, double Low, double High)? FlatMaximum(ReadOnlySpan<double> x) => null;

    /// <summary>
    /// Host side: parameters that robust covariances' small-sample corrections (HC1, cluster) do not count in k, the
    /// scale that statsmodels' equivalent does not estimate as a parameter (the normal's σ: OLS on a constant); none by
    /// default.
    /// </summary>
    static virtual IReadOnlyCollection<string> ScaleParameters => [];

    /// <summary>
    /// Host side: whether the family is a location-scale one, its first parameter a location (on the data's scale, or
    /// their log's) and its second that location's positive scale. The search's first unit for the location is then
    /// the starting scale over √n, a standard error's size; by default a real parameter's unit is a tenth of its start,
    /// which for data around 10¹³ with a spread of 1 is 10¹² (a Student-t search measured its curvature across 10⁸ and
    /// stopped, not converged, where scipy fits the shifted data).
    /// </summary>
    static virtual bool LocationScale => false;
}
