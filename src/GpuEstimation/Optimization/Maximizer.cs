using MathNet.Numerics.LinearAlgebra;

namespace GpuEstimation.Optimization;

/// <summary>
/// Maximizes a smooth objective given its value and gradient. The search runs in preconditioned coordinates
/// w, with x = x₀ + T w and Tᵀ(−∇²f(x₀))T ≈ I from a finite-difference Hessian of the analytic gradient. One unit
/// of w is then about one standard error, which makes the stopping rules scale-free and lets badly scaled problems
/// (a coefficient of x² with x ~ 10⁶) converge as fast as well-scaled ones. Once the gradient is below tolerance a few
/// more steps are taken while each halves it, so the answer is as exact as the gradient's rounding allows.
/// </summary>
public static class Maximizer
{
    private const double ArmijoC1 = 1e-4;
    private const double RoundingLevel = 1e-13;
    /// <summary>
    /// Where a line search cannot make progress, the fit counts as converged only with a full (Cholesky) preconditioner
    /// and this close to the optimum, in standard errors; a diagonal scaling says too little about distance.
    /// </summary>
    private const double RoundingGradientLimit = 1e-4;

    /// <summary>How often a search may resume after the end-point check finds the gradient still too large.</summary>
    private const int VerificationRestarts = 3;

    /// <summary>
    /// The gradient, in standard errors derived at the end point, below which a search stopped by anything else is
    /// still at the maximum: a millionth of a standard error moves no estimate by anything a statistician can see.
    /// </summary>
    private const double StationaryLimit = 1e-6;

    private const string GradientReason = "gradient below tolerance";

    /// <summary>How many times the preconditioner lengthens (×10⁴) a step that changed no gradient component: 96 decades.</summary>
    private const int MeasuringRounds = 24;

    private const string RoundingReason = "no further improvement possible at rounding level";

    /// <summary>
    /// The objective stopped changing (to 1e-15 relative, steps below 1e-10): at its rounding floor, as data far from
    /// zero with a small spread put it (1e9 ± 0.2), where the gradient cannot get below ~1e-5 standard errors.
    /// </summary>
    private const string RelativeChangeReason = "relative change below tolerance";

    private const string MaxIterationsReason = "maximum iterations reached";

    /// <summary>The fewest units in the last place a preconditioner's difference step moves the point by (see Search.MeasurableStep).</summary>
    private const double MeasurableUlps = 32;

    /// <summary>
    /// Maximizes <paramref name="objective"/> from <paramref name="start"/>; <paramref name="scales"/> are the typical
    /// uncertainties of the coordinates (finite-difference steps of the preconditioner).
    /// </summary>
    public static OptimizationResult Maximize(ValueAndGradient objective, IReadOnlyList<double> start, IReadOnlyList<double> scales, OptimizerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(settings);
        int n = start.Count;
        if (scales.Count != n)
            throw new ArgumentException("one scale per coordinate is needed", nameof(scales));

        var search = new Search(objective, start.ToArray());
        if (!search.StartIsFinite)
            return new OptimizationResult(search.Origin, search.Value, false, NotFiniteAtStart(search.Value), 0, search.Evaluations, double.NaN, double.NaN, search.Transform);
        if (n == 0)
            return new OptimizationResult(search.Origin, search.Value, true, "no free parameters", 0, search.Evaluations, 0, 0, search.Transform);

        search.Precondition(scales.ToArray());
        int iterations = 0;
        for (int check = 0; ; check++)
        {
            var (converged, reason, used) = search.Run(settings, settings.MaxIterations - iterations);
            iterations += used;
            if (reason == MaxIterationsReason)
                return search.Result(false, reason, iterations);
            if (EndIsStationary(search, converged, reason, scales, settings))
                return search.Result(true, Accepted(converged, reason), iterations);
            if (check == VerificationRestarts || iterations >= settings.MaxIterations)
            {
                // The search's reason is in the units it ran in; the gradient in those derived at the end point (a
                // library trial read "gradient below tolerance, and the gradient ... is 3E-08" as a contradiction).
                return search.Result(false,
                    $"no stationary point reached: the search stopped ({reason}, in the units it ran in), but at the end point the gradient is " +
                    $"{search.GradientNorm:G3} standard errors in units derived there (tolerance {settings.GradientBound(settings.GradientTolerance):G3})", iterations);
            }
        }
    }

