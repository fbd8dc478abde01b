using GpuEstimation.Engine;
using GpuEstimation.Priors;
using MathNet.Numerics.LinearAlgebra;

namespace GpuEstimation.Estimation;

/// <summary>
/// What the optimizer maximizes: the log-likelihood (+ Σ log prior of the free parameters, for MAP) as a function of
/// the free parameters' coordinates u, the held ones at their values. Immutable: every evaluation works on its own
/// copy of the parameter vector, so one objective serves any number of searches.
/// </summary>
internal sealed class Objective
{
    private readonly ILikelihoodEngine _engine;
    private readonly double[] _values;
    private readonly Prior?[] _priors;
    private readonly IReadOnlyList<double> _scales;

    /// <param name="engine">Natural parameters → log-likelihood and gradient.</param>
    /// <param name="map">Which parameters are held, and the coordinates of the free ones.</param>
    /// <param name="values">Natural values of all parameters: the held values, and the free ones' starting values.</param>
    /// <param name="priors">A prior per parameter, or null (flat, or MLE).</param>
    /// <param name="scales">Typical uncertainty of each parameter on the optimizer's scale (all parameters).</param>
    public Objective(ILikelihoodEngine engine, ParameterMap map, IReadOnlyList<double> values, Prior?[] priors, IReadOnlyList<double> scales)
    {
        _engine = engine;
        Map = map;
        _values = values.ToArray();
        _priors = priors;
        _scales = scales;
    }

    /// <summary>The parameters: held and free, and the coordinates.</summary>
    public ParameterMap Map { get; }

    /// <summary>The free parameters' coordinates at the starting values.</summary>
    public double[] Start() => Map.ToCoordinates(_values);

    /// <summary>Typical uncertainty of each free parameter on the optimizer's scale (finite-difference steps).</summary>
    public double[] Scales() => Map.Free.Select(k => _scales[k]).ToArray();

    /// <summary>The natural values of all parameters with the free ones at coordinates <paramref name="u"/>.</summary>
    public double[] Natural(ReadOnlySpan<double> u)
    {
        var natural = _values.ToArray();
        Map.SetFree(u, natural);
        return natural;
    }

    /// <summary>The same objective with parameter <paramref name="index"/> held at <paramref name="value"/>, the other free parameters starting from <paramref name="start"/>.</summary>
    public Objective Holding(int index, double value, IReadOnlyList<double> start)
    {
        var values = start.ToArray();
        values[index] = value;
        return new Objective(_engine, Map.Holding(index), values, _priors, _scales);
    }

    /// <summary>The same objective with the free parameters starting from <paramref name="start"/> (natural values, all parameters); held ones keep their values.</summary>
    public Objective StartingAt(IReadOnlyList<double> start)
    {
        var values = _values.ToArray();
        foreach (int k in Map.Free)
            values[k] = start[k];
        return new Objective(_engine, Map, values, _priors, _scales);
    }

    /// <summary>The objective at <paramref name="u"/>; its gradient with respect to u goes to <paramref name="gu"/>.</summary>
    public double Evaluate(ReadOnlySpan<double> u, Span<double> gu)
    {
        var natural = Natural(u);
        var gradient = new double[natural.Length];
        double value = _engine.Evaluate(natural, gradient);
        // A held parameter's prior is a constant here, but it belongs to the log-posterior that profiles compare.
        for (int k = 0; k < natural.Length; k++)
        {
            if (_priors[k] is { } prior)
                value += prior.LogDensity(natural[k]);
        }
        for (int i = 0; i < Map.Free.Count; i++)
        {
            int k = Map.Free[i];
            double g = _priors[k] is { } prior ? gradient[k] + prior.Derivative(natural[k]) : gradient[k];
            gu[i] = g * Map.Jacobian(k, natural[k]);
        }
        return value;
    }

    /// <summary>Whether <see cref="EvaluateHessian"/> is offered: the engine sums an exact Hessian and no free parameter has a prior.</summary>
    public bool HasExactHessian => _engine.HasExactHessian && Map.Free.All(k => _priors[k] is null);

    /// <summary>
    /// The objective at <paramref name="u"/>, its gradient with respect to u into <paramref name="gu"/> and its exact
    /// Hessian with respect to u into <paramref name="hu"/> (free × free): H_u = J H J + diag(g d²θ/du²), J = diag(dθ/du).
    /// Only where <see cref="HasExactHessian"/>.
    /// </summary>
    public double EvaluateHessian(ReadOnlySpan<double> u, Span<double> gu, Matrix<double> hu)
    {
        var natural = Natural(u);
        int p = natural.Length;
        var gradient = new double[p];
        var hessian = new double[p * p];
        double value = _engine.EvaluateHessian(natural, gradient, hessian);
        // Held parameters' priors only: a constant here.
        value += LogPrior(natural);
        var free = Map.Free;
        for (int i = 0; i < free.Count; i++)
        {
            int k = free[i];
            double jk = Map.Jacobian(k, natural[k]);
            gu[i] = gradient[k] * jk;
            for (int j = 0; j < free.Count; j++)
                hu[i, j] = hessian[k * p + free[j]] * jk * Map.Jacobian(free[j], natural[free[j]]);
            hu[i, i] += gradient[k] * Map.SecondDerivative(k, natural[k]);
        }
        return value;
    }

    /// <summary>Σ log prior at natural values <paramref name="natural"/>, over every parameter that has a prior (held ones too).</summary>
    public double LogPrior(IReadOnlyList<double> natural)
    {
        double sum = 0;
        for (int k = 0; k < _priors.Length; k++)
        {
            if (_priors[k] is { } prior)
                sum += prior.LogDensity(natural[k]);
        }
        return sum;
    }
}
