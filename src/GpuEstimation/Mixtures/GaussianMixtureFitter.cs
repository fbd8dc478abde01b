using GpuEstimation.Data;
using GpuEstimation.Backends;
using GpuEstimation.Kernels.Mixtures;

namespace GpuEstimation.Mixtures;

/// <summary>
/// Gaussian mixtures over d columns of one dataset on one device: the columns (centred on their means, so that the
/// second moments lose no digits to a large offset) are uploaded once, then every EM step is one pass of
/// <see cref="GaussianMixtureKernels.StatisticsKernel"/> (or the native backend's host loops over the same row code)
/// and a host M-step. Several fits (starts, several K, repeated timings) reuse the upload.
/// </summary>
public sealed class GaussianMixtureFitter : IDisposable
{
    private readonly ComputeDevice _device;
    private readonly double[][] _centred;
    private readonly double[] _offset;
    // Each column's variance (divisor n), once: the reg_covar note compares the floor with it at every fit.
    private readonly double[] _variances;
    private readonly IReadOnlyList<string> _names;
    private readonly Dictionary<(int K, bool Diagonal), MixturePass> _passes = [];
    private GaussianMixtureFitter? _subsample;
    // Whether this fitter holds every m-th row of another's data (whose own checks then speak for the data).
    private readonly bool _isSubsample;
    private long _subsampleEvery;

    /// <summary>
    /// A fitter over <paramref name="columns"/> (each n long, finite), named <paramref name="names"/>. At most
    /// 32 columns; at least as many rows as columns.
    /// </summary>
    public GaussianMixtureFitter(IReadOnlyList<string> names, IReadOnlyList<double[]> columns, ComputeDevice device)
        : this(names, columns, device, subsample: false)
    {
    }

