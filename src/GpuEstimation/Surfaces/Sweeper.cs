using GpuEstimation.Backends;
using System.Diagnostics;
using GpuEstimation.Estimation;
using GpuEstimation.Priors;

namespace GpuEstimation.Surfaces;

/// <summary>Evaluates a model's log-likelihood (or log-posterior) over a grid of its parameters.</summary>
public static class Sweeper
{
    /// <summary>Sweeps a grid of a model's parameters.</summary>
    /// <param name="session">The model's data on the device that evaluates.</param>
    /// <param name="options">The grid, where the other parameters sit, profile or not, MLE or MAP.</param>
    /// <param name="progress">Told the fraction of grid points done, after each tile of points (or profile fit).</param>
    /// <param name="cancellationToken">
    /// Checked before each tile of points, each profile fit and each pass of a fit: a cancelled sweep stops there with an
    /// <see cref="OperationCanceledException"/> (under MPI, cancel it on every rank).
    /// </param>
    public static SweepResult Sweep(EstimationSession session, SweepOptions options, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var axisIndex = CheckAxes(session.Parameters, options);
        var (basePoint, fit) = PlaceOffGrid(session, options, axisIndex, cancellationToken);
        var grid = new GridPoints(options.Axes, axisIndex, basePoint);

        IReadOnlyList<double[]> points = grid;
        double[] logLikelihood;
        double[]? logPosterior;
        int notConverged = 0;
        if (options.Profile)
            (points, logLikelihood, logPosterior, notConverged) = ProfileSweep(session, options, axisIndex, grid, basePoint, progress, cancellationToken);
        else
            (logLikelihood, logPosterior) = PlainSweep(session, options, grid, progress, cancellationToken);

        var estimates = options.Estimates ? Locate(session, options, axisIndex, basePoint, fit, cancellationToken) : [];
        clock.Stop();
        return new SweepResult(session.Model.Name, fit?.Device ?? session.DeviceDescription, session.Model.Rows, options.Axes,
            session.Parameters.Names.ToArray(), points, logLikelihood, logPosterior, options.Profile, notConverged, fit,
            clock.Elapsed.TotalMilliseconds) { Estimates = estimates };
    }

    /// <summary>Each axis names a parameter once, not also held, within its domain; the grid's size fits one sweep.</summary>
    private static int[] CheckAxes(ParameterMap parameters, SweepOptions options)
    {
        if (options.Axes.Count == 0)
            throw new InputException("a sweep needs at least one grid axis", nameof(options.Axes));
        var axisIndex = options.Axes.Select(axis => parameters.IndexOf(axis.Name, "grid axis")).ToArray();
        if (axisIndex.Distinct().Count() != axisIndex.Length)
            throw new InputException("grid axes: each parameter may have one axis", nameof(options.Axes));
        foreach (var (axis, k) in options.Axes.Zip(axisIndex))
        {
            if (options.Fit.Fixed.ContainsKey(axis.Name) || options.At.ContainsKey(axis.Name))
                throw new InputException($"grid axis {axis.Name}: {axis.Name} is on the grid, so it cannot also be fixed or given a value", axis.Name);
            var domain = parameters.Parameters[k].Domain;
            if (!ParameterMap.Contains(domain, axis.Low) || !ParameterMap.Contains(domain, axis.High))
                throw new InputException($"grid axis {axis.Name}: the range {axis.Low}..{axis.High} leaves the domain of {axis.Name} (it must {ParameterMap.Describe(domain)})", axis.Name);
        }
        foreach (var name in options.At.Keys)
            parameters.IndexOf(name, "value off the grid");
        if (options.PointCount() is not { } points)
            throw new InputException($"the grid has {string.Join(" x ", options.Axes.Select(a => a.Count))} points, more than one sweep can hold ({int.MaxValue:N0})", nameof(options.Axes));
        // The surface is held in memory: a log-likelihood per point (and a log-posterior for MAP, every parameter for a
        // profile). A grid that cannot be held is refused before any work, not left to run out of memory.
        // A profile sweep keeps each point's parameter vector as an array of its own (24 bytes of header besides).
        long bytes = points * (8 * (1 + (options.Fit.Map ? 1 : 0)) + (options.Profile ? 24 + 8 * parameters.Count : 0)) + TileBytes(parameters.Count, points);
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (bytes > available / 2)
            throw new InputException($"the grid has {points:N0} points ({string.Join(" x ", options.Axes.Select(a => a.Count))}): its surface needs about {bytes / 1e9:G3} GB, more than half of the memory available here ({available / 1e9:G3} GB); use fewer points", nameof(options.Axes));
        return axisIndex;
    }

