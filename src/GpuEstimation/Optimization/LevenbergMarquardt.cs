namespace GpuEstimation.Optimization;

/// <summary>
/// The normal equations at θ: returns the residual sum of squares and writes Jᵀr (P) and JᵀJ (P×P, row-major), J the
/// Jacobian of the mean, r = y − μ(θ).
/// </summary>
public delegate double NormalEquations(ReadOnlySpan<double> theta, Span<double> jacobianResidual, Span<double> gram);

/// <summary>
/// Where a least-squares search ended.
/// </summary>
/// <param name="Point">The end point θ.</param>
/// <param name="Rss">The residual sum of squares there.</param>
/// <param name="JacobianResidual">Jᵀr there (P).</param>
/// <param name="Gram">JᵀJ there (P×P, row-major).</param>
/// <param name="Converged">Whether the relative-offset test passed at a point where JᵀJ is not singular.</param>
/// <param name="Reason">Why the search stopped, in words.</param>
/// <param name="Iterations">Accepted steps.</param>
/// <param name="Evaluations">Passes over the data.</param>
/// <param name="RelativeOffset">Bates and Watts' relative offset at the end (NaN where JᵀJ is singular).</param>
public sealed record LeastSquaresResult(
    double[] Point, double Rss, double[] JacobianResidual, double[] Gram, bool Converged, string Reason, int Iterations, int Evaluations, double RelativeOffset)
{
    /// <summary>Whether the search ended at an exact fit: residuals at the rounding level of the response.</summary>
    public bool ExactFit { get; init; }
}

/// <summary>
/// Levenberg–Marquardt for nonlinear least squares on the normal equations, which one pass over the data sums on the
/// device (<see cref="NormalEquations"/>). Each iteration solves (JᵀJ + λD²) δ = Jᵀr, D = diag(√(JᵀJ)ₖₖ) kept at
/// its largest so far (Moré's scaling: the step does not depend on the parameters' units), in the scaled coordinates
/// where D JᵀJ D has unit diagonal, by Cholesky; λ follows the gain ratio ρ = actual / predicted reduction
/// (Nielsen's update: λ·max(1/3, 1 − (2ρ − 1)³) after a success, λ·ν with ν doubling after a failure).
/// <para>
/// Convergence is Bates and Watts' relative offset, √(rᵀQ₁Q₁ᵀr / p) / √(rᵀr / (n − p)) with Q₁Q₁ᵀr the projection of the
/// residuals on the tangent plane (rᵀJ(JᵀJ)⁻¹Jᵀr): how far the fit is from the least-squares point relative to the
/// residual scatter, scale-free. A small step is never taken for convergence. Where no step reduces the residual sum
/// of squares any more (rounding) the search ends converged only if the relative offset is below
/// <see cref="RoundingOffset"/>, or below <see cref="NoiseOffset"/> with the whole Gauss–Newton gain smaller than the
/// rounding noise seen in the sum of squares (residuals at the data's rounding level); where JᵀJ is singular at the end (a stall at a singular point: the classic false
/// convergence) it ends not converged.
/// </para>
/// </summary>
public static class LevenbergMarquardt
{
    /// <summary>The method's name in results.</summary>
    public const string Name = "levenberg-marquardt";

    /// <summary>Converged when the relative offset is at most this.</summary>
    public const double OffsetTolerance = 1e-8;

    /// <summary>Where no step reduces the sum of squares, converged if the relative offset is at most this (Bates and Watts' own suggestion, 10⁻³).</summary>
    public const double RoundingOffset = 1e-3;

    /// <summary>The smallest Cholesky pivot of the unit-diagonal scaled JᵀJ (its reciprocal condition, roughly) that counts as not singular.</summary>
    public const double SingularPivot = 1e-15;

    /// <summary>Where the Gauss–Newton gain is below the noise of the sum of squares, converged if the relative offset is at most this.</summary>
    public const double NoiseOffset = 1e-2;

    private const double MaxLambda = 1e16;

    /// <summary>Where no step reduces the sum of squares, converged if the residuals' norm is at most this fraction of the response's.</summary>
    public const double ExactDigits = 1e-12;

