using System.Globalization;
using GpuEstimation.Backends;
using GpuEstimation.Engine;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Mixtures;
using GpuEstimation.Kernels.Models;

namespace GpuEstimation.Mixtures;

/// <summary>How a mixture is fitted: the starts, the EM phase and the exact-likelihood finish.</summary>
public sealed record MixtureOptions
{
    /// <summary>
    /// The starts a mixture fit runs unless told, here and in <see cref="GaussianMixtureOptions"/> (and the CLI's
    /// default): sklearn's users compare against its best of <c>n_init=10</c>, and on elongated or unequal clusters a
    /// start, ours or sklearn's, ends at a poorer local optimum about half the time (a 2-D K = 3 case: 5 starts all
    /// missed; a 1-D K = 6 case: 1 of 10 found it).
    /// </summary>
    public const int DefaultStarts = 10;

    /// <summary>The seed of the k-means++ starts unless told, here and in <see cref="GaussianMixtureOptions"/>.</summary>
    public const int DefaultSeed = 1;

    /// <summary>
    /// Starting points (the first from the data's quantiles, the others k-means++ seeded from <see cref="Seed"/>);
    /// <see cref="DefaultStarts"/> unless told.
    /// </summary>
    public int Starts { get; init; } = DefaultStarts;

    /// <summary>The seed of the k-means++ starts: the same seed, the same starts.</summary>
    public int Seed { get; init; } = DefaultSeed;

    /// <summary>The most EM iterations per start before the finish.</summary>
    public int MaxEmIterations { get; init; } = 500;

    /// <summary>
    /// EM stops when an iteration raises the log-likelihood by less than this times (1 + |log L|), and the quasi-Newton
    /// finish takes over: near the optimum, where EM's steps shrink with the fraction of missing information.
    /// </summary>
    public double EmTolerance { get; init; } = 1e-8;

    /// <summary>The options of the exact-likelihood finish (level, optimizer; profiles on the best start's optimum only).</summary>
    public FitOptions Fit { get; init; } = new();

    /// <summary>Profile every parameter of the best start's optimum (besides any <see cref="FitOptions.Profile"/> names).</summary>
    public bool ProfileEvery { get; init; }
}

/// <summary>One start's outcome: its final log-likelihood, or why it gave none.</summary>
/// <param name="Start">The start's number, from 1.</param>
/// <param name="LogLikelihood">The log-likelihood at its optimum, or null.</param>
/// <param name="EmIterations">The EM iterations it ran.</param>
/// <param name="Failure">Why it gave no optimum (a collapsed component), or null.</param>
/// <param name="EmMs">The wall time of its EM iterations (statistics passes and M-steps; not the finish).</param>
public sealed record MixtureStart(int Start, double? LogLikelihood, int EmIterations, string? Failure, double EmMs);

/// <summary>
/// Fits a <see cref="MixtureSpec"/>: from each start, EM (the E-step and the M-step's sufficient statistics in one
/// deterministic pass of the generic kernel per iteration, <see cref="MixtureModel"/>'s statistics mode; closed-form
/// M-steps for the families that have them, the others held) and then the engine's quasi-Newton fit of the exact
/// mixture likelihood from the EM point, so that the result is a stationary point to the usual tolerance with standard
/// errors from the observed information. Components of one family are put in a fixed order (by location, by the
/// parameter of a one-parameter family, otherwise by decreasing weight) so that label switching never shows.
/// </summary>
public static class MixtureEstimator
{
    /// <summary>A component scale below this times the data's spread has collapsed onto a point.</summary>
    public const double CollapseRatio = 1e-6;

    /// <summary>A weight below this (or below half an observation's share) has been lost.</summary>
    public const double LostWeight = 1e-8;

    /// <summary>Two same-family components whose parameters agree to this relative difference coincide.</summary>
    public const double Coincidence = 1e-4;

