using System.Diagnostics;
using GpuEstimation.Backends;
using GpuEstimation.Engine;
using GpuEstimation.Inference;
using GpuEstimation.Kernels;
using GpuEstimation.Models;
using GpuEstimation.Optimization;
using GpuEstimation.Priors;
using MathNet.Numerics.LinearAlgebra;

namespace GpuEstimation.Estimation;

/// <summary>
/// A model's data on a device, ready for any number of fits and evaluations: the data is uploaded and the kernels
/// loaded once, when the session opens. A fit is a pipeline of stages, each owning one thing: the objective (priors,
/// held parameters, the optimizer's scale), the maximization, the inference at the optimum (observed information,
/// delta method), the profile intervals, and the result. A session runs one call at a time: a call from another thread
/// while one runs is an <see cref="InvalidOperationException"/> (its buffers are its own); sessions on several threads
/// may share one <see cref="ComputeDevice"/>.
/// </summary>
public sealed class EstimationSession : IDisposable
{
    private readonly ILikelihoodEngine _live;
    // The model's starts with parameters fixed (StartHolding), by the fixed values: computed once per set, not at every
    // point of a sweep that holds the same ones.
    private readonly Dictionary<string, IReadOnlyList<double>> _heldStarts = new(StringComparer.Ordinal);
    private bool _disposed;
    // Dispose called on another thread while a call ran: done when the call returns (under _gate with the call's end).
    private bool _disposeWhenReturned;
    private readonly Lock _gate = new();

