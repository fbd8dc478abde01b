using MathNet.Numerics.LinearAlgebra;

namespace GpuEstimation.Optimization;

/// <summary>The host-side search method.</summary>
public enum OptimizerKind
{
    /// <summary>Limited-memory BFGS with a backtracking line search (the default).</summary>
    Lbfgs,
    /// <summary>Steepest ascent with a backtracking (Armijo) line search.</summary>
    GradientAscent,
}

/// <summary>An objective's value at a point, with its gradient written to the second argument.</summary>
public delegate double ValueAndGradient(ReadOnlySpan<double> point, Span<double> gradient);

/// <summary>Stopping rules and method for <see cref="Maximizer"/>.</summary>
public sealed record OptimizerSettings
{
    public OptimizerKind Kind { get; init; } = OptimizerKind.Lbfgs;

    /// <summary>Iterations before giving up (reported as not converged).</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>
    /// Converged when every component of the preconditioned gradient is at most this: roughly, the optimum is this many
    /// standard errors away.
    /// </summary>
    public double GradientTolerance { get; init; } = 1e-8;

    /// <summary>Converged when one step moves every preconditioned coordinate by at most this and the value by at most <see cref="RelativeTolerance"/>.</summary>
    public double StepTolerance { get; init; } = 1e-10;

    /// <summary>Relative change of the objective that counts as none (with <see cref="StepTolerance"/>).</summary>
    public double RelativeTolerance { get; init; } = 1e-15;

    /// <summary>Correction pairs kept by L-BFGS.</summary>
    public int Memory { get; init; } = 20;
}

/// <summary>Where a maximization ended and why.</summary>
public sealed record OptimizationResult(
    double[] Point, double Value, bool Converged, string Reason, int Iterations, int Evaluations, double GradientNorm, double Edm);

/// <summary>
/// Maximizes a smooth objective given its value and gradient. The search runs in preconditioned coordinates
/// w, with x = x₀ + T w and Tᵀ(−∇²f(x₀))T ≈ I from a finite-difference Hessian of the analytic gradient at the start.
/// One unit of w is then about one standard error, which makes the stopping rules scale-free and lets badly scaled
/// problems (a coefficient of x² with x ~ 10⁶) converge as fast as well-scaled ones.
/// </summary>
public static class Maximizer
{
    private const double ArmijoC1 = 1e-4;
    private const double RoundingLevel = 1e-13;

