using System.Diagnostics;
using System.Globalization;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels;
using GpuEstimation.Models;
using GpuEstimation.Priors;

namespace GpuEstimation.Surfaces;

/// <summary>One axis of a grid: <c>Count</c> evenly spaced values of parameter <c>Name</c> from <c>Low</c> to <c>High</c>.</summary>
public sealed record GridAxis(string Name, double Low, double High, int Count)
{
    /// <summary>The i-th value (Low for a one-point axis).</summary>
    public double this[int i] => Count == 1 ? Low : Low + (High - Low) * i / (Count - 1);

    /// <summary>Parses <c>NAME=LOW:HIGH:COUNT</c> (a --grid value).</summary>
    public static GridAxis Parse(string text)
    {
        int eq = text.IndexOf('=');
        var parts = eq > 0 ? text[(eq + 1)..].Split(':') : [];
        if (eq <= 0 || parts.Length != 3)
            throw new InputException($"--grid {text}: expected NAME=LOW:HIGH:COUNT, e.g. mu=2:4:128");
        var name = text[..eq].Trim();
        double Number(string part) => double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v
            : throw new InputException($"--grid {text}: '{part}' is not a finite number");
        double low = Number(parts[0]), high = Number(parts[1]);
        if (!int.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out int count) || count < 1)
            throw new InputException($"--grid {text}: the count '{parts[2]}' must be a whole number of at least 1");
        if (count > 1 && !(high > low))
            throw new InputException($"--grid {text}: HIGH must be above LOW");
        return new GridAxis(name, low, high, count);
    }
}

/// <summary>What to sweep: the axes, where the other parameters sit, and whether to re-optimize them (profile).</summary>
public sealed record SweepOptions
{
    public IReadOnlyList<GridAxis> Axes { get; init; } = [];

    /// <summary>Values of the parameters off the grid; those not given are set at the fit's estimate.</summary>
    public IReadOnlyDictionary<string, double> At { get; init; } = new Dictionary<string, double>();

    /// <summary>Re-optimize the off-grid parameters at every grid point (a profile likelihood).</summary>
    public bool Profile { get; init; }

    /// <summary>MLE or MAP (priors, fixed parameters, starts) for the base fit, the profile fits and the log-posterior.</summary>
    public FitOptions Fit { get; init; } = new();

    /// <summary>
    /// Also locate the MLE (and, for MAP, the MAP) within the swept space, for pictures: with the off-grid parameters
    /// held where the sweep holds them (re-optimized too for a profile). Costs a fit or two.
    /// </summary>
    public bool Estimates { get; init; }
}

/// <summary>An estimate located in a swept space: "MLE" or "MAP" and its full parameter vector.</summary>
public sealed record SweepEstimate(string Label, double[] Parameters);

/// <summary>
/// A likelihood surface: every grid point's parameter vector (for a profile, with the off-grid parameters
/// re-optimized there), log-likelihood, and log-posterior for MAP. Points run with the last axis fastest.
/// </summary>
public sealed record SweepResult(
    string Model,
    string Device,
    int N,
    IReadOnlyList<GridAxis> Axes,
    IReadOnlyList<string> Parameters,
    double[][] Points,
    double[] LogLikelihood,
    double[]? LogPosterior,
    bool Profile,
    int NotConverged,
    FitResult? Base,
    double ElapsedMs)
{
    /// <summary>The MLE and MAP located in the swept space (<see cref="SweepOptions.Estimates"/>), else empty.</summary>
    public IReadOnlyList<SweepEstimate> Estimates { get; init; } = [];

    /// <summary>Grid points times observations per second of sweeping (the throughput figure).</summary>
    public double PointEvaluationsPerSecond => (double)Points.Length * N / (ElapsedMs / 1000);
}

