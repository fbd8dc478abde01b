using GpuEstimation.Kernels;
using GpuEstimation.Optimization;

namespace GpuEstimation.Estimation;

/// <summary>
/// Maxima at the edge of a parameter's domain (p = 0, a rate of 0) and limits at infinity (ν, r → ∞): finding them after
/// a search, the value at the edge, and how a fit reports them.
/// </summary>
internal static class DomainEdges
{
    /// <summary>How far out on the log or logit scale a parameter counts as at the edge of its domain (e³⁰ ≈ 10¹³).</summary>
    public const double Distance = 30;

    /// <summary>
    /// How far out on the log or logit scale (e¹⁵ ≈ 3·10⁶) a parameter is tested for a maximum at the edge: nearer
    /// in, the likelihood's curvature is too small against its rounding for the test to mean anything.
    /// </summary>
    public const double TestDistance = 15;

    /// <summary>Relative rounding of the log-likelihood allowed when testing for a limit at infinity (see <see cref="Find"/>).</summary>
    private const double LimitRounding = 1e-6;

    /// <summary>How much further out on the log scale a limit at infinity is tested to be flat too (see <see cref="Find"/>).</summary>
    private const double LimitCheckDistance = 10;

    /// <summary>Relative rounding of the log-likelihood allowed when testing for an edge at 0 or 1 (see <see cref="Find"/>): a few of its ulps.</summary>
    private const double EdgeRounding = 1e-14;

    /// <summary>Where on the log scale a limit's profile is tested (e¹⁶ ≈ 9·10⁶) and where a settled limit is reported (e²⁴ ≈ 2.6·10¹⁰).</summary>
    private const double LimitNear = TestDistance + 1, LimitFar = TestDistance + 9;

    /// <summary>
    /// A search that stopped short of a maximum with a positive parameter far out (beyond e^<see cref="TestDistance"/>)
    /// that has a limit model (negative binomial r → ∞: the Poisson) may have been running along a ridge towards that
    /// limit: under-dispersed counts, where r → ∞ with p → 1 and the mean r(1 − p)/p fixed, until p rounds to 1. The
    /// limit is settled on the profile instead: the parameter held at e¹⁶ and at e²⁴ in turn (or, where the fit there
    /// fails to the doubles' rounding, e²¹ or e¹⁸), the others maximized from the data-driven start. Where both fits
    /// converge and the profile has not fallen between them (within the rounding of <see cref="LimitRounding"/>), the
    /// likelihood rises to the limit: the far fit stands for it (at e²⁴ its
    /// log-likelihood is within ~n·|v − m|/r ≈ 10⁻⁹ of the supremum for counts) and the parameter is returned as an
    /// edge. Otherwise the search is returned as it was. A search that converged is settled the same way only where
    /// it ended beyond e¹⁷ (its "stationary" point can be p = 1 to the last bit, where nothing is measured: constant
    /// counts "converged" at r = 1.3·10¹⁰ = e²³·³), and only if the settled fit is as high; nearer in, it is left to
    /// <see cref="Find"/>.
    /// </summary>
    public static (OptimizationResult Search, int[] Limits) Settle(Objective objective, OptimizationResult search, IReadOnlyList<double> dataStart,
        Func<string, string?> limitModel, OptimizerSettings settings)
    {
        var map = objective.Map;
        var restart = objective.StartingAt(dataStart);
        var startNatural = restart.Natural(restart.Start());
        // The passes over the data of profile fits that settled nothing, counted in the search's all the same.
        int wasted = 0;
        for (int i = 0; i < map.Free.Count; i++)
        {
            int k = map.Free[i];
            if (map.Parameters[k].Domain != ParameterDomain.Positive || search.Point[i] <= (search.Converged ? LimitNear : TestDistance)
                || limitModel(map.Parameters[k].Name) is null)
                continue;
            var nearObjective = restart.Holding(k, map.ToNatural(k, LimitNear), startNatural);
            var near = nearObjective.Maximize(nearObjective.Start(), nearObjective.Scales(), settings);
            if (!near.Converged)
            {
                wasted += near.Evaluations;
                continue;
            }
            // Far out the other parameters can be too fine for doubles: p = 1 − m/r with m = 0.02 at r = e²⁴ keeps 1 − p
            // to four digits, and the profile's rounding (10⁻⁴) passed for a fall (49 zeros and a 1: not converged at
            // r = 1.8·10¹⁴; 99 zeros and a 1 "converged" at r = 9.7·10⁷; a hunt). Nearer points are tried in turn.
            int spent = near.Evaluations, steps = near.Iterations;
            double rounding = LimitRounding * settings.Magnitude(near.Value);
            foreach (double farAt in (ReadOnlySpan<double>)[LimitFar, LimitNear + 5, LimitNear + 2])
            {
                var farObjective = restart.Holding(k, map.ToNatural(k, farAt), nearObjective.Natural(near.Point));
                var far = farObjective.Maximize(farObjective.Start(), farObjective.Scales(), settings);
                (spent, steps) = (spent + far.Evaluations, steps + far.Iterations);
                if (!far.Converged || far.Value < near.Value - rounding || (search.Converged && far.Value < search.Value - rounding))
                    continue;
                // Back to every free coordinate: the limit parameter's own preconditioner entry is one unit of its log scale.
                var point = map.ToCoordinates(farObjective.Natural(far.Point));
                var inner = Enumerable.Range(0, map.Free.Count).Where(j => j != i).ToArray();
                var transform = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseIdentity(map.Free.Count);
                for (int r = 0; r < inner.Length; r++)
                {
                    for (int c = 0; c < inner.Length; c++)
                        transform[inner[r], inner[c]] = far.Transform[r, c];
                }
                var settled = new OptimizationResult(point, far.Value, true,
                    $"{far.Reason}, with {map.Parameters[k].Name} held far out: the search ran towards {map.Parameters[k].Name} → ∞",
                    search.Iterations + steps, search.Evaluations + wasted + spent, far.GradientNorm, far.Edm, transform);
                // A bounded parameter carried out with the limit (p → 1 as r → ∞ at a fixed mean) is at its edge too.
                var nearPoint = map.ToCoordinates(nearObjective.Natural(near.Point));
                var carried = inner.Where(j => map.Parameters[map.Free[j]].Domain != ParameterDomain.Real
                    && Math.Abs(point[j]) > TestDistance && Math.Abs(point[j]) > Math.Abs(nearPoint[j]) + 1);
                return (settled, [k, .. carried.Select(j => map.Free[j])]);
            }
            wasted += spent;
        }
        return (wasted == 0 ? search : search with { Evaluations = search.Evaluations + wasted }, []);
    }