    /// <summary>The most grid points one launch evaluates: each is materialized as a parameter vector for it.</summary>
    private const int MaxTile = 1 << 22;

    /// <summary>
    /// A tile size of at least <see cref="PointGroup"/> points, a multiple of it, at most <see cref="MaxTile"/>. The
    /// tiles follow the measured speed, so their sizes differ from run to run; a backend that evaluates points in groups
    /// (the native backend, four at a time, with a sum of its own for a group's leftovers) then still groups each point
    /// with the same others, and a sweep gives the same bits every time.
    /// </summary>
    internal static int Aligned(long tile) => (int)Math.Clamp((tile + PointGroup - 1) / PointGroup * PointGroup, PointGroup, MaxTile);

    /// <summary>The points a backend evaluates together (the native backend's four), which tiles keep together.</summary>
    private const int PointGroup = 4;

    /// <summary>
    /// The memory the largest tile of a grid of <paramref name="points"/> takes: that many parameter vectors of
    /// <paramref name="parameters"/> (arrays of doubles), at most <see cref="MaxTile"/> (a grid of 2 points was refused
    /// under a small memory limit for a full tile's 0.17 GB).
    /// </summary>
    private static long TileBytes(int parameters, long points) => Math.Min(points + PointGroup, MaxTile) * (24 + 8L * parameters);

    /// <summary>Where the off-grid parameters sit: given, or at the fit's estimate (also the profile fits' first start).</summary>
    private static (double[] BasePoint, FitResult? Fit) PlaceOffGrid(EstimationSession session, SweepOptions options, int[] axisIndex, CancellationToken cancellation)
    {
        var names = session.Parameters.Names.ToArray();
        FitResult? fit = null;
        var basePoint = new double[names.Length];
        bool needFit = options.Profile || Enumerable.Range(0, names.Length).Any(k => !axisIndex.Contains(k) && !options.At.ContainsKey(names[k]));
        if (needFit)
        {
            fit = session.Fit(options.Fit with { Profile = [] }, cancellation);
            if (!fit.Converged && options.Profile)
            {
                // A profile's searches only start from the fit: where it has no maximum (a separated logit, whose profile
                // over the separating slope is what one sweeps to see), from the model's starting values and those given
                // (a trial went round in a circle: "give their values instead", then "--at with --profile: give a start").
                for (int k = 0; k < basePoint.Length; k++)
                    basePoint[k] = options.Fit.Fixed.TryGetValue(names[k], out var value) ? value : options.Fit.Start.TryGetValue(names[k], out var start) ? start : session.Model.Start[k];
                return (basePoint, null);
            }
            if (!fit.Converged)
                throw new InputException($"the fit that places the off-grid parameters did not converge ({fit.Reason}); give their values instead", nameof(options.At));
            for (int k = 0; k < basePoint.Length; k++)
                basePoint[k] = fit.Parameters[k].Estimate;
        }
        foreach (var (name, value) in options.At)
            basePoint[Array.IndexOf(names, name)] = value;
        // An off-grid parameter held at its estimate on the closed end of its domain (an NB2 GLM's alpha = 0, the Poisson
        // limit) where the model's density is not defined: said so, with what to give instead (it read "value of alpha =
        // 0: alpha must be positive", a value nobody gave).
        var atEdge = Enumerable.Range(0, names.Length)
            .Where(k => !options.Profile && !axisIndex.Contains(k) && !options.At.ContainsKey(names[k]) && ParameterMap.IsClosedEdge(session.Parameters.Parameters[k].Domain, basePoint[k]))
            .ToArray();
        if (atEdge.Length > 0)
        {
            try
            {
                session.Evaluate(basePoint);
            }
            catch (InputException)
            {
                string list = string.Join(", ", atEdge.Select(k => $"{names[k]} = {basePoint[k].ToString("R", System.Globalization.CultureInfo.InvariantCulture)}"));
                throw new InputException($"the fit's estimate {list} is the edge of the domain (the model's limit there: see the fit's note), where the model itself is not evaluated, " +
                    $"so the off-grid parameters cannot be held at the fit's estimate; give {string.Join(" and ", atEdge.Select(k => names[k]))} a value inside the domain, or sweep the profile (the off-grid parameters re-optimized at every point)", names[atEdge[0]]);
            }
        }
        return (basePoint, fit);
    }

