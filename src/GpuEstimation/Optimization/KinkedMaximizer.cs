using MathNet.Numerics.LinearAlgebra;

namespace GpuEstimation.Optimization;

/// <summary>
/// Maximizes F(x) − Σ w_k·|x_k − c_k| for a smooth F (value and gradient) and the given kinks: the lasso, a MAP under
/// Laplace priors. An estimate can sit exactly at its kink, which a smooth method never reaches. Two stages:
/// <list type="number">
/// <item>OWL-QN (orthant-wise L-BFGS, Andrew and Gao 2007) in coordinates preconditioned by F's curvature, with each
/// kinked coordinate kept on its own axis so its kink stays a plane: the pseudo-gradient is F's gradient plus the
/// penalty's one-sided slope, or the minimum-norm subgradient at a kink, and a step that would cross a kink stops on
/// it, exactly. This finds which coordinates sit at their kinks.</item>
/// <item>An active-set (feature-sign) refinement: with those coordinates held at their kinks and the others' signs
/// fixed, the penalty is linear and <see cref="Maximizer"/> (full preconditioning, its usual stopping rules) finds the
/// maximum. Where a sign would change on the way there, the best point of the segment over the crossings (by the true
/// objective) is taken and the coordinates on a kink there are held; where a held coordinate has |∂F/∂x| above its
/// weight, the worst one is released on the side its gradient points to. Repeated until neither happens.</item>
/// </list>
/// The end is stationary when its minimum-norm subgradient is, in standard errors: the smooth test of
/// <see cref="Maximizer"/> on the free coordinates, and (|∂F/∂x| − w)·s ≤ 10⁻⁶ on those at a kink (s the
/// coordinate's standard error from F's curvature).
/// </summary>
public static class KinkedMaximizer
{
    private const double ArmijoC1 = 1e-4;
    private const double RoundingLevel = 1e-13;

    /// <summary>The method's name in a fit's report: OWL-QN, then the active set's searches (preconditioned L-BFGS).</summary>
    public const string Name = "owl-qn";

    /// <summary>The method's name where the active set's searches are Newton's, on an exact Hessian.</summary>
    public const string NameWithNewton = "owl-qn+newton";

    /// <summary>
    /// Maximizes <paramref name="smooth"/>(x) − Σ w·|x − c| over <paramref name="kinks"/> from <paramref name="start"/>;
    /// <paramref name="scales"/> are the coordinates' typical uncertainties (first finite-difference steps). Where F has
    /// an exact Hessian, <paramref name="exact"/> gives F's value, gradient and Hessian at a point (one pass over the
    /// data, counted as one evaluation): the units and the OWL-QN coordinates come from it instead of from differences of
    /// the gradient, and the active-set stage's searches are Newton's (<see cref="NewtonMaximizer"/>), one pass an
    /// iteration instead of one or more per free coordinate to precondition (a logit lasso at 10⁵ × 150 spent 700 of its
    /// 723 passes on differences; 900 of 911 with 146 coefficients off their kinks).
    /// </summary>
    public static OptimizationResult Maximize(ValueAndGradient smooth, IReadOnlyList<Kink> kinks, IReadOnlyList<double> start,
        IReadOnlyList<double> scales, OptimizerSettings settings, ValueGradientHessian? exact = null)
    {
        ArgumentNullException.ThrowIfNull(smooth);
        ArgumentNullException.ThrowIfNull(kinks);
        ArgumentNullException.ThrowIfNull(settings);
        int n = start.Count;
        if (scales.Count != n)
            throw new ArgumentException("one scale per coordinate is needed", nameof(scales));
        var kinkAt = new Kink?[n];
        foreach (var kink in kinks)
        {
            if (kink.Coordinate < 0 || kink.Coordinate >= n || kinkAt[kink.Coordinate] is not null)
                throw new ArgumentException($"kink on coordinate {kink.Coordinate}: each kink needs its own coordinate among the {n}", nameof(kinks));
            if (!double.IsFinite(kink.Location) || !(kink.Weight > 0) || !double.IsFinite(kink.Weight))
                throw new ArgumentOutOfRangeException(nameof(kinks), $"kink on coordinate {kink.Coordinate}: location {kink.Location} and weight {kink.Weight} must be finite, the weight positive");
            kinkAt[kink.Coordinate] = kink;
        }
        return new Problem(smooth, kinkAt, settings, exact).Run(start.ToArray(), scales.ToArray());
    }

