using GpuEstimation.Backends;
using GpuEstimation.Engine;
using GpuEstimation.Kernels;

namespace GpuEstimation.Models;

/// <summary>
/// A model ready to fit: the device struct, the data columns it reads, its parameters, and data-driven starting
/// values and scales. Built-in models come from <see cref="ModelCatalog"/>; a user's own model struct is wrapped
/// the same way (see the README).
/// </summary>
public sealed class ModelSpec<TModel> : IModelSpec where TModel : unmanaged, ILikelihoodModel<TModel>
{
    private readonly Func<IReadOnlyList<double>, double[]?>? _fisherInformation;
    private readonly Func<string, string?>? _limitAtInfinity;
    private readonly Func<IReadOnlyList<string>, string>? _noFiniteMaximum;

    /// <param name="name">The model's name, for results.</param>
    /// <param name="model">The device struct.</param>
    /// <param name="columns">The columns the model reads, in its order: kept, not copied (the native backend may read them where they lie), so they must not change while a session uses them.</param>
    /// <param name="parameters">One entry per model parameter, in the model's order.</param>
    /// <param name="start">Starting values on the natural scale.</param>
    /// <param name="scales">
    /// Typical size of each parameter's uncertainty on the optimizer's scale (log scale for positive parameters); used
    /// for finite-difference steps. Defaults to 0.1 × max(|start|, 1) on that scale.
    /// </param>
    /// <param name="limitAtInfinity">Parameter name → the model this one becomes as it runs to infinity, or null.</param>
    /// <param name="coefficients">The regression coefficients' names, the intercept left out (see <see cref="IModelSpec.Coefficients"/>); none by default.</param>
    /// <param name="noFiniteMaximum">The parameters running off to infinity, each as "name → ±∞" → why there is no finite maximum, in the model's words (by default, plain ones).</param>
    /// <param name="fisherInformation">
    /// For a model with a kink at its maximum: natural parameters → the Fisher information of one observation (P×P,
    /// row by row), from which standard errors then come; null where the observed information serves.
    /// </param>
    /// <param name="dataChecked">
    /// Whether <paramref name="columns"/> come from a <see cref="Data.Dataset"/> (or from arithmetic on its columns),
    /// which refused non-finite values and no rows already; otherwise (the default) they are checked here, one more
    /// pass over every value.
    /// </param>
    public ModelSpec(string name, TModel model, IReadOnlyList<ReadOnlyMemory<double>> columns, IReadOnlyList<ParameterInfo> parameters,
        IReadOnlyList<double> start, IReadOnlyList<double>? scales = null, Func<IReadOnlyList<double>, double[]?>? fisherInformation = null,
        Func<string, string?>? limitAtInfinity = null, IReadOnlyList<string>? coefficients = null, Func<IReadOnlyList<string>, string>? noFiniteMaximum = null,
        bool dataChecked = false)
    {
        _noFiniteMaximum = noFiniteMaximum;
        _fisherInformation = fisherInformation;
        _limitAtInfinity = limitAtInfinity;
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(start);
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
        // No columns at all is no rows (a library trial's model of ColumnCount 0 was "converged" at its start).
        if (columns.Count == 0)
            throw new InputException("the model reads no data columns, so it has no rows: there is nothing to fit", nameof(columns));
        // A null array converts to an empty column: a model over checked data has rows.
        if (dataChecked && columns.Any(c => c.IsEmpty))
            throw new ArgumentException("an empty column (a null array?) among data said to be checked", nameof(columns));
        if (!dataChecked)
            CheckData(columns);
        for (int k = 0; k < start.Count; k++)
        {
            // A closed edge (p = 1, a rate of 0) is let through: where a fit reports a maximum there, eval takes it back.
            if (!double.IsFinite(start[k]))
                throw new InputException($"starting value {parameters[k].Name} = {start[k]}: not a finite number", parameters[k].Name);
            if (!Estimation.ParameterMap.Reaches(parameters[k].Domain, start[k]))
                throw new InputException($"starting value {parameters[k].Name} = {start[k]}: {parameters[k].Name} must {Estimation.ParameterMap.Describe(parameters[k].Domain)}", parameters[k].Name);
        }

        Coefficients = coefficients ?? [];
        if (Coefficients.FirstOrDefault(c => !parameters.Any(p => p.Name == c && p.Domain == ParameterDomain.Real)) is { } notCoefficient)
            throw new ArgumentException($"coefficient '{notCoefficient}' is not a real-valued parameter of the model", nameof(coefficients));
        Name = name;
        Model = model;
        Columns = columns;
        Parameters = parameters;
        Start = start;
        Scales = scales ?? parameters
            .Select((p, k) => p.Domain == ParameterDomain.Real ? 0.1 * Math.Max(Math.Abs(start[k]), 1.0) : 0.1)
            .ToArray();
    }

    /// <summary>
    /// Columns given straight to the constructor (not through a <see cref="Data.Dataset"/>, which checks its own): each
    /// one length, at least one row, every value finite; each an error naming the column and row otherwise.
    /// A model with no rows was fitted as "converged" at its start; a NaN made every log-likelihood NaN.
    /// </summary>
    private static void CheckData(IReadOnlyList<ReadOnlyMemory<double>> columns)
    {
        long rows = columns[0].Length;
        if (columns.Any(c => c.Length != rows))
            throw new InputException($"the model's columns differ in length ({string.Join(", ", columns.Select(c => c.Length))} rows)", nameof(columns));
        if (rows == 0)
            throw new InputException("the model's data have no rows (an empty column, or a null array given as one): there is nothing to fit", nameof(columns));
        for (int j = 0; j < columns.Count; j++)
        {
            var values = columns[j].Span;
            for (int i = 0; i < values.Length; i++)
            {
                if (!double.IsFinite(values[i]))
                    throw new InputException($"the model's column {j}, row {i + 1}: {values[i]} is not a finite number", $"{nameof(columns)}[{j}]");
            }
        }
    }