    /// <summary>
    /// Fits <paramref name="spec"/> on <paramref name="device"/>: the best converged start; where none converged, the best
    /// that stopped short (its result not converged); <see cref="MixtureFitException"/> where no start gives a mixture.
    /// A cancelled <paramref name="cancellationToken"/> stops the fit before its next pass (an EM iteration's or the
    /// finish's), with an <see cref="OperationCanceledException"/>.
    /// </summary>
    public static MixtureFit Fit(MixtureSpec spec, ComputeDevice device, MixtureOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(device);
        options ??= new MixtureOptions();
        if (options.Starts < 1)
            throw new InputException($"starts: {options.Starts}, at least 1 is needed", nameof(options.Starts));
        if (options.MaxEmIterations < 1)
            throw new InputException($"at most {options.MaxEmIterations} EM iterations: must be at least 1", nameof(options.MaxEmIterations));
        if (!(double.IsFinite(options.EmTolerance) && options.EmTolerance >= 0))
            throw new InputException($"EM tolerance {options.EmTolerance}: must be a finite number of at least 0", nameof(options.EmTolerance));
        // The EM ignores them, and the exact finish would apply them to its point alone (a library trial's fixed value was
        // dropped without a word, a MAP flag applied to the finish only).
        ArgumentNullException.ThrowIfNull(options.Fit);
        if (options.Fit.Map || options.Fit.Priors.Count > 0 || options.Fit.CoefficientPrior is not null || options.Fit.Fixed.Count > 0 || options.Fit.Covariance.IsRobust)
            throw new InputException("a mixture is fitted by maximum likelihood from its own starts, with model-based standard errors: MAP, priors, fixed values and robust covariances are not supported for it", nameof(options));
        int distinct = spec.X.Distinct().Take(spec.Components + 1).Count();
        if (distinct < spec.Components)
        {
            throw new InputException($"{spec.Source}: column '{spec.Column}' has {distinct} distinct value{(distinct == 1 ? "" : "s")}, " +
                $"fewer than the {spec.Components} components: such a mixture is not identified (use at most {distinct})");
        }
        // As many rows as parameters or fewer (a trial: 4 rows, two normals' 5 parameters, fitted with standard errors).
        if (spec.X.Length <= spec.ParameterCount)
        {
            throw new InputException($"{spec.Source}: column '{spec.Column}' has {spec.X.Length} row{(spec.X.Length == 1 ? "" : "s")} for the " +
                $"{spec.ParameterCount} parameters of a {spec.Components}-component mixture: it needs more rows than parameters");
        }
        // A normal component's M-step and pass form its variance from squares: over values spanning 10⁻²⁰⁰ they
        // underflowed to 0 and every start "collapsed" or had no finite log-likelihood (10²⁰⁰: overflowed), where the
        // other families fit. Said so, with the factor that brings the column to a scale of about 1.
        if (spec.Families.Any(f => f.Family == MixtureFamily.Normal))
        {
            double span = spec.X.Max() - spec.X.Min();
            if (span > 0 && !(span >= 1e-150 && span <= 1e150))
            {
                double factor = double.IsFinite(span) ? Math.Pow(10, -Math.Round(Math.Log10(span))) : 0;
                throw new InputException($"{spec.Source}: column '{spec.Column}': its values span {span.ToString("g3", CultureInfo.InvariantCulture)}, whose square {(span < 1 ? "underflows" : "overflows")} a double: " +
                    "a normal component's variance is formed from squares, so it cannot be fitted on this scale; " +
                    (factor > 0 ? $"multiply the column by {factor.ToString("g1", CultureInfo.InvariantCulture)}, fit, and divide the locations and sigmas by it" : "rescale the column"));
            }
        }
        // Data far from zero against their spread (10¹² ± 10) in families of a location: fitted shifted, exactly, and the
        // locations shifted back (the searches ran 1,000–2,000 iterations there, some to "not converged", a trial).
        if (spec.Shifted() is { } shifted)
        {
            try
            {
                return Unshift(Fit(shifted.Spec, device, options, cancellationToken), spec, shifted.By);
            }
            catch (MixtureFitException e)
            {
                // Its values are the shifted data's: said so, with the shift.
                throw new MixtureFitException($"{e.Message} (values of the data less {shifted.By.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, as fitted)");
            }
        }
        // The device held for the whole fit (its engines' passes too), so that disposing it on another thread waits for
        // the fit; released last, after the engines below free their buffers.
        using var hold = device.Use();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var statistics = spec.Model.WithStatistics(true);
        // An all-normal mixture's statistics come from its own pass; the generic engine (another copy of the data on a
        // device) only for the others.
        using var normal = NormalMixtureStatistics.For(spec, device);
        using var em = normal is null ? new LikelihoodEngine<MixtureModel>(device, statistics, spec.Columns, MixtureSpec.ModelName) : null;
        double StatisticsAt(double[] point, double[] sums)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return normal is not null ? normal.Evaluate(point, sums) : em!.Evaluate(point, sums);
        }
        var exact = spec.ToModelSpec(InitialPoint(spec, options.Seed, 0));
        using var session = new EstimationSession(exact, device);
        var scales = spec.Spreads;

