using GpuEstimation.Engine;
using GpuEstimation.Kernels;
using GpuEstimation.Optimization;
using GpuEstimation.Priors;
using MathNet.Numerics.LinearAlgebra;

namespace GpuEstimation.Estimation;

/// <summary>
/// What the optimizer maximizes: the log-likelihood (+ Σ log prior of the free parameters, for MAP) as a function of
/// the free parameters' coordinates u, the held ones at their values. Immutable: every evaluation works on its own
/// copy of the parameter vector, so one objective serves any number of searches. Priors with a kink (Laplace) on
/// real-valued parameters make it F(u) − Σ w·|u − c| with F smooth: <see cref="Maximize"/> then treats the kinks
/// exactly (<see cref="KinkedMaximizer"/>), <see cref="Smooth"/> is F alone and <see cref="Sided"/> F with each term
/// linear on one side.
/// </summary>
internal sealed class Objective
{
    private readonly ILikelihoodEngine _engine;
    private readonly double[] _values;
    private readonly Prior?[] _priors;
    private readonly IReadOnlyList<double> _scales;
    /// <summary>Null: the objective itself. Otherwise per kink the side its term −w·side·(u − c) is linear on (0: no term).</summary>
    private readonly int[]? _sides;
    /// <summary>Whether the log-likelihood itself has kinks (Laplace's location at the data): see <see cref="DataKinks"/>.</summary>
    private readonly bool _dataKinks;

    /// <param name="engine">Natural parameters → log-likelihood and gradient.</param>
    /// <param name="map">Which parameters are held, and the coordinates of the free ones.</param>
    /// <param name="values">Natural values of all parameters: the held values, and the free ones' starting values.</param>
    /// <param name="priors">A prior per parameter, or null (flat, or MLE).</param>
    /// <param name="scales">Typical uncertainty of each parameter on the optimizer's scale (all parameters).</param>
    /// <param name="dataKinks">
    /// Whether the log-likelihood has kinks of its own (Laplace's location at every data point), where a maximum can
    /// sit that no gradient test accepts: <see cref="Maximize"/> then settles a search that found no stationary point
    /// with <see cref="DataKinks"/>.
    /// </param>
    /// <param name="cancellation">Checked before every pass over the data: a cancelled fit stops there, with an <see cref="OperationCanceledException"/>.</param>
    public Objective(ILikelihoodEngine engine, ParameterMap map, IReadOnlyList<double> values, Prior?[] priors, IReadOnlyList<double> scales, bool dataKinks = false,
        CancellationToken cancellation = default)
        : this(engine, map, values, priors, scales, sides: null, dataKinks, cancellation)
    {
    }

    private Objective(ILikelihoodEngine engine, ParameterMap map, IReadOnlyList<double> values, Prior?[] priors, IReadOnlyList<double> scales, int[]? sides,
        bool dataKinks, CancellationToken cancellation)
    {
        Cancellation = cancellation;
        _dataKinks = dataKinks;
        _engine = engine;
        Map = map;
        _values = values.ToArray();
        _priors = priors;
        _scales = scales;
        _sides = sides;
        var kinks = new List<Kink>();
        for (int i = 0; i < map.Free.Count; i++)
        {
            // On a positive or (0, 1) parameter a kink can only lie outside the domain (see EstimationSession's prior check).
            int k = map.Free[i];
            if (map.Parameters[k].Domain == ParameterDomain.Real && priors[k]?.Kink is { } kink)
                kinks.Add(new Kink(i, kink.Location, kink.Weight));
        }
        Kinks = kinks;
    }

    /// <summary>The kinks of the free coordinates (a real-valued parameter's coordinate is its value): where a Laplace prior is.</summary>
    public IReadOnlyList<Kink> Kinks { get; }

    /// <summary>The same objective without the kinks' terms −w·|u − c|: the smooth part F, whose Hessian is the posterior's wherever no coordinate is at its kink.</summary>
    public Objective Smooth() => new(_engine, Map, _values, _priors, _scales, new int[Kinks.Count], _dataKinks, Cancellation);

    /// <summary>
    /// The objective with each kink's term −w·|u − c| replaced by the line −w·s·(u − c), s its side at coordinates
    /// <paramref name="u"/> (none for a coordinate at its kink): equal to the objective on that orthant, smooth across
    /// it, so its gradient vanishes at a maximum off the kinks and its curvature is the Laplace approximation's.
    /// </summary>
    public Objective Sided(IReadOnlyList<double> u) =>
        new(_engine, Map, _values, _priors, _scales, Kinks.Select(k => Math.Sign(u[k.Coordinate] - k.Location)).ToArray(), _dataKinks, Cancellation);