    /// <summary>
    /// Minimizes the residual sum of squares of <paramref name="observations"/> rows from <paramref name="start"/>, with
    /// at most 10 × <paramref name="maxIterations"/> passes over the data, accepted steps and rejected ones together (an
    /// iteration here is one pass; MGH10 from NIST's first start needs about 7,700). <paramref name="responseSquares"/>,
    /// Σ y² where the caller knows it, lets a stall whose residuals are within <see cref="ExactDigits"/> of the
    /// response count as an exact fit to rounding.
    /// </summary>
    public static LeastSquaresResult Minimize(NormalEquations pass, IReadOnlyList<double> start, int observations, int maxIterations,
        double responseSquares = double.NaN)
    {
        ArgumentNullException.ThrowIfNull(pass);
        int p = start.Count;
        var x = start.ToArray();
        var g = new double[p];
        var a = new double[p * p];
        double f = pass(x, g, a);
        int evaluations = 1;
        if (!Finite(f, g, a))
            return new LeastSquaresResult(x, f, g, a, false, "the residual sum of squares or its Jacobian is not finite at the starting values", 0, evaluations, double.NaN);

        var d = new double[p];
        var xNew = new double[p];
        var gNew = new double[p];
        var aNew = new double[p * p];
        var trial = new double[p * p];
        var b = new double[p];
        var s = new double[p];
        var step = new double[p];
        double lambda = 1e-3, nu = 2;
        int iterations = 0;
        int maxEvaluations = 10 * Math.Max(1, maxIterations);
        while (true)
        {
            double offset = RelativeOffset(a, g, f, observations, p);
            if (f == 0 || offset <= OffsetTolerance)
                return new LeastSquaresResult(x, f, g, a, true, f == 0 ? "exact fit: the residuals are zero" : "relative offset below tolerance", iterations, evaluations, f == 0 ? 0 : offset) { ExactFit = f == 0 };
            if (evaluations >= maxEvaluations)
                return new LeastSquaresResult(x, f, g, a, false, PassesReason(maxEvaluations), iterations, evaluations, offset);

            for (int k = 0; k < p; k++)
                d[k] = Math.Max(d[k], Math.Sqrt(a[k * p + k]));
            for (int k = 0; k < p; k++)
                b[k] = d[k] > 0 ? g[k] / d[k] : 0;

            bool accepted = false;
            double fAccepted = f;
            // The largest change of f, in this iteration's trials, beyond what the step's linear model predicted: near a
            // least-squares point f's own rounding noise. (Counting only heavily damped steps lost Lanczos1 from start 2,
            // whose stall comes at small λ.) Used only together with a relative offset of at most NoiseOffset.
            double noise = 0;
            while (!accepted)
            {
                if (lambda > MaxLambda || evaluations >= maxEvaluations)
                    return Stalled(x, f, g, a, offset, observations, iterations, evaluations, evaluations >= maxEvaluations, noise, responseSquares);
                // (D⁻¹ A D⁻¹ + λ I) s = D⁻¹ g, δ = D⁻¹ s.
                for (int i = 0; i < p; i++)
                {
                    for (int j = 0; j < p; j++)
                        trial[i * p + j] = d[i] > 0 && d[j] > 0 ? a[i * p + j] / (d[i] * d[j]) : (i == j ? 1 : 0);
                    trial[i * p + i] += lambda;
                }
                if (!Cholesky(trial, p, out _))
                {
                    lambda *= nu;
                    nu *= 2;
                    continue;
                }
                Solve(trial, p, b, s);
                double predicted = 0;
                bool moves = false;
                for (int k = 0; k < p; k++)
                {
                    predicted += s[k] * b[k] + lambda * s[k] * s[k];
                    step[k] = d[k] > 0 ? s[k] / d[k] : 0;
                    xNew[k] = x[k] + step[k];
                    moves |= xNew[k] != x[k];
                }
                if (!moves || !(predicted > 0))
                    return Stalled(x, f, g, a, offset, observations, iterations, evaluations, false, noise, responseSquares);
                evaluations++;
                double fNew = pass(xNew, gNew, aNew);
                double rho = (f - fNew) / predicted;
                if (double.IsFinite(fNew) && Math.Abs(f - fNew) > predicted)
                    noise = Math.Max(noise, Math.Abs(f - fNew));
                if (Finite(fNew, gNew, aNew) && rho > 1e-4)
                {
                    // A reduction at rounding level only: nothing further to gain here.
                    if (f - fNew <= 1e-15 * f)
                        return Stalled(x, f, g, a, offset, observations, iterations, evaluations, false, noise, responseSquares);
                    accepted = true;
                    fAccepted = fNew;
                    lambda *= Math.Max(1.0 / 3, 1 - Math.Pow(2 * rho - 1, 3));
                    nu = 2;
                }
                else
                {
                    lambda *= nu;
                    nu *= 2;
                }
            }
            iterations++;
            (x, xNew) = (xNew, x);
            (g, gNew) = (gNew, g);
            (a, aNew) = (aNew, a);
            f = fAccepted;
        }
    }

