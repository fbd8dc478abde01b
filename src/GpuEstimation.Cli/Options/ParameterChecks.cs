using GpuEstimation.Cli.Output;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels;
using GpuEstimation.Models;
using GpuEstimation.Optimization;
using GpuEstimation.Surfaces;

namespace GpuEstimation.Cli.Options;

/// <summary>
/// Checks of the parameter options against the model, made once the model is known and before any device work, so
/// that each error names the option that caused it (the library's own checks do not know the options' names).
/// </summary>
internal static class ParameterChecks
{
    /// <summary>
    /// --fix, --start, --prior (with --map) and --profile; a name that is one of the data's <paramref name="columns"/>
    /// (those the model reads) is said to be a column, not a parameter.
    /// </summary>
    public static void Fit(IModelSpec model, FitOptions options, IReadOnlyCollection<string> columns)
    {
        Values(model, "--fix", options.Fixed, columns);
        Values(model, "--start", options.Start, columns);
        if (options.Start.Keys.FirstOrDefault(options.Fixed.ContainsKey) is { } both)
            throw new InputException($"--start {both}: {both} is fixed (--fix), so it has no starting value");
        if (options.CoefficientPrior is { } all)
        {
            var wildcard = $"--prior {EstimationOptions.EveryCoefficient}={all}";
            if (!options.Map)
                throw new InputException($"{wildcard}: priors apply to MAP estimation; add --map");
            if (model.Coefficients.Count == 0)
                throw new InputException($"{wildcard}: model '{model.Name}' has no regression coefficients for '{EstimationOptions.EveryCoefficient}' to stand for (parameters: {string.Join(", ", model.Parameters.Select(p => p.Name))}); give priors by name");
            if (all.RequiresPositive)
                throw new InputException($"{wildcard}: {all} is defined only for positive values, but regression coefficients are real-valued");
        }
        Names(model, "--prior", options.Priors.Keys, columns);
        if (!options.Map && options.Priors.Count > 0)
            throw new InputException($"--prior {options.Priors.Keys.First()}: priors apply to MAP estimation; add --map");
        foreach (var (name, prior) in options.Priors)
        {
            if (options.Fixed.ContainsKey(name))
                throw new InputException($"--prior {name}: {name} is fixed (--fix), so a prior on it has no effect");
            var info = Info(model, "--prior", name);
            if (prior.RequiresPositive && info.Domain == ParameterDomain.Real)
                throw new InputException($"--prior {name}: {prior} is defined only for positive values, but {name} is real-valued");
            // An estimate at a kink is found for real-valued parameters only; outside the domain the prior is smooth there.
            if (info.Domain != ParameterDomain.Real && prior.Kink is { } kink && ParameterMap.Contains(info.Domain, kink.Location))
                throw new InputException($"--prior {name}: {prior} has its kink at {Numbers.Full(kink.Location)} inside the domain of {name} (which must {ParameterMap.Describe(info.Domain)}); an estimate at a kink is found only for real-valued parameters: use gamma or halfnormal, or a location outside the domain");
        }
        Names(model, "--profile", options.Profile, columns);
        if (options.Profile.FirstOrDefault(options.Fixed.ContainsKey) is { } fixedName)
            throw new InputException($"--profile {fixedName}: {fixedName} is fixed (--fix), so it has no interval");
    }

    /// <summary>
    /// Before any data are read: --optimizer newton for a catalogue model that has no exact Hessian (a big file was read
    /// in full before the refusal); a model of one's own (--logpdf) is checked by the library once built.
    /// </summary>
    public static void Optimizer(string? model, OptimizerKind kind)
    {
        if (kind != OptimizerKind.Newton || model is null || !(ModelCatalog.Names.Contains(model) || model == NonlinearRegression.Name) || ModelCatalog.HasExactHessian(model))
            return;
        throw new InputException($"--optimizer newton: {ModelCatalog.NoExactHessian(model, leastSquares: model == NonlinearRegression.Name)}");
    }

