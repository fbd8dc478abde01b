using MathNet.Numerics.LinearAlgebra;

namespace GpuEstimation.Optimization;

/// <summary>
/// Newton's method for an objective with an exact Hessian (a GLM's, summed on the device in the same pass as the value
/// and gradient): each iteration is one pass, and a fit from reasonable starting values takes a handful. The stopping
/// rule is <see cref="Maximizer"/>'s, stationary in standard-error units: the gradient in the coordinates where the
/// negative Hessian at the point is the identity, at most <see cref="OptimizerSettings.GradientTolerance"/>. Where
/// the negative Hessian is not positive definite (far from a maximum of a non-concave objective) the step is
/// Levenberg's (λ added to the unit-diagonal scaled matrix until it factors); every step is halved until it meets
/// Armijo's condition (below the objective's rounding level, the same condition on the slope). A run of full steps
/// in one direction, none shorter than half the last, along which the curvature and the gain both keep falling
/// (a log-likelihood that rises towards a supremum at infinity: separation in a binomial model), ends the search
/// with that direction as <see cref="OptimizationResult.Ray"/>.
/// </summary>
public static class NewtonMaximizer
{
    private const double ArmijoC1 = 1e-4;
    private const double RoundingLevel = 1e-13;
    private const double RoundingGradientLimit = 1e-4;

    // A step this many of its coordinate's scale (about a standard error) moves no estimate by anything one can see.
    private const double StationaryStep = 1e-6;

    // The most a last step taken without a pass may be expected to change the information by, relative to its scale (the
    // last full step's change, times the ratio of the steps' lengths): where the information is well conditioned the
    // standard errors are then those at the end to about half of this, and by up to its condition number times that
    // otherwise (a trial's 137 such fits: within 5.5e-9). R's glm, which also keeps the weights of the point before its
    // last step, has no such bound.
    private const double InformationDrift = 1e-8;

    /// <summary>Consecutive steps that, with the one before them, show the objective rising along a ray.</summary>
    private const int RaySteps = 4;

    /// <summary>The method's name in results.</summary>
    public const string Name = "newton";