/// <summary>Evaluates a model's log-likelihood (or log-posterior) over a grid of its parameters.</summary>
public static class Sweeper
{
    /// <summary>Sweeps a grid of a model's parameters.</summary>
    /// <param name="model">The model (its parameters and size).</param>
    /// <param name="session">A session of <paramref name="model"/> on the device that evaluates.</param>
    /// <param name="options">The grid, where the other parameters sit, profile or not, MLE or MAP.</param>
    /// <param name="progress">Told the fraction of grid points done, after each tile of points (or profile fit).</param>
    public static SweepResult Sweep(IModelSpec model, IEstimationSession session, SweepOptions options, IProgress<double>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        var parameters = model.Parameters;
        var names = parameters.Select(p => p.Name).ToArray();
        if (options.Axes.Count == 0)
            throw new InputException("--grid: at least one axis is needed, e.g. --grid mu=2:4:128");
        var axisIndex = options.Axes.Select(axis => IndexOf(names, axis.Name, "--grid")).ToArray();
        if (axisIndex.Distinct().Count() != axisIndex.Length)
            throw new InputException("--grid: each parameter may have one axis");
        foreach (var (axis, k) in options.Axes.Zip(axisIndex))
        {
            if (options.Fit.Fixed.ContainsKey(axis.Name) || options.At.ContainsKey(axis.Name))
                throw new InputException($"--grid {axis.Name}: {axis.Name} is on the grid, so it cannot also be fixed or given with --at");
            if (!InDomain(parameters[k], axis.Low) || !InDomain(parameters[k], axis.High))
                throw new InputException($"--grid {axis.Name}: the range {axis.Low}..{axis.High} leaves the domain of {axis.Name} ({parameters[k].Domain})");
        }
        foreach (var name in options.At.Keys)
            IndexOf(names, name, "--at");

        // Where the off-grid parameters sit: given, or at the fit's estimate (also the profile fits' first start).
        FitResult? fit = null;
        var basePoint = new double[parameters.Count];
        bool needFit = options.Profile || Enumerable.Range(0, parameters.Count).Any(k => !axisIndex.Contains(k) && !options.At.ContainsKey(names[k]));
        if (needFit)
        {
            fit = session.Fit(options.Fit);
            if (!fit.Converged)
                throw new InputException($"the fit that places the off-grid parameters did not converge ({fit.Reason}); give them with --at");
            for (int k = 0; k < basePoint.Length; k++)
                basePoint[k] = fit.Parameters[k].Estimate;
        }
        foreach (var (name, value) in options.At)
            basePoint[Array.IndexOf(names, name)] = value;

        int total = options.Axes.Aggregate(1, (product, axis) => checked(product * axis.Count));
        var points = new double[total][];
        for (int i = 0; i < total; i++)
        {
            var point = basePoint.ToArray();
            int rest = i;
            for (int a = options.Axes.Count - 1; a >= 0; a--)
            {
                point[axisIndex[a]] = options.Axes[a][rest % options.Axes[a].Count];
                rest /= options.Axes[a].Count;
            }
            points[i] = point;
        }

        double[] logLikelihood;
        double[]? logPosterior = null;
        int notConverged = 0;
        if (options.Profile)
        {
            logLikelihood = new double[total];
            if (options.Fit.Map)
                logPosterior = new double[total];
            var start = basePoint.ToArray();
            int done = 0;
            foreach (int i in SnakeOrder(options.Axes))
            {
                // Warm start from the previous grid point, which the snake order makes a neighbour.
                var fixes = new Dictionary<string, double>(options.Fit.Fixed);
                foreach (var (axis, k) in options.Axes.Zip(axisIndex))
                    fixes[axis.Name] = points[i][k];
                var starts = Enumerable.Range(0, names.Length).Where(k => !fixes.ContainsKey(names[k])).ToDictionary(k => names[k], k => start[k]);
                var profile = session.Fit(options.Fit with { Fixed = fixes, Start = starts, Profile = [] });
                if (!profile.Converged)
                    notConverged++;
                else
                    start = profile.Parameters.Select(p => p.Estimate).ToArray();
                points[i] = profile.Parameters.Select(p => p.Estimate).ToArray();
                logLikelihood[i] = profile.LogLikelihood;
                if (logPosterior is not null)
                    logPosterior[i] = profile.LogPosterior!.Value;
                progress?.Report((double)++done / total);
            }
        }
        else
        {
            // In tiles of points, so that progress can be told: the first tile holds about 10⁸ point-evaluations, and
            // each next one is sized from the rate so far to take about a quarter of a second (a GPU sweeps 10⁹-10¹²
            // point-evaluations per second, two CPU cores about 10⁹, and each tile costs a launch and a read-back).
            logLikelihood = new double[total];
            long rows = Math.Max(1, model.Rows);
            int tile = (int)Math.Clamp(100_000_000L / rows, 1, total);
            for (int first = 0; first < total;)
            {
                int count = Math.Min(tile, total - first);
                long begin = Stopwatch.GetTimestamp();
                session.LogLikelihoods(points[first..(first + count)]).CopyTo(logLikelihood, first);
                double seconds = Math.Max(Stopwatch.GetElapsedTime(begin).TotalSeconds, 1e-6);
                first += count;
                progress?.Report((double)first / total);
                tile = (int)Math.Min(int.MaxValue, Math.Clamp(0.25 * count / seconds, 1.0, 64.0 * count));
            }
            if (options.Fit.Map)
            {
                logPosterior = new double[total];
                for (int i = 0; i < total; i++)
                {
                    double logPrior = 0;
                    foreach (var (name, prior) in options.Fit.Priors)
                        logPrior += options.Fit.Fixed.ContainsKey(name) ? 0 : prior.LogDensity(points[i][Array.IndexOf(names, name)]);
                    logPosterior[i] = logLikelihood[i] + logPrior;
                }
            }
        }

        var estimates = options.Estimates ? Locate(session, options, names, axisIndex, basePoint, fit) : [];
        clock.Stop();
        return new SweepResult(model.Name, fit?.Device ?? session.DeviceDescription, model.Rows, options.Axes, names, points, logLikelihood,
            logPosterior, options.Profile, notConverged, fit, clock.Elapsed.TotalMilliseconds) { Estimates = estimates };
    }