    /// <summary>
    /// At every grid point, the off-grid parameters re-optimized (no Hessian: only the maximum is wanted), each
    /// maximization warm-started from the previous grid point, which the snake order makes a neighbour. Each point's
    /// vector is the maximization's (held values and re-optimized others), so these points are held.
    /// </summary>
    private static (double[][] Points, double[] LogLikelihood, double[]? LogPosterior, int NotConverged) ProfileSweep(
        EstimationSession session, SweepOptions options, int[] axisIndex, GridPoints grid, double[] basePoint, IProgress<double>? progress,
        CancellationToken cancellation)
    {
        var names = session.Parameters.Names.ToArray();
        var points = grid.ToArray();
        int total = points.Length;
        var logLikelihood = new double[total];
        var logPosterior = options.Fit.Map ? new double[total] : null;
        var start = basePoint.ToArray();
        int done = 0, notConverged = 0;
        foreach (int i in SnakeOrder(options.Axes))
        {
            var held = options.Axes.Zip(axisIndex).ToDictionary(pair => pair.First.Name, pair => points[i][pair.Second]);
            // A start on the closed end of its domain (an NB2 GLM's alpha at its MLE of 0) is no start for a search: the
            // model's own is taken there, and the search finds the edge again where it is the maximum.
            var starts = Enumerable.Range(0, names.Length)
                .Where(k => !held.ContainsKey(names[k]) && !options.Fit.Fixed.ContainsKey(names[k]) && !ParameterMap.IsClosedEdge(session.Parameters.Parameters[k].Domain, start[k]))
                .ToDictionary(k => names[k], k => start[k]);
            var maximum = session.Maximize(options.Fit with { Start = starts, Profile = [] }, held, cancellation);
            if (!maximum.Converged)
                notConverged++;
            else
                start = maximum.Estimates;
            points[i] = maximum.Estimates;
            logLikelihood[i] = maximum.LogLikelihood;
            if (logPosterior is not null)
                logPosterior[i] = maximum.LogPosterior!.Value;
            progress?.Report((double)++done / total);
        }
        return (points, logLikelihood, logPosterior, notConverged);
    }

    /// <summary>
    /// The grid's log-likelihoods in tiles of points, so that progress can be told: the first tile holds about 10⁸
    /// point-evaluations, and each next one is sized from the rate so far to take about a quarter of a second (a GPU
    /// sweeps 10⁹-10¹² point-evaluations per second, two CPU cores about 10⁹, and each tile costs a launch and a
    /// read-back); every tile holds at least the points that fill the device
    /// (<see cref="EstimationSession.SweepPointsAtOnce"/>). For MAP, the log prior of every parameter not fixed is added.
    /// </summary>
    private static (double[] LogLikelihood, double[]? LogPosterior) PlainSweep(
        EstimationSession session, SweepOptions options, GridPoints points, IProgress<double>? progress, CancellationToken cancellation)
    {
        int total = points.Count;
        var logLikelihood = new double[total];
        long rows = Math.Max(1, session.Model.Rows);
        // At least what fills the device (a GPU's first tile of 10⁸ point-evaluations was a tenth of its rate).
        int least = Aligned(session.SweepPointsAtOnce);
        int tile = Math.Max(least, Aligned(100_000_000L / rows));
        for (int first = 0; first < total;)
        {
            cancellation.ThrowIfCancellationRequested();
            int count = Math.Min(tile, total - first);
            long begin = Stopwatch.GetTimestamp();
            session.LogLikelihoods(points.Range(first, count)).CopyTo(logLikelihood, first);
            double seconds = Math.Max(Stopwatch.GetElapsedTime(begin).TotalSeconds, 1e-6);
            first += count;
            progress?.Report((double)first / total);
            // The next tile a quarter of a second's worth; under MPI every rank must make the same exchanges, so the
            // tiles grow by a fixed rule instead of by this rank's clock (a trial: ranks' timings differed past the
            // first tile, the collectives' sizes with them, and MPI_Allgatherv failed with MPI_ERR_TRUNCATE).
            tile = Math.Max(least, RowCollective.Current.Size > 1
                ? Aligned(Math.Min(MaxTile, 4L * count))
                : Aligned((long)Math.Min(MaxTile, Math.Clamp(0.25 * count / seconds, 1.0, 64.0 * count))));
        }
        if (!options.Fit.Map)
            return (logLikelihood, null);
        // Every parameter's prior but a fixed one's: its own, else the coefficients' (a trial: a plain sweep under
        // '*=laplace(0, b)' wrote the log-likelihood as its log-posterior, above the MAP's own).
        var priors = session.Priors(options.Fit);
        var logPosterior = new double[total];
        for (int i = 0; i < total; i++)
        {
            double logPrior = 0;
            for (int k = 0; k < priors.Length; k++)
                logPrior += priors[k]?.LogDensity(points[i][k]) ?? 0;
            logPosterior[i] = logLikelihood[i] + logPrior;
        }
        return (logLikelihood, logPosterior);
    }