    /// <summary>One maximization: the objective, its kinks, and the count of evaluations.</summary>
    private sealed class Problem(ValueAndGradient smooth, Kink?[] kinkAt, OptimizerSettings settings, ValueGradientHessian? exact)
    {
        private readonly int _n = kinkAt.Length;
        private int _evaluations;
        private int _iterations;

        private double Smooth(ReadOnlySpan<double> x, Span<double> g)
        {
            _evaluations++;
            return smooth(x, g);
        }

        /// <summary>The objective itself: F − Σ w·|x − c|; the gradient written is F's.</summary>
        private double Total(ReadOnlySpan<double> x, Span<double> g)
        {
            double value = Smooth(x, g);
            for (int i = 0; i < _n; i++)
            {
                if (kinkAt[i] is { } k)
                    value -= k.Weight * Math.Abs(x[i] - k.Location);
            }
            return value;
        }

        private bool AtKink(double[] x, int i) => kinkAt[i] is { } k && x[i] == k.Location;

        public OptimizationResult Run(double[] x, double[] scales)
        {
            var g = new double[_n];
            double value = Total(x, g);
            var identity = Matrix<double>.Build.DenseIdentity(_n);
            if (!double.IsFinite(value) || !g.All(double.IsFinite))
                return new OptimizationResult(x, value, false, Maximizer.NotFiniteAtStart(value), 0, _evaluations, double.NaN, double.NaN, identity);
            if (_n == 0)
                return new OptimizationResult(x, value, true, "no free parameters", 0, _evaluations, 0, 0, identity);

            var (units, a) = Units(x, scales);
            x = OrthantWise(x, units, a);
            return ActiveSet(x, Units(x, units).Units);
        }

        /// <summary>
        /// Each coordinate's standard error along its own axis at <paramref name="x"/>, 1/√(−∂²F/∂x²): from the exact
        /// −∇²F where it is given and every diagonal entry of it is positive and finite (returned with it), else measured
        /// by differences of the gradient from <paramref name="scales"/> (<see cref="Maximizer.CurvatureScales"/>).
        /// </summary>
        private (double[] Units, Matrix<double>? Curvature) Units(double[] x, double[] scales)
        {
            if (exact is not null)
            {
                _evaluations++;
                var a = Matrix<double>.Build.Dense(_n, _n);
                exact(x, new double[_n], a);
                a = -a;
                if (Enumerable.Range(0, _n).All(k => a[k, k] > 0 && double.IsFinite(a[k, k])) && a.Enumerate().All(double.IsFinite))
                    return ([.. Enumerable.Range(0, _n).Select(k => 1 / Math.Sqrt(a[k, k]))], a);
            }
            return (Maximizer.CurvatureScales(Smooth, x, scales), null);
        }

