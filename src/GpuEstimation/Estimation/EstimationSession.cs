using System.Diagnostics;
using GpuEstimation.Backends;
using GpuEstimation.Engine;
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
}

/// <summary>
/// Turns a model's likelihood engine into an objective over the free parameters on the optimizer's scale (log for
/// positive parameters), adds priors for MAP, runs the optimizer and reports on the natural scale.
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
        var parameters = _spec.Parameters;
        int p = parameters.Count;
        CheckNames(options.Fixed.Keys, "--fix");
        CheckNames(options.Start.Keys, "--start");
        CheckNames(options.Priors.Keys, "--prior");
        if (!options.Map && options.Priors.Count > 0)
            throw new InputException($"--prior {options.Priors.Keys.First()}: priors apply to MAP estimation; add --map");

        var theta = _spec.Start.ToArray();
        var isFixed = new bool[p];
        for (int k = 0; k < p; k++)
        {
            var info = parameters[k];
            if (options.Fixed.TryGetValue(info.Name, out var value))
            {
                theta[k] = RequireInDomain(info, value, "--fix");
                isFixed[k] = true;
            }
            else if (options.Start.TryGetValue(info.Name, out var startValue))
            {
                theta[k] = RequireInDomain(info, startValue, "--start");
            }
            if (options.Priors.TryGetValue(info.Name, out var prior) && prior.RequiresPositive && info.Domain != ParameterDomain.Positive)
                throw new InputException($"--prior {info.Name}: {prior} is defined only for positive values, but {info.Name} is real-valued");
        }

        var free = Enumerable.Range(0, p).Where(k => !isFixed[k]).ToArray();
        var priors = free.Select(k => options.Map && options.Priors.TryGetValue(parameters[k].Name, out var pr) ? pr : null).ToArray();
        var gradient = new double[p];
        var natural = theta.ToArray();

        void ToNatural(ReadOnlySpan<double> u)
        {
            for (int i = 0; i < free.Length; i++)
            {
                int k = free[i];
                natural[k] = parameters[k].Domain == ParameterDomain.Positive ? Math.Exp(u[i]) : u[i];
            }
        }

        double LogPrior()
        {
            double sum = 0;
            for (int i = 0; i < free.Length; i++)
            {
                if (priors[i] is { } prior)
                    sum += prior.LogDensity(natural[free[i]]);
            }
            return sum;
        }

        double Objective(ReadOnlySpan<double> u, Span<double> gu)
        {
            ToNatural(u);
            double value = _engine.Evaluate(natural, gradient);
            for (int i = 0; i < free.Length; i++)
            {
                int k = free[i];
                double g = gradient[k];
                if (priors[i] is { } prior)
                {
                    value += prior.LogDensity(natural[k]);
                    g += prior.Derivative(natural[k]);
                }
                // Chain rule for the log transform: d/du = θ d/dθ.
                gu[i] = parameters[k].Domain == ParameterDomain.Positive ? g * natural[k] : g;
            }
            return value;
        }

        var start = free.Select(k => parameters[k].Domain == ParameterDomain.Positive ? Math.Log(theta[k]) : theta[k]).ToArray();
        var scales = free.Select(k => _spec.Scales[k]).ToArray();
        var outcome = Maximizer.Maximize(Objective, start, scales, options.Optimizer);

        ToNatural(outcome.Point);
        double logLikelihood = _engine.Evaluate(natural, gradient);
        double? logPosterior = options.Map ? logLikelihood + LogPrior() : null;
        clock.Stop();

        return new FitResult(
            _spec.Name,
            options.Map ? "map" : "mle",
            options.Optimizer.Kind == OptimizerKind.Lbfgs ? "lbfgs" : "gradient-ascent",
            _engine.Device.Description,
            _spec.Rows,
            parameters.Select((info, k) => new ParameterEstimate(info.Name, natural[k], isFixed[k])).ToArray(),
            logLikelihood,
            logPosterior,
            outcome.Converged && double.IsFinite(logLikelihood),
            outcome.Reason,
            outcome.Iterations,
            outcome.Evaluations + 1,
            outcome.GradientNorm,
            outcome.Edm,
            clock.Elapsed.TotalMilliseconds);
    }

    public Evaluation Evaluate(IReadOnlyList<double> parameters)
    {
        var at = CheckPoint(parameters);
        var gradient = new double[at.Length];
        double value = _engine.Evaluate(at, gradient);
        return new Evaluation(_spec.Parameters.Select(q => q.Name).ToArray(), at, value, gradient, _engine.Device.Description, _spec.Rows);
    }

    public double TimeEvaluation(IReadOnlyList<double> parameters, int repeat)
    {
        if (repeat < 1)
            throw new InputException($"--repeat {repeat}: must be at least 1");
        var at = CheckPoint(parameters);
        var gradient = new double[at.Length];
        _engine.Evaluate(at, gradient);
        var times = new double[repeat];
        for (int r = 0; r < repeat; r++)
        {
            long begin = Stopwatch.GetTimestamp();
            _engine.Evaluate(at, gradient);
            times[r] = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
        }
        Array.Sort(times);
        return repeat % 2 == 1 ? times[repeat / 2] : 0.5 * (times[repeat / 2 - 1] + times[repeat / 2]);
    }

    public void Dispose() => _engine.Dispose();

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
        return value;
    }
}