    // A subsample's fitter (for the starts) skips the checks of the columns' dependence: its rows are a regular pick
    // of the data's, which may be constant where the data are not (0, 1, 0, 1, ... every fourth row).
    private GaussianMixtureFitter(IReadOnlyList<string> names, IReadOnlyList<double[]> columns, ComputeDevice device, bool subsample)
    {
        _isSubsample = subsample;
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(device);
        using var hold = device.Use();
        ArgumentOutOfRangeException.ThrowIfNotEqual(names.Count, columns.Count, nameof(names));
        for (int j = 0; j < columns.Count; j++)
            ArgumentNullException.ThrowIfNull(columns[j], $"{nameof(columns)}[{j}]");
        if (columns.Count == 0)
            throw new InputException("a Gaussian mixture needs at least one column", nameof(columns));
        if (columns.Count > MixturePass.MaxDimensions)
            throw new InputException($"a Gaussian mixture of {columns.Count} columns: at most {MixturePass.MaxDimensions} are supported", nameof(columns));
        long n = columns[0].LongLength;
        if (columns.Any(c => c.LongLength != n))
            throw new ArgumentException("columns differ in length", nameof(columns));
        if (n <= columns.Count)
            throw new InputException($"a Gaussian mixture in {columns.Count} dimensions needs more rows than dimensions (with d ≥ n a covariance cannot be estimated); the data have {n}", nameof(columns));
        if (names.GroupBy(name => name).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new InputException($"column '{twice.Key}' is given twice (its covariance with itself would be singular)", twice.Key);
        // Under MPI each rank evaluates its chunks of the data it read itself: the same data on every rank, or an error.
        if (!subsample)
            Backends.RowCollective.Current.CheckSameData([.. columns.Select(c => (ReadOnlyMemory<double>)c)]);
        _device = device;
        _names = names;
        for (int j = 0; j < columns.Count; j++)
        {
            var column = columns[j];
            for (long i = 0; i < n; i++)
            {
                if (!double.IsFinite(column[i]))
                    throw new InputException($"column {names[j]}, row {i + 1}: {column[i]} is not a finite number", names[j]);
            }
        }
        _offset = new double[columns.Count];
        _centred = new double[columns.Count][];
        _variances = new double[columns.Count];
        for (int j = 0; j < columns.Count; j++)
        {
            var column = columns[j];
            double mean = column.Average();
            _offset[j] = mean;
            _centred[j] = column.Select(v => v - mean).ToArray();
            _variances[j] = Kernels.Moments.Variance(_centred[j]);
            // Sums of squares over the rows must stay doubles (a trial's columns of 1e169 ended in an internal error).
            if (!double.IsFinite(_variances[j] * n))
                throw new InputException($"column '{names[j]}': its values, up to {_centred[j].Max(Math.Abs):G3} from their mean, are too large to square and sum in double precision; rescale the column (e.g. to unit variance) and fit again", names[j]);
        }
        if (!subsample)
            CheckIndependent(names, columns, _centred);
    }

    /// <summary>
    /// Refuses columns whose full covariance would be singular in every component (a diagonal or spherical one would
    /// count them twice, or shrink by a dimension without spread): the same values under two names, a
    /// constant column, or a column that is a combination of others (t = 2a, s = a + b), along whose flat direction the
    /// density grows without bound until the covariance floor stops it (a trial's fits of such columns reported
    /// log-likelihoods of +800 to +1,400). The dependence is judged on the columns less their means
    /// (<paramref name="centred"/>), so that a column's spread, not its distance from 0, is what it is measured against
    /// (a trial's two independent columns, each spread by 1e-3 about 1e8, were called combinations of the constant when
    /// the raw columns were reduced).
    /// </summary>
    private static void CheckIndependent(IReadOnlyList<string> names, IReadOnlyList<double[]> columns, IReadOnlyList<double[]> centred)
    {
        for (int a = 0; a < columns.Count; a++)
        {
            for (int b = a + 1; b < columns.Count; b++)
            {
                if (columns[a].AsSpan().SequenceEqual(columns[b]))
                    throw new InputException($"columns '{names[a]}' and '{names[b]}' hold the same values (a full or tied covariance of them would be singular; a diagonal or spherical one would count them twice): give one", names[b]);
            }
        }
        for (int j = 0; j < columns.Count; j++)
        {
            if (columns[j].All(v => v == columns[j][0]))
                throw new InputException($"column '{names[j]}' is constant ({columns[j][0]:R} in every row): its variance is 0, so a full, tied or diagonal covariance would be singular, and a spherical one would be shrunk by a dimension with no spread; leave it out", names[j]);
        }
        long n = columns[0].LongLength;
        if (n <= int.MaxValue && Design.Collinearity.Dependencies(names, [.. centred.Select(c => (ReadOnlyMemory<double>)c)], (int)n) is { Count: > 0 } dependent)
            throw new InputException($"the columns, each less its mean, are linearly dependent: {string.Join("; ", dependent.Take(3))}, so a full or tied covariance would be singular (a diagonal or spherical one would count their information twice); leave out a column that the others determine", names[0]);
    }

    /// <summary>The number of rows.</summary>
    public long Rows => _centred[0].LongLength;

    /// <summary>The number of columns d.</summary>
    public int Dimensions => _centred.Length;

    /// <summary>
    /// Fits the mixture: every start to convergence (or the step limit), the best log-likelihood among the starts that
    /// converged kept (among all of them where none did). A cancelled <paramref name="cancellationToken"/> stops the fit
    /// before its next EM step, with an <see cref="OperationCanceledException"/>.
    /// </summary>
    public GaussianMixtureResult Fit(GaussianMixtureOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Disposed, as an EstimationSession refuses to be used (a library trial's fit after Dispose ran).
        ObjectDisposedException.ThrowIf(_disposed, this);
        // Held, so that disposing the device on another thread waits for this fit.
        using var hold = _device.Use();
        Check(options);
        int k = options.Components, d = Dimensions;
        if (k < 1 || k > MixturePass.MaxComponents)
            throw new InputException($"a Gaussian mixture of {k} components: 1 to {MixturePass.MaxComponents} are supported", nameof(options.Components));
        if (k > Rows)
            throw new InputException($"{k} components from {Rows} rows: a mixture needs at least one row per component", nameof(options.Components));
        if (!_isSubsample && DistinctRows(k) is var distinct && distinct < k)
        {
            throw new InputException($"the data have {distinct} distinct point{(distinct == 1 ? "" : "s")}, fewer than the {k} components: " +
                $"such a mixture is not identified (use at most {distinct})", nameof(options.Components));
        }
        bool diagonal = options.Covariance is GaussianMixtureCovariance.Diagonal or GaussianMixtureCovariance.Spherical;
        var pass = Pass(k, diagonal);
        var codes = Codes(k, d, options.Covariance);
        MixtureState? best = null;
        double bestLog = double.NegativeInfinity;
        int bestIterations = 0;
        bool bestConverged = false;
        var starts = new double[options.Starts];
        var subsample = Subsample(options);
        for (int s = 0; s < options.Starts; s++)
        {
            var start = subsample is null
                ? Seed(k, options, unchecked(options.Seed + s), options.FirstStart + s == 0 ? Seedings : 1)
                : StateOf(subsample.Fit(options with
                {
                    Starts = 1, Seed = unchecked(options.Seed + s), FirstStart = options.FirstStart + s, SubsampleRows = 0, StandardErrors = false, Tolerance = 1e-9,
                    // The step limit is the user's for EM on all the rows; finding a start on the subsample has its own.
                    MaxIterations = Math.Max(options.MaxIterations, GaussianMixtureOptions.DefaultMaxIterations),
                }, cancellationToken), options.Covariance);
            var (state, log, iterations, converged) = Run(pass, codes, start, options, cancellationToken);
            starts[s] = log;
            // A converged start wins over one that ran out of steps, whatever their log-likelihoods: a start still moving
            // after the step limit is mostly one whose component is collapsing onto a row or two (the likelihood rising
            // only as far as reg_covar lets it), and an optimum reached is what the fit reports.
            if (best is null || (converged && !bestConverged) || (converged == bestConverged && log > bestLog))
                (best, bestLog, bestIterations, bestConverged) = (state, log, iterations, converged);
        }
        return Result(best!, bestLog, bestIterations, bestConverged, starts, options, pass.RowBlocks);
    }

    /// <summary>
    /// Each row's responsibilities under <paramref name="fit"/> (<c>[row · K + k]</c>, components in the result's
    /// order) and its log-density.
    /// </summary>
    public (double[] Responsibilities, double[] LogDensity) Responsibilities(GaussianMixtureResult fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        if (fit.Components.Any(c => c.Mean.Length != Dimensions))
            throw new ArgumentException($"the fit has components in {fit.Components[0].Mean.Length} dimensions, this fitter's data {Dimensions}: a fit of other data", nameof(fit));
        var state = StateOf(fit, GaussianMixtureCovariance.Full);
        bool diagonal = fit.Covariance is GaussianMixtureCovariance.Diagonal or GaussianMixtureCovariance.Spherical;
        var packed = new double[state.K * GaussianMixtureRow.Stride(Dimensions, diagonal)];
        if (!state.TryPack(diagonal, packed))
            throw new InvalidOperationException("a fitted mixture's covariance is not positive definite");
        var output = new double[Rows * state.K];
        var logDensity = new double[Rows];
        using var host = ComputeDevice.Open(Backend.Native, _device.Backend == Backend.Native ? _device.Threads : null);
        using var pass = MixturePass.Open(host, _centred.AsColumns(), state.K, diagonal);
        pass.Responsibilities(packed, output, logDensity);
        return (output, logDensity);
    }

    /// <summary>The options' numbers and covariance structure, each an error naming it where it is not usable.</summary>
    private static void Check(GaussianMixtureOptions options)
    {
        if (!Enum.IsDefined(options.Covariance))
            throw new InputException($"covariance structure {(int)options.Covariance}: not one of {string.Join(", ", Enum.GetNames<GaussianMixtureCovariance>())}", nameof(options.Covariance));
        if (!(double.IsFinite(options.Regularization) && options.Regularization >= 0))
            throw new InputException($"regularization {options.Regularization}: must be a finite number of at least 0 (added to each covariance's diagonal)", nameof(options.Regularization));
        if (!(double.IsFinite(options.Tolerance) && options.Tolerance >= 0))
            throw new InputException($"tolerance {options.Tolerance}: must be a finite number of at least 0", nameof(options.Tolerance));
        if (options.MaxIterations < 1)
            throw new InputException($"at most {options.MaxIterations} EM steps: must be at least 1", nameof(options.MaxIterations));
        if (options.Starts < 1)
            throw new InputException($"starts: {options.Starts}, at least 1 is needed", nameof(options.Starts));
        if (options.SubsampleRows < 0)
            throw new InputException($"subsample of {options.SubsampleRows} rows: must be at least 0 (0: none)", nameof(options.SubsampleRows));
    }

    /// <summary>Frees the device buffers.</summary>
    public void Dispose()
    {
        _disposed = true;
        foreach (var pass in _passes.Values)
            pass.Dispose();
        _passes.Clear();
        _subsample?.Dispose();
        _subsample = null;
    }

    private bool _disposed;

    // Every m-th row (m = n / rows, rounded down), as a fitter of its own on the same device, kept for further fits.
    private GaussianMixtureFitter? Subsample(GaussianMixtureOptions options)
    {
        int rows = options.SubsampleRows;
        if (rows <= 0 || Rows < 4L * rows)
            return null;
        long every = Rows / rows;
        if (_subsample is { } kept && _subsampleEvery == every)
            return kept;
        _subsample?.Dispose();
        var columns = _centred.Select((column, j) =>
        {
            var picked = new double[(column.LongLength + every - 1) / every];
            for (long i = 0; i < picked.LongLength; i++)
                picked[i] = column[i * every] + _offset[j];
            return picked;
        }).ToArray();
        _subsampleEvery = every;
        return _subsample = new GaussianMixtureFitter(_names, columns, _device, subsample: true);
    }

    private MixturePass Pass(int k, bool diagonal)
    {
        if (!_passes.TryGetValue((k, diagonal), out var pass))
            _passes[(k, diagonal)] = pass = MixturePass.Open(_device, _centred.AsColumns(), k, diagonal);
        return pass;
    }

    // The statistics each covariance structure needs, component after component: Σ r, Σ r z, and Σ r z zᵀ, z = x less
    // the component's mean at the pass (full and tied: the upper triangle; diagonal and spherical: its diagonal).
    private static int[] Codes(int k, int d, GaussianMixtureCovariance covariance)
    {
        var codes = new List<int>();
        for (int c = 0; c < k; c++)
        {
            codes.Add(GaussianMixtureRow.Code(c, d, d));
            for (int j = 0; j < d; j++)
                codes.Add(GaussianMixtureRow.Code(c, j, d));
            if (covariance is GaussianMixtureCovariance.Full or GaussianMixtureCovariance.Tied)
            {
                for (int i = 0; i < d; i++)
                {
                    for (int j = i; j < d; j++)
                        codes.Add(GaussianMixtureRow.Code(c, i, j));
                }
            }
            else
            {
                for (int j = 0; j < d; j++)
                    codes.Add(GaussianMixtureRow.Code(c, j, j));
            }
        }
        return codes.ToArray();
    }

    private static int StatisticsPerComponent(int d, GaussianMixtureCovariance covariance) => 1 + d + covariance switch
    {
        GaussianMixtureCovariance.Full or GaussianMixtureCovariance.Tied => d * (d + 1) / 2,
        _ => d,
    };

    // EM from a start, SQUAREM-accelerated (Varadhan and Roland 2008, scheme S3): two EM steps give r and v, the
    // extrapolation θ₀ − 2αr + α²v with α = −‖r‖/‖v‖ (at most −1) is stabilized by one more EM step, and kept only where
    // its log-likelihood is not below the second EM step's start; otherwise plain EM goes on from the second step.
    // Convergence is judged on plain EM steps only: |L(F(θ)) − L(θ)| ≤ tol |L| and the next step moves no weight and no
    // mean coordinate by more than 1e-9 (in standard deviations of the coordinate).
    private (MixtureState State, double Log, int Iterations, bool Converged) Run(
        MixturePass pass, int[] codes, MixtureState start, GaussianMixtureOptions options, CancellationToken cancellation)
    {
        var sums = new double[codes.Length];
        var packed = new double[pass.Components * GaussianMixtureRow.Stride(Dimensions, pass.Diagonal)];
        int iterations = 0;

        (double Log, MixtureState Next)? Step(MixtureState state)
        {
            if (!state.TryPack(pass.Diagonal, packed))
                return null;
            cancellation.ThrowIfCancellationRequested();
            iterations++;
            double log = pass.Run(packed, codes, sums);
            return double.IsFinite(log) ? (log, MStep(sums, state, options)) : null;
        }

        var theta = start;
        var first = Step(theta) ?? throw new InvalidOperationException("the starting mixture has no finite log-likelihood");
        while (iterations < options.MaxIterations)
        {
            var (log0, theta1) = first;
            var second = Step(theta1);
            if (second is not { } s)
                return (theta, log0, iterations, false);
            var (log1, theta2) = s;
            if (Math.Abs(log1 - log0) <= options.Tolerance * Math.Abs(log1) && StepSize(theta1, theta2) <= StepTolerance)
                return (theta1, log1, iterations, true);
            // The step limit counts passes: none past it (the extrapolation's and the next step's included).
            if (iterations >= options.MaxIterations)
                return (theta1, log1, iterations, false);
            MixtureState next = theta2;
            if (options.Accelerate && iterations + 1 < options.MaxIterations)
            {
                var extrapolated = Extrapolate(theta, theta1, theta2);
                if (extrapolated is not null && Step(extrapolated) is { } e && e.Log >= log1)
                {
                    theta = extrapolated;
                    first = e;
                    continue;
                }
            }
            theta = next;
            first = Step(theta) ?? (log1, theta2);
        }
        return (theta, first.Log, iterations, false);
    }

    // The largest change of a weight, or of a mean coordinate in units of that coordinate's standard deviation in the
    // component: with the log-likelihood's change, the stopping rule (the log-likelihood alone is flat near the optimum:
    // a change of 1e-12 of it leaves weights uncertain in the 7th digit).
    private static double StepSize(MixtureState from, MixtureState to)
    {
        double largest = 0;
        int d = from.D;
        for (int c = 0; c < from.K; c++)
        {
            largest = Math.Max(largest, Math.Abs(to.Values[c] - from.Values[c]));
            for (int j = 0; j < d; j++)
            {
                double sd = Math.Sqrt(to.Values[to.CovarianceAt(c) + j * d + j]);
                largest = Math.Max(largest, Math.Abs(to.Values[to.MeanAt(c) + j] - from.Values[from.MeanAt(c) + j]) / sd);
            }
        }
        return largest;
    }

    /// <summary>The largest EM step (<see cref="StepSize"/>) at convergence.</summary>
    private const double StepTolerance = 1e-9;

    private static MixtureState? Extrapolate(MixtureState theta0, MixtureState theta1, MixtureState theta2)
    {
        var a = theta0.Values;
        var b = theta1.Values;
        var c = theta2.Values;
        double rr = 0, vv = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double r = b[i] - a[i], v = c[i] - 2 * b[i] + a[i];
            rr += r * r;
            vv += v * v;
        }
        if (!(vv > 0))
            return null;
        double alpha = -Math.Sqrt(rr / vv);
        if (alpha > -1)
            return null;
        var result = theta0.Copy();
        var x = result.Values;
        for (int i = 0; i < x.Length; i++)
        {
            double r = b[i] - a[i], v = c[i] - 2 * b[i] + a[i];
            x[i] = a[i] - 2 * alpha * r + alpha * alpha * v;
        }
        // The weights back on the simplex (an extrapolation keeps their sum at 1; a negative weight rejects it).
        return result;
    }

    // The M-step from the sums at `from` (sklearn's estimators, with its 10ε added to each component's count so that an
    // empty component keeps a finite mean, and reg_covar added to every covariance's diagonal). The sums are of the rows
    // less each component's mean at `from`: the new mean is that mean plus δ = Σ r z / count, the covariance
    // Σ r z zᵀ / count − δ δᵀ.
    private MixtureState MStep(double[] sums, MixtureState from, GaussianMixtureOptions options)
    {
        int d = Dimensions, k = from.K;
        var covariance = options.Covariance;
        int per = StatisticsPerComponent(d, covariance);
        var state = new MixtureState(d, k, covariance == GaussianMixtureCovariance.Tied ? 1 : k);
        var x = state.Values;
        double n = Rows, reg = options.Regularization;
        var tied = covariance == GaussianMixtureCovariance.Tied ? new double[d * d] : null;
        for (int c = 0; c < k; c++)
        {
            int at = c * per;
            double count = sums[at] + 10 * MachineEpsilon;
            x[c] = count / n;
            int mean = state.MeanAt(c);
            var delta = new double[d];
            for (int j = 0; j < d; j++)
            {
                delta[j] = sums[at + 1 + j] / count;
                x[mean + j] = from.Values[from.MeanAt(c) + j] + delta[j];
            }
            switch (covariance)
            {
                case GaussianMixtureCovariance.Full:
                {
                    int cov = state.CovarianceAt(c), t = at + 1 + d;
                    for (int i = 0; i < d; i++)
                    {
                        for (int j = i; j < d; j++)
                        {
                            double value = sums[t++] / count - delta[i] * delta[j];
                            x[cov + i * d + j] = x[cov + j * d + i] = value;
                        }
                        x[cov + i * d + i] += reg;
                    }
                    break;
                }
                case GaussianMixtureCovariance.Diagonal:
                case GaussianMixtureCovariance.Spherical:
                {
                    int cov = state.CovarianceAt(c);
                    double average = 0;
                    for (int j = 0; j < d; j++)
                    {
                        double value = Math.Max(0, sums[at + 1 + d + j] / count - delta[j] * delta[j]);
                        x[cov + j * d + j] = value + reg;
                        average += value / d;
                    }
                    if (covariance == GaussianMixtureCovariance.Spherical)
                    {
                        for (int j = 0; j < d; j++)
                            x[cov + j * d + j] = average + reg;
                    }
                    break;
                }
                default:
                {
                    // Each component's scatter about its new mean, Σ r z zᵀ − count δ δᵀ, pooled (as uncentred
                    // Σ x xᵀ − Σ count μ μᵀ it lost digits as the full covariance's did: 0.9% for clusters 10⁷ σ apart).
                    int t = at + 1 + d;
                    for (int i = 0; i < d; i++)
                    {
                        for (int j = i; j < d; j++)
                        {
                            double value = sums[t++] - count * delta[i] * delta[j];
                            tied![i * d + j] += value;
                            if (j != i)
                                tied[j * d + i] += value;
                        }
                    }
                    break;
                }
            }
        }
        if (tied is not null)
        {
            int cov = state.CovarianceAt(0);
            for (int i = 0; i < d; i++)
            {
                for (int j = 0; j < d; j++)
                    x[cov + i * d + j] = tied[i * d + j] / n + (i == j ? reg : 0);
            }
        }
        return state;
    }

    // Greedy k-means++ seeding (Arthur and Vassilvitskii 2007; the greedy form of sklearn's kmeans_plusplus) from
    // System.Random(seed), whose sequence for a given seed is fixed, on at most LloydRows rows (SeedRows): the first
    // centre a uniformly drawn row; for each next one, 2 + ⌊ln k⌋ candidates drawn with probability proportional to
    // the squared distance to the nearest centre so far, and the one that leaves the least total squared distance
    // kept (one draw per centre put two centres in one of 16 well-separated clusters often enough that most starts
    // ended at a merged-and-split local optimum, after hundreds of EM steps); of Seedings such seedings, the one that
    // leaves the least total squared distance after a few Lloyd steps (Refine), for the first start; one seeding for
    // each other start, as sklearn's n_init runs k-means once each. Then Lloyd's k-means steps from those centres, and
    // the start from the clusters (HardStart), as sklearn starts from its k-means labels. Where that start's
    // covariances are singular to rounding, each component spherical with the rows' mean squared distance to the
    // nearest seed.
    private MixtureState Seed(int k, GaussianMixtureOptions options, int seed, int count)
    {
        var random = new Random(seed);
        int d = Dimensions;
        var rows = SeedRows(random);
        // Seedings of their own generators (seeds drawn here in order: the same seed, the same seedings, in any order
        // of work), the one of least potential kept.
        var generators = Enumerable.Range(0, count).Select(_ => random.Next()).ToArray();
        var sample = new double[rows.Length * d];
        for (int r = 0; r < rows.Length; r++)
        {
            for (int j = 0; j < d; j++)
                sample[r * d + j] = _centred[j][rows[r]];
        }
        var seedings = new (double[][] Centres, double[] Nearest, double Potential)[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = _device.Backend == Backend.Native ? _device.Threads : -1 },
            t => seedings[t] = Seeding(k, sample, d, new Random(generators[t])));
        var (centres, nearest, _) = seedings.Aggregate((best, next) => next.Potential < best.Potential ? next : best);
        var (every, cluster) = Lloyd(centres);
        var start = HardStart(k, options, every, cluster, centres);
        bool diagonal = options.Covariance is GaussianMixtureCovariance.Diagonal or GaussianMixtureCovariance.Spherical;
        if (start.TryPack(diagonal, new double[k * GaussianMixtureRow.Stride(d, diagonal)]))
            return start;
        // A cluster's covariance that is singular to rounding (reg_covar below (spread)²·ε, clusters of a few rows
        // on data of a large scale): every component spherical with the data's mean squared distance to its centre.
        double spread = nearest.Average() / d + options.Regularization;
        for (int c = 0; c < start.Covariances; c++)
        {
            for (int a = 0; a < d; a++)
            {
                for (int b = 0; b < d; b++)
                    start.Values[start.CovarianceAt(c) + a * d + b] = a == b ? (spread > 0 ? spread : 1) : 0;
            }
        }
        return start;
    }