    public static OptimizationResult Maximize(ValueAndGradient objective, IReadOnlyList<double> start, IReadOnlyList<double> scales, OptimizerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(settings);
        int n = start.Count;
        if (scales.Count != n)
            throw new ArgumentException("one scale per coordinate is needed", nameof(scales));

        int evaluations = 0;
        var x0 = start.ToArray();
        var g0 = new double[n];
        double f0 = Count(objective, x0, g0, ref evaluations);
        if (!IsFinite(f0, g0))
            return new OptimizationResult(x0, f0, false, "the objective is not finite at the starting values", 0, evaluations, double.NaN, double.NaN);
        if (n == 0)
            return new OptimizationResult(x0, f0, true, "no free parameters", 0, evaluations, 0, 0);

        var transform = Preconditioner(objective, x0, g0, scales, ref evaluations);

        // Minimize h(w) = −f(x₀ + T w); G = ∇h = −Tᵀ ∇f.
        var x = new double[n];
        var gx = new double[n];
        double Evaluate(double[] w, double[] gradient, ref int count)
        {
            for (int i = 0; i < n; i++)
            {
                double v = x0[i];
                for (int j = 0; j < n; j++)
                    v += transform[i, j] * w[j];
                x[i] = v;
            }
            double value = -Count(objective, x, gx, ref count);
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int i = 0; i < n; i++)
                    s += transform[i, j] * gx[i];
                gradient[j] = -s;
            }
            return value;
        }

        var w = new double[n];
        var g = new double[n];
        double h = Evaluate(w, g, ref evaluations);
        var memory = new LinkedList<(double[] S, double[] Y, double Rho)>();
        var direction = new double[n];
        var wNew = new double[n];
        var gNew = new double[n];
        int iteration = 0;
        string reason = "maximum iterations reached";
        bool converged = false;

        while (iteration < settings.MaxIterations)
        {
            if (MaxAbs(g) <= settings.GradientTolerance)
            {
                converged = true;
                reason = "gradient below tolerance";
                break;
            }
            iteration++;

            if (settings.Kind == OptimizerKind.Lbfgs)
                TwoLoop(memory, g, direction);
            else
                Negate(g, direction);
            double slope = Dot(g, direction);
            if (!(slope < 0))
            {
                memory.Clear();
                Negate(g, direction);
                slope = Dot(g, direction);
            }

            double noise = RoundingLevel * Math.Max(1, Math.Abs(h));
            double t = 1;
            bool accepted = false;
            double hNew = double.NaN;
            for (int attempt = 0; attempt < 80 && !accepted; attempt++)
            {
                for (int i = 0; i < n; i++)
                    wNew[i] = w[i] + t * direction[i];
                hNew = Evaluate(wNew, gNew, ref evaluations);
                if (IsFinite(hNew, gNew))
                {
                    bool sufficient = hNew <= h + ArmijoC1 * t * slope;
                    // Below the objective's rounding level its differences are noise; the gradient is still accurate.
                    bool belowNoise = -t * slope <= noise && Norm(gNew) < Norm(g);
                    accepted = sufficient || belowNoise;
                }
                if (!accepted)
                    t *= 0.5;
            }

            if (!accepted)
            {
                double decrement = -0.5 * slope;
                converged = decrement <= noise;
                reason = converged
                    ? "no further improvement possible at rounding level"
                    : "line search failed to improve the objective";
                break;
            }

            var s = new double[n];
            var y = new double[n];
            for (int i = 0; i < n; i++)
            {
                s[i] = wNew[i] - w[i];
                y[i] = gNew[i] - g[i];
            }
            double sy = Dot(s, y);
            if (sy > 1e-300)
            {
                memory.AddLast((s, y, 1 / sy));
                if (memory.Count > settings.Memory)
                    memory.RemoveFirst();
            }

            bool smallStep = MaxAbs(s) <= settings.StepTolerance && Math.Abs(hNew - h) <= settings.RelativeTolerance * Math.Max(1, Math.Abs(h));
            Array.Copy(wNew, w, n);
            Array.Copy(gNew, g, n);
            h = hNew;
            if (smallStep)
            {
                converged = true;
                reason = "relative change below tolerance";
                break;
            }
        }

        // The reported point is the last accepted one: x₀ + T w.
        var point = new double[n];
        for (int i = 0; i < n; i++)
        {
            point[i] = x0[i];
            for (int j = 0; j < n; j++)
                point[i] += transform[i, j] * w[j];
        }
        TwoLoop(memory, g, direction);
        double edm = Math.Abs(0.5 * Dot(g, direction));
        return new OptimizationResult(point, -h, converged, reason, iteration, evaluations, MaxAbs(g), edm);
    }

    /// <summary>
    /// T with Tᵀ A T = I for A = −(symmetrized finite-difference Hessian) at x₀ (A = L Lᵀ, T = L⁻ᵀ); where A is not
    /// positive definite, the diagonal of A where positive and the given scales elsewhere.
    /// </summary>
    private static Matrix<double> Preconditioner(ValueAndGradient objective, double[] x0, double[] g0, IReadOnlyList<double> scales, ref int evaluations)
    {
        int n = x0.Length;
        var a = Matrix<double>.Build.Dense(n, n);
        var xk = new double[n];
        var gk = new double[n];
        var steps = new double[n];
        for (int k = 0; k < n; k++)
        {
            Array.Copy(x0, xk, n);
            steps[k] = 1e-4 * scales[k];
            xk[k] += steps[k];
            double f = Count(objective, xk, gk, ref evaluations);
            for (int i = 0; i < n; i++)
                a[i, k] = double.IsFinite(f) ? -(gk[i] - g0[i]) / steps[k] : double.NaN;
        }
        a = 0.5 * (a + a.Transpose());

        if (a.Enumerate().All(double.IsFinite))
        {
            try
            {
                var lower = a.Cholesky().Factor;
                var transform = lower.Transpose().Inverse();
                if (transform.Enumerate().All(double.IsFinite))
                    return transform;
            }
            catch (ArgumentException)
            {
                // Not positive definite at the start: fall through to the diagonal.
            }
        }

        var diagonal = Matrix<double>.Build.Dense(n, n);
        for (int k = 0; k < n; k++)
            diagonal[k, k] = a[k, k] > 0 && double.IsFinite(a[k, k]) ? 1 / Math.Sqrt(a[k, k]) : scales[k];
        return diagonal;
    }

    private static void TwoLoop(LinkedList<(double[] S, double[] Y, double Rho)> memory, double[] g, double[] direction)
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

    private static double Count(ValueAndGradient objective, double[] x, double[] gradient, ref int evaluations)
    {
        evaluations++;
        return objective(x, gradient);
    }

    private static bool IsFinite(double value, double[] gradient) => double.IsFinite(value) && gradient.All(double.IsFinite);

    private static void Negate(double[] source, double[] target)
    {
        for (int i = 0; i < source.Length; i++)
            target[i] = -source[i];
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
            s += a[i] * b[i];
        return s;
    }

    private static double Norm(double[] a) => Math.Sqrt(Dot(a, a));

    private static double MaxAbs(double[] a) => a.Length == 0 ? 0 : a.Max(Math.Abs);
}