    /// <summary>
    /// Whatever stopped the search (a small gradient, a small step, the rounding floor, a stalled line search), its end
    /// counts as a maximum only if it is stationary in standard-error units. Within about a standard error of where the
    /// units were set they still hold: a gradient stop stands as it is, and the other stops are judged in units
    /// derived afresh at the point by a probe that leaves the search as it was, so a fit that was right keeps its
    /// numbers to the last bit. Farther away the units can be meaningless (a step that hardly changes the value says
    /// nothing of being at the top), so they are derived afresh at the point and the gradient must be small in those
    /// too (as MINUIT re-checks with HESSE); the fresh units then serve the Hessian at the optimum. A search that rounding
    /// stopped (the objective's differences are noise there) with the gradient above a millionth but within
    /// <see cref="RoundingGradientLimit"/> of a standard error is finished with Newton steps in the fresh units, which
    /// need only the gradient. Where the end is not accepted the search is left in fresh units, ready to go on.
    /// </summary>
    private static bool EndIsStationary(Search search, bool converged, string reason, IReadOnlyList<double> scales, OptimizerSettings settings)
    {
        bool gradientStop = converged && reason == GradientReason;
        bool near = search.Displacement <= 1;
        if (near && gradientStop)
            return true;
        if (near)
        {
            var (probe, full, floor) = search.ProbeGradient([.. scales]);
            if (probe <= StationaryBound(settings))
                return true;
            if (!WithinRounding(probe, full, reason, floor, settings))
            {
                search.Reset();
                search.Precondition([.. scales]);
                return false;
            }
        }
        search.Reset();
        search.Precondition([.. scales]);
        if (gradientStop)
            return search.GradientNorm <= settings.GradientBound(settings.GradientTolerance);
        if (search.GradientNorm <= StationaryBound(settings))
            return true;
        if (!WithinRounding(search.GradientNorm, search.NewtonScaled, reason, search.RoundingFloor(), settings))
            return false;
        // Stopped where the objective's differences are rounding, but its gradient, still accurate, says the maximum
        // is further on: in the fresh units a step of −g is Newton's, taken while each halves the gradient.
        search.Polish(settings);
        return true;
    }

    /// <summary>
    /// Why a search could not begin, given the objective's <paramref name="value"/> at the start: the value itself, or
    /// (where it is finite) its gradient, not finite (a trial's sqrt(mu) at mu = 0 read as a log-likelihood not finite
    /// beside a finite one printed).
    /// </summary>
    internal static string NotFiniteAtStart(double value) => double.IsFinite(value)
        ? "the objective's gradient (or curvature) is not finite at the starting values, though the objective is: a parameter starts where the log-density's derivative is infinite (a square root or a power at 0, say); start it elsewhere"
        : "the objective is not finite at the starting values";

    /// <summary>The gradient, in standard errors derived at the point, below which a point is a maximum.</summary>
    internal static double StationaryBound(OptimizerSettings settings) => settings.GradientBound(Math.Max(settings.GradientTolerance, StationaryLimit));

    /// <summary>
    /// Whether a search that rounding stopped, with a gradient of <paramref name="norm"/> standard errors in full
    /// (Cholesky) units derived at the point, is near enough the maximum to finish there with Newton steps: within
    /// <see cref="RoundingGradientLimit"/>, or within <paramref name="floor"/>, the gradient that the spacing of doubles
    /// at the point allows (<see cref="Search.RoundingFloor"/>: a location of 10¹¹ known to 0.06 moves in steps of
    /// 2.5·10⁻⁴ standard errors, and no point of that grid need have a smaller gradient).
    /// </summary>
    private static bool WithinRounding(double norm, bool full, string reason, double floor, OptimizerSettings settings) =>
        reason is RoundingReason or RelativeChangeReason && full && norm <= Math.Max(settings.GradientBound(RoundingGradientLimit), floor);

    private static string Accepted(bool converged, string reason) =>
        converged ? reason : $"{reason}, at a point stationary in units derived there";