    /// <summary>
    /// k-means++ seedings of the first start, the one that leaves the least total squared distance kept. One seeding of 16
    /// well-separated clusters in 32 dimensions (squared distances within a cluster ~2d, between ~20d) put two centres
    /// in one cluster in two of three seeds tried (2026-11-30: 10⁵ rows, one start each: 428 and 2,022 EM steps to
    /// merged-and-split optima 2.7% and 6.3% of log-likelihood below the 4 steps of the seed that covered every
    /// cluster); the sum of squared distances after a few Lloyd steps tells such a seeding (<see cref="Refine"/>). The
    /// other starts take one seeding each: the best of eight for every start put them all at the same k-means partition,
    /// and EM from there at the same optimum, 258 log-likelihood units below sklearn's (a trial: three 1-D clusters, K = 2,
    /// "all 10 starts reached the same log-likelihood").
    /// </summary>
    private const int Seedings = 8;

    // One greedy k-means++ seeding over the rows of sample (SeedRows' rows, d values each, row after row): the centres,
    // each row's squared distance to the nearest, and their sum.
    private static (double[][] Centres, double[] Nearest, double Potential) Seeding(int k, double[] sample, int d, Random random)
    {
        int m = sample.Length / d;
        var nearest = new double[m];
        var trial = new double[m];
        var kept = new double[m];
        int trials = 2 + (int)Math.Log(k);
        var centres = new double[k][];
        double[] RowOf(int r) => sample.AsSpan(r * d, d).ToArray();
        centres[0] = RowOf(random.Next(m));
        for (int r = 0; r < m; r++)
            nearest[r] = SquaredDistance(sample.AsSpan(r * d, d), centres[0]);
        for (int c = 1; c < k; c++)
        {
            double total = nearest.Sum();
            if (!(total > 0))
            {
                centres[c] = RowOf(random.Next(m));
                continue;
            }
            double least = double.PositiveInfinity;
            for (int t = 0; t < trials; t++)
            {
                var candidate = RowOf((int)Draw(nearest, random.NextDouble() * total));
                double potential = 0;
                for (int r = 0; r < m; r++)
                {
                    trial[r] = Math.Min(nearest[r], SquaredDistance(sample.AsSpan(r * d, d), candidate));
                    potential += trial[r];
                }
                // The first candidate is kept whatever its sum (squared distances past 10³⁰⁸ make every sum ∞).
                if (t == 0 || potential < least)
                {
                    (least, centres[c]) = (potential, candidate);
                    trial.CopyTo(kept, 0);
                }
            }
            kept.CopyTo(nearest, 0);
        }
        return (centres, nearest, Refine(centres, sample, d));
    }

