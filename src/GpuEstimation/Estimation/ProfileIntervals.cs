using GpuEstimation.Inference;
using GpuEstimation.Optimization;

namespace GpuEstimation.Estimation;

/// <summary>
/// Stage 4 of a fit: profile-likelihood intervals (as MINOS finds them) for the parameters asked for, by parameter
/// index, with the evaluations they cost and what went wrong where an end was not found.
/// </summary>
internal sealed record ProfileIntervals(IReadOnlyDictionary<int, Interval> Intervals, int Evaluations, IReadOnlyList<string> Notes)
{
    /// <summary>The intervals that <paramref name="options"/> asks for, around a search's optimum.</summary>
    public static ProfileIntervals Find(Objective objective, OptimizationResult search, Information information, FitOptions options, bool converged,
        IReadOnlyList<int> edges)
    {
        var intervals = new Dictionary<int, Interval>();
        var notes = new List<string>();
        int evaluations = 0;
        double z = MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 0.5 + options.Level / 2);
        var map = objective.Map;
        foreach (var name in options.Profile.Distinct())
        {
            int k = map.IndexOf(name, "profile interval");
            if (map.IsHeld(k))
                throw new InputException($"profile interval for {name}: {name} is fixed, so it has no interval", name);
            if (!converged)
            {
                notes.Add($"no profile interval for {name}: the fit did not converge");
                continue;
            }
            int i = map.FreeIndex(k);
            // At a prior's kink there is no standard error (a NaN row): the scale steps instead.
            double seU = information.Covariance is { } c && c[i, i] > 0 ? Math.Sqrt(c[i, i]) : Math.Max(objective.Scales()[i], 1e-8);
            // The first step is the Wald half-width on the optimizer's scale, but at most one unit of a log or logit
            // scale (a factor e): where the likelihood is far from quadratic (r with a standard error of 10¹¹) the
            // half-width would step into a range where the profile fits mean nothing; the steps double from there.
            // At an edge there is no standard error: step one unit, away from the edge only.
            double step = map.Parameters[k].Domain == Kernels.ParameterDomain.Real ? z * seU : Math.Min(z * seU, 1);
            var (interval, used, problems) = edges.Contains(k)
                ? OneSided(objective, k, search, options)
                : Both(objective, k, search, step, options);
            evaluations += used;
            intervals[k] = interval;
            notes.AddRange(problems.Select(problem => $"profile interval for {name}: {problem}"));
        }
        return new ProfileIntervals(intervals, evaluations, notes);
    }

    /// <summary>
    /// The profile interval of a parameter whose maximum is at an edge of its domain: the edge is one end (0 or 1; open
    /// where the edge is a limit at infinity), the other is found by stepping away from it in the optimizer's scale.
    /// </summary>
    private static (Interval Interval, int Evaluations, List<string> Problems) OneSided(Objective objective, int k, OptimizationResult search, FitOptions options)
    {
        double u = search.Point[objective.Map.FreeIndex(k)];
        int outward = Math.Sign(u);
        var (found, evaluations, problems) = Both(objective, k, search, 1, options, -outward);
        double? edge = objective.Map.Parameters[k].Domain == Kernels.ParameterDomain.Positive && outward > 0
            ? null
            : objective.Map.ToNatural(k, outward * double.PositiveInfinity);
        return (outward < 0 ? found with { Lower = edge } : found with { Upper = edge }, evaluations, problems);
    }

    /// <summary>Both ends of parameter k's profile interval (or the one on side <paramref name="only"/>), each profile fit warm-started from the last.</summary>
    private static (Interval Interval, int Evaluations, List<string> Problems) Both(
        Objective objective, int k, OptimizationResult search, double step, FitOptions options, int only = 0)
    {
        double drop = 0.5 * MathNet.Numerics.Distributions.ChiSquared.InvCDF(1, options.Level);
        double optimumU = search.Point[objective.Map.FreeIndex(k)];
        int evaluations = 0;
        var problems = new List<string>();
        var ends = new double?[2];
        for (int side = 0; side < 2; side++)
        {
            if (only != 0 && (side == 0 ? -1 : 1) != only)
                continue;
            var warm = objective.Natural(search.Point);
            (double, bool) Profile(double u)
            {
                var profiled = objective.Holding(k, objective.Map.ToNatural(k, u), warm);
                var result = Maximize(profiled, options.Optimizer);
                evaluations += result.Evaluations;
                // Only a fit inside the interval warm-starts the next: the bracketing steps land far outside (r = 10⁻⁴
                // under-dispersed counts, p ≈ 10⁻⁴ there), from where the search back inside can crawl to its limit.
                if (result.Converged && search.Value - result.Value < drop)
                    Array.Copy(profiled.Natural(result.Point), warm, warm.Length);
                return (result.Value, result.Converged);
            }
            var bound = ProfileLikelihood.FindEnd(Profile, optimumU, search.Value, drop, step, side == 0 ? -1 : 1);
            if (bound.Problem is not null)
                problems.Add($"{(side == 0 ? "lower" : "upper")} end: {bound.Problem}");
            ends[side] = bound.Value is { } u ? objective.Map.ToNatural(k, u) : null;
        }
        return (new Interval(ends[0], ends[1]), evaluations, problems);
    }

    /// <summary>
    /// One profile fit: Newton's search with the exact Hessian where it serves (a GLM's, from the last fit's point: a
    /// few passes where L-BFGS took some 20 evaluations), the generic search where it does not or Newton's stops short.
    /// </summary>
    private static OptimizationResult Maximize(Objective profiled, OptimizerSettings settings)
    {
        if (!NewtonSearch.Serves(profiled, settings))
            return profiled.Maximize(profiled.Start(), profiled.Scales(), settings);
        var newton = NewtonMaximizer.Maximize(profiled.EvaluateHessian, profiled.Evaluate, profiled.Start(), settings);
        if (newton.Converged)
            return newton;
        var search = profiled.Maximize(profiled.Start(), profiled.Scales(), settings);
        return search with { Evaluations = search.Evaluations + newton.Evaluations };
    }
}