    /// <summary>
    /// Maximizes <paramref name="objective"/> from <paramref name="start"/>; <paramref name="value"/> gives the value
    /// and gradient alone, for the shorter steps of a line search. The result carries the negative Hessian at its
    /// point (<see cref="OptimizationResult.Information"/>) where it converged.
    /// </summary>
    public static OptimizationResult Maximize(ValueGradientHessian objective, ValueAndGradient value, IReadOnlyList<double> start, OptimizerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(settings);
        int n = start.Count;
        var x = start.ToArray();
        var g = new double[n];
        var h = Matrix<double>.Build.Dense(n, n);
        int evaluations = 1;
        double f = objective(x, g, h);
        var identity = Matrix<double>.Build.DenseIdentity(n);
        if (!IsFinite(f, g, h))
            return new OptimizationResult(x, f, false, Maximizer.NotFiniteAtStart(f), 0, evaluations, double.NaN, double.NaN, identity) { Method = Name };

        var xNew = new double[n];
        var gNew = new double[n];
        var hNew = Matrix<double>.Build.Dense(n, n);
        double[]? lastStep = null;
        double lastCurvature = double.NaN, lastGain = double.NaN, lastNorm = double.NaN, lastF = double.NaN;
        bool lastFull = false;
        Matrix<double>? lastInformation = null;
        int raySteps = 0;
        for (int iteration = 0; iteration < settings.MaxIterations; iteration++)
        {
            var information = Symmetric(-h);
            var (scale, factor, exact, unit, step) = Step(information, g);
            double norm = unit.AbsoluteMaximum();
            if (exact && norm <= settings.GradientBound(settings.GradientTolerance))
            {
                // A start that is the maximum to tolerance already (a closed form: the linear model's least squares) but
                // whose Newton step still moves some coordinate past its rounding (Refines): that step is the
                // closed form's refinement (the semi-normal equations' correction), taken and confirmed by one pass.
                // NIST's Wampler3 and Wampler4 keep 9.8 and 8.7 digits with it, 9.5 and 7.9 without.
                if (iteration == 0 && Refines(x, step) && Refined(objective, x, f, step, settings, ref evaluations) is { } refined)
                    return refined;
                return Converged(x, f, g, information, scale, factor, step, "gradient below tolerance", iteration, evaluations, norm);
            }
            // Converging quadratically, the search ends one pass early, as R's glm and statsmodels' GLM do: where the
            // last full step took the gradient (standard-error units) from u₋₁ to u, the rate seen puts the next point's
            // at u³/u₋₁², and where that is a thousand times below the tolerance Newton's step is taken without a pass.
            // The information stays the one summed here, where the last full step's change of it, scaled to this step's
            // length, is below InformationDrift (a logit of 10⁶ × 10: 2e-10; one of 2·10⁴ × 2 whose iterates jump from
            // 2e-4 to 1e-10: 6e-7, which takes the pass); the value is the quadratic model's, f + ½ gᵀs (the rest is of
            // order u³). A ray or a
            // crawl towards a boundary never shows that rate (there u falls by a constant factor a step), so neither
            // ends here.
            if (exact && lastFull && lastInformation is not null
                && norm * (norm / lastNorm) * (norm / lastNorm) is var predicted && predicted <= settings.GradientBound(1e-3 * settings.GradientTolerance)
                && Change(lastInformation, information) * (norm / lastNorm) <= InformationDrift)
                return StepTaken(x, f, g, information, scale, factor, step, iteration, evaluations, norm, predicted);
            lastInformation = information;
            // Where rounding sets the gradient (a mean of 1e9 moves by 1.2e-7 at the least, ~1e-6 standard errors for a
            // spread of 1 over 50 points), steps would repeat the same point, or wander among neighbours at the
            // objective's rounding level, until the iterations ran out: a step that no parameter can represent (each
            // within two of its ulps), or a last step that changed the objective by no more than its rounding and left
            // the gradient where it was, ends the search here.
            // A step that is below two ulps in some parameters and below 10⁻⁶ of its scale in the others ends it whatever
            // the gradient: the point is the quadratic model's maximum to rounding, where no step can move it (a mean of
            // 1e12 with a spread of 1 over 1,000 points moves by 1.2e-4 at the least, 4e-3 standard errors: a trial's
            // fit ran on to L-BFGS, 1,000 steps, not converged).
            bool stalled = iteration > 0 && norm > 0.5 * lastNorm && Math.Abs(f - lastF) <= RoundingLevel * settings.Magnitude(f);
            bool atRounding = exact && AtRounding(x, step, scale, settings);
            // A coordinate whose step is below half its ulp cannot move (an intercept of 10¹² whose step is 5e-5), and its
            // gradient stays whatever that rounding leaves (1.6e-3 standard errors): where the objective no longer
            // changes, the search is at rounding however large that gradient (a review: a linear fit of y − 10¹² on two
            // features ran 1,000 iterations, and L-BFGS's end had an intercept standard error 0.44% off).
            bool stuck = Enumerable.Range(0, n).Any(i => step[i] != 0 && x[i] + step[i] == x[i]);
            if (exact && ((norm <= settings.GradientBound(RoundingGradientLimit) && stalled) || (stuck && stalled) || atRounding))
            {
                // At rounding, the step's coordinates that can still move are taken once (those at rounding stay where
                // they are), and kept where the objective is no lower: a linear fit of a response near 10¹² stopped with
                // σ 2.5e-8 off, its step below 10⁻⁶ of a standard error but far above σ's rounding. (A stalled gradient's
                // step is rounding's own.)
                return (atRounding ? Polished(objective, x, f, step, settings, iteration, ref evaluations) : null)
                    ?? Converged(x, f, g, information, scale, factor, step, "no further improvement possible at rounding level", iteration, evaluations, norm);
            }
            lastNorm = norm;
            lastF = f;

            double slope = Maximizer.Dot(g, step);
            double noise = RoundingLevel * settings.Magnitude(f);
            double t = 1, fNew = double.NaN;
            bool accepted = false;
            for (int attempt = 0; attempt < 60 && !accepted; attempt++)
            {
                for (int i = 0; i < n; i++)
                    xNew[i] = x[i] + t * step[i];
                evaluations++;
                fNew = t == 1 ? objective(xNew, gNew, hNew) : value(xNew, gNew);
                if (double.IsFinite(fNew) && gNew.All(double.IsFinite) && (t != 1 || hNew.Enumerate().All(double.IsFinite)))
                {
                    accepted = t * slope > noise
                        ? fNew >= f + ArmijoC1 * t * slope
                        : Maximizer.Dot(gNew, step) >= -(1 - 2 * ArmijoC1) * slope;
                }
                if (!accepted)
                    t *= 0.5;
            }
            if (!accepted)
            {
                return exact && norm <= settings.GradientBound(RoundingGradientLimit)
                    ? Converged(x, f, g, information, scale, factor, step, "no further improvement possible at rounding level", iteration + 1, evaluations, norm)
                    : new OptimizationResult(x, f, false, "line search failed to improve the objective", iteration + 1, evaluations, norm, double.NaN, identity) { Method = Name };
            }
            if (t != 1)
            {
                evaluations++;
                fNew = objective(xNew, gNew, hNew);
            }

            // A ray: full steps in one direction, not shrinking, while the curvature along them and the gain fall.
            double length = Math.Sqrt(Maximizer.Dot(step, step));
            double curvature = length > 0 ? QuadraticForm(information, step) / (length * length) : double.NaN;
            double gain = fNew - f;
            bool alongRay = t == 1 && lastStep is not null && AlongRay(step, length, curvature, gain, lastStep, lastCurvature, lastGain);
            raySteps = alongRay ? raySteps + 1 : 0;
            lastStep = step;
            lastCurvature = curvature;
            lastGain = gain;
            lastFull = t == 1;

            (x, xNew) = (xNew, x);
            (g, gNew) = (gNew, g);
            (h, hNew) = (hNew, h);
            f = fNew;
            if (raySteps >= RaySteps && !StillRising(value, x, f, step, gNew, settings, ref evaluations))
                raySteps = 0;
            if (raySteps >= RaySteps)
            {
                return new OptimizationResult(x, f, false, "the objective keeps rising along a ray: no finite maximum", iteration + 1, evaluations, double.NaN, double.NaN, identity)
                {
                    Method = Name,
                    Ray = step.Select(v => v / length).ToArray(),
                };
            }
        }
        return new OptimizationResult(x, f, false, "maximum iterations reached", settings.MaxIterations, evaluations, double.NaN, double.NaN, identity) { Method = Name };
    }