    /// <summary>Lloyd's steps of each seeding before the seedings are compared (<see cref="Refine"/>).</summary>
    private const int RefineSteps = 3;

    /// <summary>The most sample rows <see cref="Refine"/> visits (every m-th of the sample's, which are drawn at random).</summary>
    private const int RefineRows = 4096;

    // Lloyd's steps on the sample, which move each seed from the row it was to its cluster's mean: then a seeding
    // that left a cluster without a seed (its rows ~20d from the nearest centre against ~d) stands out by its sum, where
    // the seeds' own places (from the cluster's middle to its edge: d to 2d) blur it before. RefineSteps of
    // KMeansSteps over at most RefineRows of the sample's rows (16 clusters in 32 dimensions: sums of ~0.64 against
    // ~0.76 million for a seeding that merged two clusters, over 20,000 rows): the sum of those rows' squared
    // distances to the nearest centre.
    private static double Refine(double[][] centres, double[] sample, int d)
    {
        int every = Math.Max(1, (sample.Length / d + RefineRows - 1) / RefineRows);
        return KMeansSteps(centres, sample, d, every, RefineSteps).Potential;
    }

    // Lloyd's k-means steps over every stride-th row of rows (d values each, row after row): each row to its nearest
    // centre (the first of equals), each centre moved in place to its rows' mean (one without rows stays), until no row
    // changes cluster or after `steps` moves; each visited row's cluster for the last centres, and the sum of the rows'
    // squared distances to them.
    private static (int[] Cluster, double Potential) KMeansSteps(double[][] centres, double[] rows, int d, int stride, int steps)
    {
        int k = centres.Length, m = (rows.Length / d + stride - 1) / stride;
        var cluster = new int[m];
        Array.Fill(cluster, -1);
        var counts = new double[k];
        var sums = new double[k * d];
        for (int step = 0; ; step++)
        {
            bool moved = false;
            double potential = 0;
            Array.Clear(counts);
            Array.Clear(sums);
            for (int r = 0; r < m; r++)
            {
                var row = rows.AsSpan(r * stride * d, d);
                int best = 0;
                double closest = double.PositiveInfinity;
                for (int c = 0; c < k; c++)
                {
                    double distance = SquaredDistance(row, centres[c]);
                    if (distance < closest)
                        (best, closest) = (c, distance);
                }
                moved |= cluster[r] != best;
                cluster[r] = best;
                potential += closest;
                counts[best]++;
                for (int j = 0; j < d; j++)
                    sums[best * d + j] += row[j];
            }
            if (!moved || step == steps)
                return (cluster, potential);
            for (int c = 0; c < k; c++)
            {
                if (counts[c] > 0)
                {
                    for (int j = 0; j < d; j++)
                        centres[c][j] = sums[c * d + j] / counts[c];
                }
            }
        }
    }

