using GpuEstimation.Optimization;
using MathNet.Numerics.LinearAlgebra;

namespace GpuEstimation.Inference;

/// <summary>
/// The observed information at the optimum: the Hessian of the objective by central differences of its analytic
/// gradient (computed on the device), taken in the optimizer's preconditioned coordinates w, where the Hessian is
/// near −I, so that ill-conditioned problems lose no accuracy in the differencing or the inversion. Covariance on the
/// optimizer's scale is T (−H_w)⁻¹ Tᵀ.
/// </summary>
public static class ObservedInformation
{
    /// <summary>Step in w (a tenth of a standard error; Richardson extrapolation removes the h² error, and h⁴, h⁶ where needed).</summary>
    private const double Step = 0.1;

    /// <summary>Steps differenced per coordinate at most: h, 2h, then h/2 and h/4 where the first two disagree.</summary>
    private const int MaxLevels = 4;

    /// <summary>|D(h) − D(2h)| in w coordinates (curvature ≈ 1) above which steps h/2 and h/4 are added.</summary>
    private const double AddLevels = 1e-6;

    /// <summary>
    /// For a model with kinks that move with the parameters: the largest difference between the two best estimates of
    /// Richardson's tableau that still counts as smooth, relative to the column's largest entry (about 1 in w, where the
    /// curvature is about 1). Smooth expressions gave 1e-13; Laplace's location written as abs(x - m) over 101 points,
    /// 0.4 (the differences count the data points within each step, and gave a standard error a third of the Fisher
    /// information's, with no word of it).
    /// </summary>
    private const double KinkSpread = 1e-3;

    /// <summary>Eigenvalue ratio below which −H_w counts as singular.</summary>
    private const double SingularRatio = 1e-10;

    /// <summary>
    /// The observed information of <paramref name="objective"/> at <paramref name="optimum"/>, differenced in the
    /// coordinates w of <paramref name="transform"/> (x = optimum + T w); the covariance on the objective's scale. With
    /// <paramref name="kinks"/> (a model whose kinks move with the parameters) every step of the tableau is taken and
    /// the information is <see cref="HessianStatus.NotSmooth"/>, with no covariance, where its two best estimates
    /// disagree: a kink lies within the steps.
    /// </summary>
    /// <remarks>
    /// <paramref name="unit"/>: the size of one observation's term (<see cref="Optimization.OptimizerSettings.Unit"/>).
    /// Where below 1 (frequency weights of 10⁻²⁰) the search's coordinates are standard errors of that tiny curvature,
    /// 10¹⁰ where exp overflows: the objective is differenced divided by it, in coordinates √unit·T (standard errors
    /// at unit weights), and the covariance carried back.
    /// </remarks>
    public static Information AtOptimum(ValueAndGradient objective, double[] optimum, Matrix<double> transform, bool kinks = false, double unit = 1)
    {
        if (unit != 1)
        {
            ValueAndGradient perUnit = (point, gradient) =>
            {
                double value = objective(point, gradient);
                for (int i = 0; i < gradient.Length; i++)
                    gradient[i] /= unit;
                return value / unit;
            };
            var inUnits = AtOptimum(perUnit, optimum, transform * Math.Sqrt(unit), kinks);
            return inUnits with { Covariance = inUnits.Covariance / unit, Edm = inUnits.Edm * unit };
        }
        int n = optimum.Length;
        if (n == 0)
            return new Information(HessianStatus.Unavailable, null, 0, 0);
        // The search's preconditioner can be stale: derived where the search started (far out on a logit scale, where
        // the likelihood is flat), a unit of w can be many standard errors at the optimum, and a step of a tenth of it
        // then spans a range where the log-likelihood is far from quadratic (a standard error 5x too small was seen).
        // Where −H_w is far from I, the coordinates are re-derived from it (T L⁻ᵀ, −H_w = L Lᵀ) and it is differenced again
        // (at most twice).
        // A −H_w nearly singular but positive definite is rescaled the same way: a correlation the preconditioner missed
        // (an intercept beside a feature of mean 10⁶) is then taken out; a truly singular one (a duplicated feature,
        // Filip's design) stays singular, and where later coordinates give no covariance the first "singular" stands
        // (their rounding can tip an eigenvalue of 0 below it). So it does where the last coordinates are still far from
        // −H_w ≈ I: the curvature found then depends on the step, as along a direction where the log-likelihood falls
        // only as the fourth power (two Cauchy points, whose maxima form a circle: an eigenvalue of 5e-16 of the largest,
        // rescaled by 10⁷, gave a "standard error" of 1077 from the quartic term).
        int evaluations = 0;
        Information? singular = null;
        for (int attempt = 0; ; attempt++)
        {
            var (information, inW) = Difference(objective, optimum, transform, kinks);
            if (information.Status == HessianStatus.NotSmooth)
                return information with { Evaluations = evaluations + information.Evaluations };
            evaluations += information.Evaluations;
            // Settled within 25% of I: a truncated normal's standard errors (correlation −0.99992, the log-likelihood far
            // from quadratic within a standard error) came out 67, 58, 47 and 44 from four starts where settling within
            // a factor of 4 was asked (a trial; 43.73 by 50-digit arithmetic); one more difference in coordinates
            // re-derived from the last gives 43.73 from each.
            bool settled = inW is not null && information.Covariance is not null && inW.Evd(Symmetricity.Symmetric).EigenValues.All(v => v.Real is >= 0.8 and <= 1.25);
            if (settled || attempt == 2)
                return (!settled && singular is not null ? singular : information) with { Evaluations = evaluations };
            if (information.Status == HessianStatus.Singular)
                singular ??= information;
            // Steps of many standard errors can also leave the support or cross a ridge, and then there is no −H_w to
            // rescale by: a tenth of the step is tried instead.
            transform = inW is null ? transform / 10 : Rescaled(transform, inW) ?? transform / 10;
        }
    }