    /// <summary>
    /// Maximizes from coordinates <paramref name="start"/> (scales: first finite-difference steps): the smooth
    /// <see cref="Maximizer"/>, or where a free parameter's prior has a kink, <see cref="KinkedMaximizer"/> on
    /// <see cref="Smooth"/> and the kinks, whose estimate can sit exactly at a kink; a regression's either way in its
    /// design's centred coordinates (<see cref="Sheared"/>). Where the log-likelihood has kinks of its own, a search that
    /// found no stationary point is settled at one if it can be (<see cref="DataKinks"/>).
    /// </summary>
    public OptimizationResult Maximize(IReadOnlyList<double> start, IReadOnlyList<double> scales, OptimizerSettings settings)
    {
        var search = DesignShear() is { } shear ? Sheared(shear, start, scales, settings)
            : Kinks.Count == 0 ? Maximizer.Maximize(Evaluate, start, scales, settings)
            : KinkedMaximizer.Maximize(Smooth().Evaluate, Kinks, start, scales, settings, SmoothHessian());
        return _dataKinks && !search.Converged ? DataKinks.Settle(this, search, start, settings) : search;
    }

    /// <summary>
    /// The free coordinates' part S of the engine's map to the design's coordinates (<see cref="ILikelihoodEngine.DesignMap"/>:
    /// y = S u, the intercept less the features' means times their slopes), where it is not the identity and moves only
    /// coordinates that are their parameters' values, and leaves each kinked coordinate its own (a unit row); else null.
    /// </summary>
    private Matrix<double>? DesignShear()
    {
        if (_engine.DesignMap is not { } c)
            return null;
        int p = Map.Count;
        var free = Map.Free;
        var shear = Matrix<double>.Build.Dense(free.Count, free.Count, (i, j) => c[free[i] * p + free[j]]);
        bool identity = true;
        for (int i = 0; i < free.Count; i++)
        {
            for (int j = 0; j < free.Count; j++)
            {
                double expected = i == j ? 1 : 0;
                if (shear[i, j] == expected)
                    continue;
                identity = false;
                if (!double.IsFinite(shear[i, j]) || Map.Parameters[free[i]].Domain != ParameterDomain.Real || Map.Parameters[free[j]].Domain != ParameterDomain.Real
                    || Kinks.Any(k => k.Coordinate == i))
                    return null;
            }
        }
        return identity ? null : shear;
    }

    /// <summary>
    /// The search (smooth, or kinked) in the design's coordinates y = S u (<see cref="DesignShear"/>), its point and
    /// preconditioner carried back to u: a lasso's slopes keep their kinks, and the intercept becomes the centred one, no
    /// longer correlated with them. In u a feature of mean 10⁴ and spread 10⁻² puts the intercept–slope condition number
    /// at 10¹², past what the search's differenced curvature resolves: a logit lasso there ran its 1,000 iterations in
    /// 3 of 3 trials, not converged, and a ridge took 160–225 iterations where it now takes 8–15.
    /// </summary>
    private OptimizationResult Sheared(Matrix<double> shear, IReadOnlyList<double> start, IReadOnlyList<double> scales, OptimizerSettings settings)
    {
        var inverse = shear.Inverse();
        var smooth = Kinks.Count == 0 ? this : Smooth();
        int n = shear.RowCount;
        double[] ToU(ReadOnlySpan<double> y) => (inverse * Vector<double>.Build.DenseOfArray(y.ToArray())).ToArray();
        // ∂/∂y = S⁻ᵀ ∂/∂u.
        void ToY(double[] gu, Span<double> gy)
        {
            var g = inverse.TransposeThisAndMultiply(Vector<double>.Build.DenseOfArray(gu));
            for (int i = 0; i < n; i++)
                gy[i] = g[i];
        }
        ValueAndGradient inY = (y, gy) =>
        {
            var gu = new double[n];
            double value = smooth.Evaluate(ToU(y), gu);
            ToY(gu, gy);
            return value;
        };
        var yStart = (shear * Vector<double>.Build.DenseOfEnumerable(start)).ToArray();
        // F's Hessian in y, S⁻ᵀ H_u S⁻¹, from the engine's centred sums where it has them (−H_u = Tᵀ A T + diag(d):
        // −H_y = (T S⁻¹)ᵀ A (T S⁻¹) + S⁻ᵀ diag(d) S⁻¹, T S⁻¹ the free coordinates' columns without the means): H_u's
        // entries carry a feature's mean squared, whose rounding S⁻ᵀ H_u S⁻¹ would keep (10⁻⁴ of the curvature at a
        // mean 10⁶ times the spread).
        ValueGradientHessian? hessianInY = !HasKinkedHessian ? null : (y, gy, hy) =>
        {
            var u = ToU(y);
            var gu = new double[n];
            var hu = Matrix<double>.Build.Dense(n, n);
            double value = smooth.EvaluateHessian(u, gu, hu);
            ToY(gu, gy);
            if (smooth.InformationInDesign(u) is { } design)
            {
                var t = design.Map * inverse;
                var information = t.TransposeThisAndMultiply(design.Design * t) + inverse.TransposeThisAndMultiply(Matrix<double>.Build.DiagonalOfDiagonalVector(design.Own) * inverse);
                information.Negate().CopyTo(hy);
            }
            else
            {
                inverse.TransposeThisAndMultiply(hu * inverse).CopyTo(hy);
            }
            return value;
        };
        var search = Kinks.Count == 0 ? Maximizer.Maximize(inY, yStart, scales, settings) : KinkedMaximizer.Maximize(inY, Kinks, yStart, scales, settings, hessianInY);
        var point = (inverse * Vector<double>.Build.DenseOfArray(search.Point)).ToArray();
        // A kinked coordinate's row of S is its own, so is its y: one at a kink is there exactly in u too.
        foreach (var kink in Kinks)
            point[kink.Coordinate] = search.Point[kink.Coordinate];
        // A ray found in y, as a unit direction in u.
        var ray = search.Ray is { } along ? inverse * Vector<double>.Build.DenseOfArray(along) : null;
        return search with { Point = point, Transform = inverse * search.Transform, Ray = ray?.Divide(ray.L2Norm()).ToArray() };
    }