    // Σ (a − b)² in four interleaved sums, added ((s₀ + s₁) + (s₂ + s₃)) + the rest: the same order on every machine
    // (a vector of the machine's width would make a near-tie between two candidates fall by the processor).
    private static double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = 0;
        for (; j + 4 <= a.Length; j += 4)
        {
            double d0 = a[j] - b[j], d1 = a[j + 1] - b[j + 1], d2 = a[j + 2] - b[j + 2], d3 = a[j + 3] - b[j + 3];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        double total = (s0 + s1) + (s2 + s3);
        for (; j < a.Length; j++)
        {
            double delta = a[j] - b[j];
            total += delta * delta;
        }
        return total;
    }

    // The start from Lloyd's clusters, as sklearn starts from its k-means labels: each cluster's share of the rows as its
    // weight, its rows' mean and covariance (of the fit's structure: full, its diagonal, their average for spherical,
    // pooled over the clusters for tied) plus the regularization on the diagonal. A cluster with no row (identical
    // rows, say) keeps its centre, a share of one row and the pooled covariance.
    private MixtureState HardStart(int k, GaussianMixtureOptions options, long every, int[] cluster, double[][] centres)
    {
        int d = Dimensions, m = cluster.Length;
        var counts = new double[k];
        var means = new double[k * d];
        for (int r = 0; r < m; r++)
        {
            counts[cluster[r]]++;
            for (int j = 0; j < d; j++)
                means[cluster[r] * d + j] += _centred[j][r * every];
        }
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < d; j++)
                means[c * d + j] = counts[c] > 0 ? means[c * d + j] / counts[c] : centres[c][j];
        }
        var scatter = new double[k * d * d];
        for (int r = 0; r < m; r++)
        {
            int c = cluster[r];
            for (int a = 0; a < d; a++)
            {
                double da = _centred[a][r * every] - means[c * d + a];
                for (int b = 0; b < d; b++)
                    scatter[(c * d + a) * d + b] += da * (_centred[b][r * every] - means[c * d + b]);
            }
        }
        var pooled = new double[d * d];
        for (int c = 0; c < k; c++)
        {
            for (int e = 0; e < d * d; e++)
                pooled[e] += scatter[c * d * d + e] / m;
        }
        int empty = counts.Count(count => count == 0);
        var state = new MixtureState(d, k, options.Covariance == GaussianMixtureCovariance.Tied ? 1 : k);
        for (int c = 0; c < k; c++)
        {
            state.Values[c] = Math.Max(counts[c], 1) / (m + empty);
            for (int j = 0; j < d; j++)
                state.Values[state.MeanAt(c) + j] = means[c * d + j];
        }
        for (int c = 0; c < state.Covariances; c++)
        {
            var covariance = new double[d * d];
            for (int e = 0; e < d * d; e++)
                covariance[e] = state.Covariances == 1 || counts[c] <= d ? pooled[e] : scatter[c * d * d + e] / counts[c];
            double average = Enumerable.Range(0, d).Average(j => covariance[j * d + j]);
            for (int a = 0; a < d; a++)
            {
                for (int b = 0; b < d; b++)
                {
                    double value = options.Covariance switch
                    {
                        GaussianMixtureCovariance.Full or GaussianMixtureCovariance.Tied => covariance[a * d + b],
                        GaussianMixtureCovariance.Diagonal => a == b ? covariance[a * d + a] : 0,
                        _ => a == b ? average : 0,
                    };
                    state.Values[state.CovarianceAt(c) + a * d + b] = value + (a == b ? options.Regularization : 0);
                }
            }
        }
        return state;
    }

    /// <summary>Rows that Lloyd's steps of a start's seeding visit (evenly spaced through the data).</summary>
    private const int LloydRows = 20_000;

    /// <summary>Lloyd's steps of a start's seeding, at most.</summary>
    private const int LloydSteps = 20;

    // The rows the seeding visits: all of them up to LloydRows, else LloydRows drawn uniformly by the seed's generator (in
    // order of row): not every m-th row, which misses whole clusters of data whose rows cycle through them (row i in
    // cluster i mod 6, say).
    private long[] SeedRows(Random random)
    {
        if (Rows <= LloydRows)
            return [.. Enumerable.Range(0, (int)Rows).Select(i => (long)i)];
        var rows = new long[LloydRows];
        for (int r = 0; r < rows.Length; r++)
            rows[r] = random.NextInt64(Rows);
        Array.Sort(rows);
        return rows;
    }

    // Lloyd's k-means steps (KMeansSteps, at most LloydSteps) over every m-th row (at most LloydRows), moving the centres
    // in place: m and each visited row's cluster (for the last centres). A cluster left empty keeps its centre.
    private (long Every, int[] Cluster) Lloyd(double[][] centres)
    {
        int d = Dimensions;
        long every = Math.Max(1, (Rows + LloydRows - 1) / LloydRows);
        int m = (int)((Rows + every - 1) / every);
        var rows = new double[m * d];
        for (int r = 0; r < m; r++)
        {
            for (int j = 0; j < d; j++)
                rows[r * d + j] = _centred[j][r * every];
        }
        return (every, KMeansSteps(centres, rows, d, 1, LloydSteps).Cluster);
    }

    // How many distinct rows the data have, counted up to `most` (a scan that stops once that many are found).
    private int DistinctRows(int most)
    {
        var found = new List<long>();
        for (long i = 0; i < Rows && found.Count < most; i++)
        {
            bool seen = false;
            foreach (long f in found)
            {
                bool same = true;
                for (int j = 0; j < Dimensions && same; j++)
                    same = _centred[j][f] == _centred[j][i];
                if (seen = same)
                    break;
            }
            if (!seen)
                found.Add(i);
        }
        return found.Count;
    }

    // The first row whose running sum of weights passes target (the last row where rounding leaves none).
    private static long Draw(double[] weights, double target)
    {
        double running = 0;
        for (long i = 0; i < weights.LongLength; i++)
        {
            running += weights[i];
            if (running > target)
                return i;
        }
        return weights.LongLength - 1;
    }

    private GaussianMixtureResult Result(MixtureState state, double log, int iterations, bool converged, double[] starts, GaussianMixtureOptions options,
        (int Streamed, int Count) rowBlocks)
    {
        int k = state.K, d = Dimensions;
        // The fixed order: by the mean's first coordinate, then the next ones.
        var order = Enumerable.Range(0, k).ToArray();
        Array.Sort(order, (a, b) =>
        {
            for (int j = 0; j < d; j++)
            {
                int cmp = state.Values[state.MeanAt(a) + j].CompareTo(state.Values[state.MeanAt(b) + j]);
                if (cmp != 0)
                    return cmp;
            }
            return state.Values[a].CompareTo(state.Values[b]);
        });
        var sorted = new MixtureState(d, k, state.Covariances);
        for (int c = 0; c < k; c++)
        {
            int from = order[c];
            sorted.Values[c] = state.Values[from];
            Array.Copy(state.Values, state.MeanAt(from), sorted.Values, sorted.MeanAt(c), d);
            if (state.Covariances > 1 || c == 0)
                Array.Copy(state.Values, state.CovarianceAt(from), sorted.Values, sorted.CovarianceAt(c), d * d);
        }
        var notes = new List<string>();
        // A component on fewer rows than its covariance needs, and one more (one with less than a row's weight has
        // collapsed altogether).
        var needed = SpuriousComponent.ForGaussian(d, options.Covariance);
        string? spurious = SpuriousComponent.Find([.. Enumerable.Range(0, k).Select(c => sorted.Values[c])], Rows, _ => needed, c => $"component {c + 1}");
        if (spurious is not null)
            notes.Add($"{spurious}; fit fewer components");
        // A component on a point mass of the data (rows repeated, or within a millionth of a column's spread of one
        // point): its covariance is the reg_covar floor in every column, and its weight and the log-likelihood are set by
        // that floor (a trial: 200 rows at (3, 3) among 500 others, "converged" at log L +527.58 with nothing said, and
        // the component count chosen by it). Its own variance, above the floor, is at most the floor itself: narrow
        // against the columns' spread alone, two clusters 10⁷ of their σ apart were each "collapsed onto the point" (a
        // hunt). A tied covariance is shared, so no one component has its own.
        if (sorted.Covariances > 1)
        {
            for (int c = 0; c < k; c++)
            {
                int at = sorted.CovarianceAt(c);
                if (!Enumerable.Range(0, d).All(j => sorted.Values[at + j * d + j] - options.Regularization <= Math.Min(1e-6 * _variances[j], options.Regularization)))
                    continue;
                var point = string.Join(", ", Enumerable.Range(0, d).Select(j => PointValue(sorted.Values[sorted.MeanAt(c) + j] + _offset[j], j).ToString("G6", System.Globalization.CultureInfo.InvariantCulture)));
                notes.Add($"component {c + 1} collapsed onto the point ({point}): its rows lie there (repeated, or within a millionth of each column's spread), a point mass whose likelihood is unbounded, so its covariance is the " +
                    $"reg_covar floor ({options.Regularization:g3}) and the log-likelihood, the weights and any choice of the number of components rest on that floor; leave the repeated rows out, or fit them as a category of their own");
            }
        }
        if (!converged)
            notes.Add($"EM did not meet the relative tolerance {options.Tolerance:g3} within {options.MaxIterations} steps");
        // A point's coordinate in the data's units: within the rounding of the column's centring of 0, 0 (a trial's
        // point (0, 0) read (2.22E-16, 2.22E-16): the mean of the centred rows, plus the centre, rounded).
        double PointValue(double value, int j) =>
            Math.Abs(value) <= 64 * Math.Pow(2, -52) * Math.Max(Math.Abs(_offset[j]), Math.Sqrt(_variances[j])) ? 0 : value;
        // A floor of reg_covar comparable to a column's variance shapes the covariances instead of the data (a trial's
        // data scaled by 10⁻⁴: three identical components, weights' standard errors of 48,000).
        for (int j = 0; j < d; j++)
        {
            double variance = _variances[j];
            if (options.Regularization > 1e-3 * variance)
            {
                // A variance that underflowed to 0 (values of 10⁻²⁰⁰) read "Infinity times ... (0)" (a trial).
                double ratio = options.Regularization / variance;
                string times = double.IsFinite(ratio) ? $"{ratio:g2} times" : "beyond any multiple of";
                string of = variance > 0 ? $"{variance:g3}" : "below the smallest double: the values are too small to square";
                notes.Add($"reg_covar {options.Regularization:g3} is {times} column '{_names[j]}''s variance ({of}): " +
                    "the floor, not the data, shapes the covariances there; rescale the columns (e.g. to unit variance) and fit again");
                break;
            }
        }
        double[]? weightSe = null;
        double[][]? meanSe = null;
        double[][][]? covarianceSe = null;
        // Standard errors are the curvature at the maximum: where EM stopped short there is none to take (a trial got
        // se(w1) 0.109 at a point 6.5 log-likelihood units below it, where the maximum's is 0.056).
        if (!options.StandardErrors)
            notes.Add("standard errors not computed: the estimates alone were asked for");
        else if (!converged)
            notes.Add("no standard errors: the fit did not converge");
        if (options.StandardErrors && converged)
        {
            // The full information (the covariances' entries too) up to MaxFullParameters; beyond it the covariances held,
            // which makes the standard errors conditional on them, and a note says so.
            bool diagonal = options.Covariance is GaussianMixtureCovariance.Diagonal or GaussianMixtureCovariance.Spherical;
            bool full = GaussianMixtureInformation.FullParameterCount(k, d, options.Covariance) <= GaussianMixtureInformation.MaxFullParameters;
            // The host passes: the fit's own on the native backend (no second copy of the data), else one of their own.
            using var device = _device.Backend == Backend.Native ? null : ComputeDevice.Open(Backend.Native);
            using var own = device is null ? null : MixturePass.Open(device, _centred.AsColumns(), k, diagonal);
            var host = own ?? Pass(k, diagonal);
            var errors = GaussianMixtureInformation.StandardErrors(sorted, host, full ? options.Covariance : null);
            if (errors is { } e)
                (weightSe, meanSe, covarianceSe) = e;
            else if (_variances.Any(v => v > 1e150 || v < 1e-150))
                // The information's entries for the covariances go as 1/variance², beyond the doubles (a trial's data
                // ×1e100 were told the information was singular).
                notes.Add("no standard errors: the columns' variances are too large or too small for the information to be formed in doubles (rescale the columns, e.g. to unit variance)");
            else
                notes.Add("the observed information of the mixture is singular: no standard errors");
            if (errors is not null && !full)
            {
                notes.Add($"standard errors of the weights and means with the covariances held at their estimates (more than " +
                    $"{GaussianMixtureInformation.MaxFullParameters} parameters): conditional on them, they can be too small where components overlap");
            }
        }
        var components = new GaussianMixtureComponent[k];
        for (int c = 0; c < k; c++)
        {
            var mean = new double[d];
            for (int j = 0; j < d; j++)
                mean[j] = sorted.Values[sorted.MeanAt(c) + j] + _offset[j];
            var covariance = new double[d][];
            for (int i = 0; i < d; i++)
            {
                covariance[i] = new double[d];
                for (int j = 0; j < d; j++)
                    covariance[i][j] = sorted.Values[sorted.CovarianceAt(c) + i * d + j];
            }
            components[c] = new GaussianMixtureComponent(sorted.Values[c], mean, covariance, weightSe?[c], meanSe?[c], covarianceSe?[c]);
        }
        return new GaussianMixtureResult
        {
            Components = components,
            Columns = _names,
            Covariance = options.Covariance,
            LogLikelihood = log,
            FreeParameters = GaussianMixtureInformation.FullParameterCount(k, d, options.Covariance),
            Rows = Rows,
            Iterations = iterations,
            Converged = converged,
            StartLogLikelihoods = starts,
            Regularization = options.Regularization,
            // Where this fit's pass streamed the data (a trial: a streamed fit's device line did not say so).
            Device = _device.DescriptionOf(rowBlocks),
            Notes = notes,
            Spurious = spurious,
        };
    }

    private const double MachineEpsilon = 2.220446049250313e-16;

    // The state of a result on the centred scale, with one covariance when tied (as the M-step makes it, so that
    // SQUAREM's vectors have one length).
    private MixtureState StateOf(GaussianMixtureResult fit, GaussianMixtureCovariance covariance)
    {
        int k = fit.Components.Count, d = Dimensions;
        var state = new MixtureState(d, k, covariance == GaussianMixtureCovariance.Tied ? 1 : k);
        for (int c = 0; c < k; c++)
        {
            var component = fit.Components[c];
            state.Values[c] = component.Weight;
            for (int j = 0; j < d; j++)
                state.Values[state.MeanAt(c) + j] = component.Mean[j] - _offset[j];
            for (int i = 0; i < d; i++)
            {
                for (int j = 0; j < d; j++)
                    state.Values[state.CovarianceAt(c) + i * d + j] = component.Covariance[i][j];
            }
        }
        return state;
    }
}
