using System.Diagnostics;
using GpuEstimation.Backends;
using GpuEstimation.Engine;
using GpuEstimation.Inference;
using GpuEstimation.Kernels;
using GpuEstimation.Models;
using GpuEstimation.Optimization;
using GpuEstimation.Priors;

namespace GpuEstimation.Estimation;

/// <summary>A model's data on a device, ready for any number of fits and evaluations.</summary>
public interface IEstimationSession : IDisposable
{
    /// <summary>Finds the MLE or MAP estimate.</summary>
    FitResult Fit(FitOptions options);

    /// <summary>The log-likelihood and gradient at natural-scale <paramref name="parameters"/>, in model order.</summary>
    Evaluation Evaluate(IReadOnlyList<double> parameters);

    /// <summary>The median time of one evaluation over <paramref name="repeat"/> runs, in milliseconds (data already on the device).</summary>
    double TimeEvaluation(IReadOnlyList<double> parameters, int repeat);

    /// <summary>The log-density of each observation at natural-scale <paramref name="parameters"/>.</summary>
    double[] LogDensities(IReadOnlyList<double> parameters);

    /// <summary>The log-likelihood at each of <paramref name="points"/> (natural scale), in one sweep over the data.</summary>
    double[] LogLikelihoods(IReadOnlyList<double[]> points);

    /// <summary>What evaluates: backend and device name.</summary>
    string DeviceDescription { get; }
}

/// <summary>
/// Turns a model's likelihood engine into an objective over the free parameters on the optimizer's scale (log for
/// positive parameters, logit for probabilities), adds priors for MAP, runs the optimizer and reports on the natural
/// scale with standard errors and, where asked, profile intervals.
/// </summary>
public sealed class EstimationSession<TModel> : IEstimationSession where TModel : unmanaged, ILikelihoodModel<TModel>
{
    private readonly ModelSpec<TModel> _spec;
    private readonly LikelihoodEngine<TModel> _engine;

    public EstimationSession(ComputeDevice device, ModelSpec<TModel> spec)
    {
        _spec = spec;
        _engine = new LikelihoodEngine<TModel>(device, spec.Model, spec.Columns);
    }

    public FitResult Fit(FitOptions options)
    {
        var clock = Stopwatch.StartNew();
        var objective = CreateObjective(options);
        var parameters = _spec.Parameters;
        int evaluations = 0;

        var outcome = Maximizer.Maximize(objective.Evaluate, objective.StartPoint(), Scales(objective), options.Optimizer);
        evaluations += outcome.Evaluations;
        objective.SetPoint(outcome.Point);
        var natural = objective.Natural.ToArray();
        var gradient = new double[parameters.Count];
        double logLikelihood = _engine.Evaluate(natural, gradient);
        evaluations++;
        double? logPosterior = options.Map ? logLikelihood + objective.LogPrior() : null;
        bool converged = outcome.Converged && double.IsFinite(logLikelihood);

        var notes = new List<string>();
        var information = converged
            ? ObservedInformation.AtOptimum(objective.Evaluate, outcome.Point, outcome.Transform)
            : new Information(HessianStatus.Unavailable, null, double.NaN, 0);
        evaluations += information.Evaluations;
        objective.SetPoint(outcome.Point);
        if (!converged)
            notes.Add("no standard errors: the fit did not converge");
        else if (information.Status != HessianStatus.NegativeDefinite)
            notes.Add($"no standard errors: the Hessian at the optimum is {Describe(information.Status)}");
        if (options.Map)
            notes.Add("MAP: standard errors are posterior standard deviations from the Laplace approximation at the mode; priors are on each parameter's reported (natural) scale");

        // Covariance on the natural scale by the delta method: C = J C_u J, J = diag(dθ/du).
        var free = objective.Free;
        double[,]? covariance = null;
        if (information.Covariance is { } cu)
        {
            covariance = new double[parameters.Count, parameters.Count];
            for (int i = 0; i < free.Length; i++)
            {
                for (int j = 0; j < free.Length; j++)
                    covariance[free[i], free[j]] = cu[i, j] * objective.Jacobian(free[i], natural[free[i]]) * objective.Jacobian(free[j], natural[free[j]]);
            }
        }

        double z = MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 0.5 + options.Level / 2);
        var profiles = new Dictionary<int, Interval>();
        foreach (var name in options.Profile.Distinct())
        {
            int k = IndexOf(name, "--profile");
            if (objective.IsFixed[k])
                throw new InputException($"--profile {name}: {name} is fixed, so it has no interval");
            if (!converged)
            {
                notes.Add($"no profile interval for {name}: the fit did not converge");
                continue;
            }
            int i = Array.IndexOf(free, k);
            double seU = information.Covariance is { } c ? Math.Sqrt(c[i, i]) : Math.Max(Scales(objective)[i], 1e-8);
            var (interval, used, problems) = ProfileInterval(objective, k, outcome.Point[i], outcome.Value, z * seU, options);
            evaluations += used;
            profiles[k] = interval;
            notes.AddRange(problems.Select(problem => $"profile interval for {name}: {problem}"));
        }

