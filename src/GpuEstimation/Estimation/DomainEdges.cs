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

    /// <summary>
    /// Model indices of the free bounded parameters whose maximum is at the edge of the domain: far out on the log or
    /// logit scale (beyond ±<see cref="TestDistance"/>) with the objective still not falling one unit further out, so
    /// the likelihood rises all the way to the edge (p → 0 on all-zero data). A parameter merely small (a rate of
    /// 10⁻¹⁵ for data around 10¹⁵) falls steeply one unit out and is not an edge.
    /// </summary>
    public static int[] Find(Objective objective, OptimizationResult search)
    {
        var map = objective.Map;
        if (!search.Converged)
            return [];
        var edges = new List<int>();
        var u = search.Point.ToArray();
        var gradient = new double[u.Length];
        for (int i = 0; i < map.Free.Count; i++)
        {
            int k = map.Free[i];
            if (map.Parameters[k].Domain == ParameterDomain.Real || Math.Abs(u[i]) <= TestDistance)
                continue;
            u[i] = search.Point[i] + Math.Sign(search.Point[i]);
            double beyond = objective.Evaluate(u, gradient);
            u[i] = search.Point[i];
            // Toward a limit at infinity (nu → ∞) the likelihood changes by ~1/nu, below the rounding of log-gamma
            // differences of 10⁸ there, so a fall within a millionth of log L still counts as flat: past e¹⁵ the
            // model is its limit for any data a statistician has.
            bool limit = map.Parameters[k].Domain == ParameterDomain.Positive && search.Point[i] > 0;
            double rounding = limit ? LimitRounding * Math.Max(1, Math.Abs(search.Value)) : 0;
            if (beyond >= search.Value - rounding)
                edges.Add(k);
        }
        return [.. edges];
    }

    /// <summary>The natural value at the edge the coordinate u heads to: 0 or 1; null for a positive parameter going to ∞ (a limit, not a value).</summary>
    public static double? Value(ParameterMap map, int k, double u) =>
        map.Parameters[k].Domain == ParameterDomain.Positive && u > 0 ? null : map.ToNatural(k, u > 0 ? double.PositiveInfinity : double.NegativeInfinity);

    /// <summary>
    /// Names of the parameters at the edge of their domain: those whose maximum is there, and any bounded parameter
    /// beyond ±30 on the log or logit scale (where the optimizer's scale puts the edge, at infinity).
    /// </summary>
    public static string[] AtBound(ParameterMap map, double[] natural, IReadOnlyList<int> edges) =>
        map.Free
            .Where(k => edges.Contains(k) || (map.Parameters[k].Domain != ParameterDomain.Real && Math.Abs(map.ToOptimizer(k, natural[k])) > Distance))
            .Select(k => map.Parameters[k].Name)
            .ToArray();

    /// <summary>What the user should know of parameters at the edge: where the maximum is, and that it has no Wald interval.</summary>
    public static string Note(ParameterMap map, double[] natural, IReadOnlyList<int> edges, string[] atBound, Func<string, string?> limit)
    {
        var said = edges.Select(k => natural[k] is 0 or 1
            ? $"{map.Parameters[k].Name} = {natural[k]}"
            : $"{map.Parameters[k].Name} → ∞ ({limit(map.Parameters[k].Name) ?? "the limit model"} fits at least as well)");
        return edges.Count > 0
            ? $"at the edge of the domain, where the likelihood is largest: {string.Join(", ", said)}; no standard error or Wald interval there, and a profile interval is one-sided"
            : $"at the edge of the domain (beyond ±{Distance} on the log or logit scale): {string.Join(", ", atBound)}";
    }
}