    /// <summary>
    /// Typical uncertainties (optimizer scale) of each coordinate at <paramref name="point"/>, from the curvature there:
    /// s = 1/√(−∂²f/∂x²) with the finite-difference step 10⁻⁴ s itself, iterated from <paramref name="scales"/> until
    /// the step and the curvature it measures agree. A scale given in the wrong units (a location's |start|, 10⁸
    /// for data around 10⁸ whose spread is 1) is corrected in a few rounds, a step that finds no curvature (past the
    /// peak of a heavy-tailed likelihood) tried again a thousand times smaller; where no round finds the curvature
    /// negative the given scale stays.
    /// </summary>
    public static double[] CurvatureScales(ValueAndGradient objective, IReadOnlyList<double> point, IReadOnlyList<double> scales)
    {
        ArgumentNullException.ThrowIfNull(objective);
        int n = point.Count;
        var x = point.ToArray();
        var g0 = new double[n];
        var g1 = new double[n];
        var result = scales.ToArray();
        if (!double.IsFinite(objective(x, g0)))
            return result;
        for (int k = 0; k < n; k++)
        {
            double s = result[k];
            bool measured = false;
            for (int round = 0; round < 12; round++)
            {
                double step = 1e-4 * s;
                x[k] = point[k] + step;
                double value = objective(x, g1);
                x[k] = point[k];
                double curvature = -(g1[k] - g0[k]) / step;
                if (!double.IsFinite(value) || !(curvature > 0) || !double.IsFinite(curvature))
                {
                    // No curvature measured yet: the step may have jumped far past the peak (a Cauchy location's
                    // |start| of 10⁹ as its scale, where the gradient out there is smaller than at the start), so a
                    // thousand times smaller one; a curvature already measured stands.
                    if (measured)
                        break;
                    s *= 1e-3;
                    continue;
                }
                measured = true;
                double next = 1 / Math.Sqrt(curvature);
                bool settled = Math.Abs(Math.Log(next / s)) < Math.Log(2);
                s = next;
                if (settled)
                    break;
            }
            result[k] = measured && double.IsFinite(s) && s > 0 ? s : result[k];
        }
        return result;
    }

    /// <summary>The state of one maximization: the origin x₀ and transform T of the current coordinates, and the point w.</summary>
    private sealed class Search
    {
        private readonly ValueAndGradient _objective;
        private readonly int _n;
        private readonly double[] _x;
        private readonly double[] _gx;
        private AffineCoordinates _coordinates;
        private double[] _w;
        private double[] _g;
        private double _h;
        private readonly LinkedList<(double[] S, double[] Y, double Rho)> _memory = new();
        private bool _newtonScaled;

        public Search(ValueAndGradient objective, double[] start)
        {
            _objective = objective;
            _n = start.Length;
            _x = new double[_n];
            _gx = new double[_n];
            _coordinates = new AffineCoordinates(start, Matrix<double>.Build.DenseIdentity(_n));
            _w = new double[_n];
            _g = new double[_n];
            _h = Evaluate(_w, _g);
            StartIsFinite = IsFinite(_h, _g);
        }

        public double[] Origin => _coordinates.Origin;

        public int Evaluations { get; private set; }

        public bool StartIsFinite { get; }

        public double Value => -_h;

        public Matrix<double> Transform => _coordinates.Transform;

        public double GradientNorm => MaxAbs(_g);

        /// <summary>Whether the current units come from a full (Cholesky) factor of the Hessian, not a diagonal scaling.</summary>
        public bool NewtonScaled => _newtonScaled;

        /// <summary>How far, in the current units, the point is from where they were derived.</summary>
        public double Displacement => MaxAbs(_w);

        /// <summary>
        /// The largest gradient component at the current point in units derived there afresh (a fresh preconditioner),
        /// leaving this search as it is.
        /// </summary>
        public (double GradientNorm, bool Full, double Floor) ProbeGradient(double[] scales)
        {
            var probe = new Search(_objective, Point());
            if (probe.StartIsFinite)
                probe.Precondition(scales);
            Evaluations += probe.Evaluations;
            return probe.StartIsFinite ? (probe.GradientNorm, probe._newtonScaled, probe.RoundingFloor()) : (double.PositiveInfinity, false, 0);
        }