    /// <summary>
    /// F, the objective without its kinks' terms (<see cref="Smooth"/>), with its gradient and exact Hessian over the free
    /// coordinates from one pass (<see cref="EvaluateHessian"/>: a Laplace prior's curvature is 0 off its kink), for
    /// <see cref="KinkedMaximizer"/>; null where the engine has no exact Hessian.
    /// </summary>
    private ValueGradientHessian? SmoothHessian() => HasKinkedHessian ? Smooth().EvaluateHessian : null;

    // Whether a kinked search gets F's exact Hessian (SmoothHessian): the engine sums one, and there are kinks.
    private bool HasKinkedHessian => _engine.HasExactHessian && Kinks.Count > 0;

    /// <summary>Model indices of the free parameters exactly at their prior's kink at coordinates <paramref name="u"/>.</summary>
    public int[] AtKink(IReadOnlyList<double> u) => Kinks.Where(k => u[k.Coordinate] == k.Location).Select(k => Map.Free[k.Coordinate]).ToArray();

    /// <summary>The parameters: held and free, and the coordinates.</summary>
    public ParameterMap Map { get; }

    /// <summary>The free parameters' coordinates at the starting values.</summary>
    public double[] Start() => Map.ToCoordinates(_values);

    /// <summary>Typical uncertainty of each free parameter on the optimizer's scale (finite-difference steps).</summary>
    public double[] Scales() => Map.Free.Select(k => _scales[k]).ToArray();

    /// <summary>The natural values of all parameters with the free ones at coordinates <paramref name="u"/>.</summary>
    public double[] Natural(ReadOnlySpan<double> u)
    {
        var natural = _values.ToArray();
        Map.SetFree(u, natural);
        return natural;
    }

    /// <summary>The fit's cancellation, checked before every pass (the least-squares search's too).</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>The same objective with parameter <paramref name="index"/> held at <paramref name="value"/>, the other free parameters starting from <paramref name="start"/>.</summary>
    public Objective Holding(int index, double value, IReadOnlyList<double> start)
    {
        var values = start.ToArray();
        values[index] = value;
        var map = Map.Holding(index);
        return new Objective(_engine, map, values, _priors, _scales, SidesFor(map), _dataKinks, Cancellation);
    }

    // The sides of the kinks that remain free in map, in its kinks' order: one fewer where the parameter held had a kink
    // (a review: the sides kept their old places, so the next kink's line took the held one's side, or none, and the
    // gradient at a lasso's optimum was not 0: EDM 3.4 beside a gradient of 1e-15).
    private int[]? SidesFor(ParameterMap map)
    {
        if (_sides is null)
            return null;
        var byParameter = Kinks.Select((kink, j) => (Parameter: Map.Free[kink.Coordinate], Side: _sides[j])).ToDictionary(p => p.Parameter, p => p.Side);
        return [.. map.Free.Where(byParameter.ContainsKey).Select(k => byParameter[k])];
    }