        var outcomes = new List<MixtureStart>();
        FitResult? best = null, unconverged = null;
        int bestStart = 0, unconvergedStart = 0;
        for (int s = 0; s < options.Starts; s++)
        {
            var start = InitialPoint(spec, options.Seed, s);
            var emClock = System.Diagnostics.Stopwatch.StartNew();
            var (point, iterations, failure) = Em(spec, StatisticsAt, statistics.ParameterCount, start, options, scales);
            double emMs = emClock.Elapsed.TotalMilliseconds;
            FitResult? fit = null, ended = null;
            if (failure is null)
            {
                (fit, failure, ended) = Finish(spec, session, Order(spec, point), options, scales, cancellationToken);
                if (fit is not null && !IsOrdered(spec, Values(fit)))
                    (fit, failure, ended) = Finish(spec, session, Order(spec, Values(fit!)), options, scales, cancellationToken);
            }
            if (ended is not null && (unconverged is null || ended.LogLikelihood > unconverged.LogLikelihood))
            {
                unconverged = ended;
                unconvergedStart = s + 1;
            }
            outcomes.Add(new MixtureStart(s + 1, fit?.LogLikelihood, iterations, failure, emMs));
            if (fit is not null && (best is null || fit.LogLikelihood > best.LogLikelihood))
            {
                best = fit;
                bestStart = s + 1;
            }
        }
        // Where no start converged but some ended at a proper mixture (no collapse), the best of those is the result,
        // reported as not converged (exit 3, its outputs written), as any other fit that stops short.
        if (best is null && unconverged is not null)
        {
            (best, bestStart) = (unconverged, unconvergedStart);
            // Its row in the starts' list shows where it ended (its failure stays beside it).
            outcomes[bestStart - 1] = outcomes[bestStart - 1] with { LogLikelihood = unconverged.LogLikelihood };
        }
        if (best is null)
            throw new MixtureFitException($"{spec.Source}: column '{spec.Column}': no start gave a {spec.Components}-component mixture: {outcomes[0].Failure}");
        var profile = options.ProfileEvery ? [.. spec.Parameters.Select(p => p.Name)] : options.Fit.Profile;
        if (profile.Count > 0 && best.Converged)
        {
            var at = spec.Parameters.Select((p, j) => (p.Name, Value: best.Parameters[j].Estimate)).ToDictionary(p => p.Name, p => p.Value);
            // Parameters held at an edge stay held (with their notes).
            var held = best.Parameters.Where(p => p.Fixed).ToDictionary(p => p.Name, p => p.Estimate);
            var notes = best.Diagnostics.Notes;
            // "Every parameter" is every estimated one: not those held.
            var profiled = options.ProfileEvery ? [.. profile.Where(name => !held.ContainsKey(name))] : profile;
            best = session.Fit(options.Fit with { Start = Free(at, held), Profile = profiled, Fixed = held }, cancellationToken);
            best = best with { Diagnostics = best.Diagnostics with { Notes = [.. best.Diagnostics.Notes, .. notes.Except(best.Diagnostics.Notes)] } };
        }
        var fitted = new MixtureFit(spec, best with { ElapsedMs = clock.Elapsed.TotalMilliseconds }, outcomes, bestStart);
        if (fitted.Spurious is not { } spurious)
            return fitted;
        string note = $"{spurious}; fewer components, or starts from another seed, may describe the data better";
        return new MixtureFit(spec, fitted.Result with { Diagnostics = fitted.Result.Diagnostics with { Notes = [.. fitted.Result.Diagnostics.Notes, note] } }, outcomes, bestStart);
    }

    private static double[] Values(FitResult fit) => [.. fit.Parameters.Select(p => p.Estimate)];

    // A fit of data shifted by −by, as a fit of spec's: each location, its Wald and profile ends plus by (the rest, the
    // log-likelihood and the covariance are the same).
    private static MixtureFit Unshift(MixtureFit fit, MixtureSpec spec, double by)
    {
        var locations = spec.LocationParameters().ToHashSet();
        Interval? Moved(Interval? interval) => interval is null ? null : interval with { Lower = interval.Lower + by, Upper = interval.Upper + by };
        var parameters = fit.Result.Parameters.Select((p, j) => locations.Contains(j)
            ? p with { Estimate = p.Estimate + by, Wald = Moved(p.Wald), Profile = Moved(p.Profile) }
            : p).ToArray();
        return new MixtureFit(spec, fit.Result with { Parameters = parameters }, fit.Starts, fit.BestStart);
    }

    /// <summary>All K weights of a point in model order (the last one 1 − the others).</summary>
    public static double[] Weights(MixtureSpec spec, IReadOnlyList<double> point)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(point);
        int k = spec.Components;
        var w = new double[k];
        double last = 1;
        for (int j = 0; j < k - 1; j++)
        {
            w[j] = point[j];
            last -= point[j];
        }
        w[k - 1] = last;
        return w;
    }

    // EM from start: one statistics pass per iteration (statisticsAt: the log-likelihood and the statistics' sums at a
    // padded point of `size` values), then the closed-form M-step.
    private static (double[] Point, int Iterations, string? Failure) Em(MixtureSpec spec, Func<double[], double[], double> statisticsAt, int size,
        double[] start, MixtureOptions options, (double X, double LogX) scales)
    {
        int k = spec.Components;
        var point = (double[])start.Clone();
        var padded = new double[size];
        var sums = new double[size];
        double previous = double.NegativeInfinity;
        int iteration = 0;
        for (; iteration < options.MaxEmIterations; iteration++)
        {
            Array.Clear(padded);
            point.CopyTo(padded, 0);
            double value = statisticsAt(padded, sums);
            if (!double.IsFinite(value))
                return (point, iteration, $"the log-likelihood is not finite at EM iteration {iteration + 1}");
            var next = MStep(spec, point, sums);
            // A discrete component at its point-mass edge ends EM there (the edge held at 10⁻¹² from it), for the exact
            // fit to hold it and finish the rest (Finish).
            if (Edge(spec, next, NoneHeld) is { } edge)
            {
                next[edge.Index] = edge.Value;
                // The rest must still be a mixture (a trial's 3xpoisson start had also lost a component's weight).
                if (Collapse(spec, next, scales, new HashSet<string> { edge.Name }) is { } lost)
                    return (point, iteration + 1, lost);
                return (next, iteration + 1, null);
            }
            if (Collapse(spec, next, scales, NoneHeld) is { } failure)
                return (point, iteration + 1, failure);
            point = next;
            if (value - previous <= options.EmTolerance * (1 + Math.Abs(value)))
                return (point, iteration + 1, null);
            previous = value;
        }
        return (point, iteration, null);
    }

    private static double[] MStep(MixtureSpec spec, double[] point, double[] sums)
    {
        int k = spec.Components;
        var next = (double[])point.Clone();
        double total = 0;
        for (int c = 0; c < k; c++)
            total += sums[MixtureModel.StatisticsPerComponent * c];
        for (int c = 0; c < k - 1; c++)
            next[c] = sums[MixtureModel.StatisticsPerComponent * c] / total;
        for (int c = 0; c < k; c++)
        {
            double r = sums[MixtureModel.StatisticsPerComponent * c];
            double a = sums[MixtureModel.StatisticsPerComponent * c + 1] / r;
            double b = sums[MixtureModel.StatisticsPerComponent * c + 2] / r;
            if (!(r > 0))
                continue;
            int at = spec.Model.FirstParameter(c);
            switch (spec.Families[c].Family)
            {
                // The normal's and log-normal's sums are of x (log x) less the component's μ at `point`.
                case MixtureFamily.Normal:
                case MixtureFamily.LogNormal:
                    next[at] = point[at] + a;
                    next[at + 1] = Math.Sqrt(Math.Max(b - a * a, 0));
                    break;
                case MixtureFamily.Gamma:
                    double shape = GammaShape(Math.Log(a) - b);
                    next[at] = shape;
                    next[at + 1] = shape / a;
                    break;
                case MixtureFamily.Exponential:
                    next[at] = 1 / a;
                    break;
                case MixtureFamily.Poisson:
                    next[at] = a;
                    break;
                case MixtureFamily.Geometric:
                    next[at] = 1 / a;
                    break;
                case MixtureFamily.Bernoulli:
                    next[at] = a;
                    break;
            }
        }
        return next;
    }

    // The gamma MLE's shape from s = log(mean) − mean(log x) > 0: Newton on log α − ψ(α) = s from Minka's approximation.
    private static double GammaShape(double s)
    {
        if (!(s > 0))
            return double.PositiveInfinity;
        double alpha = (3 - s + Math.Sqrt((s - 3) * (s - 3) + 24 * s)) / (12 * s);
        for (int i = 0; i < 30; i++)
        {
            double g = DeviceMath.LogMinusDigamma(alpha) - s;
            double slope = DeviceMath.InverseMinusTrigamma(alpha);
            double step = g / slope;
            double next = alpha - step;
            alpha = next > 0 ? next : alpha / 2;
            if (Math.Abs(step) <= 1e-14 * alpha)
                break;
        }
        return alpha;
    }

    /// <summary>
    /// Why a point is degenerate, naming the component (a weight lost, a scale collapsed onto a point, a parameter at
    /// the edge of its domain or not finite), or null for a usable point.
    /// </summary>
    private static string? Collapse(MixtureSpec spec, double[] point, (double X, double LogX) scales, IReadOnlySet<string> held)
    {
        var weights = Weights(spec, point);
        for (int c = 0; c < spec.Components; c++)
        {
            var family = spec.Families[c];
            string name = $"component {c + 1} ({family.Name})";
            // The advice: fewer components where there are several; one component has no fewer to fit.
            string fewer = spec.Components > 1 ? "fit fewer components" : "the data are not spread enough for the family";
            if (!(weights[c] >= LostWeight && weights[c] * spec.X.Length >= 0.5))
                return $"{name} lost its weight (w{c + 1} → 0): the data support fewer components";
            int at = spec.Model.FirstParameter(c);
            for (int j = 0; j < family.Parameters.Count; j++)
            {
                var parameter = family.Parameters[j];
                double value = point[at + j];
                string label = $"{parameter.Name}{c + 1}";
                if (held.Contains(label))
                    continue;
                if (!double.IsFinite(value))
                    return $"{name} degenerated ({label} → ∞): it collapsed onto a point of the data, where the likelihood is unbounded";
                bool scale = parameter.Name is "sigma" or "scale" && family.Family != MixtureFamily.Weibull;
                double spread = family.Family == MixtureFamily.LogNormal ? scales.LogX : scales.X;
                if (scale && value < CollapseRatio * spread && OnOnePoint(spec.X, family.Family == MixtureFamily.LogNormal, point[at], value))
                {
                    // Within the rounding of the data's spread of 0, 0 (a trial's 50 zeros read "x = -8.88178E-16", as the
                    // Gaussian mixture's point once did).
                    double at0 = Math.Abs(point[at]) <= 64 * Math.Pow(2, -52) * spread ? 0 : point[at];
                    // Six digits beyond the data's spread (data around 10¹² said only "x = 1E+12").
                    double point0 = family.Family == MixtureFamily.LogNormal ? Math.Exp(at0) : at0;
                    int digits = Math.Clamp(6 + (int)Math.Ceiling(Math.Log10(Math.Max(1, Math.Abs(at0) / spread))), 6, 17);
                    string where = $"x = {point0.ToString("G" + digits, CultureInfo.InvariantCulture)}";
                    return $"{name} collapsed onto {where} ({label} → 0: a point mass in the data, where the likelihood is unbounded); {fewer}, or a discrete family for repeated values";
                }
                if (parameter.Domain == ParameterDomain.UnitInterval && !(value > LostWeight && value < 1 - LostWeight))
                    return $"{name} became a point mass ({label} → {(value < 0.5 ? 0 : 1)}); {fewer}";
                // Student-t's ν → ∞ is its normal limit, not a point mass (a regression trial).
                if (family.Family == MixtureFamily.StudentT && parameter.Name == "nu" && value >= 1e10)
                    return $"{name} ran to its normal limit ({label} → ∞): fit a normal component in its place";
                // Measured in the data's units: a gamma mixture of x ~ 10³⁰ (masses in kg) has rates ~ 10⁻³⁰. A Poisson
                // rate is the counts' mean, at most their largest (counts near 10¹⁰ have rates there, not point masses
                // at ∞: a hunt), and its edge at 0 is Edge's. A gamma's shape is its mean over its standard deviation,
                // squared: large for a narrow component (10¹⁰ for 1000 ± 0.01, a hunt), which collapses only where
                // that standard deviation, √shape/rate, does, onto one value (the scales' rule above).
                double relative = value * Math.Pow(scales.X, -Units(family.Family, parameter.Name));
                double above = family.Family == MixtureFamily.Poisson ? value / Math.Max(1, spec.X.Max()) : relative;
                if (family.Family == MixtureFamily.Gamma)
                {
                    double shape = point[at], rate = point[at + 1];
                    if (!(Math.Sqrt(shape) / rate >= CollapseRatio * scales.X) && OnOnePoint(spec.X, false, shape / rate, Math.Sqrt(shape) / rate))
                        return $"{name} collapsed onto x = {(shape / rate).ToString("G6", CultureInfo.InvariantCulture)} (its standard deviation √shape{c + 1}/rate{c + 1} → 0: a point mass in the data, where the likelihood is unbounded); {fewer}";
                    above = 1;
                }
                if (parameter.Domain == ParameterDomain.Positive && !(relative > 1e-10 && above < 1e10))
                    return $"{name} became a point mass ({label} → {(relative <= 1e-10 ? "0" : "∞")}); {fewer}";
            }
        }
        return null;
    }

    // Whether the rows within 8 scales of a component's location (log x's for the log-normal) are one value, or none:
    // a point mass of the data, not a narrow cluster of its own. Narrow against the data's spread alone, two clusters
    // 10⁷ of their σ apart were each called collapsed onto a point (a hunt).
    private static bool OnOnePoint(double[] x, bool logScale, double location, double scale)
    {
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        foreach (double raw in x)
        {
            double v = logScale ? Math.Log(raw) : raw;
            if (Math.Abs(v - location) <= 8 * scale)
                (low, high) = (Math.Min(low, v), Math.Max(high, v));
        }
        return !(high > low);
    }

    /// <summary>
    /// The power of x's units a positive parameter carries: −1 for a continuous family's rate, 1 for its scale or σ (the
    /// log-normal's σ is of log x: 0), 0 for shapes, ν and the parameters of the discrete families and the beta.
    /// </summary>
    private static int Units(MixtureFamily family, string parameter) => family switch
    {
        MixtureFamily.Poisson or MixtureFamily.Bernoulli or MixtureFamily.NegativeBinomial or MixtureFamily.Geometric or MixtureFamily.Beta => 0,
        MixtureFamily.LogNormal => 0,
        _ => parameter switch
        {
            "rate" => -1,
            "scale" or "sigma" => 1,
            _ => 0,
        },
    };

    private static readonly HashSet<string> NoneHeld = [];

    // A point whose weights are not all inside (0, 1) is no mixture to search from (the search would refuse it as bad
    // input, ending every start: a trial's 3xpoisson): the component that lost its weight, or null.
    private static string? WeightLost(MixtureSpec spec, double[] point)
    {
        var weights = Weights(spec, point);
        int lost = Array.FindIndex(weights, w => !(w > 0 && w < 1));
        return lost < 0 || spec.Components == 1 ? null
            : $"component {lost + 1} ({spec.Families[lost].Name}) lost its weight (w{lost + 1} → {(weights[lost] > 0.5 ? 1 : 0)}): the data support fewer components";
    }

    /// <summary>How near its edge a discrete component's parameter must come to be held there (<see cref="Edge"/>).</summary>
    public const double EdgeDistance = 1e-6;

    /// <summary>
    /// The first discrete component whose parameter has run to the edge where the component is a point mass on a
    /// value of its support (a Poisson's rate → 0: on 0; a Bernoulli's p → 0 or 1: on 0 or 1; a
    /// geometric's p → 1: on 1, its support starting there), within <see cref="EdgeDistance"/>, not already held: its name, the value 10⁻¹² from the
    /// edge to hold it at, and a note for the result; its index in the point. Null where none.
    /// </summary>
    private static (int Index, string Name, double Value, string Note)? Edge(MixtureSpec spec, double[] point, IReadOnlySet<string> held)
    {
        for (int c = 0; c < spec.Components; c++)
        {
            var family = spec.Families[c];
            int at = spec.Model.FirstParameter(c);
            for (int j = 0; j < family.Parameters.Count; j++)
            {
                string label = $"{family.Parameters[j].Name}{c + 1}";
                double value = point[at + j];
                if (held.Contains(label))
                    continue;
                double? edge = (family.Family, family.Parameters[j].Name) switch
                {
                    (MixtureFamily.Poisson, "rate") when value < EdgeDistance => 0,
                    (MixtureFamily.Bernoulli, "p") when value < EdgeDistance => 0,
                    (MixtureFamily.Bernoulli or MixtureFamily.Geometric, "p") when value > 1 - EdgeDistance => 1,
                    _ => null,
                };
                if (edge is not { } bound)
                    continue;
                // The Bernoulli's mass at p = 1 is on 1; the geometric's (support 1, 2, …) at p = 1 on 1; the rest on 0.
                double support = bound == 1 ? 1 : 0;
                double hold = bound == 0 ? 1e-12 : 1 - 1e-12;
                return (at + j, label, hold, $"component {c + 1} ({family.Name}) is a point mass at {support} ({label} → {bound}, held at " +
                    $"{hold.ToString("R", CultureInfo.InvariantCulture)}: the likelihood's supremum is at that edge, as in a zero-inflated model); {label} has no standard error");
            }
        }
        return null;
    }

    // Two components of one family with the same parameters: one mixture component counted twice, not identified. A
    // location is compared with the data's spread (relative to itself, data 1 ± 10⁻¹² had every pair coincide, and
    // data around 1000 with a spread of 1 any two means 0.1 apart), the others relative to themselves, with a floor in
    // the data's units for values at 0.
    // A Poisson rate is its component's mean and variance both: two rates coincide within a fraction of the larger
    // one's standard deviation √λ where that is the smaller measure (rates of 10⁹ five standard deviations apart
    // differ by 1.6·10⁻⁴ of themselves, and were called one component; a hunt).
    private static string? Coincident(MixtureSpec spec, double[] point)
    {
        double Within(MixtureFamilies.Entry family, double a, double b) =>
            family.Family == MixtureFamily.Poisson ? Math.Min(Math.Abs(a) + Math.Abs(b), Math.Sqrt(Math.Max(a, b))) : Math.Abs(a) + Math.Abs(b);
        bool Same(MixtureFamilies.Entry family, int j, double a, double b) => spec.LocationSpread(family, j) is { } spread
            ? Math.Abs(a - b) <= Coincidence * spread
            : Math.Abs(a - b) <= Coincidence * Within(family, a, b) + 1e-12 * Math.Pow(spec.Spreads.X, Units(family.Family, family.Parameters[j].Name));
        for (int a = 0; a < spec.Components; a++)
        {
            for (int b = a + 1; b < spec.Components; b++)
            {
                if (spec.Families[a].Family != spec.Families[b].Family)
                    continue;
                int pa = spec.Model.FirstParameter(a), pb = spec.Model.FirstParameter(b);
                bool same = Enumerable.Range(0, spec.Families[a].Parameters.Count)
                    .All(j => Same(spec.Families[a], j, point[pa + j], point[pb + j]));
                if (same)
                    return $"components {a + 1} and {b + 1} ({spec.Families[a].Name}) coincide: the data support fewer components";
            }
        }
        return null;
    }

    // The starting values of the parameters not held (a fit refuses a start for a fixed parameter).
    private static Dictionary<string, double> Free(IReadOnlyDictionary<string, double> start, IReadOnlyDictionary<string, double> held) =>
        start.Where(s => !held.ContainsKey(s.Key)).ToDictionary(s => s.Key, s => s.Value);

    // The exact-likelihood fit from an EM point: the fit where it converged at a proper mixture; else the failure, and
    // the fit itself where it only stopped short (no collapse), for the result when no start converges.
    private static (FitResult? Fit, string? Failure, FitResult? Unconverged) Finish(MixtureSpec spec, EstimationSession session, double[] point,
        MixtureOptions options, (double X, double LogX) scales, CancellationToken cancellation)
    {
        if (WeightLost(spec, point) is { } lost)
            return (null, lost, null);
        var start = spec.Parameters.Select((p, j) => (p.Name, Value: point[j])).ToDictionary(p => p.Name, p => p.Value);
        foreach (var (name, value) in options.Fit.Start)
            start[name] = value;
        var fit = session.Fit(options.Fit with { Start = start, Profile = [] }, cancellation);
        var values = Values(fit);
        // A discrete component at its point-mass edge (a Poisson's rate → 0: all its weight on 0, a zero-inflated
        // count model): the likelihood is bounded there and the edge is its supremum, so the parameter is held at the
        // edge (10⁻¹² from it) and the rest fitted again, as the NB2 GLM's α at its Poisson edge.
        var held = new HashSet<string>();
        var fixedValues = new Dictionary<string, double>();
        var notes = new List<string>();
        // Each edge in turn (two Poisson components may both run to 0, a Bernoulli's p₁ to 0 and p₂ to 1).
        while (Edge(spec, values, held) is { } edge)
        {
            if (WeightLost(spec, values) is { } gone)
                return (null, gone, null);
            fixedValues[edge.Name] = edge.Value;
            for (int j = 0; j < values.Length; j++)
                start[spec.Parameters[j].Name] = fixedValues.TryGetValue(spec.Parameters[j].Name, out var value) ? value : values[j];
            notes.Add(edge.Note);
            fit = session.Fit(options.Fit with { Start = Free(start, fixedValues), Profile = [], Fixed = new Dictionary<string, double>(fixedValues) }, cancellation);
            fit = fit with { Diagnostics = fit.Diagnostics with { Notes = [.. fit.Diagnostics.Notes, .. notes] } };
            values = Values(fit);
            held.Add(edge.Name);
        }
        if ((Collapse(spec, values, scales, held) ?? Coincident(spec, values)) is { } failure)
            return (null, failure, null);
        if (!fit.Converged)
            return (null, $"the exact-likelihood fit from the EM point did not converge: {fit.Reason}", fit);
        return (fit, null, null);
    }

    // The order key of component c: its location (first parameter, real), its one parameter, or minus its weight.
    private static double Key(MixtureSpec spec, IReadOnlyList<double> point, double[] weights, int c)
    {
        var family = spec.Families[c];
        int at = spec.Model.FirstParameter(c);
        if (family.Parameters[0].Domain == ParameterDomain.Real || family.Parameters.Count == 1)
            return point[at];
        return -weights[c];
    }

    private static bool IsOrdered(MixtureSpec spec, double[] point) => Order(spec, point).SequenceEqual(point);

    /// <summary>
    /// <paramref name="point"/> with the components of each family sorted by <see cref="Key"/> (stable): each family's
    /// components keep the places the user gave that family, so only same-family components trade places.
    /// </summary>
    public static double[] Order(MixtureSpec spec, double[] point)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(point);
        int k = spec.Components;
        var weights = Weights(spec, point);
        var source = Enumerable.Range(0, k).ToArray();
        foreach (var group in Enumerable.Range(0, k).GroupBy(c => spec.Families[c].Family))
        {
            var places = group.ToArray();
            var sorted = places.OrderBy(c => Key(spec, point, weights, c)).ThenBy(c => c).ToArray();
            for (int i = 0; i < places.Length; i++)
                source[places[i]] = sorted[i];
        }
        var result = (double[])point.Clone();
        var newWeights = source.Select(c => weights[c]).ToArray();
        for (int c = 0; c < k - 1; c++)
            result[c] = newWeights[c];
        for (int c = 0; c < k; c++)
        {
            int to = spec.Model.FirstParameter(c), from = spec.Model.FirstParameter(source[c]);
            for (int j = 0; j < spec.Families[c].Parameters.Count; j++)
                result[to + j] = point[from + j];
        }
        return result;
    }

    /// <summary>
    /// Start <paramref name="start"/> (from 0): the data split at its quantiles (start 0) or into k-means++-seeded
    /// clusters (seeded by <paramref name="seed"/> and the start's number), of at most 200 000 evenly spaced rows, each group giving its component the
    /// family's own starting values, and the group's share its weight. Deterministic.
    /// </summary>
    public static double[] InitialPoint(MixtureSpec spec, int seed, int start)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int k = spec.Components;
        // At most 200 000 evenly spaced rows: starting values need no more, and 10^8 rows need not be sorted per start.
        int m = Math.Min(spec.X.Length, 200_000);
        var sorted = Enumerable.Range(0, m).Select(i => spec.X[(int)((long)i * spec.X.Length / m)]).ToArray();
        Array.Sort(sorted);
        var groups = start == 0 ? QuantileGroups(sorted, k) : KMeansGroups(sorted, k, new Random(unchecked(seed * 1_000_003 + start)));
        // Mixed families: later starts also try the groups in other orders (which family takes which part of the data).
        if (start >= 2 && spec.Families.Select(f => f.Family).Distinct().Count() > 1)
            groups = [.. groups.Skip((start - 1) % k), .. groups.Take((start - 1) % k)];
        var point = new double[spec.ParameterCount];
        var weights = new double[k];
        for (int c = 0; c < k; c++)
        {
            var family = spec.Families[c];
            var inside = groups[c].Where(family.InSupport).ToArray();
            if (inside.Length < 2)
                inside = [.. sorted.Where(family.InSupport)];
            var values = family.Start(inside);
            if (!values.All(double.IsFinite))
                values = family.Start([.. sorted.Where(family.InSupport)]);
            values.CopyTo(point, spec.Model.FirstParameter(c));
            weights[c] = Math.Max(groups[c].Length, 0.05 * sorted.Length / k);
        }
        double sum = weights.Sum();
        for (int c = 0; c < k - 1; c++)
            point[c] = weights[c] / sum;
        return point;
    }

    private static double[][] QuantileGroups(double[] sorted, int k) =>
        [.. Enumerable.Range(0, k).Select(g => sorted[(int)((long)sorted.Length * g / k)..(int)((long)sorted.Length * (g + 1) / k)])];

    // k-means++ seeding and ten Lloyd steps on at most 20 000 evenly spaced order statistics, groups in order of centre.
    private static double[][] KMeansGroups(double[] sorted, int k, Random random)
    {
        int m = Math.Min(sorted.Length, 20_000);
        var sample = Enumerable.Range(0, m).Select(i => sorted[(int)((long)i * sorted.Length / m)]).ToArray();
        var centres = new List<double> { sample[random.Next(m)] };
        var distance = new double[m];
        while (centres.Count < k)
        {
            double total = 0;
            for (int i = 0; i < m; i++)
            {
                double d = centres.Min(c => Math.Abs(sample[i] - c));
                distance[i] = d * d;
                total += distance[i];
            }
            if (!(total > 0))
                break;
            double u = random.NextDouble() * total;
            int pick = 0;
            for (double run = distance[0]; run < u && pick < m - 1; run += distance[++pick])
            {
            }
            centres.Add(sample[pick]);
        }
        var c = centres.Distinct().Order().ToArray();
        for (int step = 0; step < 10; step++)
        {
            var sum = new double[c.Length];
            var count = new int[c.Length];
            foreach (var v in sample)
            {
                int j = Nearest(c, v);
                sum[j] += v;
                count[j]++;
            }
            c = [.. c.Select((old, j) => count[j] > 0 ? sum[j] / count[j] : old).Distinct().Order()];
        }
        var groups = Enumerable.Range(0, k).Select(_ => new List<double>()).ToArray();
        foreach (var v in sorted)
            groups[Math.Min(Nearest(c, v), k - 1)].Add(v);
        // Fewer distinct centres than components: the last groups stay empty and take the whole data's start.
        return [.. groups.Select(g => g.ToArray())];
    }

    private static int Nearest(double[] centres, double v)
    {
        int best = 0;
        for (int j = 1; j < centres.Length; j++)
        {
            if (Math.Abs(v - centres[j]) < Math.Abs(v - centres[best]))
                best = j;
        }
        return best;
    }
}