        /// <summary>
        /// The gradient, in the current units (about 1 curvature), that the spacing of doubles at the point allows: the
        /// largest over units j of Σᵢ |T⁻¹|ⱼᵢ ulp(xᵢ), the distance in unit j between neighbouring representable points.
        /// Far below any tolerance for data of ordinary size (10⁻¹² and less); 0 where T has no inverse.
        /// </summary>
        public double RoundingFloor()
        {
            var point = Point();
            Matrix<double> inverse;
            try
            {
                inverse = _coordinates.Transform.Inverse();
            }
            catch (ArgumentException)
            {
                return 0;   // singular (MathNet's SingularUMatrixException)
            }
            double floor = 0;
            for (int j = 0; j < _n; j++)
            {
                double sum = 0;
                for (int i = 0; i < _n; i++)
                    sum += Math.Abs(inverse[j, i]) * AffineCoordinates.Ulp(point[i]);
                floor = Math.Max(floor, sum);
            }
            return double.IsFinite(floor) ? floor : 0;
        }

        /// <summary>
        /// The coordinates at their rounding floor, held while the others are searched on; null where none is. A
        /// coordinate's doubles are coarse where its spacing is above <see cref="RoundingGradientLimit"/> of its standard
        /// error (‖row i of T‖, in units from a measured curvature: a location of 10¹³ known to 0.025, whose ulp is 0.08
        /// of one), and it is at its floor where Newton's step would move it by at most that spacing: a representable
        /// value within one spacing of the maximum (half a spacing, the nearest, left a logistic location 0.56 spacings
        /// out moving by rounded-away steps). L-BFGS's steps then were too short to move such a location
        /// and moved only the scale, until the iterations ran out. A coordinate, not a unit: in a full factor the other
        /// units move it too, and a held unit left the location creeping by rounded-away moves (a review).
        /// </summary>
        private bool[]? AtRounding(OptimizerSettings settings)
        {
            if (MaxAbs(_g) > 1 || Coarse(settings) is not { } coarse)
                return null;
            var held = Enumerable.Range(0, _n).Select(i => coarse[i] > 0 && Math.Abs(NewtonStep(i)) <= coarse[i]).ToArray();
            return held.Any(h => h) ? held : null;
        }

        /// <summary>
        /// Each coordinate's spacing of doubles at the point where it is coarse (above <see cref="RoundingGradientLimit"/>
        /// of the coordinate's standard error, ‖row i of T‖), else 0; null where none is, or where the units are not
        /// from a measured curvature (a full factor): in a diagonal fallback's (a plateau far from the maximum) a small
        /// gradient says nothing of the doubles. Finer spacings are no floor a search need stop at (a gamma of shape
        /// 10¹⁸, whose search stopped 10⁻¹⁰ below the maximum's log-likelihood where they were taken for one).
        /// </summary>
        private double[]? Coarse(OptimizerSettings settings)
        {
            if (!_newtonScaled)
                return null;
            var point = Point();
            double limit = settings.GradientBound(RoundingGradientLimit);
            var spacing = new double[_n];
            for (int i = 0; i < _n; i++)
            {
                double ulp = AffineCoordinates.Ulp(point[i]), row = 0;
                for (int j = 0; j < _n; j++)
                    row += _coordinates.Transform[i, j] * _coordinates.Transform[i, j];
                spacing[i] = double.IsFinite(ulp) && ulp > limit * Math.Sqrt(row) ? ulp : 0;
            }
            return spacing.Any(d => d > 0) ? spacing : null;
        }