    /// <summary>The same objective with the free parameters starting from <paramref name="start"/> (natural values, all parameters); held ones keep their values.</summary>
    public Objective StartingAt(IReadOnlyList<double> start)
    {
        var values = _values.ToArray();
        foreach (int k in Map.Free)
            values[k] = start[k];
        return new Objective(_engine, Map, values, _priors, _scales, _sides, _dataKinks, Cancellation);
    }

    /// <summary>The objective at <paramref name="u"/>; its gradient with respect to u goes to <paramref name="gu"/>.</summary>
    public double Evaluate(ReadOnlySpan<double> u, Span<double> gu)
    {
        Cancellation.ThrowIfCancellationRequested();
        var natural = Natural(u);
        var gradient = new double[natural.Length];
        double value = _engine.Evaluate(natural, gradient);
        // A held parameter's prior is a constant here, but it belongs to the log-posterior that profiles compare.
        for (int k = 0; k < natural.Length; k++)
        {
            if (_priors[k] is { } prior)
                value += prior.LogDensity(natural[k]);
        }
        for (int i = 0; i < Map.Free.Count; i++)
        {
            int k = Map.Free[i];
            double g = _priors[k] is { } prior ? gradient[k] + prior.Derivative(natural[k]) : gradient[k];
            gu[i] = g * Map.Jacobian(k, natural[k]);
        }
        return value + Sides(u, gu);
    }

    // Where the kinks' terms are lines (_sides): F = objective + Σ w·(|u − c| − s·(u − c)), added to the gradient gu, the
    // value's part returned; at the kink itself the prior's derivative is already the mean of its sides.
    private double Sides(ReadOnlySpan<double> u, Span<double> gu)
    {
        double value = 0;
        if (_sides is not null)
        {
            for (int j = 0; j < Kinks.Count; j++)
            {
                var kink = Kinks[j];
                double d = u[kink.Coordinate] - kink.Location;
                value += kink.Weight * (Math.Abs(d) - _sides[j] * d);
                gu[kink.Coordinate] += kink.Weight * (Math.Sign(d) - _sides[j]);
            }
        }
        return value;
    }

    /// <summary>The engine's least-squares normal equations, where the model is a nonlinear regression (<see cref="LeastSquaresSearch"/>); else null.</summary>
    public ILeastSquares? LeastSquares => _engine.LeastSquares;

    /// <summary>Whether parameter <paramref name="index"/> (model order) has a prior.</summary>
    public bool HasPrior(int index) => _priors[index] is not null;

    /// <summary>Whether parameter <paramref name="index"/> (model order) has a proper prior (one that is not flat).</summary>
    public bool HasProperPrior(int index) => _priors[index] is not null and not FlatPrior;

    /// <summary>Whether the engine sums an exact Hessian of the log-likelihood (priors aside).</summary>
    public bool EngineHasExactHessian => _engine.HasExactHessian;

    /// <summary>
    /// Whether <see cref="EvaluateHessian"/> is offered: the engine sums an exact Hessian and no free parameter has a
    /// prior with a kink (a Laplace prior; the others' curvature is added to the likelihood's).
    /// </summary>
    public bool HasSmoothHessian => _engine.HasExactHessian && Map.Free.All(k => _priors[k] is not { Kink: not null });