        /// <summary>
        /// Stage 1, OWL-QN in coordinates z with x = x₀ + T z: returns where it ended. T (<see cref="Coordinates"/>) keeps
        /// each kinked coordinate on its own axis, so its kink is a plane z_i = const, and decouples the others from them.
        /// </summary>
        private double[] OrthantWise(double[] x, double[] units, Matrix<double>? curvatureAtX)
        {
            var transform = Coordinates(x, units, curvatureAtX);
            var inverse = transform.Inverse();
            var g = new double[_n];
            double value = Total(x, g);
            var gz = new double[_n];
            var pg = new double[_n];
            var direction = new double[_n];
            var xNew = new double[_n];
            var gNew = new double[_n];
            var memory = new LinkedList<(double[] S, double[] Y, double Rho)>();
            ToZ(transform, g, gz);
            for (int iteration = 0; iteration < settings.MaxIterations; iteration++)
            {
                _iterations++;
                PseudoGradient(x, gz, transform, pg);
                if (MaxAbs(pg) <= settings.GradientBound(settings.GradientTolerance))
                    break;

                Maximizer.TwoLoop(memory, pg, direction);
                bool any = false;
                for (int i = 0; i < _n; i++)
                {
                    if (direction[i] * pg[i] >= 0)
                        direction[i] = 0;
                    any |= direction[i] != 0;
                }
                if (!any)
                {
                    memory.Clear();
                    for (int i = 0; i < _n; i++)
                        direction[i] = -pg[i];
                }
                var step = transform * Vector<double>.Build.DenseOfArray(direction);

                double noise = RoundingLevel * settings.Magnitude(value);
                double t = 1, valueNew = double.NaN, decrease = 0;
                Vector<double> s = null!;
                bool accepted = false;
                for (int attempt = 0; attempt < 60 && !accepted; attempt++)
                {
                    for (int i = 0; i < _n; i++)
                    {
                        xNew[i] = x[i] + t * step[i];
                        if (kinkAt[i] is { } k)
                        {
                            // The orthant: the side the coordinate is on, or at its kink the side the step leaves to.
                            double side = x[i] != k.Location ? Math.Sign(x[i] - k.Location) : Math.Sign(step[i]);
                            if (Math.Sign(xNew[i] - k.Location) != side)
                                xNew[i] = k.Location;
                        }
                    }
                    s = inverse * (Vector<double>.Build.DenseOfArray(xNew) - Vector<double>.Build.DenseOfArray(x));
                    decrease = s.DotProduct(Vector<double>.Build.DenseOfArray(pg));
                    valueNew = Total(xNew, gNew);
                    accepted = double.IsFinite(valueNew) && gNew.All(double.IsFinite) && -valueNew <= -value + ArmijoC1 * decrease;
                    if (!accepted)
                        t *= 0.5;
                }
                if (!accepted || -decrease <= noise)
                    break;

                var gzNew = new double[_n];
                ToZ(transform, gNew, gzNew);
                var y = new double[_n];
                for (int i = 0; i < _n; i++)
                    y[i] = gzNew[i] - gz[i];
                var sArray = s.ToArray();
                double sy = Maximizer.Dot(sArray, y);
                if (sy > 1e-300)
                {
                    memory.AddLast((sArray, y, 1 / sy));
                    if (memory.Count > settings.Memory)
                        memory.RemoveFirst();
                }
                bool small = MaxAbs(sArray) <= settings.StepTolerance && Math.Abs(valueNew - value) <= settings.RelativeTolerance * settings.Magnitude(value);
                (x, xNew) = (xNew, x);
                (g, gNew) = (gNew, g);
                gz = gzNew;
                value = valueNew;
                if (small)
                    break;
            }
            return x;
        }

        /// <summary>The gradient of −F in z, −Tᵀ ∇F, written to <paramref name="gz"/>.</summary>
        private static void ToZ(Matrix<double> transform, double[] g, double[] gz)
        {
            var result = transform.TransposeThisAndMultiply(Vector<double>.Build.DenseOfArray(g));
            for (int i = 0; i < gz.Length; i++)
                gz[i] = -result[i];
        }