    /// <summary>
    /// Model indices of the free bounded parameters whose maximum is at the edge of the domain: far out on the log or
    /// logit scale (beyond ±<see cref="TestDistance"/>) with the objective still not falling one unit further out, so
    /// the likelihood rises all the way to the edge (p → 0 on all-zero data). A parameter merely small (a rate of
    /// 10⁻¹⁵ for data around 10¹⁵) falls steeply one unit out and is not an edge. <paramref name="settled"/>: limits
    /// already settled on the profile (<see cref="Settle"/>), edges without a further test; <paramref name="settings"/>: the objective's <see cref="OptimizerSettings.Unit"/>.
    /// </summary>
    public static int[] Find(Objective objective, OptimizationResult search, IReadOnlyList<int> settled, OptimizerSettings settings)
    {
        var map = objective.Map;
        if (!search.Converged)
            return [];
        var edges = settled.ToList();
        var u = search.Point.ToArray();
        var gradient = new double[u.Length];
        for (int i = 0; i < map.Free.Count; i++)
        {
            int k = map.Free[i];
            if (!FarOut(map, k, u[i]) || edges.Contains(k))
                continue;
            double beyond = Moved(objective, u, i, search.Point[i] + Math.Sign(search.Point[i]), gradient);
            // Toward a limit at infinity (nu → ∞) the likelihood changes by ~1/nu, below the rounding of log-gamma
            // differences of 10⁸ there, so a fall within a millionth of log L still counts as flat: past e¹⁵ the
            // model is its limit for any data a statistician has.
            // Toward an edge the likelihood is flat to its rounding: an NB2 fit's alpha at 5e-17 on Poisson counts gave the
            // same log-likelihood one unit out, but the search's own value, from another pass's sums, was an ulp above it,
            // and the edge was missed (no standard errors at all; a trial).
            bool limit = map.Parameters[k].Domain == ParameterDomain.Positive && search.Point[i] > 0;
            double rounding = (limit ? LimitRounding : EdgeRounding) * settings.Magnitude(search.Value);
            // A limit is flat all the way out; an interior maximum of small curvature (a Weibull of shape 0.006 over data
            // spanning 10³⁰⁰, its scale 2·10⁴⁷: 8e-4 lower one unit out, 0.4 lower ten units out) only near it (a scipy
            // trial: called scale → ∞, its standard error withheld). Ten units out is tested too.
            if (beyond >= search.Value - rounding
                && (!limit || Moved(objective, u, i, search.Point[i] + LimitCheckDistance, gradient) >= search.Value - rounding))
                edges.Add(k);
        }
        return [.. edges];
    }