    /// <summary>
    /// The MLE, and for MAP sweeps the MAP too, within the swept space: the off-grid parameters held at the sweep's
    /// values (free for a profile, whose maximum is the full estimate). The base fit is reused where it is that
    /// estimate; an estimate whose fit does not converge is left out.
    /// </summary>
    private static List<SweepEstimate> Locate(IEstimationSession session, SweepOptions options, string[] names, int[] axisIndex, double[] basePoint, FitResult? fit)
    {
        var held = new Dictionary<string, double>(options.Fit.Fixed);
        if (!options.Profile)
        {
            for (int k = 0; k < names.Length; k++)
            {
                if (!axisIndex.Contains(k))
                    held[names[k]] = basePoint[k];
            }
        }
        var estimates = new List<SweepEstimate>();
        foreach (bool map in options.Fit.Map ? new[] { false, true } : [false])
        {
            // The base fit already is the estimate when it had the same kind and set the off-grid values itself.
            bool reuse = fit is not null && options.Fit.Map == map && (options.Profile || options.At.Count == 0);
            var result = reuse ? fit! : session.Fit(options.Fit with { Map = map, Priors = map ? options.Fit.Priors : new Dictionary<string, Prior>(), Fixed = held, Profile = [] });
            if (result.Converged)
                estimates.Add(new SweepEstimate(map ? "MAP" : "MLE", result.Parameters.Select(p => p.Estimate).ToArray()));
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

    private static bool InDomain(ParameterInfo parameter, double value) => parameter.Domain switch
    {
        ParameterDomain.Positive => value > 0,
        ParameterDomain.UnitInterval => value > 0 && value < 1,
        _ => true,
    };

    private static int IndexOf(string[] names, string name, string option)
    {
        int k = Array.IndexOf(names, name);
        return k >= 0 ? k : throw new InputException($"{option} {name}: no parameter '{name}' (parameters: {string.Join(", ", names)})");
    }
}