        /// <summary>
        /// Before coordinates are held: each one whose Newton step is beyond half its spacing is tried at the neighbouring
        /// double that way (the others where they are), and moved there where the objective is higher, so that a held
        /// coordinate is the representable value nearest its maximum where one step tells (held within one spacing, a
        /// location of 10¹³ under a prior of 5 ulps' width ended one ulp off, its log-posterior 1.9e-3 low). Whether it moved.
        /// </summary>
        private bool Snap(bool[] held)
        {
            var point = Point();
            bool moved = false;
            Matrix<double>? inverse = null;
            for (int i = 0; i < _n; i++)
            {
                if (!held[i])
                    continue;
                double newton = NewtonStep(i);
                if (!(Math.Abs(newton) > 0.5 * AffineCoordinates.Ulp(point[i])))
                    continue;
                double target = newton > 0 ? Math.BitIncrement(point[i]) : Math.BitDecrement(point[i]);
                try
                {
                    inverse ??= _coordinates.Transform.Inverse();
                }
                catch (ArgumentException)
                {
                    return moved;   // singular (MathNet's SingularUMatrixException)
                }
                var wNew = new double[_n];
                for (int j = 0; j < _n; j++)
                    wNew[j] = _w[j] + inverse[j, i] * (target - point[i]);
                if (_coordinates.ToPoint(wNew)[i] != target)
                    continue;
                var gNew = new double[_n];
                double hNew = Evaluate(wNew, gNew);
                if (!(IsFinite(hNew, gNew) && hNew < _h))
                    continue;
                (_w, _g, _h) = (wNew, gNew, hNew);
                point = Point();
                moved = true;
            }
            if (moved)
                _memory.Clear();
            return moved;
        }

        // Newton's step in coordinate i at the current point: −(T g)ᵢ, the gradient g of h = −f being in units where the
        // curvature is 1.
        private double NewtonStep(int i)
        {
            double step = 0;
            for (int j = 0; j < _n; j++)
                step -= _coordinates.Transform[i, j] * _g[j];
            return step;
        }

        /// <summary>
        /// The projection of w-vectors onto the moves that leave the <paramref name="held"/> coordinates where they are
        /// (orthogonal to the held rows of T), or null where none is held.
        /// </summary>
        private Func<double[], double[]>? Holding(bool[]? held)
        {
            if (held is null)
                return null;
            var rows = Enumerable.Range(0, _n).Where(i => held[i]).ToArray();
            var a = Matrix<double>.Build.Dense(_n, rows.Length, (j, c) => _coordinates.Transform[rows[c], j]);
            var q = a.QR(MathNet.Numerics.LinearAlgebra.Factorization.QRMethod.Thin).Q;
            return v =>
            {
                var vector = Vector<double>.Build.DenseOfArray(v);
                return (vector - q * q.TransposeThisAndMultiply(vector)).ToArray();
            };
        }

        /// <summary>Drops the preconditioner: the current point becomes the origin of plain optimizer coordinates.</summary>
        public void Reset()
        {
            _coordinates = new AffineCoordinates(Point(), Matrix<double>.Build.DenseIdentity(_n));
            Array.Clear(_w);
            _h = Evaluate(_w, _g);
            _memory.Clear();
        }

        /// <summary>
        /// Moves the origin to the current point (w = 0 there) and composes T with a preconditioner computed there in the
        /// current coordinates.
        /// </summary>
        public void Precondition(double[] scales)
        {
            _coordinates = new AffineCoordinates(Point(), _coordinates.Transform);
            Array.Clear(_w);
            var a = Matrix<double>.Build.Dense(_n, _n);
            var wk = new double[_n];
            var gk = new double[_n];
            for (int k = 0; k < _n; k++)
            {
                double step = 1e-4 * scales[k], measurable = MeasurableStep(k);
                // Rounding's floor, where the scale is right but the point's doubles too coarse for a tenth-thousandth
                // of it; a step far below the floor (10⁶ and more) means scales from elsewhere, which the
                // lengthening below measures with its check that the curvature is local.
                if (measurable > step && measurable <= 1e6 * step)
                    step = measurable;
                if (!Difference(k, step, wk, gk, a) && _g.Any(v => v != 0))
                {
                    // A step that moves no gradient component by a single bit measured nothing (scales from another
                    // point, 10⁻⁸⁸ where the curvature there was 10¹⁷⁵, at a point where the gradient is 10⁷⁹): the
                    // fallback, those scales, would call a gradient of 10⁷⁹ small. Longer steps, until one tells (a few
                    // bits: coarse); then the columns of steps 100 and 10⁴ times as long, that one's kept where their
                    // curvatures agree (a local curvature, not a difference across the whole distance to where the
                    // objective changes shape: a gradient constant along log σ out to σ → 0), else the column stays
                    // unmeasured (zero), as it was.
                    for (int round = 0; round < MeasuringRounds; round++)
                    {
                        step *= 1e4;
                        if (!Difference(k, step, wk, gk, a))
                            continue;
                        Difference(k, 1e4 * step, wk, gk, a);
                        double curvature = a[k, k];
                        bool local = double.IsFinite(curvature) && Difference(k, 100 * step, wk, gk, a)
                            && Math.Abs(a[k, k] - curvature) <= 0.1 * Math.Abs(curvature);
                        if (!local)
                        {
                            for (int i = 0; i < _n; i++)
                                a[i, k] = 0;
                        }
                        break;
                    }
                }
            }
            // The point stays where it is (w = 0); its gradient is re-expressed in the new coordinates.
            var (factor, newtonScaled) = Factor(0.5 * (a + a.Transpose()), scales);
            _newtonScaled = newtonScaled;
            _coordinates = new AffineCoordinates(Origin, _coordinates.Transform * factor);
            _g = factor.TransposeThisAndMultiply(Vector<double>.Build.DenseOfArray(_g)).ToArray();
            _memory.Clear();
        }