    /// <summary>The fit options, then --grid and --at: known names, one axis each, off --at and --fix, inside the domain.</summary>
    public static void Sweep(IModelSpec model, SweepOptions options, IReadOnlyCollection<string> columns)
    {
        Fit(model, options.Fit, columns);
        Values(model, "--at", options.At, columns);
        if (options.Profile && options.At.Count > 0)
            throw new InputException($"--at {options.At.Keys.First()}: with --profile the off-grid parameters are re-optimized at every point; give a starting value with --start instead");
        // A parameter held by both would take --at's value and drop --fix's without a word.
        if (options.At.Keys.FirstOrDefault(options.Fit.Fixed.ContainsKey) is { } both)
            throw new InputException($"--at {both} and --fix {both}: give the off-grid value once (--at holds it for the sweep)");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var axis in options.Axes)
        {
            var info = Info(model, "--grid", axis.Name, columns);
            if (!seen.Add(axis.Name))
                throw new InputException($"--grid {axis.Name}: given twice; each parameter may have one axis");
            if (options.At.ContainsKey(axis.Name) || options.Fit.Fixed.ContainsKey(axis.Name))
                throw new InputException($"--grid {axis.Name}: {axis.Name} is on the grid, so it cannot also be given with --at or --fix");
            if (DomainError(info, axis.Low) is not null || DomainError(info, axis.High) is not null)
                throw new InputException($"--grid {axis.Name}: the range {Numbers.Full(axis.Low)}..{Numbers.Full(axis.High)} leaves the domain of {axis.Name} (must {ParameterMap.Describe(info.Domain)})");
        }
        // A profile with every parameter on the grid (or held) has nothing to re-optimize: it is the plain sweep, which a
        // trial's run said was "re-optimized at every point".
        if (options.Profile && model.Parameters.All(p => seen.Contains(p.Name) || options.Fit.Fixed.ContainsKey(p.Name)))
            throw new InputException($"--profile: every parameter is on the grid{(options.Fit.Fixed.Count > 0 ? " or fixed" : "")}, so nothing is left to re-optimize at its points; drop --profile for the same sweep");
    }

    /// <summary>
    /// --at for an evaluation: every parameter, each inside its domain or at its closed edge (p = 1, a rate of 0: where a
    /// fit reports a maximum at the edge, eval takes the fit's values back); the values in the model's order.
    /// </summary>
    public static double[] Point(IModelSpec model, IReadOnlyDictionary<string, double> at, IReadOnlyCollection<string> columns)
    {
        Values(model, "--at", at.Where(kv => !ParameterMap.IsClosedEdge(Info(model, "--at", kv.Key, columns).Domain, kv.Value) || model.EdgeHint(kv.Key, kv.Value) is not null).ToDictionary(), columns);
        var missing = model.Parameters.Where(p => !at.ContainsKey(p.Name)).Select(p => p.Name).ToList();
        if (missing.Count > 0)
            throw new InputException($"--at: missing value for {string.Join(", ", missing)}");
        return model.Parameters.Select(p => at[p.Name]).ToArray();
    }

    private static void Values(IModelSpec model, string option, IReadOnlyDictionary<string, double> values, IReadOnlyCollection<string>? columns = null)
    {
        foreach (var (name, value) in values)
        {
            if (DomainError(Info(model, option, name, columns), value) is { } error)
                throw new InputException($"{option} {name}={Numbers.Full(value)}: {name} {error}{(model.EdgeHint(name, value) is { } hint ? $"; {hint}" : "")}");
        }
    }

    private static void Names(IModelSpec model, string option, IEnumerable<string> names, IReadOnlyCollection<string> columns)
    {
        foreach (var name in names)
            Info(model, option, name, columns);
    }

    private static ParameterInfo Info(IModelSpec model, string option, string name, IReadOnlyCollection<string>? columns = null) =>
        model.Parameters.FirstOrDefault(p => p.Name == name)
        ?? throw new InputException($"{option} {name}: model '{model.Name}' has no parameter '{name}'" +
            (columns?.Contains(name) == true ? $": '{name}' is a data column, which the model reads" : "") +
            $" (parameters: {string.Join(", ", model.Parameters.Select(p => p.Name))})");

    // What the domain requires, where value is outside it (the library's one domain test; NaN is outside every one).
    private static string? DomainError(ParameterInfo info, double value) =>
        ParameterMap.Contains(info.Domain, value) ? null : $"must {ParameterMap.Describe(info.Domain)}";
}
