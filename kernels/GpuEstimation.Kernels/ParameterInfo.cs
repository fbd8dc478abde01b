namespace GpuEstimation.Kernels;

/// <summary>A model parameter's name (as results and JSON use it; not empty) and domain.</summary>
public sealed record ParameterInfo(string Name, ParameterDomain Domain = ParameterDomain.Real)
{
    private readonly string _name = Checked(Name);

    /// <summary>The parameter's name.</summary>
    public string Name
    {
        get => _name;
        init => _name = Checked(value);
    }

    private static string Checked(string name) => name is null ? throw new ArgumentNullException(nameof(Name))
        : string.IsNullOrWhiteSpace(name) ? throw new ArgumentException("a parameter's name must not be empty", nameof(Name)) : name;
}