        /// <summary>
        /// The shortest step along unit <paramref name="k"/> that moves some coordinate of the point by
        /// <see cref="MeasurableUlps"/> units in its last place. A standard error that is a tiny fraction of its estimate
        /// (a location of 10¹¹ known to 0.07: 10⁻⁴ of it is a third of an ulp) makes the usual step round to nothing or
        /// to one ulp, whose curvature is then off by up to 3x or not measured at all; elsewhere 10⁻⁴ of a standard error
        /// is far longer and this bound changes nothing. (Taken only within 10⁶ of the usual step: beyond, the scales
        /// are not the point's, as at a start far out. At 10¹³ known to 0.025, 32 ulps are 2.5 standard errors, 2.5·10⁴
        /// usual steps: a bound of 10⁴ measured no curvature there, and the search stopped, not converged.)
        /// </summary>
        private double MeasurableStep(int k) => MeasurableUlps * _coordinates.UlpStep(k);

        /// <summary>
        /// Column <paramref name="k"/> of <paramref name="a"/>: the gradient's change over a step of <paramref name="step"/>
        /// along coordinate k, per unit (NaN where the objective is not finite there). Whether any gradient bit changed.
        /// </summary>
        private bool Difference(int k, double step, double[] wk, double[] gk, Matrix<double> a)
        {
            Array.Copy(_w, wk, _n);
            wk[k] += step;
            double h = Evaluate(wk, gk);
            for (int i = 0; i < _n; i++)
                a[i, k] = double.IsFinite(h) ? (gk[i] - _g[i]) / step : double.NaN;
            return !double.IsFinite(h) || !gk.AsSpan().SequenceEqual(_g);
        }

