using GpuEstimation.Kernels;

namespace GpuEstimation.Estimation;

/// <summary>
/// The one owner of a model's parameter bookkeeping: names and indices, domains, which parameters are held, and the
/// map between natural values θ and the optimizer's coordinates u (log θ for positive parameters, logit θ for those in
/// (0, 1), θ otherwise) over the free parameters. Immutable.
/// </summary>
public sealed class ParameterMap
{
    private readonly bool[] _held;

    /// <summary>A map over <paramref name="parameters"/> of model <paramref name="model"/>, with none held.</summary>
    public ParameterMap(string model, IReadOnlyList<ParameterInfo> parameters)
        : this(model, parameters, new bool[parameters.Count])
    {
    }

    private ParameterMap(string model, IReadOnlyList<ParameterInfo> parameters, bool[] held)
    {
        Model = model;
        Parameters = parameters;
        _held = held;
        Free = Enumerable.Range(0, parameters.Count).Where(k => !held[k]).ToArray();
    }

    /// <summary>The model's name, for messages.</summary>
    public string Model { get; }

    /// <summary>The parameters, in model order.</summary>
    public IReadOnlyList<ParameterInfo> Parameters { get; }

    /// <summary>The number of parameters.</summary>
    public int Count => Parameters.Count;

    /// <summary>Model indices of the free parameters, in the optimizer's order.</summary>
    public IReadOnlyList<int> Free { get; }

    /// <summary>The parameter names, in model order.</summary>
    public IEnumerable<string> Names => Parameters.Select(p => p.Name);

    /// <summary>Whether parameter <paramref name="index"/> is held at a value.</summary>
    public bool IsHeld(int index) => _held[index];

    /// <summary>The place of free parameter <paramref name="index"/> (model order) among <see cref="Free"/>: its optimizer coordinate.</summary>
    public int FreeIndex(int index)
    {
        for (int i = 0; i < Free.Count; i++)
        {
            if (Free[i] == index)
                return i;
        }
        throw new ArgumentOutOfRangeException(nameof(index), index, "not a free parameter");
    }

    /// <summary>The same map with the parameters at <paramref name="indices"/> held as well.</summary>
    public ParameterMap Holding(params IEnumerable<int> indices)
    {
        var held = _held.ToArray();
        foreach (int k in indices)
            held[k] = true;
        return new ParameterMap(Model, Parameters, held);
    }

    /// <summary>The index of parameter <paramref name="name"/>, or -1.</summary>
    public int Find(string name)
    {
        for (int k = 0; k < Parameters.Count; k++)
        {
            if (Parameters[k].Name == name)
                return k;
        }
        return -1;
    }

    /// <summary>
    /// The index of parameter <paramref name="name"/>; an unknown name is an <see cref="InputException"/> that says
    /// what it was given as (<paramref name="role"/>, e.g. "fixed value") and lists the model's parameters.
    /// </summary>
    public int IndexOf(string name, string role)
    {
        int k = Find(name);
        return k >= 0
            ? k
            : throw new InputException($"{role} for '{name}': model '{Model}' has no parameter '{name}' (parameters: {string.Join(", ", Names)})", name);
    }

    /// <summary>
    /// <paramref name="value"/> if it lies in the domain of parameter <paramref name="index"/>; otherwise an
    /// <see cref="InputException"/> naming the parameter, the value and its role.
    /// </summary>
    public double Require(int index, double value, string role)
    {
        var info = Parameters[index];
        string place = $"{role} {info.Name} = {value}";
        if (!double.IsFinite(value))
            throw new InputException($"{place}: not a finite number", info.Name);
        if (!Contains(info.Domain, value))
            throw new InputException($"{place}: {info.Name} must {Describe(info.Domain)}", info.Name);
        return value;
    }

    /// <summary>
    /// Whether <paramref name="value"/> is the closed end of a bounded <paramref name="domain"/> (0 for a positive
    /// parameter, 0 or 1 for a probability): outside the domain, but where a fit can report a maximum at the edge, which
    /// an evaluation takes back.
    /// </summary>
    public static bool IsClosedEdge(ParameterDomain domain, double value) => domain switch
    {
        ParameterDomain.Positive => value == 0,
        ParameterDomain.UnitInterval => value is 0 or 1,
        _ => false,
    };

    /// <summary>
    /// Whether <paramref name="value"/> is finite and lies in <paramref name="domain"/> or at its closed end
    /// (<see cref="IsClosedEdge"/>): a value a model may be evaluated at, where a fit may report its maximum.
    /// </summary>
    public static bool Reaches(ParameterDomain domain, double value) => double.IsFinite(value) && (Contains(domain, value) || IsClosedEdge(domain, value));

    /// <summary>Whether <paramref name="value"/> lies in <paramref name="domain"/>.</summary>
    public static bool Contains(ParameterDomain domain, double value) => domain switch
    {
        ParameterDomain.Positive => value > 0,
        ParameterDomain.UnitInterval => value > 0 && value < 1,
        _ => !double.IsNaN(value),
    };

    /// <summary>The domain in words, after "must": "be positive", "lie strictly between 0 and 1", "be a real number".</summary>
    public static string Describe(ParameterDomain domain) => domain switch
    {
        ParameterDomain.Positive => "be positive",
        ParameterDomain.UnitInterval => "lie strictly between 0 and 1",
        _ => "be a real number",
    };

    /// <summary>u = log θ, logit θ or θ for parameter <paramref name="index"/>.</summary>
    public double ToOptimizer(int index, double natural) => Parameters[index].Domain switch
    {
        ParameterDomain.Positive => Math.Log(natural),
        ParameterDomain.UnitInterval => Math.Log(natural) - Math.Log(1 - natural),
        _ => natural,
    };

    /// <summary>θ from u for parameter <paramref name="index"/>.</summary>
    public double ToNatural(int index, double u) => Parameters[index].Domain switch
    {
        ParameterDomain.Positive => Math.Exp(u),
        ParameterDomain.UnitInterval => u >= 0 ? 1 / (1 + Math.Exp(-u)) : Math.Exp(u) / (1 + Math.Exp(u)),
        _ => u,
    };

    /// <summary>dθ/du for parameter <paramref name="index"/> at natural value <paramref name="natural"/>.</summary>
    public double Jacobian(int index, double natural) => Parameters[index].Domain switch
    {
        ParameterDomain.Positive => natural,
        ParameterDomain.UnitInterval => natural * (1 - natural),
        _ => 1.0,
    };

    /// <summary>d²θ/du² for parameter <paramref name="index"/> at natural value <paramref name="natural"/> (the Hessian's chain rule).</summary>
    public double SecondDerivative(int index, double natural) => Parameters[index].Domain switch
    {
        ParameterDomain.Positive => natural,
        ParameterDomain.UnitInterval => natural * (1 - natural) * (1 - 2 * natural),
        _ => 0.0,
    };

    /// <summary>The optimizer's coordinates of the free parameters at natural values <paramref name="natural"/> (all parameters).</summary>
    public double[] ToCoordinates(IReadOnlyList<double> natural) => Free.Select(k => ToOptimizer(k, natural[k])).ToArray();

    /// <summary>Writes the free parameters' natural values from coordinates <paramref name="u"/> into <paramref name="natural"/>.</summary>
    public void SetFree(ReadOnlySpan<double> u, Span<double> natural)
    {
        for (int i = 0; i < Free.Count; i++)
            natural[Free[i]] = ToNatural(Free[i], u[i]);
    }
}