    /// <summary>Uploads <paramref name="model"/>'s data to <paramref name="device"/> (borrowed, not disposed here) and loads its kernels.</summary>
    public EstimationSession(IModelSpec model, ComputeDevice device)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(device);
        Model = model;
        using var hold = device.Use();
        Parameters = new ParameterMap(model.Name, model.Parameters);
        _live = model.CreateEngine(device);
    }

    /// <summary>
    /// The engine, where neither this session nor its device has been disposed (an <see cref="ObjectDisposedException"/>
    /// naming which otherwise: on ILGPU's CPU accelerator a pass on a disposed device ends the process).
    /// </summary>
    private ILikelihoodEngine Engine
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // Within a call the device is held (OneAtATime): a Dispose meanwhile waits for the call, which finishes.
            if (_callDepth == 0)
                _live.Device.ThrowIfDisposed();
            return _live;
        }
    }

    /// <summary>The model fitted.</summary>
    public IModelSpec Model { get; }

    /// <summary>The model's parameters: names, indices, domains.</summary>
    public ParameterMap Parameters { get; }

    /// <summary>The fewest points a <see cref="LogLikelihoods"/> call should hold to run at the device's rate (<see cref="ILikelihoodEngine.SweepPointsAtOnce"/>).</summary>
    internal int SweepPointsAtOnce => Engine.SweepPointsAtOnce;

    /// <summary>What evaluates: backend and device name, and where the data did not fit the device, how much was streamed.</summary>
    public string DeviceDescription => Engine.Device.DescriptionOf(Engine.RowBlocks);

    /// <summary>
    /// Finds the MLE or MAP estimate, with standard errors and, where asked, profile intervals. A cancelled
    /// <paramref name="cancellationToken"/> stops the fit before its next pass over the data, with an
    /// <see cref="OperationCanceledException"/>; the session stays usable.
    /// </summary>
    public FitResult Fit(FitOptions options, CancellationToken cancellationToken = default) => OneAtATime(() => FitCore(options), cancellationToken);

    private FitResult FitCore(FitOptions options)
    {
        var clock = Stopwatch.StartNew();
        options = WithUnit(options);
        var objective = CreateObjective(options, held: null);
        var (search, restart, edges) = Search(objective, options);
        // A converged end far out on a ray, its gradient vanishing with the curvature, is no maximum (and at no edge).
        bool converged = search.Converged;
        search = NewtonSearch.CheckRay(objective, Model, options.Optimizer, search);
        if (converged && !search.Converged)
            edges = [];
        if (Midpoint(objective, options, search) is { } midpoint)
            (search, restart) = (midpoint.Search, restart is null ? midpoint.Note : $"{restart}; {midpoint.Note}");
        var end = EndPoint(objective, search, options.Map, edges);
        if (!end.Converged && Model.MeansAtBound(end.Estimates) is { } bound)
            throw new InputException($"{bound}: the likelihood keeps rising towards means outside that range, so its maximum lies on the boundary, where there is no stationary point");
        // Data the MLE runs off on, left to a MAP search because a prior might bound it (CreateObjective): the search
        // found no mode, so the prior did not.
        if (options.Map && !end.Converged && Refusal(objective, priors: [], normal: NormalPriors(options)) is { } unbounded)
            throw new InputException(ZeroPriorEdges(objective, end.Edges, end.Estimates).Length > 0 && double.IsFinite(end.LogLikelihood)
                ? $"{unbounded}; with the prior given, {end.Reason}" : $"{unbounded}; the prior given does not bound the posterior either", nameof(options));
        // A lasso over more columns than rows: its mode is the only one where the columns off their kinks are independent.
        if (options.Map && end.Converged && objective.Kinks.Count > 0)
        {
            var kinked = objective.AtKink(search.Point).ToHashSet();
            var active = objective.Map.Free.Where(k => !kinked.Contains(k)).Select(k => objective.Map.Parameters[k].Name).Where(Model.Coefficients.Contains).ToArray();
            if (ModelCatalog.NotUnique(Model, active) is { } flat)
                throw new InputException(flat, nameof(options));
        }
        var (atKink, atDataKink, information) = Infer(objective, search, end, edges, options);
        // A stationary point whose curvature is not a maximum's (a mixture started with its components equal stops at
        // their saddle: the Hessian not negative definite, or not computable where the steps leave the domain): one
        // search from a point perturbed from it, kept where it finds a higher maximum. A singular curvature too: a flat
        // maximum (a parameter not identified) keeps its value, but a start where the gradient and the curvature
        // vanish together (m = 0 in a mean m³) is no maximum at all. Not where every free parameter is at an edge
        // (nothing is left to differentiate), nor for a kinked curvature (a non-smooth maximum, not a saddle).
        // The point escaped to may be such a point again (from b = 340 in a mean exp(b): a stationary point at
        // log L −3e140, then the plateau b → −∞): up to three escapes.
        for (int escapes = 0; escapes < 3 && end.Converged && information.Status is HessianStatus.NotNegativeDefinite or HessianStatus.Unavailable or HessianStatus.Singular
            && objective.Map.Free.Any(k => !edges.Contains(k)); escapes++)
        {
            var (escaped, evaluations) = Escape(objective, options, search, probe: information.Status == HessianStatus.Singular);
            search = search with { Evaluations = search.Evaluations + evaluations };
            end = end with { Evaluations = end.Evaluations + evaluations };
            if (escaped is { } better)
            {
                string escape = $"the search stopped at a stationary point that is not a maximum ({ObjectiveName(options.Map)} {search.Value:G12}, Hessian {Describe(information.Status)}); a search from a point perturbed from it found this higher maximum";
                restart = restart is null ? escape : $"{restart}; then {escape}";
                (search, edges) = (better.Search with { Evaluations = search.Evaluations, Iterations = search.Iterations + better.Search.Iterations }, better.Edges);
                end = EndPoint(objective, search, options.Map, edges);
                (atKink, atDataKink, information) = Infer(objective, search, end, edges, options);
            }
            else
            {
                break;
            }
        }
        // A nonlinear regression that another search (L-BFGS, gradient ascent) left where the curvature is singular or
        // not a maximum's: not converged, as Levenberg–Marquardt reports a singular JᵀJ (R's nls: "singular gradient").
        // A trial's L-BFGS fit of Rat42 "converged" with b1 at 5.6e11, far out where the logistic curve turns
        // exponential and the likelihood flattens, its residual sum of squares 48 times the certified minimum's.
        // Levenberg–Marquardt's own end too where the curvature is not a maximum's, but for an exact fit, whose
        // differenced curvature is rounding's (its Bates–Watts offset below 10⁻³ at a point far out on a ray: a hunt's Hahn1 from 3.5 times NIST's start, numerator and denominator growing
        // together, the sum of squares 24 times the certified minimum's, "converged", exit 0).
        bool levenbergMarquardt = search.Method == LevenbergMarquardt.Name;
        if (end.Converged && objective.LeastSquares is not null
            && (levenbergMarquardt ? information.Status is HessianStatus.NotNegativeDefinite && search.LeastSquares is not { ExactFit: true }
                : information.Status is HessianStatus.Singular or HessianStatus.NotNegativeDefinite)
            && objective.Map.Free.Any(k => !edges.Contains(k)))
        {
            string reason = levenbergMarquardt
                ? $"the Hessian is {Describe(information.Status)} at the end point, so it is no maximum of the likelihood (a saddle, or a point on a " +
                  "ray along which the sum of squares keeps falling, where the parameters grow together without bound); other starting values may find one"
                : $"the Hessian is {Describe(information.Status)} at the end point: the parameters are not determined there (a flat " +
                "direction, or far out where the curve flattens); the default Levenberg–Marquardt search, or other starting values, may find a determined optimum";
            end = end with { Converged = false, Reason = reason };
            search = search with { Converged = false, Reason = reason };
        }
        // Weights summing below one observation: the log-likelihood falls by the χ² cutoff only where the parameters are
        // of the order of 1/weight, far past where profile fits can be trusted, which are slow to fail there (a review:
        // 10 s and 418,000 evaluations over 2,000 rows of weight 1e-20, both ends open).
        var profiles = Model.FrequencyWeights is { } weights && options.Profile.Count > 0 && weights.Sum() is < 1 and var total
            ? new ProfileIntervals(new Dictionary<int, Interval>(), 0,
                [$"no profile intervals: the frequency weights sum to {total:G3}, less than one observation, so the likelihood falls by the cutoff that closes one only far past where profile fits can be trusted"])
            : ProfileIntervals.Find(objective, search, information, options, end.Converged, edges);
        return Report(options, objective, search, end, information, profiles, clock, restart, atKink, atDataKink);
    }

    /// <summary>
    /// Stage 3 and what it holds: the coordinates at a Laplace prior's kink and, at a kink of the likelihood itself
    /// (Laplace's location, an expression's abs of a parameter: DataKinks), those of a MAP fit, whose curvature does not
    /// exist either, or of an MLE whose model knows no Fisher information (Laplace's standard errors come from it).
    /// </summary>
    private (IReadOnlyList<int> AtKink, int[] AtDataKink, Information Information) Infer(Objective objective, OptimizationResult search, Maximum end,
        int[] edges, FitOptions options)
    {
        var atKink = objective.AtKink(search.Point);
        var atDataKink = options.Map || Model.FisherInformation(Model.Start) is null ? search.Kinked.Select(i => objective.Map.Free[i]).ToArray() : [];
        return (atKink, atDataKink, Infer(objective, search, end.Converged, edges, [.. atKink, .. atDataKink], options.Map, options.Optimizer.Unit));
    }

    /// <summary>
    /// Where the model's maximum in one parameter is a whole interval (<see cref="IModelSpec.FlatMaximum"/>: Laplace's
    /// location between the middle two of an even number of points) and <paramref name="search"/> converged inside it,
    /// the search moved to the interval's midpoint (the median, as scipy's and R's fits give it; the other parameters'
    /// maximum is the same all along it), with a note; else null: the parameter held, under a prior of its own, or
    /// the end outside the interval. Without it the estimate was whichever point of the interval the search met first.
    /// </summary>
    private (OptimizationResult Search, string Note)? Midpoint(Objective objective, FitOptions options, OptimizationResult search)
    {
        if (!search.Converged || Model.FlatMaximum is not var (parameter, low, high))
            return null;
        var map = objective.Map;
        string name = map.Parameters[parameter].Name;
        if (!map.Free.Contains(parameter) || (options.Map && PriorOf(options, name) is { } prior and not FlatPrior))
            return null;
        var natural = objective.Natural(search.Point);
        if (!(natural[parameter] >= low && natural[parameter] <= high))
            return null;
        natural[parameter] = low + 0.5 * (high - low);
        var point = map.ToCoordinates(natural);
        double value = objective.Evaluate(point, new double[point.Length]);
        string note = $"the {ObjectiveName(options.Map)} is flat in {name} between the middle two values, {low:G10} and {high:G10} (an even number of points), so every {name} between them is a maximum: the midpoint, the median, is reported (a profile interval contains the whole stretch; a Wald interval need not)";
        // Under MAP no Fisher information stands in (it does for the MLE): the parameter is held for the others'
        // curvature, as at a kink, where the log-posterior's in it is 0.
        int[] kinked = options.Map ? [.. search.Kinked, map.FreeIndex(parameter)] : search.Kinked;
        return (search with { Point = point, Value = value, Evaluations = search.Evaluations + 1, Kinked = kinked }, note);
    }

    /// <summary>
    /// A search from <paramref name="search"/>'s point moved by up to one typical scale in each free coordinate (a fixed
    /// pseudo-random direction, so that a symmetry of the point, such as two equal mixture components, is broken; then
    /// the opposite direction; with <paramref name="probe"/>, only where a move along one coordinate, small or large, is
    /// above the search's value, and first from that higher point), where it converges to a higher maximum (by more than 1e-9 of the value), else null; and the evaluations it took
    /// either way. Least squares and Newton's searches, and searches settled at a kink of the likelihood, are left as
    /// they are.
    /// </summary>
    private ((OptimizationResult Search, int[] Edges)? Better, int Evaluations) Escape(Objective objective, FitOptions options, OptimizationResult search, bool probe)
    {
        if (search.Method is LevenbergMarquardt.Name or NewtonMaximizer.Name || search.Kinked.Length > 0 || objective.Map.Free.Count == 0)
            return (null, 0);
        var random = new Random(20261129);
        var scales = objective.Scales();
        var move = scales.Select(scale => scale * (2 * random.NextDouble() - 1)).ToArray();
        int evaluations = 0;
        double tolerance = 1e-9 * options.Optimizer.Magnitude(search.Value);
        // A full search from a point (optimizer scale), kept where it converges higher.
        (OptimizationResult Search, int[] Edges)? From(double[] point)
        {
            var natural = objective.Natural(point);
            if (!natural.All(double.IsFinite))
                return null;
            var (found, _, edges) = Search(objective.StartingAt(natural), options, otherStarts: false);
            evaluations += found.Evaluations;
            return found.Converged && found.Value > search.Value + tolerance ? (found, edges) : null;
        }
        // A singular curvature is mostly a flat maximum (a parameter not identified), lower along every coordinate:
        // the searches only where one coordinate's move, either way, is higher (m = 0 of a mean m³ is; a ridge's sides
        // are not), not two full searches each time. Each move at least a thousandth of the coordinate's size (and of
        // 1): scales from a far start can be 10⁻¹³¹, which changes no value.
        // Where a move is level, moves of 10, 100 and 1000 thousandths too: a plateau the search ran onto far from the
        // maximum (b → −∞ in a mean exp(b), where the mean is 0 to rounding) is level for small moves and higher only
        // for a large one; the search then starts from the higher point found.
        if (probe)
        {
            double[]? higher = null;
            var point = search.Point.ToArray();
            var gradient = new double[point.Length];
            for (int i = 0; i < point.Length && higher is null; i++)
            {
                double least = 1e-3 * (1 + Math.Abs(search.Point[i]));
                foreach (int sign in (int[])[1, -1])
                {
                    // Larger moves only while the smaller were level: at a maximum (lower either way) two evaluations.
                    foreach (double size in (double[])[Math.Max(Math.Abs(move[i]), least), 10 * least, 100 * least, 1000 * least])
                    {
                        point[i] = search.Point[i] + sign * size;
                        evaluations++;
                        double value = objective.Evaluate(point, gradient);
                        if (value > search.Value + tolerance)
                            higher = point.ToArray();
                        if (higher is not null || !(value >= search.Value - tolerance))
                            break;
                    }
                    if (higher is not null)
                        break;
                }
                point[i] = search.Point[i];
            }
            if (higher is null)
                return (null, evaluations);
            if (From(higher) is { } better)
                return (better, evaluations);
        }
        // The move, then the opposite one: from one side a point like m = 0 of a mean m³ draws the search back to it.
        foreach (int sign in (int[])[1, -1])
        {
            if (From([.. search.Point.Select((u, i) => u + sign * move[i])]) is { } better)
                return (better, evaluations);
        }
        return (null, evaluations);
    }

    /// <summary>
    /// Maximizes over the free parameters with those in <paramref name="held"/> (natural values by name) held as well
    /// as <see cref="FitOptions.Fixed"/>, and stops there: no Hessian, no intervals. What profile sweeps need at
    /// every grid point. A prior on a held parameter counts in the log-posterior (a constant to the search).
    /// </summary>
    /// <param name="options">The fit's options.</param>
    /// <param name="held">Parameters held besides the fixed ones, by name. A held value takes the place of a start that
    /// <paramref name="options"/> gives the same parameter and of a fixed value for it (a profile's grid point over
    /// the user's start).</param>
    /// <param name="cancellationToken">As <see cref="Fit"/>'s.</param>
    public Maximum Maximize(FitOptions options, IReadOnlyDictionary<string, double>? held = null, CancellationToken cancellationToken = default) =>
        OneAtATime(() => MaximizeCore(options, held), cancellationToken);

    private Maximum MaximizeCore(FitOptions options, IReadOnlyDictionary<string, double>? held)
    {
        options = WithUnit(options);
        var objective = CreateObjective(options, held);
        var (search, _, edges) = Search(objective, options);
        return EndPoint(objective, search, options.Map, edges);
    }

    /// <summary>
    /// <paramref name="options"/> with the optimizer's <see cref="OptimizerSettings.Unit"/>, the size of one observation's
    /// term: the mean of the positive frequency weights where that is below 1 (weights normalized to sum to 1, or
    /// 10⁻²⁰ each, scale the objective and its gradient down with them), else 1; times the model's own
    /// <see cref="IModelSpec.TermSize"/> (a Poisson quasi-likelihood of tiny responses).
    /// </summary>
    private FitOptions WithUnit(FitOptions options)
    {
        _unit ??= (Model.FrequencyWeights is { } weights && weights.Count(w => w > 0) is > 0 and var positive
            ? Math.Min(1, weights.Sum() / positive) : 1) * Math.Clamp(Model.TermSize, double.Epsilon, 1);
        return _unit == 1 || options.Optimizer.Unit != 1 ? options : options with { Optimizer = options.Optimizer with { Unit = _unit.Value } };
    }

    private double? _unit;

    /// <summary>The log-likelihood and gradient at natural-scale <paramref name="parameters"/>, in model order: inside each domain, or at its closed end (p = 1, a rate of 0) where a fit reports its maximum (then either can be −∞).</summary>
    public Evaluation Evaluate(IReadOnlyList<double> parameters) => OneAtATime(() => EvaluateCore(parameters));

    private Evaluation EvaluateCore(IReadOnlyList<double> parameters)
    {
        var at = CheckPoint(parameters, edges: true);
        var gradient = new double[at.Length];
        double value = Engine.Evaluate(at, gradient);
        // At a closed edge where the density itself is not defined (σ = 0), the edge is refused as any value outside;
        // where a mean leaves its family's range (a GLM's identity link), the row is named.
        if (double.IsNaN(value))
        {
            CheckPoint(parameters);
            if (Model.MeansAtBound(at, outside: true) is { } outside)
                throw new InputException($"the log-likelihood is not defined at {string.Join(", ", Parameters.Names.Select((n, k) => $"{n} = {at[k].ToString("R", System.Globalization.CultureInfo.InvariantCulture)}"))}: {outside}");
        }
        // Where the log-likelihood is −∞ it has no derivative (a trial: p = 1 on all-zero data printed −Infinity).
        if (double.IsNegativeInfinity(value))
            Array.Fill(gradient, double.NaN);
        return new Evaluation(Parameters.Names.ToArray(), at, value, gradient, DeviceDescription, Engine.Rows);
    }

    /// <summary>The median time of one evaluation over <paramref name="repeat"/> runs, in milliseconds (data already on the device).</summary>
    public double TimeEvaluation(IReadOnlyList<double> parameters, int repeat) => OneAtATime(() => TimeEvaluationCore(parameters, repeat));

    private double TimeEvaluationCore(IReadOnlyList<double> parameters, int repeat)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repeat, 1);
        var at = CheckPoint(parameters, edges: true);
        var gradient = new double[at.Length];
        Engine.Evaluate(at, gradient);
        return WarmTiming.MedianMs(repeat, () => Engine.Evaluate(at, gradient));
    }

    /// <summary>The log-density of each observation at natural-scale <paramref name="parameters"/>.</summary>
    public double[] LogDensities(IReadOnlyList<double> parameters) => OneAtATime(() => Engine.LogDensities(CheckPoint(parameters)));

    /// <summary>
    /// The log-likelihood at each of <paramref name="points"/> (natural scale), in one sweep over the data: inside each
    /// domain, or at its closed end where a fit reports its maximum (a sweep holds its off-grid parameters there: an NB2
    /// GLM's alpha = 0 was refused), as <see cref="Evaluate"/> takes them.
    /// </summary>
    public double[] LogLikelihoods(IReadOnlyList<double[]> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        return OneAtATime(() =>
        {
            var values = Engine.LogLikelihoods(points.Select(p => CheckPoint(p, edges: true)).ToArray());
            // At a closed edge where the density itself is not defined (σ = 0), the edge is refused as any value outside.
            for (int i = 0; i < values.Length; i++)
            {
                if (double.IsNaN(values[i]))
                    CheckPoint(points[i]);
            }
            return values;
        });
    }

    // One call at a time: the engine's buffers and the last Hessian pass's sums are the session's own (a trial's two
    // threads evaluating one session got wrong values without a word). A call made from within a call, on its thread,
    // is the same call.
    private int _callThread;
    private int _callDepth;

    // The outermost call's cancellation, which every objective it builds checks before each pass.
    private CancellationToken _cancellation;

    private T OneAtATime<T>(Func<T> call, CancellationToken cancellation = default)
    {
        int me = Environment.CurrentManagedThreadId;
        // Taken under the gate that Dispose holds, so that a call starts either before a Dispose (which then leaves the
        // freeing to the call's end) or after it (and is refused as disposed), never beside the freeing.
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed || (_disposeWhenReturned && _callThread != me), this);
            if (_callThread != 0 && _callThread != me)
                throw new InvalidOperationException("this EstimationSession is running a call on another thread: a session runs one call at a time (its device buffers are its own); open a session for each thread (several may share one ComputeDevice)");
            _callThread = me;
        }
        if (_callDepth++ == 0)
            _cancellation = cancellation;
        // The device held too, so that disposing it on another thread waits for this call (the buffers freed below included).
        ComputeDevice.Hold? hold = null;
        try
        {
            hold = _live.Device.Use();
            _cancellation.ThrowIfCancellationRequested();
            return call();
        }
        finally
        {
            if (--_callDepth == 0)
            {
                _cancellation = default;
                lock (_gate)
                {
                    _callThread = 0;
                    if (_disposeWhenReturned)
                        Free();
                }
            }
            hold?.Dispose();
        }
    }

    /// <summary>
    /// Frees the device buffers and kernels (not the device). Called while a call runs (on another thread, or from code
    /// the call runs, such as a model's Prepare), it returns at once and the buffers, that call's, are freed when the
    /// call returns (a later call is refused as disposed); the device must outlive that call.
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_callThread != 0)
                _disposeWhenReturned = true;
            else
                Free();
        }
    }

    private void Free()
    {
        if (_disposed)
            return;
        _disposed = true;
        _live.Dispose();
    }

    /// <summary>
    /// The data-driven start (natural values, model order) for a fit with <paramref name="options"/>: the model's own; or
    /// where parameters are fixed and the model starts differently with them held (a GLM's held coefficients as an
    /// offset), that start where its log-likelihood is higher or the own start's, with them, is not finite. Not where every other parameter has a
    /// start given (a sweep's points) or is <paramref name="held"/> (a profile fit's, which starts from its neighbour's
    /// maximum). Decided once per set of fixed values.
    /// </summary>
    private IReadOnlyList<double> DataStart(FitOptions options, IReadOnlyDictionary<string, double>? held)
    {
        if (options.Fixed.Count == 0 || Parameters.Names.All(n => options.Fixed.ContainsKey(n) || options.Start.ContainsKey(n) || held?.ContainsKey(n) == true))
            return Model.Start;
        var key = string.Join(";", options.Fixed.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value:R}"));
        if (!_heldStarts.TryGetValue(key, out var start))
        {
            var with = Model.Start.ToArray();
            for (int k = 0; k < with.Length; k++)
            {
                if (options.Fixed.TryGetValue(Parameters.Parameters[k].Name, out double value))
                    with[k] = value;
            }
            // The model's own start with them held (a GLM's: R's start with the held terms in the offset) where it is
            // higher, or where the free start with the held values put in is not finite: a free start of a nearly
            // collinear GLM (coefficients ±4e8 that cancel) with one of them held at 0 had a log-likelihood of −1e11,
            // from where the search did not converge.
            double own = Engine.Evaluate(with, new double[with.Length]);
            var holding = Model.StartHolding(options.Fixed);
            bool better = holding is not null && (!double.IsFinite(own) || Engine.Evaluate([.. holding], new double[with.Length]) > own);
            _heldStarts[key] = start = (better ? holding : null) ?? Model.Start;
        }
        return start;
    }

    /// <summary>Stage 1: the objective over the free parameters, with the priors, held values and starts of <paramref name="options"/>.</summary>
    private Objective CreateObjective(FitOptions options, IReadOnlyDictionary<string, double>? held)
    {
        ArgumentNullException.ThrowIfNull(options);
        held ??= new Dictionary<string, double>();
        CheckNames(options, held);
        var map = Parameters;
        var values = DataStart(options, held).ToArray();
        var holding = new List<int>();
        var priors = new Prior?[map.Count];
        for (int k = 0; k < map.Count; k++)
        {
            var info = map.Parameters[k];
            if (held.TryGetValue(info.Name, out var heldValue) || options.Fixed.TryGetValue(info.Name, out heldValue))
            {
                if (!ParameterMap.Contains(info.Domain, heldValue) && Model.EdgeHint(info.Name, heldValue) is { } hint)
                    throw new InputException($"fixed value {info.Name} = {heldValue}: {info.Name} must {ParameterMap.Describe(info.Domain)}; {hint}", info.Name);
                values[k] = map.Require(k, heldValue, held.ContainsKey(info.Name) ? "held value" : "fixed value");
                holding.Add(k);
            }
            else if (options.Start.TryGetValue(info.Name, out var startValue))
            {
                values[k] = map.Require(k, startValue, "starting value");
            }
            if (options.Map && PriorOf(options, info.Name) is { } prior)
                priors[k] = CheckPrior(info, prior, options.Fixed.ContainsKey(info.Name));
        }
        // A model's own start on a closed edge of a free parameter's domain (p = 1, a rate of 0: a model of one's own can
        // be given one) leaves the search nowhere to go, its coordinate infinite: a trial's rate started at 1 was
        // "converged" there, the maximum at 0.2.
        for (int k = 0; k < map.Count; k++)
        {
            var info = map.Parameters[k];
            if (!holding.Contains(k) && !options.Start.ContainsKey(info.Name) && !ParameterMap.Contains(info.Domain, values[k]))
                throw new InputException($"the model's starting value {info.Name} = {values[k].ToString("R", System.Globalization.CultureInfo.InvariantCulture)} is on the edge of its domain " +
                    $"({info.Name} must {ParameterMap.Describe(info.Domain)}), where the search cannot move from: start it inside", info.Name);
        }
        // A likelihood with kinks of its own is the one whose standard errors come from the Fisher information.
        var objective = new Objective(Engine, map.Holding(holding), values, priors, Model.Scales, dataKinks: Model.FisherInformation(Model.Start) is not null || Model.HasParameterKinks,
            cancellation: _cancellation);
        var withPriors = Enumerable.Range(0, map.Count).Where(objective.HasProperPrior).Select(k => map.Parameters[k].Name);
        if (Refusal(objective, withPriors, NormalPriors(options), LaplacePriors(options)) is { } refusal)
            throw new InputException(refusal, nameof(options));
        return objective;
    }

    /// <summary>
    /// Why the data determine no finite MLE with <paramref name="objective"/>'s free and held parameters, or null; null
    /// too where one that runs off has a proper prior in <paramref name="priors"/> (MAP), which might bound it, and
    /// where exactly collinear columns have normal priors in <paramref name="normal"/> (a ridge's).
    /// </summary>
    private string? Refusal(Objective objective, IEnumerable<string> priors, IEnumerable<string> normal, IEnumerable<string>? laplace = null)
    {
        var map = objective.Map;
        var natural = objective.Natural(objective.Start());
        var held = Enumerable.Range(0, map.Count).Where(map.IsHeld).ToDictionary(k => map.Parameters[k].Name, k => natural[k]);
        return ModelCatalog.Refusal(Model, map.Free.Select(k => map.Parameters[k].Name), held, priors, normal, laplace);
    }

    /// <summary>
    /// Stage 2: the maximization (restarted from the data-driven start where it finds no maximum), a run towards a
    /// limit model settled on the profile, and the parameters whose maximum is at an edge or a limit; with
    /// <paramref name="otherStarts"/>, also from the model's other starts.
    /// </summary>
    private (OptimizationResult Search, string? Restart, int[] Edges) Search(Objective objective, FitOptions options, bool otherStarts = true)
    {
        // A nonlinear regression: Levenberg–Marquardt on the normal equations, whether or not it converges.
        if (LeastSquaresSearch.Applies(objective, Model, options.Optimizer))
        {
            var leastSquares = LeastSquaresSearch.Run(objective, Engine.Rows, Model.ResponseSquares, options.Optimizer);
            return (leastSquares, null, []);
        }
        // A model with an exact Hessian: Newton's method, unless it fails for a reason other than separation.
        string? handOver = null;
        if (NewtonSearch.Applies(objective, Model, options.Optimizer))
        {
            if (NewtonSearch.Run(objective, Model, options.Optimizer, out var failure) is { } newton)
            {
                newton = NotRisingInto(objective, newton, options);
                return (newton, null, DomainEdges.Find(objective, newton, [], options.Optimizer));
            }
            // Newton asked for: said, not silent (a trial asked for newton and read lbfgs in the result with no word why).
            if (options.Optimizer.Kind == OptimizerKind.Newton)
                handOver = $"Newton's method, asked for, stopped short of a maximum ({failure}); the generic search went on from the starting values";
        }
        // The search (restarted from dataStart where it finds no maximum), with a run towards a limit settled.
        (OptimizationResult Search, string? Restart, int[] Limits) From(Objective from, IReadOnlyList<double> dataStart)
        {
            var (found, restart) = RestartingSearch.Run(from, dataStart, options.Optimizer, Model.StartFromData);
            var (settled, limits) = DomainEdges.Settle(from, found, dataStart, Model.LimitAtInfinity, options.Optimizer);
            return (settled, restart, limits);
        }
        var dataStart = DataStart(options, held: null);
        var (search, restart, limits) = From(objective, dataStart);
        // A search from another start, kept where it converges higher (or where the search so far did not converge).
        void Also(IReadOnlyList<double> other)
        {
            var (otherSearch, _, otherLimits) = From(objective.StartingAt(other), other);
            int evaluations = search.Evaluations + otherSearch.Evaluations;
            if (otherSearch.Converged && (!search.Converged || otherSearch.Value > search.Value + 1e-9 * options.Optimizer.Magnitude(search.Value)))
            {
                restart = search.Converged
                    ? $"a search from other starting values ({Describe(objective.Map, other)}) found a higher maximum than the one from the starting values ({ObjectiveName(options.Map)} {search.Value:G12})"
                    : $"the search from the starting values did not converge ({search.Reason}); one from other starting values ({Describe(objective.Map, other)}) found this maximum";
                (search, limits) = (otherSearch with { Evaluations = evaluations, Iterations = search.Iterations + otherSearch.Iterations }, otherLimits);
            }
            else
            {
                search = search with { Evaluations = evaluations };
            }
        }
        // A likelihood with several maxima: a search from each of the model's other starts, the highest maximum kept.
        foreach (var other in otherStarts ? Model.OtherStarts : [])
            Also(other);
        // Under MAP, where no search converged, also from the priors' modes: the data's start may sit where the
        // likelihood is flat and the prior pulls the mode far inside (a trial's five 0s with p ~ normal(0.5, 0.1): from
        // p = 1e-6, 1,000 L-BFGS steps on a log-odds slope of 1e-6, not converged; the mode is 0.4146).
        if (otherStarts && options.Map && !search.Converged && PriorModes(objective, options, dataStart) is { } modes)
            Also(modes);
        search = NotRisingInto(objective, search, options);
        restart = handOver is null ? restart : restart is null ? handOver : $"{handOver}; {restart}";
        return (search, restart, DomainEdges.Find(objective, search, limits, options.Optimizer));
    }

    // A search "converged" toward a bounded parameter's edge while the likelihood still rises into the domain there
    // (DomainEdges.RisingInto): not converged, saying why.
    private static OptimizationResult NotRisingInto(Objective objective, OptimizationResult search, FitOptions options) =>
        DomainEdges.RisingInto(objective, search, options.Optimizer) is { } reason ? search with { Converged = false, Reason = reason } : search;

    /// <summary>
    /// The start of <paramref name="start"/> with each free parameter that has a prior with an interior mode in the
    /// parameter's domain (<see cref="Prior.Mode"/>) there, where that moves one; else null. A parameter with a start
    /// given keeps it.
    /// </summary>
    private IReadOnlyList<double>? PriorModes(Objective objective, FitOptions options, IReadOnlyList<double> start)
    {
        var map = objective.Map;
        var modes = start.ToArray();
        bool moved = false;
        foreach (int k in map.Free)
        {
            var info = map.Parameters[k];
            if (options.Start.ContainsKey(info.Name) || PriorOf(options, info.Name)?.Mode is not { } mode || !ParameterMap.Contains(info.Domain, mode)
                || mode == modes[k])
                continue;
            modes[k] = mode;
            moved = true;
        }
        return moved ? modes : null;
    }

    /// <summary>What a search maximizes, in notes: the log-posterior under MAP, else the log-likelihood.</summary>
    private static string ObjectiveName(bool map) => map ? "log-posterior" : "log-likelihood";

    /// <summary>The free parameters at natural values <paramref name="values"/>, as "mu = 10, sigma = 0.2".</summary>
    private static string Describe(ParameterMap map, IReadOnlyList<double> values) =>
        string.Join(", ", map.Free.Select(k => $"{map.Parameters[k].Name} = {values[k]:G6}"));

    /// <summary>
    /// The prior of each parameter (model order) under <paramref name="options"/>: its own, else the coefficients' for a
    /// coefficient; null for a fixed parameter, one without a prior, or every one where the options are not MAP (the
    /// terms of a sweep's log-posterior).
    /// </summary>
    public Prior?[] Priors(FitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return [.. Parameters.Names.Select(name => options.Map && !options.Fixed.ContainsKey(name) ? PriorOf(options, name) : null)];
    }

    // The names of the parameters with a normal prior under options (MAP): a ridge's, which resolve exactly collinear columns.
    private string[] NormalPriors(FitOptions options) => PriorsOf<NormalPrior>(options);

    // The names of the parameters with a Laplace prior under options (MAP): a lasso's, which resolve a design's columns
    // dependent only for want of rows where the mode found is the only one (ModelCatalog.NotUnique).
    private string[] LaplacePriors(FitOptions options) => PriorsOf<LaplacePrior>(options);

    private string[] PriorsOf<T>(FitOptions options) where T : Prior
    {
        var priors = Priors(options);
        return [.. Parameters.Names.Where((_, k) => priors[k] is T)];
    }

    /// <summary>
    /// The prior on parameter <paramref name="name"/>: its own, else the coefficients' prior where it is one of the
    /// model's coefficients (a fixed coefficient is simply not estimated), else null.
    /// </summary>
    private Prior? PriorOf(FitOptions options, string name) => options.PriorOf(name, Model.Coefficients.Contains(name));

    /// <summary>Every name in <paramref name="options"/> and <paramref name="held"/> is a parameter; priors go with MAP; the level is a probability.</summary>
    private void CheckNames(FitOptions options, IReadOnlyDictionary<string, double> held)
    {
        ArgumentNullException.ThrowIfNull(options.Fixed, $"{nameof(options)}.{nameof(options.Fixed)}");
        ArgumentNullException.ThrowIfNull(options.Start, $"{nameof(options)}.{nameof(options.Start)}");
        ArgumentNullException.ThrowIfNull(options.Priors, $"{nameof(options)}.{nameof(options.Priors)}");
        ArgumentNullException.ThrowIfNull(options.Optimizer, $"{nameof(options)}.{nameof(options.Optimizer)}");
        ArgumentNullException.ThrowIfNull(options.Profile, $"{nameof(options)}.{nameof(options.Profile)}");
        foreach (var name in options.Fixed.Keys)
            Parameters.IndexOf(name, "fixed value");
        foreach (var name in held.Keys)
            Parameters.IndexOf(name, "held value");
        foreach (var name in options.Start.Keys)
            Parameters.IndexOf(name, "starting value");
        foreach (var name in options.Priors.Keys)
            Parameters.IndexOf(name, "prior");
        // A start for a parameter held fixed would be dropped without a word; a null prior read as none likewise.
        if (options.Start.Keys.FirstOrDefault(options.Fixed.ContainsKey) is { } both)
            throw new InputException($"starting value for '{both}': {both} is fixed, so it has no starting value", both);
        if (options.Priors.FirstOrDefault(p => p.Value is null) is { Key: { } unset })
            throw new InputException($"prior on '{unset}' is null: give a prior (a {nameof(FlatPrior)} for none), or leave the name out", unset);
        if (!options.Map && options.Priors.Count > 0)
            throw new InputException($"prior on {options.Priors.Keys.First()}: priors apply to MAP estimation, not to the MLE", options.Priors.Keys.First());
        if (options.CoefficientPrior is { } all)
        {
            if (!options.Map)
                throw new InputException($"prior {all} on every coefficient: priors apply to MAP estimation, not to the MLE", nameof(options.CoefficientPrior));
            if (Model.Coefficients.Count == 0)
                throw new InputException($"prior {all} on every coefficient: model '{Model.Name}' has no regression coefficients (parameters: {string.Join(", ", Parameters.Names)}); give priors by name", nameof(options.CoefficientPrior));
        }
        ArgumentNullException.ThrowIfNull(options.Covariance);
        if (options.Map && options.Covariance.IsRobust)
            throw new InputException($"{options.Covariance} covariance: robust standard errors apply to the MLE; a MAP fit reports posterior standard deviations (Laplace approximation), which have no sandwich form", nameof(options.Covariance));
        Interval.CheckLevel(options.Level, nameof(options.Level));
    }

    private static Prior CheckPrior(ParameterInfo info, Prior prior, bool isFixed)
    {
        if (isFixed)
            throw new InputException($"prior on {info.Name}: {info.Name} is fixed, so a prior on it has no effect", info.Name);
        // A probability's domain (0, 1) lies inside the positive numbers: a gamma or half-normal prior there is the same
        // density cut to it, which a MAP estimate and its Laplace approximation need no more of (a trial was advised
        // "use gamma or halfnormal" for a probability and then refused them).
        if (prior.RequiresPositive && info.Domain == ParameterDomain.Real)
            throw new InputException($"prior on {info.Name}: {prior} is defined only for positive values, but {info.Name} is real-valued", info.Name);
        if (KinkInside(info, prior) is { } kink)
            throw new InputException($"prior on {info.Name}: {prior} has its kink at {kink} inside the domain of {info.Name} (which must {ParameterMap.Describe(info.Domain)}); an estimate at a kink is found only for real-valued parameters: use gamma or halfnormal, or a location outside the domain", info.Name);
        return prior;
    }

    /// <summary>The kink of <paramref name="prior"/> where it lies inside the domain of a positive or (0, 1) parameter, else null.</summary>
    internal static double? KinkInside(ParameterInfo info, Prior prior) =>
        info.Domain != ParameterDomain.Real && prior.Kink is { } kink && ParameterMap.Contains(info.Domain, kink.Location) ? kink.Location : null;

    /// <summary>
    /// Stage 2's end: the likelihood (and posterior) re-evaluated at the search's end point, with parameters whose
    /// maximum is at an edge of the domain reported at the edge (p = 0, not 10⁻¹⁴); where the density cannot be
    /// evaluated at the edge itself the last interior values stand for the limit, estimates and log-likelihood.
    /// </summary>
    private Maximum EndPoint(Objective objective, OptimizationResult search, bool map, IReadOnlyList<int> edges)
    {
        var natural = objective.Natural(search.Point);
        // Newton's method converged at its last pass, which summed the log-likelihood at this very point (with the
        // Hessian), or one quadratically convergent step past it, whose value it predicts to order u³: that value
        // stands, without another pass over the data.
        bool summed = search.Method == NewtonMaximizer.Name && search.Converged && objective.LogPrior(natural) == 0;
        double logLikelihood = summed ? search.Value : Engine.Evaluate(natural, new double[natural.Length]);
        if (edges.Count > 0)
        {
            var atEdge = natural.ToArray();
            bool carried = false;
            foreach (int k in edges)
            {
                var edge = DomainEdges.Value(objective.Map, k, objective.Map.ToOptimizer(k, natural[k]));
                atEdge[k] = edge ?? natural[k];
                carried |= edge is null;
            }
            double edgeValue = Engine.Evaluate(atEdge, new double[natural.Length]);
            // A parameter carried towards its edge by another's limit at infinity (a negative binomial's p → 1 as r → ∞),
            // where the density is not defined (p = 1 with r finite), stays at its interior value: that is what the fit
            // is, and what eval takes back. Any other edge is reported at the edge.
            if (double.IsFinite(edgeValue) || !carried)
                natural = atEdge;
            logLikelihood = double.IsFinite(edgeValue) && edgeValue >= logLikelihood ? edgeValue : logLikelihood;
        }
        double? logPosterior = map ? logLikelihood + objective.LogPrior(natural) : null;
        // A MAP search run to an edge where the prior's density is 0 (σ → 0 over constant data with a gamma(n + 1, ·)
        // prior: the log-posterior rises to a finite limit there, never reached) has no mode; it was "converged" with
        // a log-posterior of −∞ (a hunt against scipy).
        // (A prior whose density is infinite at the edge, gamma(α < 1, ·) at 0, has its mode there: converged.)
        string reason = search.Reason;
        var zeroPrior = ZeroPriorEdges(objective, edges, natural);
        bool noMode = search.Converged && zeroPrior.Length > 0 && double.IsFinite(logLikelihood);
        if (noMode)
            reason = $"the log-posterior rises towards {string.Join(", ", zeroPrior.Select(k => $"{objective.Map.Parameters[k].Name} = {natural[k].ToString("G6", System.Globalization.CultureInfo.InvariantCulture)}"))}, " +
                "where the prior's density is 0: its highest value is approached there, not reached, and there is no mode";
        bool converged = search.Converged && double.IsFinite(logLikelihood) && !noMode;
        return new Maximum(natural, logLikelihood, logPosterior, converged, reason, search.Iterations, search.Evaluations + (summed ? 0 : 1) + edges.Count * 2)
        {
            Edges = edges,
        };
    }

    // The parameters of edges whose prior's density is 0 at their value there: a MAP search that ends at one has no mode.
    private static int[] ZeroPriorEdges(Objective objective, IReadOnlyList<int> edges, IReadOnlyList<double> natural) =>
        edges.Where(k => double.IsNegativeInfinity(objective.LogPriorOf(k, natural[k]))).ToArray();

    /// <summary>
    /// Stage 3: the observed information at a converged optimum, on the optimizer's scale, over the free parameters
    /// not at an edge nor at a prior's kink (those are held where the search left them: at an edge there is no
    /// curvature to invert, and at a kink no Laplace approximation). A Laplace prior's log-density is linear on either
    /// side of its kink: the objective is differenced with it extended as that line (<see cref="Objective.Sided"/>), so
    /// a step across the kink does not see the kink.
    /// </summary>
    private Information Infer(Objective objective, OptimizationResult search, bool converged, IReadOnlyList<int> edges, IReadOnlyList<int> atKink, bool map, double unit)
    {
        if (!converged)
            return new Information(HessianStatus.Unavailable, null, double.NaN, 0);
        // The exact Hessian is summed on the natural scale, where a parameter far from 1 can put its own curvature below
        // the normal doubles (a rate of 1e200: −n/rate² underflows to 0, and what is left of −H_u on the log scale is the
        // gradient's rounding, a trial's standard error 1e7 times too large, "converged"): there the gradient is
        // differenced on the optimizer's scale instead, from unit coordinates (the search's own came from that Hessian).
        if (search.Information is not null && objective.HessianUnderflowed(search.InformationPoint ?? search.Point))
            search = search with { Information = null, Transform = Matrix<double>.Build.DenseIdentity(search.Point.Length) };
        if (search.Information is { } exact && edges.Count == 0)
        {
            // The exact −H in the natural coordinates is ill-conditioned where a feature's mean dwarfs its spread (10⁶
            // against 1: its entries carry the mean squared, and their rounding swamps the Schur complement): inverted
            // in the centred coordinates it is summed in, where the engine has them, and carried back (Exact). Singular
            // both ways (a feature nearly another's), the analytic gradient, differenced in coordinates re-derived where
            // −H_w is nearly singular, still gives the covariance.
            var information = Exact(objective, search.InformationPoint ?? search.Point, exact, search.Edm);
            if (information.Status != HessianStatus.Singular)
                return information;
            var differenced = ObservedInformation.AtOptimum(objective.Evaluate, search.Point, search.Transform, unit: unit);
            return differenced.Covariance is not null ? differenced : information with { Evaluations = differenced.Evaluations };
        }
        if (!map && edges.Count == 0 && Model.FisherInformation(objective.Natural(search.Point)) is { } perObservation)
            return Expected(objective.Map, objective.Natural(search.Point), perObservation);
        edges = [.. edges.Union(atKink)];
        objective = objective.Sided(search.Point);
        if (edges.Count == 0 && !objective.EngineHasExactHessian)
            return ObservedInformation.AtOptimum(objective.Evaluate, search.Point, search.Transform, Model.HasParameterKinks, unit);
        var natural = objective.Natural(search.Point);
        var inner = objective;
        foreach (int k in edges)
            inner = inner.Holding(k, natural[k], natural);
        var keep = Enumerable.Range(0, objective.Map.Free.Count).Where(i => !edges.Contains(objective.Map.Free[i])).ToArray();
        var point = keep.Select(i => search.Point[i]).ToArray();
        var transform = Matrix<double>.Build.Dense(keep.Length, keep.Length, (r, c) => search.Transform[keep[r], keep[c]]);
        var reduced = ExactAt(inner, point, search.Edm) ?? ObservedInformation.AtOptimum(inner.Evaluate, point, transform, Model.HasParameterKinks, unit);
        if (edges.Count == 0 || reduced.Covariance is not { } c)
            return reduced;
        // Back to every free coordinate; an edge parameter's rows are unknown (NaN), not zero.
        int n = objective.Map.Free.Count;
        var covariance = Matrix<double>.Build.Dense(n, n, double.NaN);
        for (int r = 0; r < keep.Length; r++)
        {
            for (int col = 0; col < keep.Length; col++)
                covariance[keep[r], keep[col]] = c[r, col];
        }
        return reduced with { Covariance = covariance };
    }

    /// <summary>
    /// The covariance from the exact Hessian of <paramref name="objective"/> at <paramref name="u"/> (a MAP fit whose
    /// search ended without it: a lasso's, whose coordinates at their kinks are held and whose kinks' terms are lines
    /// there), inverted in the design's centred coordinates where the engine sums it in them: one pass, where
    /// differences of the gradient took two or more per free coordinate (300 of a logit lasso's 600 passes at 10⁵ × 150,
    /// 146 coefficients off their kinks); null where the engine has no exact Hessian, or it is singular, or a free
    /// parameter's curvature underflowed (as for <see cref="Infer(Objective, OptimizationResult, bool, IReadOnlyList{int}, IReadOnlyList{int}, bool, double)"/>'s
    /// MLE): then the differences decide.
    /// </summary>
    private static Information? ExactAt(Objective objective, double[] u, double edm)
    {
        if (!objective.EngineHasExactHessian || u.Length == 0)
            return null;
        // The pass first, which records an underflow; the centred sums are then that pass's (the engine keeps them).
        var hessian = Matrix<double>.Build.Dense(u.Length, u.Length);
        objective.EvaluateHessian(u, new double[u.Length], hessian);
        if (objective.HessianUnderflowed(u))
            return null;
        var information = Exact(objective, u, -hessian, edm) with { Evaluations = 1 };
        return information.Status == HessianStatus.Singular ? null : information;
    }

    /// <summary>
    /// The covariance from the exact information −H (<paramref name="information"/>, in u) at <paramref name="u"/>:
    /// inverted in the design's centred coordinates where the engine sums it in them and it is not singular there (in
    /// u its entries carry a feature's mean squared, whose rounding swamps the Schur complement), else in u.
    /// </summary>
    private static Information Exact(Objective objective, ReadOnlySpan<double> u, Matrix<double> information, double edm) =>
        objective.InformationInDesign(u) is { } design && ExactInformation.InDesign(design, edm) is { Status: not HessianStatus.Singular } centred
            ? centred
            : ExactInformation.Of(information, edm);

    /// <summary>
    /// The covariance on the optimizer's scale from n times the Fisher information of one observation (natural scale),
    /// for a model whose observed information does not exist at the maximum: (J n I J)⁻¹ over the free parameters.
    /// </summary>
    private Information Expected(ParameterMap map, double[] natural, double[] perObservation)
    {
        var free = map.Free;
        int p = map.Count;
        var information = Matrix<double>.Build.Dense(free.Count, free.Count, (i, j) =>
            Model.Rows * perObservation[free[i] * p + free[j]] * map.Jacobian(free[i], natural[free[i]]) * map.Jacobian(free[j], natural[free[j]]));
        return new Information(HessianStatus.NegativeDefinite, information.Inverse(), double.NaN, 0) { Expected = true };
    }

    /// <summary>Stage 5: estimates, standard errors, intervals and diagnostics on the natural scale.</summary>
    private FitResult Report(FitOptions options, Objective objective, OptimizationResult search, Maximum end, Information information,
        ProfileIntervals profiles, Stopwatch clock, string? restart, IReadOnlyList<int> atKink, IReadOnlyList<int> atDataKink)
    {
        var map = objective.Map;
        var natural = end.Estimates;
        var notes = new List<string>();
        if (restart is not null)
            notes.Add(restart);
        if (!end.Converged)
            notes.Add("no standard errors: the fit did not converge");
        else if (information.Status == HessianStatus.NotSmooth)
            notes.Add("no standard errors: the log-likelihood has kinks (an abs, min, max or sign of a parameter) within the differencing steps of the optimum, where the observed information does not exist; profile intervals still apply");
        else if (information.Status != HessianStatus.NegativeDefinite && map.Free.Any(k => !end.Edges.Contains(k)))
        {
            // Estimates beyond 10^±100 (data of 10¹⁵⁵: a σ whose 1/σ² underflows) make the information's entries
            // unrepresentable, which reads as singular (a trial): said so.
            var far = map.Free.Where(k => Math.Abs(natural[k]) is var size && (size > 1e100 || (size > 0 && size < 1e-100))).Select(k => map.Parameters[k].Name).ToArray();
            notes.Add($"no standard errors: the Hessian at the optimum is {Describe(information.Status)}" + (far.Length == 0 ? ""
                : $" ({string.Join(", ", far)} beyond 10^±100: the information's entries are then beyond the doubles' range, or lose their digits; rescale the data)"));
        }
        if (information.Expected)
            notes.Add("standard errors from the Fisher (expected) information: the log-likelihood has a kink at the estimate, or is flat there, so the observed information does not exist or is 0");
        if (options.Map)
            notes.Add("MAP: standard errors are posterior standard deviations from the Laplace approximation at the mode; priors are on each parameter's reported (natural) scale");
        if (atDataKink.Count > 0)
        {
            string why = options.Map
                ? "the MAP sits where the log-posterior has no curvature, so no Laplace-approximation standard deviation; the others' come from the curvature with it held"
                : "the MLE sits where the log-likelihood has no curvature, so no standard error; the others' come from the curvature with it held; profile intervals still apply";
            notes.Add($"at a kink of the log-likelihood or where it is flat: {string.Join(", ", atDataKink.Select(k => map.Parameters[k].Name))} ({why})");
        }
        if (atKink.Count > 0)
            notes.Add($"at the prior's kink: {string.Join(", ", atKink.Select(k => map.Parameters[k].Name))} (the MAP is exactly the Laplace prior's location, where the log-posterior has no curvature, so no Laplace-approximation standard deviation; the others' come from the curvature over the parameters not at a kink)");
        notes.AddRange(profiles.Notes);

        var covariance = NaturalCovariance(map, natural, information.Covariance);
        // Parameters whose robust variance is undefined (below), not one past the doubles' range.
        var undefined = new HashSet<int>();
        if (options.Covariance.IsRobust && covariance is not null)
        {
            var leverages = options.Covariance.Name is "HC2" or "HC3" ? Model.Leverages : null;
            covariance = RobustCovariance.Sandwich(options.Covariance, Engine, map, natural, covariance, Model.ScaleParameters, Model.FrequencyWeights, leverages);
            notes.Add(RobustNote(options.Covariance, map.Free.Count, Model.FrequencyWeights));
            // A trial: a factor level of one row gave that level's coefficient an HC3 standard error of 0.24 (nonrobust
            // 1.6) without a word, the row that alone fits it left out of the sums.
            // The coefficients those rows alone fit have none (a trial: HC3 0.278 printed for a level of one row with
            // this note beneath it; statsmodels prints rounding noise, R's sandwich NaN): their rows and columns NaN.
            if (leverages is not null && RobustCovariance.UnitLeverageRows(leverages) is { Length: > 0 } unit)
            {
                var fitted = Model.FittedOnlyBy(unit).Where(name => map.Parameters.Any(p => p.Name == name)).ToArray();
                foreach (int k in fitted.Select(name => map.Parameters.ToList().FindIndex(p => p.Name == name)))
                {
                    undefined.Add(k);
                    for (int j = 0; j < covariance.GetLength(0); j++)
                        covariance[k, j] = covariance[j, k] = double.NaN;
                }
                notes.Add($"{options.Covariance}: {unit.Length} row{(unit.Length == 1 ? "" : "s")} of leverage 1 (row {string.Join(", ", unit.Take(5).Select(i => i + 1))}" +
                    $"{(unit.Length > 5 ? ", ..." : "")} of those fitted, counted from 1), each alone fitting a coefficient (a factor level only it has): its residual is 0, so it is left out " +
                    $"of the sums, and {(fitted.Length == 0 ? "the coefficient it fits has" : string.Join(", ", fitted) + (fitted.Length == 1 ? " has" : " have"))} no robust standard error " +
                    "(R's sandwich gives NaN there, for the whole matrix)");
            }
            if (profiles.Intervals.Count > 0)
                notes.Add("profile intervals are likelihood-based: the robust covariance does not change them");
        }
        double z = MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 0.5 + options.Level / 2);
        var unrepresentable = new List<string>();
        var estimates = map.Parameters.Select((info, k) =>
        {
            double variance = covariance?[k, k] ?? double.NaN;
            if (map.IsHeld(k) || !(variance >= 0))
            {
                // NaN where a covariance was found for this parameter (not at an edge or a kink): an ∞ − ∞ of entries
                // past the doubles' range (a location of 1e155 beside its scale).
                if (!map.IsHeld(k) && double.IsNaN(variance) && covariance is not null && !end.Edges.Contains(k) && !atKink.Contains(k) && !atDataKink.Contains(k) && !undefined.Contains(k))
                    unrepresentable.Add(info.Name);
                return new ParameterEstimate(info.Name, natural[k], map.IsHeld(k), Profile: profiles.Intervals.GetValueOrDefault(k));
            }
            double se = Math.Sqrt(variance), rooted = variance;
            // A variance past the doubles' range where the standard error is not (a scale of 1e155 squared overflows,
            // one of 1e-160 underflows to 0 or to a subnormal of a few digits: a trial saw "Infinity", and 0 with a
            // zero-width interval): |dθ/du| √C_u.
            if ((variance < MinNormal || double.IsPositiveInfinity(variance)) && !options.Covariance.IsRobust && information.Covariance is { } onOptimizerScale)
            {
                int i = map.FreeIndex(k);
                (se, rooted) = (Math.Abs(map.Jacobian(k, natural[k])) * Math.Sqrt(onOptimizerScale[i, i]), onOptimizerScale[i, i]);
            }
            // Still 0 or ∞: beyond the doubles either way (a free parameter's information is never infinite in a fit
            // that converged inside the domain). So too a subnormal with fewer than eight digits left (a location's
            // variance at a scale of 1e-158: 4e-7 off, 1e-160: 4e-3, silently; a hunt against scipy).
            if (se == 0 || double.IsPositiveInfinity(se) || rooted < FewDigits)
            {
                unrepresentable.Add(info.Name);
                return new ParameterEstimate(info.Name, natural[k], false, Profile: profiles.Intervals.GetValueOrDefault(k));
            }
            return new ParameterEstimate(info.Name, natural[k], false, se, new Interval(natural[k] - z * se, natural[k] + z * se), profiles.Intervals.GetValueOrDefault(k));
        }).ToArray();
        if (unrepresentable.Count > 0)
            notes.Add($"no standard error for {string.Join(", ", unrepresentable)}: its variance is beyond the range of a double (the data's values are too large or too small to square); rescale the data");

        // A Wald interval is symmetric on the reported scale and may pass a bound (an exponential rate of one point:
        // −0.32 to 0.99, a trial): said, with the interval that respects it.
        var outside = estimates.Where((e, k) => e.Wald is { Lower: { } lower, Upper: { } upper }
            && !(ParameterMap.Contains(map.Parameters[k].Domain, lower) && ParameterMap.Contains(map.Parameters[k].Domain, upper))).Select(e => e.Name).ToArray();
        if (outside.Length > 0)
        {
            notes.Add($"the Wald interval of {string.Join(", ", outside)} passes the bound of its domain (Wald intervals are symmetric on the reported scale); " +
                "a profile interval stays inside it");
        }
        var atBound = DomainEdges.AtBound(map, natural, end.Edges, search.Converged);
        if (atBound.Length > 0)
            notes.Add(DomainEdges.Note(map, natural, end.Edges, atBound, Model.LimitAtInfinity, Model.ModelAtEdge));

        clock.Stop();
        var diagnostics = new Diagnostics(end.Converged, end.Reason, search.Iterations,
            end.Evaluations + information.Evaluations + profiles.Evaluations, search.GradientNorm,
            double.IsFinite(information.Edm) ? information.Edm : search.Edm, information.Expected ? "not used (Fisher information instead)" : Describe(information.Status), atBound, notes)
        {
            AtPriorKink = end.Converged ? [.. atKink.Select(k => map.Parameters[k].Name)] : [],
        };
        return new FitResult(Model.Name, options.Map ? "map" : "mle", search.Method ?? options.Optimizer.Name, DeviceDescription, Engine.Rows, estimates,
            end.LogLikelihood, end.LogPosterior, options.Level, covariance, diagnostics, clock.Elapsed.TotalMilliseconds)
        {
            CovType = options.Covariance.Name,
            Observations = Model.FrequencyWeights?.Sum() ?? Engine.Rows,
            // Not converged: the RSS where the search stopped (how far off it is), without standard errors; a MAP fit's
            // RSS alone too (NIST's errors ignore the prior: a review found them twice the posterior's).
            Nonlinear = end.Converged && !options.Map ? search.LeastSquares ?? LeastSquaresSearch.StatisticsAt(objective, natural, Engine.Rows)
                : LeastSquaresSearch.StatisticsAt(objective, natural, Engine.Rows, errors: false),
        };
    }

    // The smallest positive double with all its digits (below it, subnormals lose them).
    private const double MinNormal = 2.2250738585072014E-308;

    // The subnormal below which fewer than eight digits are left (its spacing, 4.9e-324, a 10⁻⁸ of it): a variance
    // there is no standard error.
    private const double FewDigits = 4.9406564584124654E-316;

    // A cluster-robust covariance's middle, Σ_g S_g S_gᵀ with Σ_g S_g = 0 at the maximum, has rank G − 1 at most: with
    // no more clusters than estimated parameters it is singular, and the coefficients of the clusters' own levels (the
    // cluster column as a factor in the model) have cluster score sums of 0 (R's sandwich and statsmodels say nothing; a
    // hunt's 50 clusters for 100 parameters, the clusters' own factor levels among them, gave standard errors of rounding
    // noise). A cluster-level covariate without those levels is the usual clustered design: its error stands.
    // The clusters counted are those with a row of positive weight, as the covariance counts them (a hunt: 6 clusters
    // named, 3 of them all of weight 0, and the rank warning of the 3 left out).
    private static string RobustNote(CovarianceType type, int estimated, IReadOnlyList<double>? weights)
    {
        if (type.Name != "cluster")
        {
            return type.Name switch
            {
                "HC0" => "standard errors, z, p and Wald intervals from the robust (sandwich, HC0) covariance H⁻¹ (Σ sᵢ sᵢᵀ) H⁻¹",
                "HC1" => "standard errors, z, p and Wald intervals from the robust (sandwich) covariance times n/(n − k) (HC1)",
                "HC2" => "standard errors, z, p and Wald intervals from the robust (sandwich) covariance with each row's score products over 1 − hᵢ, hᵢ its leverage (HC2)",
                _ => "standard errors, z, p and Wald intervals from the robust (sandwich) covariance with each row's score products over (1 − hᵢ)², hᵢ its leverage (HC3)",
            };
        }
        var clusters = type.Clusters!;
        int groups = clusters.Where((_, i) => weights is null || weights[i] > 0).Distinct().Count();
        return $"standard errors, z, p and Wald intervals from the cluster-robust covariance by '{type.ClusterColumn}' ({groups} clusters), times G/(G − 1) · (n − 1)/(n − k)" +
            (groups - 1 < estimated
                ? $"; its rank is at most G − 1 = {groups - 1}, below the {estimated} estimated parameters: it is singular (joint tests of more than {groups - 1} of them are not possible), and where the model holds the clusters' own levels (the cluster column as a factor), their coefficients' standard errors mean nothing: those scores sum to 0 in every cluster"
                : "");
    }

    /// <summary>Covariance on the natural scale by the delta method: C = J C_u J, J = diag(dθ/du).</summary>
    private static double[,]? NaturalCovariance(ParameterMap map, double[] natural, Matrix<double>? optimizerScale)
    {
        if (optimizerScale is null)
            return null;
        var free = map.Free;
        var covariance = new double[map.Count, map.Count];
        for (int i = 0; i < free.Count; i++)
        {
            for (int j = 0; j < free.Count; j++)
                covariance[free[i], free[j]] = optimizerScale[i, j] * map.Jacobian(free[i], natural[free[i]]) * map.Jacobian(free[j], natural[free[j]]);
        }
        return covariance;
    }

    private static string Describe(HessianStatus status) => status switch
    {
        HessianStatus.NegativeDefinite => "negative definite",
        HessianStatus.NotNegativeDefinite => "not negative definite",
        HessianStatus.Singular => "singular",
        HessianStatus.NotSmooth => "not smooth",
        _ => "not computed",
    };

    // Every value inside its parameter's domain; with edges, also at its closed end (p = 0 or 1, a rate of 0), where a
    // fit reports a maximum at the edge and an evaluation takes it back.
    private double[] CheckPoint(IReadOnlyList<double> parameters, bool edges = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Count != Parameters.Count)
            throw new InputException($"expected {Parameters.Count} parameter values ({string.Join(", ", Parameters.Names)}), got {parameters.Count}", nameof(parameters));
        return Enumerable.Range(0, parameters.Count)
            .Select(k => edges && ParameterMap.IsClosedEdge(Parameters.Parameters[k].Domain, parameters[k]) ? parameters[k] : Parameters.Require(k, parameters[k], "value of"))
            .ToArray();
    }
}