    /// <summary>
    /// The objective at <paramref name="u"/>, its gradient with respect to u into <paramref name="gu"/> and its exact
    /// Hessian with respect to u into <paramref name="hu"/> (free × free): H_u = J H J + diag(g d²θ/du²), J = diag(dθ/du),
    /// with the free parameters' priors in g and H. Only where <see cref="HasSmoothHessian"/>, or on an objective whose
    /// kinks' terms are lines (<see cref="Smooth"/>, <see cref="Sided"/>): as <see cref="Evaluate"/>, with their sides.
    /// </summary>
    public double EvaluateHessian(ReadOnlySpan<double> u, Span<double> gu, Matrix<double> hu)
    {
        Cancellation.ThrowIfCancellationRequested();
        var natural = Natural(u);
        int p = natural.Length;
        var gradient = new double[p];
        var hessian = new double[p * p];
        double value = _engine.EvaluateHessian(natural, gradient, hessian);
        // A free parameter whose own curvature fell below the normal doubles (a rate of 1e200: −n/rate² is 0): what the
        // transform makes of that entry is rounding, not curvature (HessianUnderflowed).
        if (Map.Free.Any(k => Math.Abs(hessian[k * p + k]) < SmallestNormal))
        {
            lock (_underflowAt)
            {
                if (_underflowAt.Count == UnderflowPoints)
                    _underflowAt.RemoveAt(0);
                _underflowAt.Add(u.ToArray());
            }
        }
        // Every prior's log-density (a held parameter's is a constant here); a free one's derivatives too.
        value += LogPrior(natural);
        foreach (int k in Map.Free)
        {
            if (_priors[k] is { } prior)
            {
                gradient[k] += prior.Derivative(natural[k]);
                hessian[k * p + k] += prior.SecondDerivative(natural[k]);
            }
        }
        var free = Map.Free;
        for (int i = 0; i < free.Count; i++)
        {
            int k = free[i];
            double jk = Map.Jacobian(k, natural[k]);
            gu[i] = gradient[k] * jk;
            for (int j = 0; j < free.Count; j++)
                hu[i, j] = hessian[k * p + free[j]] * jk * Map.Jacobian(free[j], natural[free[j]]);
            hu[i, i] += gradient[k] * Map.SecondDerivative(k, natural[k]);
        }
        return value + Sides(u, gu);
    }

    // The points of the last EvaluateHessian calls (up to UnderflowPoints) where a free parameter's curvature
    // underflowed: the search's end is asked about after other passes (a ray's check, a polished step) have run.
    private readonly List<double[]> _underflowAt = [];

    private const int UnderflowPoints = 16;

    private const double SmallestNormal = 2.2250738585072014E-308;

    /// <summary>
    /// Whether an <see cref="EvaluateHessian"/> at <paramref name="u"/> (one of the last few that underflowed) found a
    /// free parameter's own curvature below the normal doubles (zero or subnormal): the exact information there is not
    /// to be trusted.
    /// </summary>
    public bool HessianUnderflowed(ReadOnlySpan<double> u)
    {
        lock (_underflowAt)
        {
            foreach (var at in _underflowAt)
            {
                if (u.SequenceEqual(at))
                    return true;
            }
            return false;
        }
    }

    /// <summary>
    /// Where the engine sums the Hessian in the design's coordinates γ = C θ (<see cref="ILikelihoodEngine.DesignHessian"/>):
    /// the information −H_u at <paramref name="u"/> (as <see cref="EvaluateHessian"/>'s) as Tᵀ A T + diag(d), with
    /// A = −H_γ of the log-likelihood (P×P), T = C J over the free parameters (P × free, J = diag(dθ/du)) and d the free
    /// parameters' own terms (−g d²θ/du² with the prior's derivative in g, and a prior's curvature −π''·J²: a ridge's
    /// 1/sd², a Laplace prior's 0 off its kink), so that it can be inverted without forming −H_u, whose entries carry a
    /// feature's mean squared. Else null.
    /// </summary>
    public Inference.DesignInformation? InformationInDesign(ReadOnlySpan<double> u)
    {
        var natural = Natural(u);
        if (_engine.DesignHessian(natural) is not { } design)
            return null;
        int p = natural.Length;
        var free = Map.Free;
        var information = Matrix<double>.Build.Dense(p, p, (i, j) => -design.Hessian[i * p + j]);
        var jacobian = free.Select(k => Map.Jacobian(k, natural[k])).ToArray();
        var map = Matrix<double>.Build.Dense(p, free.Count, (i, a) => design.Map[i * p + free[a]] * jacobian[a]);
        var own = Vector<double>.Build.Dense(free.Count, a =>
        {
            int k = free[a];
            double gradient = design.Gradient[k] + (_priors[k]?.Derivative(natural[k]) ?? 0);
            double curvature = _priors[k]?.SecondDerivative(natural[k]) ?? 0;
            return -gradient * Map.SecondDerivative(k, natural[k]) - curvature * jacobian[a] * jacobian[a];
        });
        return new Inference.DesignInformation(information, map, own, design.Passes);
    }

    /// <summary>Parameter <paramref name="index"/>'s log prior at natural value <paramref name="value"/> (0 where it has none).</summary>
    public double LogPriorOf(int index, double value) => _priors[index]?.LogDensity(value) ?? 0;

    /// <summary>Σ log prior at natural values <paramref name="natural"/>, over every parameter that has a prior (held ones too).</summary>
    public double LogPrior(IReadOnlyList<double> natural)
    {
        double sum = 0;
        for (int k = 0; k < _priors.Length; k++)
        {
            if (_priors[k] is { } prior)
                sum += prior.LogDensity(natural[k]);
        }
        return sum;
    }
}
