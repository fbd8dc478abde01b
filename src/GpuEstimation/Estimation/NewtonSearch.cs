using GpuEstimation.Models;
using GpuEstimation.Optimization;

namespace GpuEstimation.Estimation;

/// <summary>
/// Stage 2 for a model whose engine sums an exact Hessian (a GLM): Newton's method from the starting values, one pass
/// over the data per iteration, the covariance later from the same exact information. Where it finds the
/// log-likelihood rising along a ray (separation) the fit ends there, not converged, with the model's words for it
/// and the parameters that run off named. Where it fails otherwise, the generic search takes over.
/// </summary>
internal static class NewtonSearch
{
    /// <summary>
    /// Whether Newton's method serves <paramref name="objective"/> under <paramref name="settings"/>: the default or
    /// Newton asked for, and an engine that sums the exact Hessian. Newton asked for a model without one is refused.
    /// </summary>
    public static bool Applies(Objective objective, IModelSpec model, OptimizerSettings settings)
    {
        if (settings.Kind == OptimizerKind.Newton && !objective.HasSmoothHessian)
        {
            var others = objective.LeastSquares is null ? "lbfgs or gradient" : "lm (its default), lbfgs or gradient";
            var kinked = objective.Kinks.Select(k => objective.Map.Parameters[objective.Map.Free[k.Coordinate]].Name).ToList();
            throw new InputException(objective.EngineHasExactHessian && kinked.Count > 0
                ? $"optimizer newton: the Laplace priors on {string.Join(", ", kinked)} have a kink at their location, where the log-posterior has no Hessian (the default search of a lasso runs Newton's steps over the coefficients off their kinks); use auto, lbfgs or gradient"
                : $"optimizer newton: {ModelCatalog.NoExactHessian(model.Name, objective.LeastSquares is not null)}",
                nameof(settings));
        }
        return Serves(objective, settings);
    }

    /// <summary>Whether Newton's search serves <paramref name="objective"/> under <paramref name="settings"/> (as <see cref="Applies"/>, which also refuses Newton asked for where it cannot serve).</summary>
    public static bool Serves(Objective objective, OptimizerSettings settings) =>
        settings.Kind is OptimizerKind.Auto or OptimizerKind.Newton && objective.HasSmoothHessian && objective.Map.Free.Count > 0;

    /// <summary>
    /// The search's result, or null where the generic search should run instead; then <paramref name="failure"/> is why
    /// Newton's search stopped (for the fit's note that another method took over).
    /// </summary>
    public static OptimizationResult? Run(Objective objective, IModelSpec model, OptimizerSettings settings, out string? failure)
    {
        var search = NewtonMaximizer.Maximize(objective.EvaluateHessian, objective.Evaluate, objective.Start(), settings);
        var result = search.Converged ? search : Running(objective, model, search);
        failure = result is null ? search.Reason : null;
        return result;
    }

    /// <summary>
    /// A converged <paramref name="search"/> (Newton's, or L-BFGS's or gradient ascent's asked for) on a model whose
    /// engine sums the exact Hessian, checked for being only far out on a ray, where the gradient and the curvature
    /// vanish together and every stopping rule is met: then not converged, with the model's words for the coefficients
    /// that run off; else the same search, the passes of the check added to its evaluations. Another method's end is
    /// checked by Newton's own search from the same start, which sees the ray while it is steep (a factor level whose
    /// counts are all 0, quasi-complete separation: far out, where L-BFGS stops, the curvature of the rows that run off
    /// is below the Hessian pass's rounding); Newton's converged end by <see cref="NewtonMaximizer.RayBeyond"/> (a start
    /// already far out, such as an intercept of −45 on counts that are all 0), which costs no pass at a maximum.
    /// </summary>
    public static OptimizationResult CheckRay(Objective objective, IModelSpec model, OptimizerSettings settings, OptimizationResult search)
    {
        // A ray the search found itself (a lasso's Newton steps over the coefficients off their kinks), named.
        if (!search.Converged && search.Ray is not null)
            return Running(objective, model, search) ?? search;
        if (search.Converged && objective.EngineHasExactHessian && !objective.HasSmoothHessian && objective.Map.Free.Count > 0)
            return OpenRay(objective, model, settings, search);
        if (!search.Converged || !objective.HasSmoothHessian || objective.Map.Free.Count == 0 || search.Kinked.Length > 0)
            return search;
        // A coefficient under a proper prior cannot run off: where every one has one (a ridge fit), nothing is checked.
        var map = objective.Map;
        if (map.Free.All(k => map.Parameters[k].Domain != Kernels.ParameterDomain.Real || objective.HasProperPrior(k)))
            return search;
        int evaluations = search.Evaluations;
        var newton = search;
        // Not where Newton's search from the start already ran (the default, for the MLE) and failed, handing over.
        if (search.Method != NewtonMaximizer.Name && !Applies(objective, model, settings))
        {
            newton = NewtonMaximizer.Maximize(objective.EvaluateHessian, objective.Evaluate, objective.Start(), settings);
            evaluations += newton.Evaluations;
        }
        var real = map.Free.Select(k => map.Parameters[k].Domain == Kernels.ParameterDomain.Real).ToArray();
        var ray = newton.Converged ? NewtonMaximizer.RayBeyond(objective.EvaluateHessian, newton, objective.Scales(), real, ref evaluations)
            : newton.Ray is { } found && (RisesAbove(objective, newton.Point, found, real, search, settings, ref evaluations)
                || RisesAbove(objective, search.Point, found, real, search, settings, ref evaluations)) ? found : null;
        var checkedSearch = search with { Evaluations = evaluations };
        // Under MAP with proper priors on some coefficients, Newton over all of them from the start can stop short of
        // the ray the others run off on (a trial: a flat prior on a separating slope beside a ridge on the rest
        // "converged" at 4,938, exit 0): those without one are searched alone, as beside a lasso.
        if (ray is null)
            return map.Free.Any(objective.HasProperPrior) ? OpenRay(objective, model, settings, checkedSearch) : checkedSearch;
        return Running(objective, model, checkedSearch with { Converged = false, Ray = ray, Information = null, NewtonStep = null }) ?? checkedSearch;
    }