        /// <summary>
        /// T for OWL-QN from the Hessian A of −F at <paramref name="x"/> (<paramref name="exact"/> where given, else
        /// differences of the gradient, steps 10⁻⁴ of <paramref name="units"/>): a kinked coordinate moves only with its own z (x_K = x₀_K + D z_K, D from the
        /// diagonal of the Schur complement A_KK − A_KN A_NN⁻¹ A_NK), and the others follow their conditional maximum
        /// (x_N = x₀_N − A_NN⁻¹A_NK D z_K + L⁻ᵀ z_N, A_NN = L Lᵀ): an intercept then moves with the slopes it is
        /// correlated with, and the Hessian in z has no K-N block. Where A_NN is not positive definite, T = diag(units).
        /// </summary>
        private Matrix<double> Coordinates(double[] x, double[] units, Matrix<double>? exact)
        {
            var diagonal = Matrix<double>.Build.DenseOfDiagonalArray(units);
            var kinked = Enumerable.Range(0, _n).Where(i => kinkAt[i] is not null).ToArray();
            var others = Enumerable.Range(0, _n).Where(i => kinkAt[i] is null).ToArray();
            var a = exact ?? Differenced(x, units);
            a = 0.5 * (a + a.Transpose());
            if (!a.Enumerate().All(double.IsFinite))
                return diagonal;
            try
            {
                var ann = Matrix<double>.Build.Dense(others.Length, others.Length, (r, c) => a[others[r], others[c]]);
                var ank = Matrix<double>.Build.Dense(others.Length, kinked.Length, (r, c) => a[others[r], kinked[c]]);
                var akk = Matrix<double>.Build.Dense(kinked.Length, kinked.Length, (r, c) => a[kinked[r], kinked[c]]);
                var cholesky = others.Length > 0 ? ann.Cholesky() : null;
                var m = cholesky?.Solve(ank) ?? Matrix<double>.Build.Dense(0, kinked.Length);
                var schur = akk - ank.TransposeThisAndMultiply(m);
                var transform = Matrix<double>.Build.Dense(_n, _n);
                var d = new double[kinked.Length];
                for (int j = 0; j < kinked.Length; j++)
                {
                    d[j] = schur[j, j] > 0 ? 1 / Math.Sqrt(schur[j, j]) : units[kinked[j]];
                    transform[kinked[j], kinked[j]] = d[j];
                }
                if (cholesky is not null)
                {
                    var lInverseT = cholesky.Factor.Transpose().Inverse();
                    for (int r = 0; r < others.Length; r++)
                    {
                        for (int j = 0; j < kinked.Length; j++)
                            transform[others[r], kinked[j]] = -m[r, j] * d[j];
                        for (int c = 0; c < others.Length; c++)
                            transform[others[r], others[c]] = lInverseT[r, c];
                    }
                }
                return transform.Enumerate().All(double.IsFinite) ? transform : diagonal;
            }
            catch (ArgumentException)
            {
                return diagonal;
            }
        }

        /// <summary>−∇²F at <paramref name="x"/> by forward differences of the gradient, steps 10⁻⁴ of <paramref name="units"/>.</summary>
        private Matrix<double> Differenced(double[] x, double[] units)
        {
            var a = Matrix<double>.Build.Dense(_n, _n);
            var g0 = new double[_n];
            var g1 = new double[_n];
            Smooth(x, g0);
            var probe = x.ToArray();
            for (int k = 0; k < _n; k++)
            {
                double h = 1e-4 * units[k];
                probe[k] = x[k] + h;
                Smooth(probe, g1);
                probe[k] = x[k];
                for (int i = 0; i < _n; i++)
                    a[i, k] = -(g1[i] - g0[i]) / h;
            }
            return a;
        }

        /// <summary>
        /// The pseudo-gradient of −objective in z: the gradient <paramref name="gz"/> of −F plus the penalty's slope on
        /// the coordinate's side (λ = w·T_ii, the kinked coordinate's own axis), or at a kink the subgradient of least
        /// magnitude (0 when |∂F| ≤ w).
        /// </summary>
        private void PseudoGradient(double[] x, double[] gz, Matrix<double> transform, double[] pg)
        {
            for (int i = 0; i < _n; i++)
            {
                if (kinkAt[i] is not { } k)
                {
                    pg[i] = gz[i];
                    continue;
                }
                double lambda = k.Weight * transform[i, i];
                if (x[i] > k.Location)
                    pg[i] = gz[i] + lambda;
                else if (x[i] < k.Location)
                    pg[i] = gz[i] - lambda;
                else
                    pg[i] = gz[i] + lambda < 0 ? gz[i] + lambda : gz[i] - lambda > 0 ? gz[i] - lambda : 0;
            }
        }