    /// <summary>
    /// Bates and Watts' relative offset at a point: √(gᵀ A⁻¹ g / p) / √(f / (n − p)), g = Jᵀr, A = JᵀJ, f = rᵀr;
    /// NaN where A is singular (then no offset is defined: the tangent plane has lost a dimension).
    /// </summary>
    public static double RelativeOffset(ReadOnlySpan<double> gram, ReadOnlySpan<double> jacobianResidual, double rss, int observations, int p)
    {
        if (p == 0)
            return 0;
        var scale = new double[p];
        var scaled = new double[p * p];
        for (int k = 0; k < p; k++)
        {
            double diagonal = gram[k * p + k];
            if (!(diagonal > 0))
                return double.NaN;
            scale[k] = 1 / Math.Sqrt(diagonal);
        }
        for (int i = 0; i < p; i++)
        {
            for (int j = 0; j < p; j++)
                scaled[i * p + j] = gram[i * p + j] * scale[i] * scale[j];
        }
        if (!Cholesky(scaled, p, out double smallest) || smallest < SingularPivot)
            return double.NaN;
        var b = new double[p];
        for (int k = 0; k < p; k++)
            b[k] = jacobianResidual[k] * scale[k];
        // gᵀA⁻¹g = ‖L⁻¹ D g‖² with D A D = L Lᵀ.
        double projected = 0;
        for (int i = 0; i < p; i++)
        {
            double v = b[i];
            for (int j = 0; j < i; j++)
                v -= scaled[i * p + j] * b[j];
            b[i] = v / scaled[i * p + i];
            projected += b[i] * b[i];
        }
        double residualVariance = rss / Math.Max(1, observations - p);
        return Math.Sqrt(projected / p / residualVariance);
    }

    /// <summary>
    /// The inverse of JᵀJ (P×P, row-major) through the Cholesky factor of its unit-diagonal scaling, or null where it
    /// is singular (as <see cref="RelativeOffset"/> judges).
    /// </summary>
    public static double[]? Inverse(ReadOnlySpan<double> gram, int p) => Inverse(gram, p, SingularPivot);

    /// <summary>
    /// The smallest pivot of the scaled JᵀJ taken at an exact fit: there the parameters' columns of J may agree to the
    /// last digits (a mean k₁ exp(k₂ x) over one value of x: a fuzzing trial's 200 such rows left a pivot of ~1e-15,
    /// above <see cref="SingularPivot"/>, and the fit was "converged" with k₁, k₂ anywhere on a curve), while an
    /// identified exact fit's pivots are those of its design, far above this.
    /// </summary>
    public const double ExactFitSingularPivot = 1e-14;

    /// <summary>As <see cref="Inverse(ReadOnlySpan{double}, int)"/>, singular where the scaled Cholesky's smallest pivot is below <paramref name="singularPivot"/>.</summary>
    public static double[]? Inverse(ReadOnlySpan<double> gram, int p, double singularPivot)
    {
        var scale = new double[p];
        var factor = new double[p * p];
        for (int k = 0; k < p; k++)
        {
            double diagonal = gram[k * p + k];
            if (!(diagonal > 0))
                return null;
            scale[k] = 1 / Math.Sqrt(diagonal);
        }
        for (int i = 0; i < p; i++)
        {
            for (int j = 0; j < p; j++)
                factor[i * p + j] = gram[i * p + j] * scale[i] * scale[j];
        }
        if (!Cholesky(factor, p, out double smallest) || smallest < singularPivot)
            return null;
        var inverse = new double[p * p];
        var column = new double[p];
        var solution = new double[p];
        for (int c = 0; c < p; c++)
        {
            Array.Clear(column);
            column[c] = 1;
            Solve(factor, p, column, solution);
            for (int r = 0; r < p; r++)
                inverse[r * p + c] = solution[r] * scale[r] * scale[c];
        }
        return inverse;
    }