        public (bool Converged, string Reason, int Iterations) Run(OptimizerSettings settings, int budget)
        {
            var direction = new double[_n];
            var wNew = new double[_n];
            var gNew = new double[_n];
            bool[]? frozen = null;
            Func<double[], double[]>? project = null;
            for (int iteration = 0; iteration < budget; iteration++)
            {
                double bound = settings.GradientBound(settings.GradientTolerance);
                if (MaxAbs(_g) <= bound)
                    return (true, GradientReason, iteration + Polish(settings));
                // Coordinates at their rounding floor are held where they are (the gradient, the steps and the
                // correction pairs projected onto the moves that leave them), and the others searched on; with the rest
                // stationary too the search is at the rounding floor, which the end-point check judges.
                var atRounding = AtRounding(settings);
                if (atRounding is not null && Snap(atRounding))
                    atRounding = AtRounding(settings);
                if (!(atRounding ?? []).SequenceEqual(frozen ?? []))
                {
                    _memory.Clear();
                    (frozen, project) = (atRounding, Holding(atRounding));
                }
                var gradient = project?.Invoke(_g) ?? _g;
                if (frozen is not null && MaxAbs(gradient) <= bound)
                    return (true, RoundingReason, iteration + 1);

                if (settings.Kind != OptimizerKind.GradientAscent)
                    TwoLoop(_memory, gradient, direction);
                else
                    Negate(gradient, direction);
                if (project is not null)
                    project(direction).CopyTo(direction, 0);
                double slope = Dot(gradient, direction);
                if (!(slope < 0))
                {
                    _memory.Clear();
                    Negate(gradient, direction);
                    slope = Dot(gradient, direction);
                }

                double noise = RoundingLevel * settings.Magnitude(_h);
                // Gradient ascent tries the Barzilai-Borwein step sᵀs/sᵀy of the last move first; L-BFGS the unit step.
                double t = settings.Kind == OptimizerKind.GradientAscent && _memory.Last is { } last
                    ? Math.Clamp(Dot(last.Value.S, last.Value.S) / Dot(last.Value.S, last.Value.Y), 1e-6, 1e6)
                    : 1;
                bool accepted = false;
                double hNew = double.NaN;
                for (int attempt = 0; attempt < 60 && !accepted; attempt++)
                {
                    for (int i = 0; i < _n; i++)
                        wNew[i] = _w[i] + t * direction[i];
                    hNew = Evaluate(wNew, gNew);
                    if (IsFinite(hNew, gNew))
                    {
                        // Below the objective's rounding level its differences are noise, but the gradient is still
                        // accurate: there the same sufficient-decrease test is made on the slope along the line
                        // (on a quadratic, h(t) ≤ h + c₁ t slope exactly when slope(t) ≤ −(1 − 2c₁) slope).
                        accepted = -t * slope > noise
                            ? hNew <= _h + ArmijoC1 * t * slope
                            : Dot(gNew, direction) <= -(1 - 2 * ArmijoC1) * slope;
                    }
                    if (!accepted)
                        t *= 0.5;
                }

                if (accepted && Unmoved(wNew) && Coarse(settings) is not null)
                {
                    // The slope test took a step that moves no coordinate by a bit where the doubles are coarse: they
                    // are coarser than what is left to gain (data around 10¹³ with a spread of 1: a location known to a
                    // dozen ulps). Taken again it changes nothing, so the search is at its rounding floor, which the
                    // end-point check judges (a Student-t search took such steps until its iterations ran out).
                    return (MaxAbs(_g) <= settings.GradientBound(RoundingGradientLimit), RoundingReason, iteration + 1);
                }
                if (!accepted)
                {
                    // Only near the optimum is a stalled search the rounding floor rather than a failure.
                    bool converged = _newtonScaled && -0.5 * slope <= noise && MaxAbs(_g) <= settings.GradientBound(RoundingGradientLimit);
                    return (converged, converged
                        ? RoundingReason
                        : "line search failed to improve the objective", iteration + 1);
                }

                var s = new double[_n];
                var y = new double[_n];
                for (int i = 0; i < _n; i++)
                {
                    s[i] = wNew[i] - _w[i];
                    y[i] = gNew[i] - _g[i];
                }
                if (project is not null)
                    project(y).CopyTo(y, 0);
                double sy = Dot(s, y);
                if (sy > 1e-300)
                {
                    _memory.AddLast((s, y, 1 / sy));
                    if (_memory.Count > settings.Memory)
                        _memory.RemoveFirst();
                }

                bool smallStep = MaxAbs(s) <= settings.StepTolerance && Math.Abs(hNew - _h) <= settings.RelativeTolerance * settings.Magnitude(_h);
                (_w, wNew) = (wNew, _w);
                (_g, gNew) = (gNew, _g);
                _h = hNew;
                if (smallStep)
                    return (false, RelativeChangeReason, iteration + 1);
            }
            return (false, MaxIterationsReason, budget);
        }

        /// <summary>Quasi-Newton steps past the tolerance while each at least halves the gradient; returns the steps taken.</summary>
        public int Polish(OptimizerSettings settings)
        {
            var direction = new double[_n];
            var wNew = new double[_n];
            var gNew = new double[_n];
            int steps = 0;
            for (; steps < 3; steps++)
            {
                if (settings.Kind != OptimizerKind.GradientAscent)
                    TwoLoop(_memory, _g, direction);
                else
                    Negate(_g, direction);
                for (int i = 0; i < _n; i++)
                    wNew[i] = _w[i] + direction[i];
                double hNew = Evaluate(wNew, gNew);
                if (!IsFinite(hNew, gNew) || Norm(gNew) > 0.5 * Norm(_g))
                    break;
                (_w, wNew) = (wNew, _w);
                (_g, gNew) = (gNew, _g);
                _h = hNew;
            }
            return steps;
        }