        /// <summary>Stage 2, the active-set refinement from <paramref name="x"/>; <paramref name="units"/> are standard errors along each axis.</summary>
        private OptimizationResult ActiveSet(double[] x, double[] units)
        {
            int kinkCount = kinkAt.Count(k => k is not null);
            var held = new bool[_n];
            var side = new int[_n];
            for (int i = 0; i < _n; i++)
            {
                held[i] = AtKink(x, i);
                side[i] = kinkAt[i] is { } k && !held[i] ? Math.Sign(x[i] - k.Location) : 0;
            }
            double bound = Maximizer.StationaryBound(settings);
            OptimizationResult? last = null;
            for (int round = 0; round < 20 + 4 * kinkCount; round++)
            {
                var free = Enumerable.Range(0, _n).Where(i => !held[i]).ToArray();
                var reduced = Reduced(x, free, side);
                var from = free.Select(i => x[i]).ToArray();
                var scales = free.Select(i => units[i]).ToArray();
                var sub = exact is null || free.Length == 0 ? Maximizer.Maximize(reduced, from, scales, settings)
                    : NewtonMaximizer.Maximize(ReducedHessian(x, free, side), reduced, from, settings);
                // Where Newton's steps do not end at a maximum (a bounded parameter's maximum at its edge, an NB2's
                // alpha → 0 on under-dispersed counts, is a ray in its log coordinate: a hunt's lasso exited 3 where
                // the L-BFGS search finds alpha = 0), the preconditioned search from the same point, as without a Hessian.
                // Where that fails too, Newton's end stands, with the ray it found (a coefficient running off, named by
                // the caller).
                if (!sub.Converged && exact is not null && free.Length > 0 && Maximizer.Maximize(reduced, from, scales, settings) is { Converged: true } preconditioned)
                    sub = preconditioned;
                // Its passes are counted where they are made (Smooth, ReducedHessian).
                _iterations += sub.Iterations;
                last = sub;
                if (!sub.Converged)
                    return Result(x, held, units, sub, false, $"{sub.Reason} (with the coordinates at a kink held there)", 0);
                var xNew = x.ToArray();
                for (int j = 0; j < free.Length; j++)
                    xNew[free[j]] = sub.Point[j];

                var crossings = new List<double>();
                foreach (int i in free)
                {
                    if (kinkAt[i] is not { } k || side[i] * (xNew[i] - k.Location) > 0)
                        continue;
                    // A coordinate released this round starts on its kink: it simply takes the other side (no crossing point).
                    if (x[i] != k.Location)
                        crossings.Add((x[i] - k.Location) / (x[i] - xNew[i]));
                    else
                        crossings.Add(1);
                }
                if (crossings.Count > 0)
                {
                    x = BestOnSegment(x, xNew, crossings);
                    for (int i = 0; i < _n; i++)
                    {
                        held[i] = AtKink(x, i);
                        side[i] = kinkAt[i] is { } k && !held[i] ? Math.Sign(x[i] - k.Location) : 0;
                    }
                    continue;
                }

                x = xNew;
                var g = new double[_n];
                Smooth(x, g);
                int worst = -1;
                double excess = 0;
                for (int i = 0; i < _n; i++)
                {
                    if (!held[i])
                        continue;
                    double e = (Math.Abs(g[i]) - kinkAt[i]!.Weight) * units[i];
                    if (e > excess)
                        (worst, excess) = (i, e);
                }
                if (excess <= bound)
                    return Result(x, held, units, sub, true, sub.Reason, Math.Max(excess, 0));
                held[worst] = false;
                side[worst] = Math.Sign(g[worst]);
            }
            return Result(x, held, units, last!, false, "the coordinates at a kink did not settle (the active set kept changing)", double.NaN);
        }

        /// <summary>
        /// Among the points of the segment from <paramref name="x"/> to <paramref name="xNew"/> where a coordinate reaches
        /// its kink (<paramref name="crossings"/>, fractions of the way) and its end, the one highest by the objective; the
        /// coordinates that reach a kink there are put exactly on it.
        /// </summary>
        private double[] BestOnSegment(double[] x, double[] xNew, List<double> crossings)
        {
            double[]? best = null;
            double bestValue = double.NegativeInfinity;
            var g = new double[_n];
            foreach (double t in crossings.Where(t => t > 0 && t <= 1).Append(1.0).Distinct())
            {
                var point = new double[_n];
                for (int i = 0; i < _n; i++)
                {
                    point[i] = x[i] + t * (xNew[i] - x[i]);
                    if (kinkAt[i] is { } k && x[i] != k.Location && x[i] != xNew[i]
                        && (x[i] - k.Location) / (x[i] - xNew[i]) == t)
                        point[i] = k.Location;
                }
                double value = Total(point, g);
                if (value > bestValue)
                    (best, bestValue) = (point, value);
            }
            return best ?? xNew;
        }