    /// <summary>
    /// The MLE, and for MAP sweeps the MAP too, within the swept space: the off-grid parameters held at the sweep's
    /// values (free for a profile, whose maximum is the full estimate). The base fit is reused where it is that
    /// estimate; an estimate whose maximization does not converge is left out.
    /// </summary>
    private static List<SweepEstimate> Locate(EstimationSession session, SweepOptions options, int[] axisIndex, double[] basePoint, FitResult? fit,
        CancellationToken cancellation)
    {
        var names = session.Parameters.Names.ToArray();
        var held = new Dictionary<string, double>();
        if (!options.Profile)
        {
            for (int k = 0; k < names.Length; k++)
            {
                if (!axisIndex.Contains(k) && !options.Fit.Fixed.ContainsKey(names[k]))
                    held[names[k]] = basePoint[k];
            }
        }
        var estimates = new List<SweepEstimate>();
        foreach (bool map in options.Fit.Map ? new[] { false, true } : [false])
        {
            // The base fit already is the estimate when it had the same kind and set the off-grid values itself.
            if (fit is not null && options.Fit.Map == map && (options.Profile || options.At.Count == 0))
            {
                estimates.Add(new SweepEstimate(map ? "MAP" : "MLE", fit.Parameters.Select(p => p.Estimate).ToArray(), fit.LogPosterior ?? fit.LogLikelihood));
                continue;
            }
            var priors = map ? options.Fit.Priors : new Dictionary<string, Prior>();
            Maximum maximum;
            try
            {
                maximum = session.Maximize(options.Fit with { Map = map, Priors = priors, CoefficientPrior = map ? options.Fit.CoefficientPrior : null, Profile = [] }, held, cancellation);
            }
            catch (InputException)
            {
                // No maximum to mark: the MLE of a design that only a ridge's priors resolve (collinear columns) is refused.
                continue;
            }
            if (maximum.Converged)
                estimates.Add(new SweepEstimate(map ? "MAP" : "MLE", maximum.Estimates, maximum.LogPosterior ?? maximum.LogLikelihood));
        }
        return estimates;
    }

    /// <summary>Grid indices in boustrophedon order: each step moves one axis by one, so profile fits start next door.</summary>
    private static IEnumerable<int> SnakeOrder(IReadOnlyList<GridAxis> axes)
    {
        int total = axes.Aggregate(1, (product, axis) => product * axis.Count);
        var counter = new int[axes.Count];
        var direction = Enumerable.Repeat(1, axes.Count).ToArray();
        for (int step = 0; step < total; step++)
        {
            int index = 0;
            for (int a = 0; a < axes.Count; a++)
                index = index * axes[a].Count + counter[a];
            yield return index;
            for (int a = axes.Count - 1; a >= 0; a--)
            {
                int next = counter[a] + direction[a];
                if (next >= 0 && next < axes[a].Count)
                {
                    counter[a] = next;
                    break;
                }
                direction[a] = -direction[a];
            }
        }
    }
}
