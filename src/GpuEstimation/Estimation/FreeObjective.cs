using GpuEstimation.Kernels;
using GpuEstimation.Models;
using GpuEstimation.Priors;

namespace GpuEstimation.Estimation;

/// <summary>
/// The objective the optimizer sees: log-likelihood (+ log prior for MAP) as a function of the free parameters on the
/// optimizer's scale u (log θ for positive parameters, θ otherwise), the fixed ones held at their values.
/// </summary>
internal sealed class FreeObjective
{
    private readonly Func<double[], double[], double> _logLikelihood;
    private readonly IReadOnlyList<ParameterInfo> _parameters;
    private readonly Prior?[] _priors;
    private readonly double[] _natural;
    private readonly double[] _gradient;

    /// <param name="logLikelihood">Natural parameters → log-likelihood, gradient written to the second array.</param>
    /// <param name="parameters">All model parameters.</param>
    /// <param name="values">Natural values of all parameters: the fixed values, and the others' starting values.</param>
    /// <param name="isFixed">Which are held.</param>
    /// <param name="priors">A prior per parameter, or null (flat / MLE).</param>
    public FreeObjective(Func<double[], double[], double> logLikelihood, IReadOnlyList<ParameterInfo> parameters, double[] values, bool[] isFixed, Prior?[] priors)
    {
        _logLikelihood = logLikelihood;
        _parameters = parameters;
        _priors = priors;
        _natural = values.ToArray();
        _gradient = new double[parameters.Count];
        IsFixed = isFixed.ToArray();
        Free = Enumerable.Range(0, parameters.Count).Where(k => !isFixed[k]).ToArray();
    }

    /// <summary>Indices (in model order) of the free parameters, in the optimizer's order.</summary>
    public int[] Free { get; }

    public bool[] IsFixed { get; }

    /// <summary>The current natural values of all parameters (the fixed ones, and the free ones last evaluated or set).</summary>
    public IReadOnlyList<double> Natural => _natural;

    /// <summary>
    /// The same objective with parameter <paramref name="index"/> also held, at natural value <paramref name="value"/>;
    /// the other free parameters start from <paramref name="start"/> (natural, all parameters) or the current values.
    /// </summary>
    public FreeObjective WithFixed(int index, double value, IReadOnlyList<double>? start = null)
    {
        var values = (start ?? _natural).ToArray();
        values[index] = value;
        var isFixed = IsFixed.ToArray();
        isFixed[index] = true;
        return new FreeObjective(_logLikelihood, _parameters, values, isFixed, _priors);
    }

    /// <summary>u for the free parameters at the current natural values.</summary>
    public double[] StartPoint() => Free.Select(k => ToOptimizerScale(k, _natural[k])).ToArray();

    public double ToOptimizerScale(int index, double natural) => _parameters[index].Domain switch
    {
        ParameterDomain.Positive => Math.Log(natural),
        ParameterDomain.UnitInterval => Math.Log(natural) - Math.Log(1 - natural),
        _ => natural,
    };

    public double ToNaturalScale(int index, double u) => _parameters[index].Domain switch
    {
        ParameterDomain.Positive => Math.Exp(u),
        ParameterDomain.UnitInterval => u >= 0 ? 1 / (1 + Math.Exp(-u)) : Math.Exp(u) / (1 + Math.Exp(u)),
        _ => u,
    };

    /// <summary>dθ/du for parameter <paramref name="index"/> at natural value <paramref name="natural"/>.</summary>
    public double Jacobian(int index, double natural) => _parameters[index].Domain switch
    {
        ParameterDomain.Positive => natural,
        ParameterDomain.UnitInterval => natural * (1 - natural),
        _ => 1.0,
    };

    /// <summary>Sets the free parameters from u.</summary>
    public void SetPoint(ReadOnlySpan<double> u)
    {
        for (int i = 0; i < Free.Length; i++)
            _natural[Free[i]] = ToNaturalScale(Free[i], u[i]);
    }

    /// <summary>The objective at u; its gradient with respect to u is written to <paramref name="gu"/>.</summary>
    public double Evaluate(ReadOnlySpan<double> u, Span<double> gu)
    {
        SetPoint(u);
        double value = _logLikelihood(_natural, _gradient);
        for (int i = 0; i < Free.Length; i++)
        {
            int k = Free[i];
            double g = _gradient[k];
            if (_priors[k] is { } prior)
            {
                value += prior.LogDensity(_natural[k]);
                g += prior.Derivative(_natural[k]);
            }
            gu[i] = g * Jacobian(k, _natural[k]);
        }
        return value;
    }

    /// <summary>Σ log prior over the free parameters at the current values.</summary>
    public double LogPrior()
    {
        double sum = 0;
        foreach (int k in Free)
        {
            if (_priors[k] is { } prior)
                sum += prior.LogDensity(_natural[k]);
        }
        return sum;
    }
}