    /// <summary>The model's name, for results.</summary>
    public string Name { get; }

    /// <summary>The device struct.</summary>
    public TModel Model { get; }

    /// <summary>The data columns the model reads, in its order.</summary>
    public IReadOnlyList<ReadOnlyMemory<double>> Columns { get; }

    /// <summary>The parameters, in the model's order.</summary>
    public IReadOnlyList<ParameterInfo> Parameters { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> Coefficients { get; }

    /// <summary>Starting values on the natural scale.</summary>
    public IReadOnlyList<double> Start { get; }

    /// <summary>Typical uncertainty of each parameter on the optimizer's scale.</summary>
    public IReadOnlyList<double> Scales { get; }

    /// <summary>The number of observations.</summary>
    public int Rows => Columns.Count == 0 ? 0 : Columns[0].Length;

    /// <inheritdoc/>
    public IReadOnlyCollection<string> ScaleParameters { get; init; } = [];

    /// <inheritdoc/>
    public IReadOnlyList<double>? FrequencyWeights { get; init; }

    /// <inheritdoc/>
    public IReadOnlyList<double>? Leverages => LeveragesFrom is null ? null : _leverages ??= LeveragesFrom();

    // Computed on first use (only HC2 and HC3 ask).
    private double[]? _leverages;

    /// <summary>How to compute <see cref="Leverages"/> when first asked (a linear model's design); null: none.</summary>
    public Func<double[]>? LeveragesFrom { get; init; }

    /// <inheritdoc/>
    public IReadOnlyList<string> FittedOnlyBy(IReadOnlyList<int> rows) => FittedOnlyByFrom?.Invoke(rows) ?? [];

    /// <summary>How to find <see cref="FittedOnlyBy"/> (a linear model's design); null: none.</summary>
    public Func<IReadOnlyList<int>, IReadOnlyList<string>>? FittedOnlyByFrom { get; init; }

    /// <inheritdoc/>
    public double? ResponseSquares { get; init; }

    /// <inheritdoc/>
    public double TermSize { get; init; } = 1;

    /// <inheritdoc/>
    public IReadOnlyList<IReadOnlyList<double>> OtherStarts { get; init; } = [];

    /// <inheritdoc/>
    public bool HasParameterKinks { get; init; }

    /// <inheritdoc/>
    public bool StartFromData { get; init; } = true;

    /// <inheritdoc/>
    public (int Parameter, double Low, double High)? FlatMaximum { get; init; }

    /// <summary>Parameter name → the model this one is with that parameter at the finite edge of its domain (see <see cref="IModelSpec.ModelAtEdge"/>).</summary>
    public IReadOnlyDictionary<string, string> EdgeModels { get; init; } = new Dictionary<string, string>();

    /// <inheritdoc/>
    public string? ModelAtEdge(string parameter) => EdgeModels.GetValueOrDefault(parameter);

    /// <summary>
    /// Natural parameters, and whether a row strictly outside the range is wanted first → the row whose mean is at or past
    /// a bound of its range there, in words, or null (see <see cref="IModelSpec.MeansAtBound"/>).
    /// </summary>
    public Func<IReadOnlyList<double>, bool, string?>? MeansBound { get; init; }

    /// <inheritdoc/>
    public string? MeansAtBound(IReadOnlyList<double> parameters, bool outside = false) => MeansBound?.Invoke(parameters, outside);

    /// <summary>Held parameters (name → value) → the start with them held, or null (see <see cref="IModelSpec.StartHolding"/>).</summary>
    public Func<IReadOnlyDictionary<string, double>, double[]?>? HeldStart { get; init; }

    /// <inheritdoc/>
    public IReadOnlyList<double>? StartHolding(IReadOnlyDictionary<string, double> held) => HeldStart?.Invoke(held);

    /// <inheritdoc/>
    public double[]? FisherInformation(IReadOnlyList<double> parameters) => _fisherInformation?.Invoke(parameters);

    /// <inheritdoc/>
    public string? LimitAtInfinity(string parameter) => _limitAtInfinity?.Invoke(parameter);

    /// <inheritdoc/>
    public string NoFiniteMaximum(IReadOnlyList<string> parameters) =>
        _noFiniteMaximum?.Invoke(parameters) ?? $"no finite maximum: the log-likelihood keeps rising without bound as {string.Join(", ", parameters)}";

    /// <summary>
    /// Under MPI, where each rank reads only its own rows of <see cref="Columns"/> (<see cref="Data.Dataset.Spread"/>):
    /// which rows; the engine then evaluates those and checks the ranks' data by their ends. Null where every row is read.
    /// </summary>
    public Data.RowSpread? Spread { get; init; }

    /// <summary>
    /// An engine of the model's own for a device, where it has one (null: the generic engine): a faster evaluation of
    /// the same log-likelihood and gradient, such as a normal mixture's from its sufficient statistics.
    /// </summary>
    public Func<ComputeDevice, ILikelihoodEngine?>? OwnEngine { get; init; }

    /// <inheritdoc/>
    public ILikelihoodEngine CreateEngine(ComputeDevice device) =>
        OwnEngine?.Invoke(device) ?? new LikelihoodEngine<TModel>(device, Model, Columns, Name, Spread);
}