    private static LeastSquaresResult Stalled(double[] x, double f, double[] g, double[] a, double offset, int observations, int iterations, int evaluations, bool outOfPasses, double noise,
        double responseSquares)
    {
        if (double.IsNaN(offset))
            return new LeastSquaresResult(x, f, g, a, false, "stalled at a singular point: JᵀJ is singular there (the parameters are not identified by the data at this point)", iterations, evaluations, offset);
        if (offset <= RoundingOffset)
            return new LeastSquaresResult(x, f, g, a, true, $"relative offset {offset:G2}, below Bates and Watts' 1e-3, and no step reduces the sum of squares further", iterations, evaluations, offset);
        // The Gauss–Newton step's whole predicted gain, offset² · p · s², below the noise seen in f: as close to the
        // least-squares point as f can tell (residuals at the rounding level of the data, Lanczos1).
        double gain = offset * offset * g.Length * f / Math.Max(1, observations - g.Length);
        if (!outOfPasses && offset <= NoiseOffset && gain <= noise)
            return new LeastSquaresResult(x, f, g, a, true, $"the sum of squares is at its rounding level (relative offset {offset:G2}, Gauss–Newton gain {gain:G2} below the noise {noise:G2} of the sum)", iterations, evaluations, offset);
        // Residuals at the rounding level of an exactly fitting response (y = 3·exp(−0.5x) to the last digit): the
        // offset is rounding noise's, of any size, but the residuals are within 1e-12 of the response, so any
        // least-squares point's fitted values are too: nothing is left to find.
        if (!outOfPasses && f <= ExactDigits * ExactDigits * responseSquares)
            return new LeastSquaresResult(x, f, g, a, true, $"no step reduces the sum of squares, and the residuals are within {ExactDigits:G1} of the response (an exact fit to rounding: relative offset {offset:G2})", iterations, evaluations, offset) { ExactFit = true };
        return new LeastSquaresResult(x, f, g, a, false, outOfPasses
            ? PassesReason(evaluations)
            : $"no step reduces the sum of squares, but the relative offset is {offset:G2}: not a least-squares point", iterations, evaluations, offset);
    }

    // The iteration limit N allows 10 N passes, accepted steps and rejected ones together: say so, since the iterations
    // reported are the accepted steps (a trial's limit of 100 ended "(1000)" after 962 iterations).
    private static string PassesReason(int passes) =>
        $"maximum passes over the data reached ({passes}: Levenberg–Marquardt's limit is 10 passes, accepted and rejected steps together, per allowed iteration)";

    /// <summary>In place: the lower Cholesky factor L of the P×P matrix (upper triangle left as it was); false where a pivot is not positive. <paramref name="smallest"/>: the smallest pivot L_kk².</summary>
    private static bool Cholesky(double[] m, int p, out double smallest)
    {
        smallest = double.PositiveInfinity;
        for (int j = 0; j < p; j++)
        {
            double pivot = m[j * p + j];
            for (int k = 0; k < j; k++)
                pivot -= m[j * p + k] * m[j * p + k];
            if (!(pivot > 0) || !double.IsFinite(pivot))
                return false;
            smallest = Math.Min(smallest, pivot);
            double l = Math.Sqrt(pivot);
            m[j * p + j] = l;
            for (int i = j + 1; i < p; i++)
            {
                double v = m[i * p + j];
                for (int k = 0; k < j; k++)
                    v -= m[i * p + k] * m[j * p + k];
                m[i * p + j] = v / l;
            }
        }
        return true;
    }

    /// <summary>Solves L Lᵀ x = b with the factor <see cref="Cholesky"/> left in the lower triangle.</summary>
    private static void Solve(double[] l, int p, ReadOnlySpan<double> b, Span<double> x)
    {
        for (int i = 0; i < p; i++)
        {
            double v = b[i];
            for (int k = 0; k < i; k++)
                v -= l[i * p + k] * x[k];
            x[i] = v / l[i * p + i];
        }
        for (int i = p - 1; i >= 0; i--)
        {
            double v = x[i];
            for (int k = i + 1; k < p; k++)
                v -= l[k * p + i] * x[k];
            x[i] = v / l[i * p + i];
        }
    }

    private static bool Finite(double f, double[] g, double[] a) => double.IsFinite(f) && g.All(double.IsFinite) && a.All(double.IsFinite);
}