        public OptimizationResult Result(bool converged, string reason, int iterations)
        {
            var direction = new double[_n];
            TwoLoop(_memory, _g, direction);
            double edm = Math.Abs(0.5 * Dot(_g, direction));
            return new OptimizationResult(Point(), -_h, converged, reason, iterations, Evaluations, MaxAbs(_g), edm, Transform);
        }

        private double[] Point() => _coordinates.ToPoint(_w);

        // Whether coordinates w give the current point, bit for bit.
        private bool Unmoved(double[] w) => _coordinates.ToPoint(w).AsSpan().SequenceEqual(Point());

        // h(w) = −f(x₀ + T w), G = ∇h = −Tᵀ ∇f.
        private double Evaluate(double[] w, double[] gradient)
        {
            _coordinates.ToPoint(w, _x);
            Evaluations++;
            double value = -_objective(_x, _gx);
            _coordinates.ToGradientW(_gx, gradient, -1);
            return value;
        }
    }

    /// <summary>
    /// T with Tᵀ A T = I for the symmetric A (the Hessian of h = −f): A is scaled to unit diagonal (D A D) and factored
    /// by Cholesky, T = D L⁻ᵀ. Where A is not numerically positive definite (an indefinite start, or a design so
    /// ill-conditioned that rounding breaks the factorization), T = D alone; non-finite entries fall back to the scales.
    /// </summary>
    private static (Matrix<double> Transform, bool Full) Factor(Matrix<double> a, double[] scales)
    {
        int n = a.RowCount;
        var d = Matrix<double>.Build.Dense(n, n);
        for (int k = 0; k < n; k++)
            d[k, k] = a[k, k] > 0 && double.IsFinite(a[k, k]) ? 1 / Math.Sqrt(a[k, k]) : scales[k];
        if (!a.Enumerate().All(double.IsFinite))
            return (d, false);
        try
        {
            var transform = d * (d * a * d).Cholesky().Factor.Transpose().Inverse();
            if (transform.Enumerate().All(double.IsFinite))
                return (transform, true);
        }
        catch (ArgumentException)
        {
            // Not positive definite: the diagonal scaling alone.
        }
        return (d, false);
    }

    /// <summary>The L-BFGS direction −H g from the correction pairs in <paramref name="memory"/>, written to <paramref name="direction"/>.</summary>
    internal static void TwoLoop(LinkedList<(double[] S, double[] Y, double Rho)> memory, double[] g, double[] direction)
    {
        int n = g.Length;
        Array.Copy(g, direction, n);
        var alphas = new double[memory.Count];
        int index = memory.Count - 1;
        for (var node = memory.Last; node is not null; node = node.Previous, index--)
        {
            var (s, y, rho) = node.Value;
            alphas[index] = rho * Dot(s, direction);
            for (int i = 0; i < n; i++)
                direction[i] -= alphas[index] * y[i];
        }
        if (memory.Last is { } last)
        {
            double gamma = Dot(last.Value.S, last.Value.Y) / Dot(last.Value.Y, last.Value.Y);
            for (int i = 0; i < n; i++)
                direction[i] *= gamma;
        }
        index = 0;
        for (var node = memory.First; node is not null; node = node.Next, index++)
        {
            var (s, y, rho) = node.Value;
            double beta = rho * Dot(y, direction);
            for (int i = 0; i < n; i++)
                direction[i] += s[i] * (alphas[index] - beta);
        }
        for (int i = 0; i < n; i++)
            direction[i] = -direction[i];
    }

    private static bool IsFinite(double value, double[] gradient) => double.IsFinite(value) && gradient.All(double.IsFinite);

    private static void Negate(double[] source, double[] target)
    {
        for (int i = 0; i < source.Length; i++)
            target[i] = -source[i];
    }

    /// <summary>Σ aᵢ bᵢ in index order (the optimizers' one dot product).</summary>
    internal static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
            s += a[i] * b[i];
        return s;
    }

    private static double Norm(double[] a) => Math.Sqrt(Dot(a, a));

    private static double MaxAbs(double[] a) => a.Length == 0 ? 0 : a.Max(Math.Abs);
}
