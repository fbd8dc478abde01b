using GpuEstimation.Backends;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels;

namespace GpuEstimation.Models;

/// <summary>
/// A model ready to fit: the device struct, the data columns it reads, its parameters, and data-driven starting
/// values and scales. Built-in models come from <see cref="ModelCatalog"/>; a user's own model struct is wrapped
/// the same way (see the README).
/// </summary>
public sealed class ModelSpec<TModel> : IModelSpec where TModel : unmanaged, ILikelihoodModel<TModel>
{
    /// <param name="name">The model's name, for results.</param>
    /// <param name="model">The device struct.</param>
    /// <param name="columns">The columns the model reads, in its order.</param>
    /// <param name="parameters">One entry per model parameter, in the model's order.</param>
    /// <param name="start">Starting values on the natural scale.</param>
    /// <param name="scales">
    /// Typical size of each parameter's uncertainty on the optimizer's scale (log scale for positive parameters); used
    /// for finite-difference steps. Defaults to 0.1 × max(|start|, 1) on that scale.
    /// </param>
    public ModelSpec(string name, TModel model, IReadOnlyList<double[]> columns, IReadOnlyList<ParameterInfo> parameters,
        IReadOnlyList<double> start, IReadOnlyList<double>? scales = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (parameters.Count != model.ParameterCount)
            throw new ArgumentException($"the model has {model.ParameterCount} parameters, {parameters.Count} were described", nameof(parameters));
        if (start.Count != model.ParameterCount)
            throw new ArgumentException($"the model has {model.ParameterCount} parameters, {start.Count} starting values were given", nameof(start));
        if (scales is not null && scales.Count != model.ParameterCount)
            throw new ArgumentException($"the model has {model.ParameterCount} parameters, {scales.Count} scales were given", nameof(scales));
        if (columns.Count != model.ColumnCount)
            throw new ArgumentException($"the model reads {model.ColumnCount} columns, {columns.Count} were given", nameof(columns));
        if (parameters.Select(p => p.Name).Distinct(StringComparer.Ordinal).Count() != parameters.Count)
            throw new ArgumentException("parameter names must be distinct", nameof(parameters));

        Name = name;
        Model = model;
        Columns = columns;
        Parameters = parameters;
        Start = start;
        Scales = scales ?? parameters
            .Select((p, k) => p.Domain == ParameterDomain.Real ? 0.1 * Math.Max(Math.Abs(start[k]), 1.0) : 0.1)
            .ToArray();
    }

    public string Name { get; }

    public TModel Model { get; }

    public IReadOnlyList<double[]> Columns { get; }

    public IReadOnlyList<ParameterInfo> Parameters { get; }

    public IReadOnlyList<double> Start { get; }

    public IReadOnlyList<double> Scales { get; }

    public int Rows => Columns.Count == 0 ? 0 : Columns[0].Length;

    public IEstimationSession OpenSession(ComputeDevice device) =>
        new EstimationSession<TModel>(device, this);
}

/// <summary>What the CLI and the facade need of a model, whatever its struct type.</summary>
public interface IModelSpec
{
    string Name { get; }

    IReadOnlyList<ParameterInfo> Parameters { get; }

    IReadOnlyList<double> Start { get; }

    IReadOnlyList<double> Scales { get; }

    int Rows { get; }

    /// <summary>Uploads the data to <paramref name="device"/> and loads the kernel, ready for fits and evaluations.</summary>
    IEstimationSession OpenSession(ComputeDevice device);
}