        var estimates = parameters.Select((info, k) =>
        {
            if (objective.IsFixed[k] || covariance is null)
                return new ParameterEstimate(info.Name, natural[k], objective.IsFixed[k], Profile: profiles.GetValueOrDefault(k));
            double se = Math.Sqrt(covariance[k, k]);
            return new ParameterEstimate(info.Name, natural[k], false, se, new Interval(natural[k] - z * se, natural[k] + z * se), profiles.GetValueOrDefault(k));
        }).ToArray();

        // On the optimizer's scale a bounded parameter's edge is at infinity: far out means at the bound.
        var atBound = free
            .Where(k => parameters[k].Domain != ParameterDomain.Real && Math.Abs(objective.ToOptimizerScale(k, natural[k])) > 30)
            .Select(k => parameters[k].Name)
            .ToArray();
        if (atBound.Length > 0)
            notes.Add($"at the edge of the domain (beyond ±30 on the log or logit scale): {string.Join(", ", atBound)}");

        clock.Stop();
        var diagnostics = new Diagnostics(
            converged,
            outcome.Reason,
            outcome.Iterations,
            evaluations,
            outcome.GradientNorm,
            double.IsFinite(information.Edm) ? information.Edm : outcome.Edm,
            Describe(information.Status),
            atBound,
            notes);
        return new FitResult(
            _spec.Name,
            options.Map ? "map" : "mle",
            options.Optimizer.Kind == OptimizerKind.Lbfgs ? "lbfgs" : "gradient-ascent",
            _engine.Device.Description,
            _spec.Rows,
            estimates,
            logLikelihood,
            logPosterior,
            options.Level,
            covariance,
            diagnostics,
            clock.Elapsed.TotalMilliseconds);
    }

    public Evaluation Evaluate(IReadOnlyList<double> parameters)
    {
        var at = CheckPoint(parameters);
        var gradient = new double[at.Length];
        double value = _engine.Evaluate(at, gradient);
        return new Evaluation(_spec.Parameters.Select(q => q.Name).ToArray(), at, value, gradient, _engine.Device.Description, _spec.Rows);
    }

    public double[] LogDensities(IReadOnlyList<double> parameters) => _engine.LogDensities(CheckPoint(parameters));

    public double[] LogLikelihoods(IReadOnlyList<double[]> points) => _engine.LogLikelihoods(points.Select(p => CheckPoint(p)).ToArray());

    public string DeviceDescription => _engine.Device.Description;

    public double TimeEvaluation(IReadOnlyList<double> parameters, int repeat)
    {
        if (repeat < 1)
            throw new InputException($"--repeat {repeat}: must be at least 1");
        var at = CheckPoint(parameters);
        var gradient = new double[at.Length];
        _engine.Evaluate(at, gradient);
        return WarmTiming.MedianMs(repeat, () => _engine.Evaluate(at, gradient));
    }

    public void Dispose() => _engine.Dispose();

    private FreeObjective CreateObjective(FitOptions options)
    {
        var parameters = _spec.Parameters;
        CheckNames(options.Fixed.Keys, "--fix");
        CheckNames(options.Start.Keys, "--start");
        CheckNames(options.Priors.Keys, "--prior");
        if (!options.Map && options.Priors.Count > 0)
            throw new InputException($"--prior {options.Priors.Keys.First()}: priors apply to MAP estimation; add --map");
        if (!(options.Level > 0 && options.Level < 1))
            throw new InputException($"--level {options.Level}: must be between 0 and 1");

        var values = _spec.Start.ToArray();
        var isFixed = new bool[parameters.Count];
        var priors = new Prior?[parameters.Count];
        for (int k = 0; k < parameters.Count; k++)
        {
            var info = parameters[k];
            if (options.Fixed.TryGetValue(info.Name, out var value))
            {
                values[k] = RequireInDomain(info, value, "--fix");
                isFixed[k] = true;
            }
            else if (options.Start.TryGetValue(info.Name, out var startValue))
            {
                values[k] = RequireInDomain(info, startValue, "--start");
            }
            if (options.Map && options.Priors.TryGetValue(info.Name, out var prior))
            {
                if (prior.RequiresPositive && info.Domain != ParameterDomain.Positive)
                    throw new InputException($"--prior {info.Name}: {prior} is defined only for positive values, but {info.Name} is real-valued");
                priors[k] = prior;
            }
        }
        return new FreeObjective((theta, g) => _engine.Evaluate(theta, g), parameters, values, isFixed, priors);
    }

    private double[] Scales(FreeObjective objective) => objective.Free.Select(k => _spec.Scales[k]).ToArray();

    /// <summary>Both ends of parameter k's profile interval, each profile fit warm-started from the last.</summary>
    private (Interval Interval, int Evaluations, List<string> Problems) ProfileInterval(
        FreeObjective objective, int k, double optimumU, double maximum, double step, FitOptions options)
    {
        double drop = 0.5 * MathNet.Numerics.Distributions.ChiSquared.InvCDF(1, options.Level);
        int evaluations = 0;
        var problems = new List<string>();
        var ends = new double?[2];
        for (int side = 0; side < 2; side++)
        {
            var warm = objective.Natural.ToArray();
            (double, bool) Profile(double u)
            {
                var profiled = objective.WithFixed(k, objective.ToNaturalScale(k, u), warm);
                var result = Maximizer.Maximize(profiled.Evaluate, profiled.StartPoint(), Scales(profiled), options.Optimizer);
                evaluations += result.Evaluations;
                if (result.Converged)
                {
                    profiled.SetPoint(result.Point);
                    Array.Copy(profiled.Natural.ToArray(), warm, warm.Length);
                }
                return (result.Value, result.Converged);
            }
            var bound = ProfileLikelihood.FindEnd(Profile, optimumU, maximum, drop, step, side == 0 ? -1 : 1);
            if (bound.Problem is not null)
                problems.Add($"{(side == 0 ? "lower" : "upper")} end: {bound.Problem}");
            ends[side] = bound.Value is { } u ? objective.ToNaturalScale(k, u) : null;
        }
        return (new Interval(ends[0], ends[1]), evaluations, problems);
    }

    private static string Describe(HessianStatus status) => status switch
    {
        HessianStatus.NegativeDefinite => "negative definite",
        HessianStatus.NotNegativeDefinite => "not negative definite",
        HessianStatus.Singular => "singular",
        _ => "not computed",
    };

    private int IndexOf(string name, string option)
    {
        for (int k = 0; k < _spec.Parameters.Count; k++)
        {
            if (_spec.Parameters[k].Name == name)
                return k;
        }
        throw new InputException($"{option} {name}: model '{_spec.Name}' has no parameter '{name}' (parameters: {string.Join(", ", _spec.Parameters.Select(q => q.Name))})");
    }

    private double[] CheckPoint(IReadOnlyList<double> parameters)
    {
        if (parameters.Count != _spec.Parameters.Count)
            throw new InputException($"--at: expected values for {string.Join(", ", _spec.Parameters.Select(q => q.Name))}");
        return _spec.Parameters.Select((info, k) => RequireInDomain(info, parameters[k], "--at")).ToArray();
    }

    private void CheckNames(IEnumerable<string> names, string option)
    {
        foreach (var name in names)
        {
            if (!_spec.Parameters.Any(q => q.Name == name))
                throw new InputException($"{option} {name}: model '{_spec.Name}' has no parameter '{name}' (parameters: {string.Join(", ", _spec.Parameters.Select(q => q.Name))})");
        }
    }

    private static double RequireInDomain(ParameterInfo info, double value, string option)
    {
        if (!double.IsFinite(value))
            throw new InputException($"{option} {info.Name}={value}: not a finite number");
        if (info.Domain == ParameterDomain.Positive && value <= 0)
            throw new InputException($"{option} {info.Name}={value}: {info.Name} must be positive");
        if (info.Domain == ParameterDomain.UnitInterval && !(value > 0 && value < 1))
            throw new InputException($"{option} {info.Name}={value}: {info.Name} must lie strictly between 0 and 1");
        return value;
    }
}