    /// <summary>
    /// Where a converged <paramref name="search"/> ended with a bounded parameter far out toward 0 or 1 (beyond
    /// ±<see cref="TestDistance"/> on its log or logit scale) while the log-likelihood is higher back at ±TestDistance,
    /// the others held (by more than its rounding): why that is no maximum, for the search's reason; null where there
    /// is none. On the log or logit scale the gradient vanishes toward the edge whatever the natural slope (dθ/du → 0),
    /// so the stopping rule is met there: a zero-inflated Poisson started at p0 = 0.99 and lam = 25 "converged" at
    /// p0 = 0, 477 nats below the maximum at 0.29, with ∂ log L/∂p0 = +2999 (a trial). A maximum that is merely small (a
    /// rate of 10⁻¹² for data in units of 10¹²) falls steeply that far in, and an edge maximum falls too.
    /// </summary>
    public static string? RisingInto(Objective objective, OptimizationResult search, OptimizerSettings settings)
    {
        var map = objective.Map;
        if (!search.Converged)
            return null;
        var u = search.Point.ToArray();
        var gradient = new double[u.Length];
        for (int i = 0; i < map.Free.Count; i++)
        {
            int k = map.Free[i];
            if (!FarOut(map, k, u[i]) || (map.Parameters[k].Domain == ParameterDomain.Positive && u[i] > 0))
                continue;
            double inside = Moved(objective, u, i, Math.Sign(search.Point[i]) * TestDistance, gradient);
            if (inside > search.Value + RisingRounding * settings.Magnitude(search.Value))
            {
                string name = map.Parameters[k].Name;
                return $"the search stalled with {name} → {(search.Point[i] < 0 ? 0 : 1)} (the edge of its domain), where the log-likelihood still rises into the domain " +
                    $"({inside - search.Value:G3} higher at {name} = {map.ToNatural(k, Math.Sign(search.Point[i]) * TestDistance):G3}): no maximum there; start nearer the maximum";
            }
        }
        return null;
    }

    /// <summary>Relative rounding of the log-likelihood below which a rise into the domain is not counted (see <see cref="RisingInto"/>).</summary>
    private const double RisingRounding = 1e-12;

    /// <summary>Whether free parameter <paramref name="k"/> is bounded and its coordinate <paramref name="u"/> beyond ±<see cref="TestDistance"/>: toward an edge or a limit.</summary>
    public static bool FarOut(ParameterMap map, int k, double u) => map.Parameters[k].Domain != ParameterDomain.Real && Math.Abs(u) > TestDistance;

    // The objective with coordinate i of u moved to value, u left as it was.
    private static double Moved(Objective objective, double[] u, int i, double value, double[] gradient)
    {
        double was = u[i];
        u[i] = value;
        double moved = objective.Evaluate(u, gradient);
        u[i] = was;
        return moved;
    }

    /// <summary>The natural value at the edge the coordinate u heads to: 0 or 1; null for a positive parameter going to ∞ (a limit, not a value).</summary>
    public static double? Value(ParameterMap map, int k, double u) =>
        map.Parameters[k].Domain == ParameterDomain.Positive && u > 0 ? null : map.ToNatural(k, u > 0 ? double.PositiveInfinity : double.NegativeInfinity);

    /// <summary>
    /// Names of the parameters at the edge of their domain: those whose maximum is there, and, where the search did not
    /// converge (so <see cref="Find"/> tested nothing), any bounded parameter beyond ±30 on the log or logit scale
    /// (where the optimizer's scale puts the edge, at infinity). After a converged search <see cref="Find"/> has tested
    /// every parameter that far out: one it did not find at an edge is an interior maximum that is merely large or
    /// small (a rate of 10¹⁵ for data around 10⁻¹⁵), not an edge.
    /// </summary>
    public static string[] AtBound(ParameterMap map, double[] natural, IReadOnlyList<int> edges, bool converged) =>
        map.Free
            .Where(k => edges.Contains(k) || (!converged && map.Parameters[k].Domain != ParameterDomain.Real && Math.Abs(map.ToOptimizer(k, natural[k])) > Distance))
            .Select(k => map.Parameters[k].Name)
            .ToArray();

    /// <summary>What the user should know of parameters at the edge: where the maximum is, and that it has no Wald interval.</summary>
    public static string Note(ParameterMap map, double[] natural, IReadOnlyList<int> edges, string[] atBound, Func<string, string?> limit, Func<string, string?> atEdge)
    {
        string Said(int k)
        {
            string name = map.Parameters[k].Name;
            double? edge = Value(map, k, map.ToOptimizer(k, natural[k]));
            if (edge is null)
                return $"{name} → ∞ ({limit(name) ?? "the limit model"} fits at least as well)";
            if (natural[k] == edge)
                return $"{name} = {natural[k]}{(atEdge(name) is { } model ? $" ({model})" : "")}";
            // Carried towards its edge by a limit (p → 1 as r → ∞), where the density itself is not defined.
            return $"{name} → {edge} (reported at {natural[k]:R}, beside the limit: the density is not defined at {edge})";
        }
        var said = edges.Select(Said);
        return edges.Count > 0
            ? $"at the edge of the domain, where the likelihood is largest: {string.Join(", ", said)}; no standard error or Wald interval there, and a profile interval is one-sided"
            : $"far out on the log or logit scale (beyond ±{Distance}): {string.Join(", ", atBound.Select(name => $"{name} = {natural[map.Find(name)]:G4}"))}; " +
                "the edge of the domain, or data in units far from 1 (rescale the data towards 1)";
    }
}