    /// <summary>
    /// A converged end under proper priors on some coefficients (a lasso's kinks, a ridge's), checked the same way over
    /// the real coordinates without a proper prior (an intercept, a coefficient under a flat prior), every other held
    /// where the search ended: Newton's search
    /// from the start sees a ray while it is steep, and along it the priors held do not change, so the posterior rises without
    /// bound (a hunt: a flat prior on a separating slope beside a lasso on the rest "converged" at 1080, z = 9.4; an
    /// intercept on counts all 0 at −32.6, both exit 0, where the ridge's fits said no maximum). Else the same search,
    /// the check's passes added.
    /// </summary>
    private static OptimizationResult OpenRay(Objective objective, IModelSpec model, OptimizerSettings settings, OptimizationResult search)
    {
        var map = objective.Map;
        var open = map.Free.Where(k => map.Parameters[k].Domain == Kernels.ParameterDomain.Real && !objective.HasProperPrior(k)).ToHashSet();
        if (open.Count == 0)
            return search;
        // From the start (far out on the ray, where the search ended, its curvature is below the rounding), the others
        // where the search ended.
        var natural = objective.Natural(search.Point);
        var from = objective.Natural(objective.Start());
        var held = map.Free.Where(k => !open.Contains(k)).ToArray();
        foreach (int k in held)
            from[k] = natural[k];
        var sub = objective;
        foreach (int k in held)
            sub = sub.Holding(k, natural[k], from);
        if (!sub.HasSmoothHessian)
            return search;
        int evaluations = search.Evaluations;
        var newton = NewtonMaximizer.Maximize(sub.EvaluateHessian, sub.Evaluate, sub.Start(), settings);
        evaluations += newton.Evaluations;
        var real = Enumerable.Repeat(true, sub.Map.Free.Count).ToArray();
        var ray = newton.Converged ? NewtonMaximizer.RayBeyond(sub.EvaluateHessian, newton, sub.Scales(), real, ref evaluations)
            : newton.Ray is { } found && RisesAbove(sub, newton.Point, found, real, search, settings, ref evaluations) ? found : null;
        var checkedSearch = search with { Evaluations = evaluations };
        if (ray is null)
            return checkedSearch;
        // Named over the sub-problem's coordinates; the ray itself is not carried on (the search's point has them all).
        return Running(sub, model, checkedSearch with { Converged = false, Ray = ray, Information = null, NewtonStep = null }) is { } running
            ? running with { Ray = null }
            : checkedSearch;
    }

    /// <summary>
    /// Whether the objective far along Newton's <paramref name="ray"/> from <paramref name="from"/> (Newton's end, or the
    /// other search's: a thousand times the point's size on, in the coordinates that may run off, <paramref name="real"/>;
    /// the others held) is at least <paramref name="search"/>'s value, within rounding: Newton's ray overrules another
    /// search's end only then (a non-concave objective could send Newton off along a ray while the other search found a
    /// higher finite maximum). From the other search's end too: there a bounded parameter sits where that search put it
    /// (an NB2 GLM's alpha at 0 under L-BFGS, higher there than at Newton's alpha, on the same ray of a level's
    /// coefficient). One evaluation, counted in <paramref name="evaluations"/>.
    /// </summary>
    private static bool RisesAbove(Objective objective, double[] from, double[] ray, bool[] real, OptimizationResult search, OptimizerSettings settings, ref int evaluations)
    {
        double distance = 1e3 * (1 + from.Max(Math.Abs));
        var far = from.Select((u, i) => real[i] ? u + distance * ray[i] : u).ToArray();
        evaluations++;
        double value = objective.Evaluate(far, new double[far.Length]);
        return value >= search.Value - 1e-9 * settings.Magnitude(search.Value);
    }

    /// <summary>A search that found a ray, with the model's words for the coefficients on it (not a bounded parameter alone); else null.</summary>
    private static OptimizationResult? Running(Objective objective, IModelSpec model, OptimizationResult search)
    {
        if (search.Ray is not { } ray)
            return null;
        double largest = ray.Max(Math.Abs);
        // The coefficients running off to ±∞, each named with the way it runs ("g[c] → −∞"): they have no finite maximum.
        // A bounded parameter on the ray alone (a GLM's alpha → 0 on under-dispersed counts, the Poisson limit) is an
        // edge or a limit, which the generic search reports as such; beside a coefficient that runs (alpha along with
        // an intercept → −∞ on counts that are all 0, where every alpha gives the same supremum) it is not named.
        var running = Enumerable.Range(0, ray.Length)
            .Where(i => Math.Abs(ray[i]) >= 0.1 * largest && objective.Map.Parameters[objective.Map.Free[i]].Domain == Kernels.ParameterDomain.Real)
            .Select(i => $"{objective.Map.Parameters[objective.Map.Free[i]].Name} → {(ray[i] > 0 ? "+∞" : "−∞")}")
            .ToArray();
        if (running.Length == 0)
            return null;
        // Under MAP (a free parameter with a prior) the priors given leave the posterior unbounded along it too.
        string unbounded = objective.Map.Free.Any(objective.HasPrior) ? "; the prior given does not bound the posterior either" : "";
        return search with { Reason = model.NoFiniteMaximum(running) + unbounded };
    }
}