    /// <summary>T L⁻ᵀ with −H_w = L Lᵀ, or null where the factorization fails (positive definite to the eigenvalues, not to Cholesky).</summary>
    private static Matrix<double>? Rescaled(Matrix<double> transform, Matrix<double> inW)
    {
        try
        {
            var rescaled = transform * inW.Cholesky().Factor.Transpose().Inverse();
            return rescaled.Enumerate().All(double.IsFinite) ? rescaled : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The fewest units in the last place that the smallest step moves the point by (<see cref="AffineCoordinates.UlpStep"/>).</summary>
    private const double MeasurableUlps = 8;

    /// <summary>Relative error of a step, as the points round it, above which the step taken is measured (<see cref="Realized"/>).</summary>
    private const double StepRounding = 1e-9;

    /// <summary>
    /// Where the points x₀ ± h T e_k, as rounded (<paramref name="plus"/>, <paramref name="minus"/>), moved some coordinate
    /// by more than <see cref="StepRounding"/> of the step off its intended move, the move in w that they made, T⁻¹(x₊ −
    /// x₋); else null (the nominal 2h e_k stands). A location of 10¹² with a standard error of 0.035 moves by 0.0035 at
    /// the step h = 0.1, 29 of its ulps: rounding made the step up to 1.7% off, and a Cauchy's standard errors 0.4–3.7%
    /// off (a scipy trial). The differences x₊ − x₀ are exact where the steps are small.
    /// </summary>
    private static double[]? Realized(double[] optimum, double[] plus, double[] minus, Matrix<double> transform, int k, double h)
    {
        int n = optimum.Length;
        double largest = 0, off = 0;
        for (int i = 0; i < n; i++)
        {
            double intended = h * transform[i, k];
            largest = Math.Max(largest, Math.Abs(intended));
            off = Math.Max(off, Math.Max(Math.Abs(plus[i] - optimum[i] - intended), Math.Abs(minus[i] - optimum[i] + intended)));
        }
        if (!(off > StepRounding * largest))
            return null;
        var moved = Vector<double>.Build.Dense(n, i => plus[i] - minus[i]);
        double[] inW;
        try
        {
            inW = transform.Solve(moved).ToArray();
        }
        catch (ArgumentException)
        {
            return null;
        }
        return inW.All(double.IsFinite) && inW[k] > 0 ? inW : null;
    }

    /// <summary>
    /// The information differenced in the coordinates of <paramref name="transform"/>, and −H_w itself where it is
    /// positive definite (also where it is nearly singular: then the information says singular and has no covariance).
    /// </summary>
    private static (Information Information, Matrix<double>? InW) Difference(ValueAndGradient objective, double[] optimum, Matrix<double> transform, bool kinks)
    {
        int n = optimum.Length;

        var hessian = Matrix<double>.Build.Dense(n, n);
        var coordinates = new AffineCoordinates(optimum, transform);
        var point = new double[n];
        var gu = new double[n];
        var plus = new double[n];
        int evaluations = 0;
        double[] GradientW(double[] w)
        {
            coordinates.ToPoint(w, point);
            evaluations++;
            double value = objective(point, gu);
            var gw = new double[n];
            coordinates.ToGradientW(gu, gw);
            return double.IsFinite(value) ? gw : Enumerable.Repeat(double.NaN, n).ToArray();
        }

        var w = new double[n];
        var pointPlus = new double[n];
        for (int k = 0; k < n; k++)
        {
            // Central differences D(h) at h and 2h, and Richardson's (4 D(h) − D(2h))/3, which cancels the h² error: the
            // step can then be large enough that the gradient's rounding (large where the residuals cancel, as in
            // Longley) hardly matters. Where the h² error itself is not small (|D(h) − D(2h)| above 10⁻⁶ of the
            // curvature, which is about 1 in these coordinates), the likelihood is far from quadratic over the steps
            // (Student-t's ν ≈ 42 with a standard error twice ν: one level 1.3e-3 off): steps h/2 and h/4 are added and
            // the tableau over h/4 … 2h cancels the h⁴ and h⁶ errors too (that Student-t: 4e-12; a poorly determined sum
            // of exponentials, whose Gauss–Newton preconditioner is far from the information: 1.4e-7). Smaller steps, not
            // larger: the steps 4h and 8h used before reached where the series no longer describes the likelihood (5e-6
            // and 1.8e-3 on those two; NaN where a step left the support). Most fits need the two steps only.
            var differences = new List<double[]>();
            // The steps in units of h = Step, or longer where the smallest step (h/4) would move the point by fewer
            // than MeasurableUlps of its doubles: a location of 10¹³ known to 0.025 moves by 0.2 ulps at h/4, rounded to
            // no move or one ulp, and its Hessian came out singular (at 10¹⁴, 0.6 of a standard error an ulp, the steps
            // reach 40 units, and the standard errors are still within 10%). Not beyond 1000 Step (100 units): there the
            // units are no standard errors (a plateau far out, b = 250 in exp(b), whose ulps are 10⁵⁷ units), and steps
            // that long called its Hessian negative definite.
            double measurable = (1 << (MaxLevels - 2)) * MeasurableUlps * coordinates.UlpStep(k);
            double unitStep = measurable > Step && measurable <= 1000 * Step ? measurable : Step;
            for (int level = 0; level < MaxLevels; level++)
            {
                if (level == 2 && !kinks && Enumerable.Range(0, n).All(i => Math.Abs(differences[0][i] - differences[1][i]) <= AddLevels))
                    break;
                // Steps h and 2h first; where they disagree, h/2 and h/4 in front of them (the tableau runs from the
                // smallest step up, each twice the one before).
                double h = level < 2 ? unitStep * (1 << level) : unitStep / (1 << (level - 1));
                w[k] = h;
                Array.Copy(GradientW(w), plus, n);
                Array.Copy(point, pointPlus, n);
                w[k] = -h;
                var minus = GradientW(w);
                w[k] = 0;
                var difference = Enumerable.Range(0, n).Select(i => (plus[i] - minus[i]) / (2 * h)).ToArray();
                if (Realized(optimum, pointPlus, point, transform, k, h) is { } moved)
                {
                    // The points as rounded moved w by Δr, not by ±h along k: the gradient's difference is H_w Δr, and
                    // with H_w ≈ −I off the column, H_w[i, k] ≈ (Δg_i + Δr_i) / Δr_k for i ≠ k, Δg_k / Δr_k for k.
                    for (int i = 0; i < n; i++)
                        difference[i] = (plus[i] - minus[i] + (i == k ? 0 : moved[i])) / moved[k];
                }
                if (level < 2)
                    differences.Add(difference);
                else
                    differences.Insert(0, difference);
            }
            int levels = differences.Count;
            for (int order = 1; order < levels; order++)
            {
                double factor = Math.Pow(4, order);
                for (int level = 0; level + order < levels; level++)
                {
                    for (int i = 0; i < n; i++)
                        differences[level][i] = (factor * differences[level][i] - differences[level + 1][i]) / (factor - 1);
                }
            }
            for (int i = 0; i < n; i++)
                hessian[i, k] = differences[0][i];
            if (kinks)
            {
                // Relative to the column's largest entry, not to 1: the first coordinates may be stale, a unit of w many
                // standard errors, and the curvature in them far from 1.
                double spread = Enumerable.Range(0, n).Max(i => Math.Abs(differences[0][i] - differences[1][i]));
                double size = Enumerable.Range(0, n).Max(i => Math.Abs(differences[0][i]));
                if (!(spread <= KinkSpread * size))
                    return (new Information(HessianStatus.NotSmooth, null, double.NaN, evaluations), null);
            }
        }
        var g0 = GradientW(w);
        if (!hessian.Enumerate().All(double.IsFinite) || !g0.All(double.IsFinite))
            return (new Information(HessianStatus.Unavailable, null, double.NaN, evaluations), null);

        var information = -0.5 * (hessian + hessian.Transpose());
        var eigen = information.Evd(Symmetricity.Symmetric);
        var values = eigen.EigenValues.Select(v => v.Real).ToArray();
        double largest = values.Max(Math.Abs);
        if (values.Min() <= 0)
            return (new Information(values.Min() >= -SingularRatio * largest ? HessianStatus.Singular : HessianStatus.NotNegativeDefinite, null, double.NaN, evaluations), null);
        if (values.Min() < SingularRatio * largest)
        {
            // Nearly singular in these coordinates, but positive definite as differenced: the preconditioner may have
            // missed a strong correlation (an intercept beside a feature of mean 10⁶, correlation 1 − 10⁻¹²), which
            // coordinates derived from this −H_w take out; differenced again there it is judged afresh.
            return (new Information(HessianStatus.Singular, null, double.NaN, evaluations), information);
        }

        var inverse = information.Inverse();
        var gw = Vector<double>.Build.DenseOfArray(g0);
        double edm = 0.5 * gw.DotProduct(inverse * gw);
        var covariance = transform * inverse * transform.Transpose();
        return (new Information(HessianStatus.NegativeDefinite, covariance, edm, evaluations), information);
    }
}