    /// <summary>
    /// Where a search converged at <paramref name="end"/> (any method's: the gradient below its tolerance), the direction
    /// of a ray the objective rises along to a supremum at infinity, with <paramref name="end"/> only a point far out on
    /// it; else null. Far out on a ray the gradient and the curvature both vanish, so the gradient in standard-error
    /// units (the stopping rule) does too: L-BFGS stops with a Poisson GLM's intercept at −34 on counts that are all 0
    /// (a factor level's coefficient at −32 where that level's counts are, a logit's at 32 under quasi-complete
    /// separation), Newton's method from an intercept of −45, all called converged. The ray is looked for among the
    /// coordinates that may run off (<paramref name="runs"/>: real-valued), the others held, by Newton's step in them
    /// from the gradient and negative Hessian A (a converged Newton search's, else one exact-Hessian pass); its parts of
    /// at most 10⁻⁴ of <paramref name="scales"/> (typical standard errors) are a maximum's and left out. At a maximum
    /// nothing is left (the step is the stopping tolerance times a standard error): no pass is spent. Otherwise full
    /// steps are taken from the end, one exact-Hessian pass each, as the search itself takes them (<see cref="Maximize"/>):
    /// where <see cref="RaySteps"/> of them keep their direction and length while the curvature along them and the gain
    /// the quadratic model predicts (½ gᵀs, from the gradient: the objective's own change is below its rounding here)
    /// keep falling (the search's own test, <see cref="AlongRay"/>), it is a ray. Past a maximum the next step is all but 0. The passes made count in
    /// <paramref name="evaluations"/>.
    /// </summary>
    public static double[]? RayBeyond(ValueGradientHessian objective, OptimizationResult end, IReadOnlyList<double> scales, IReadOnlyList<bool> runs,
        ref int evaluations)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(end);
        int n = end.Point.Length;
        var free = Enumerable.Range(0, n).Where(i => runs[i]).ToArray();
        if (free.Length == 0)
            return null;
        var x = end.Point.ToArray();
        var gradient = new double[n];
        var h = Matrix<double>.Build.Dense(n, n);
        Matrix<double> information;
        Vector<double> g;
        if (end is { NewtonStep: { } taken, Information: { } atEnd })
        {
            // Newton's step s = A⁻¹ g, so g = A s.
            (information, g) = (atEnd, atEnd * Vector<double>.Build.DenseOfArray(taken));
        }
        else
        {
            evaluations++;
            if (!IsFinite(objective(x, gradient, h), gradient, h))
                return null;
            (information, g) = (Symmetric(-h), Vector<double>.Build.DenseOfArray(gradient));
        }
        var step = RunningStep(information, g, free, scales);
        if (step is null)
            return null;
        double[]? lastStep = null;
        double lastCurvature = double.NaN, lastGain = double.NaN;
        for (int k = 0; ; k++)
        {
            double length = Math.Sqrt(Maximizer.Dot(step, step));
            double curvature = QuadraticForm(information, step) / (length * length);
            double gain = 0.5 * g.DotProduct(Vector<double>.Build.DenseOfArray(step));
            if (lastStep is not null && !(gain > 0 && AlongRay(step, length, curvature, gain, lastStep, lastCurvature, lastGain)))
                return null;
            if (k == RaySteps)
                return step.Select(v => v / length).ToArray();
            (lastStep, lastCurvature, lastGain) = (step, curvature, gain);
            for (int i = 0; i < n; i++)
                x[i] += step[i];
            evaluations++;
            if (!IsFinite(objective(x, gradient, h), gradient, h))
                return null;
            (information, g) = (Symmetric(-h), Vector<double>.Build.DenseOfArray(gradient));
            step = RunningStep(information, g, free, scales);
            if (step is null)
                return null;
        }
    }

    /// <summary>
    /// Whether a full <paramref name="step"/> (its <paramref name="length"/>, the curvature along it and its gain)
    /// continues a ray after <paramref name="lastStep"/>: in the same direction (within 0.95), no shorter than half of
    /// it, with the curvature below half the last and the gain below three quarters of it.
    /// </summary>
    private static bool AlongRay(double[] step, double length, double curvature, double gain, double[] lastStep, double lastCurvature, double lastGain)
    {
        double lastLength = Math.Sqrt(Maximizer.Dot(lastStep, lastStep));
        return Maximizer.Dot(step, lastStep) >= 0.95 * length * lastLength && length >= 0.5 * lastLength
            && curvature < 0.5 * lastCurvature && gain < 0.75 * lastGain;
    }

    /// <summary>
    /// Newton's step in the coordinates <paramref name="free"/> (the others held), its parts of at most 10⁻⁴ of
    /// <paramref name="scales"/> set to 0; null where nothing is left, or the information there needs Levenberg's λ.
    /// </summary>
    private static double[]? RunningStep(Matrix<double> information, Vector<double> g, int[] free, IReadOnlyList<double> scales)
    {
        var sub = Step(Matrix<double>.Build.Dense(free.Length, free.Length, (i, j) => information[free[i], free[j]]), free.Select(i => g[i]).ToArray());
        if (!sub.Exact)
            return null;
        var step = new double[g.Count];
        for (int i = 0; i < free.Length; i++)
            step[free[i]] = Math.Abs(sub.Step[i]) <= 1e-4 * scales[free[i]] || !double.IsFinite(sub.Step[i]) ? 0 : sub.Step[i];
        return step.Any(v => v != 0) ? step : null;
    }

    /// <summary>
    /// Newton's step from a point with gradient <paramref name="g"/> and negative Hessian <paramref name="information"/>
    /// A: D = diag(1/√Aₖₖ) and L with D A D = L Lᵀ (<see cref="Factor"/>), the gradient in units where the information
    /// is I (L⁻¹ D g), and the step A⁻¹ g = D L⁻ᵀ L⁻¹ D g (Levenberg's where A needed a λ to factor: not exact).
    /// </summary>
    private static (Vector<double> Scale, Matrix<double> Factor, bool Exact, Vector<double> Unit, double[] Step) Step(Matrix<double> information, double[] g)
    {
        var (scale, factor, exact) = Factor(information);
        var unit = factor.LowerTriangle().Solve(scale.PointwiseMultiply(Vector<double>.Build.DenseOfArray(g)));
        var step = scale.PointwiseMultiply(factor.LowerTriangle().Transpose().Solve(unit)).ToArray();
        return (scale, factor, exact, unit, step);
    }

    /// <summary>
    /// Whether the objective still rises far along <paramref name="step"/> from <paramref name="x"/>, at 16, 256 and 4096
    /// steps' length: no lower than <paramref name="f"/> there, and its slope along the step not negative beyond
    /// rounding (10⁻⁸ of the slope's terms, and the rounding level of the objective there per step: the last coefficients of a
    /// quasi-complete separation settle by steps of 10⁻⁵, which 16 steps on give slopes of −3e-8). Locally a ray and the approach to a finite maximum from far off look alike:
    /// Poisson from an intercept of 5 (means 150 times the data's) takes full steps of −1 along which the curvature and
    /// the gain fall by e each, as separation's do. Only the data far along tells them apart: where the maximum is finite
    /// the objective turns down past it (from an intercept of 20, the value 4,000 steps on is still above the start's,
    /// but its slope is −Σy), while one that is concave along the ray and rises to a supremum at infinity never does.
    /// What is not a number there cannot tell, and leaves the ray. <paramref name="scratch"/> receives the gradients;
    /// each probe counts in <paramref name="evaluations"/>.
    /// </summary>
    private static bool StillRising(ValueAndGradient value, double[] x, double f, double[] step, double[] scratch, OptimizerSettings settings, ref int evaluations)
    {
        var far = new double[x.Length];
        double noise = RoundingLevel * settings.Magnitude(f);
        foreach (double distance in (ReadOnlySpan<double>)[16, 256, 4096])
        {
            for (int i = 0; i < x.Length; i++)
                far[i] = x[i] + distance * step[i];
            evaluations++;
            double there = value(far, scratch);
            double slope = 0, terms = 0;
            for (int i = 0; i < x.Length; i++)
            {
                slope += scratch[i] * step[i];
                terms += Math.Abs(scratch[i] * step[i]);
            }
            if (there < f - noise || double.IsNegativeInfinity(there) || (slope < -1e-8 * terms && slope < -RoundingLevel * settings.Magnitude(there)))
                return false;
        }
        return true;
    }

    // Whether the step moves some coordinate by more than 1e-12 of its value, or of 1 where it is smaller (a log scale's
    // unit is a relative change): past the closed form's rounding, which a refinement is for, and far below any
    // tolerance. Not 1e-12 of a standard error: a review saw a Normal's closed form at σ ≈ 1 (log σ = 0) take a second
    // pass for its sums' rounding; nor 1e-10 of one: NIST's Wampler4 and 5, whose noise makes their standard errors
    // large, then lost the digits the step gives.
    private static bool Refines(double[] x, double[] step)
    {
        for (int i = 0; i < x.Length; i++)
        {
            if (Math.Abs(step[i]) > RefinementSize * Math.Max(Math.Abs(x[i]), 1))
                return true;
        }
        return false;
    }

    private const double RefinementSize = 1e-12;

    // The start's Newton step taken and confirmed: converged at the new point where its objective is no lower (to the
    // rounding level) and its gradient is below tolerance there too; else null (the start stands).
    private static OptimizationResult? Refined(ValueGradientHessian objective, double[] x, double f, double[] step, OptimizerSettings settings, ref int evaluations) =>
        Evaluated(objective, [.. x.Select((v, i) => v + step[i])], f, settings, ref evaluations) is { Exact: true } at
            && at.Unit.AbsoluteMaximum() is var norm && norm <= settings.GradientBound(settings.GradientTolerance)
            ? Converged(at.X, at.F, at.G, at.Information, at.Scale, at.Factor, at.Step, "gradient below tolerance", 1, evaluations, norm)
            : null;

    // A point a last step moves to: its objective, gradient and information, and the Newton step from there.
    private sealed record Candidate(double[] X, double F, double[] G, Matrix<double> Information, Vector<double> Scale, Matrix<double> Factor, bool Exact,
        Vector<double> Unit, double[] Step);

    // The candidate at xNew where its objective is finite and no lower than f (to the rounding level); else null.
    private static Candidate? Evaluated(ValueGradientHessian objective, double[] xNew, double f, OptimizerSettings settings, ref int evaluations)
    {
        int n = xNew.Length;
        var gNew = new double[n];
        var hNew = Matrix<double>.Build.Dense(n, n);
        evaluations++;
        double fNew = objective(xNew, gNew, hNew);
        if (!IsFinite(fNew, gNew, hNew) || fNew < f - RoundingLevel * settings.Magnitude(f))
            return null;
        var information = Symmetric(-hNew);
        var (scale, factor, exact, unit, next) = Step(information, gNew);
        return new Candidate(xNew, fNew, gNew, information, scale, factor, exact, unit, next);
    }

    // The step taken in the coordinates it moves by more than two of their ulps (the others, at rounding, stay where
    // they are), converged there at rounding level where its objective is finite and no lower (to the rounding level);
    // null where no coordinate moves so far (a step of an ulp or two is rounding, not a refinement: one parameter whose
    // Hessian underflowed took such a step, and its information there was trusted), or the point falls.
    private static OptimizationResult? Polished(ValueGradientHessian objective, double[] x, double f, double[] step, OptimizerSettings settings, int iteration, ref int evaluations)
    {
        var xNew = x.Select((v, i) => WithinTwoUlps(v, step[i]) ? v : v + step[i]).ToArray();
        return !xNew.SequenceEqual(x) && Evaluated(objective, xNew, f, settings, ref evaluations) is { Exact: true } at
            ? Converged(at.X, at.F, at.G, at.Information, at.Scale, at.Factor, at.Step, "no further improvement possible at rounding level", iteration + 1, evaluations, at.Unit.AbsoluteMaximum())
            : null;
    }

    // Whether every coordinate's step is within two of its ulps, or within StationaryStep of its scale (about a standard
    // error), and at least one is within two ulps.
    private static bool AtRounding(double[] x, double[] step, Vector<double> scale, OptimizerSettings settings)
    {
        bool belowUlps = false;
        for (int i = 0; i < x.Length; i++)
        {
            if (WithinTwoUlps(x[i], step[i]))
                belowUlps = true;
            else if (!(Math.Abs(step[i]) <= settings.GradientBound(StationaryStep) * scale[i]))
                return false;
        }
        return belowUlps;
    }

    // Whether a step of |step| is within two ulps of x: rounding, not a move.
    private static bool WithinTwoUlps(double x, double step)
    {
        double magnitude = Math.Abs(x);
        return Math.Abs(step) <= 2 * (Math.BitIncrement(magnitude) - magnitude);
    }

    private static OptimizationResult Converged(double[] x, double f, double[] g, Matrix<double> information, Vector<double> scale, Matrix<double> factor,
        double[] step, string reason, int iterations, int evaluations, double norm)
    {
        // T = D L⁻ᵀ, so Tᵀ A T = I: the units the generic search would hand on.
        var transform = Matrix<double>.Build.DiagonalOfDiagonalVector(scale) * factor.LowerTriangle().Transpose().Inverse();
        var gv = Vector<double>.Build.DenseOfArray(g);
        var unit = transform.TransposeThisAndMultiply(gv);
        return new OptimizationResult(x.ToArray(), f, true, reason, iterations, evaluations, norm, 0.5 * unit.DotProduct(unit), transform)
        {
            Method = Name,
            Information = information,
            NewtonStep = step,
        };
    }

    /// <summary>
    /// The largest change from <paramref name="before"/> to <paramref name="after"/> of an entry of the information,
    /// relative to its diagonal's scale (√(Aᵢᵢ Aⱼⱼ)): what a step changed it by.
    /// </summary>
    private static double Change(Matrix<double> before, Matrix<double> after)
    {
        double largest = 0;
        for (int i = 0; i < after.RowCount; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double size = Math.Sqrt(Math.Abs(after[i, i] * after[j, j]));
                largest = Math.Max(largest, Math.Abs(after[i, j] - before[i, j]) / size);
            }
        }
        return double.IsNaN(largest) ? double.PositiveInfinity : largest;
    }

    /// <summary>
    /// The end one Newton <paramref name="step"/> past <paramref name="x"/>, taken without a pass (see
    /// <see cref="Maximize"/>): the value f + ½ gᵀs, the gradient norm <paramref name="predicted"/> after the step and its
    /// EDM (standard-error units; the reason names <paramref name="measured"/>, the norm before it), the information
    /// summed at <paramref name="x"/> (<see cref="OptimizationResult.InformationPoint"/>), and no step left.
    /// </summary>
    private static OptimizationResult StepTaken(double[] x, double f, double[] g, Matrix<double> information, Vector<double> scale, Matrix<double> factor,
        double[] step, int iteration, int evaluations, double measured, double predicted)
    {
        var end = x.Select((v, i) => v + step[i]).ToArray();
        // The gradient norm and EDM are the predicted ones, on which the claim rests; the reason gives the measured one
        // beside it: where rounding sets the end (weights of 10¹², counts of 10⁹) the prediction alone claimed a precision
        // no pass saw (a trial), and the measured one alone, above the tolerance, read as a contradiction (a review).
        var converged = Converged(end, f + 0.5 * Maximizer.Dot(g, step), new double[x.Length], information, scale, factor, new double[x.Length],
            $"{StepTakenReason} (measured {measured:G2} before it, predicted {predicted:G2} after: standard-error units)", iteration + 1, evaluations, predicted);
        return converged with { Edm = 0.5 * predicted * predicted, InformationPoint = x.ToArray() };
    }

    /// <summary>How the reason of a search ended by a last step taken without a pass begins.</summary>
    public const string StepTakenReason = "last Newton step taken without a pass: its quadratic convergence puts the gradient below tolerance after it";

    /// <summary>
    /// D = diag(1/√Aₖₖ) (1 where Aₖₖ is not positive) and the Cholesky factor L of D A D, or of D A D + λI with the
    /// smallest λ of 10⁻⁸, 10⁻⁷, … that factors; exact when λ = 0.
    /// </summary>
    private static (Vector<double> Scale, Matrix<double> Factor, bool Exact) Factor(Matrix<double> a)
    {
        int n = a.RowCount;
        var scale = Vector<double>.Build.Dense(n, k => a[k, k] > 0 && double.IsFinite(a[k, k]) ? 1 / Math.Sqrt(a[k, k]) : 1);
        var scaled = Matrix<double>.Build.Dense(n, n, (i, j) => scale[i] * a[i, j] * scale[j]);
        for (double lambda = 0; lambda <= 1e8; lambda = lambda == 0 ? 1e-8 : lambda * 10)
        {
            var trial = lambda == 0 ? scaled : scaled + lambda * Matrix<double>.Build.DenseIdentity(n);
            if (TryCholesky(trial) is { } factor)
                return (scale, factor, lambda == 0);
        }
        // Nothing factors (non-finite entries): gradient ascent in the scaled units.
        return (scale, Matrix<double>.Build.DenseIdentity(n), false);
    }

    private static Matrix<double>? TryCholesky(Matrix<double> a)
    {
        try
        {
            var factor = a.Cholesky().Factor;
            return factor.Enumerate().All(double.IsFinite) ? factor : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static Matrix<double> Symmetric(Matrix<double> a) => 0.5 * (a + a.Transpose());

    private static double QuadraticForm(Matrix<double> a, double[] v)
    {
        var vector = Vector<double>.Build.DenseOfArray(v);
        return vector.DotProduct(a * vector);
    }

    private static bool IsFinite(double f, double[] g, Matrix<double> h) => double.IsFinite(f) && g.All(double.IsFinite) && h.Enumerate().All(double.IsFinite);

}