        /// <summary>F with the held coordinates at their kinks and the penalty linear on each free one's side, over the free coordinates.</summary>
        private ValueAndGradient Reduced(double[] x, int[] free, int[] side)
        {
            var full = x.ToArray();
            var g = new double[_n];
            return (r, gr) =>
            {
                Place(full, free, r);
                return Lines(full, free, side, Smooth(full, g), g, gr);
            };
        }

        /// <summary>As <see cref="Reduced"/>, with the free coordinates' block of F's exact Hessian (the penalty's lines have none).</summary>
        private ValueGradientHessian ReducedHessian(double[] x, int[] free, int[] side)
        {
            var full = x.ToArray();
            var g = new double[_n];
            var h = Matrix<double>.Build.Dense(_n, _n);
            return (r, gr, hr) =>
            {
                Place(full, free, r);
                _evaluations++;
                double value = Lines(full, free, side, exact!(full, g, h), g, gr);
                for (int j = 0; j < free.Length; j++)
                {
                    for (int l = 0; l < free.Length; l++)
                        hr[j, l] = h[free[j], free[l]];
                }
                return value;
            };
        }

        // The free coordinates r put into the full point.
        private static void Place(double[] full, int[] free, ReadOnlySpan<double> r)
        {
            for (int j = 0; j < free.Length; j++)
                full[free[j]] = r[j];
        }

        // F's value and gradient g at the full point, less each free kinked coordinate's penalty line on its side: the
        // reduced value, its gradient over the free coordinates into gr.
        private double Lines(double[] full, int[] free, int[] side, double value, double[] g, Span<double> gr)
        {
            for (int j = 0; j < free.Length; j++)
            {
                int i = free[j];
                double slope = kinkAt[i] is { } k ? side[i] * k.Weight : 0;
                if (slope != 0)
                    value -= slope * (full[i] - kinkAt[i]!.Location);
                gr[j] = g[i] - slope;
            }
            return value;
        }

        /// <summary>The result at <paramref name="x"/>: the objective there, the subproblem's end and units for the free coordinates, the per-axis units for the held.</summary>
        private OptimizationResult Result(double[] x, bool[] held, double[] units, OptimizationResult sub, bool converged, string reason, double kinkExcess)
        {
            double value = Total(x, new double[_n]);
            var free = Enumerable.Range(0, _n).Where(i => !held[i]).ToArray();
            var transform = Matrix<double>.Build.Dense(_n, _n);
            for (int i = 0; i < _n; i++)
            {
                if (held[i])
                    transform[i, i] = units[i];
            }
            for (int r = 0; r < free.Length; r++)
            {
                for (int c = 0; c < free.Length; c++)
                    transform[free[r], free[c]] = sub.Transform[r, c];
            }
            int atKink = held.Count(h => h);
            string why = atKink > 0 ? $"{reason}; {atKink} of {kinkAt.Count(k => k is not null)} kinked coordinates exactly at their kinks" : reason;
            // A ray Newton's search found over the free coordinates (the rest held), over all of them.
            double[]? ray = null;
            if (sub.Ray is { } along)
            {
                ray = new double[_n];
                for (int j = 0; j < free.Length; j++)
                    ray[free[j]] = along[j];
            }
            return new OptimizationResult(x, value, converged, why, _iterations, _evaluations,
                Math.Max(sub.GradientNorm, kinkExcess), sub.Edm, transform) { Ray = ray, Method = exact is null ? Name : NameWithNewton };
        }
    }


    private static double MaxAbs(double[] a) => a.Length == 0 ? 0 : a.Max(Math.Abs);
}
