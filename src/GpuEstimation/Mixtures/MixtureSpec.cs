using GpuEstimation.Data;
using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Mixtures;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Models;

namespace GpuEstimation.Mixtures;

/// <summary>
/// A mixture of catalogue families over one column of a dataset, ready to fit: the exact model (a
/// <see cref="ModelSpec{TModel}"/> of <see cref="MixtureModel"/>, so that standard errors, profiles and reports work as for
/// any model), the same model in its EM statistics mode, the data columns both read, and the parameter names
/// (w1 … w(K−1), then each component's parameters with its number appended: mu1, sigma1, mu2, ...).
/// </summary>
public sealed class MixtureSpec
{
    /// <summary>The model name results carry.</summary>
    public const string ModelName = "mixture";

    /// <summary>The most prepared arguments the engine carries (its widest term vector).</summary>
    private const int MaxArguments = 128;

    private readonly Dictionary<MixtureFamily, double> _fallback;

    private MixtureSpec(Dataset data, string column, MixtureFamilies.Entry[] families)
    {
        Source = data.Source;
        Column = column;
        Families = families;
        X = data.Column(column).AsArray();
        if (X.Length == 0)
            throw new InputException($"{data.Source}: the dataset is empty");

        var support = new Dictionary<MixtureFamily, bool[]>();
        Support = support;
        _fallback = new Dictionary<MixtureFamily, double>();
        foreach (var family in families.DistinctBy(f => f.Family))
        {
            var inside = X.Select(family.InSupport).ToArray();
            int first = Array.IndexOf(inside, true);
            if (first < 0)
                throw new InputException($"{data.Source}: column '{column}': no value lies in the support of mixture component family {family.Name} ({family.Support})");
            support[family.Family] = inside;
            _fallback[family.Family] = X[first];
        }
        for (int i = 0; i < X.Length; i++)
        {
            if (!families.Any(f => Support[f.Family][i]))
            {
                throw new InputException($"{data.Source}: {data.DescribeRow(i)}, column '{column}': {X[i]} lies outside the support of every component " +
                    $"({string.Join("; ", families.Select(f => f.Name).Distinct().Select(n => $"{n}: {MixtureFamilies.Named(n).Support}"))})");
            }
        }
        var (columns, blocks) = ColumnsOf(X);
        Columns = columns;

        var kinds = families.Select(f => f.Family).ToArray();
        var blockOf = blocks;
        Model = new MixtureModel(kinds, blockOf, columns.Count, statistics: false);
        if (MixtureModel.ArgumentCount(Model) > MaxArguments)
            throw new InputException($"mixture components {string.Join(",", families.Select(f => f.Name))}: too many for one model ({MixtureModel.ArgumentCount(Model)} prepared values, at most {MaxArguments}); use fewer components");

        var names = new List<ParameterInfo>();
        for (int k = 1; k < families.Length; k++)
            names.Add(new ParameterInfo($"w{k}", ParameterDomain.UnitInterval));
        for (int k = 0; k < families.Length; k++)
            names.AddRange(families[k].Parameters.Select(p => p with { Name = $"{p.Name}{k + 1}" }));
        Parameters = names;
    }

    /// <summary>Where the data came from, for messages.</summary>
    public string Source { get; }

    /// <summary>The column the mixture describes.</summary>
    public string Column { get; }

    /// <summary>Each component's family, in the order given.</summary>
    public IReadOnlyList<MixtureFamilies.Entry> Families { get; }

    /// <summary>The number of components, K.</summary>
    public int Components => Families.Count;

    /// <summary>The observations.</summary>
    public double[] X { get; }

    /// <summary>The spread of the data the components' scale parameters are measured against: of x, and of log x for the log-normal.</summary>
    internal (double X, double LogX) Spreads => _spreads ??= MeasureSpreads();

    private (double X, double LogX)? _spreads;

    private (double X, double LogX) MeasureSpreads()
    {
        double sd = Moments.StandardDeviation(X);
        var logs = X.Where(v => v > 0).Select(v => Math.Log(v)).ToArray();
        double logSd = logs.Length > 1 ? Moments.StandardDeviation(logs) : 1.0;
        return (sd > 0 ? sd : 1.0, logSd > 0 ? logSd : 1.0);
    }

    /// <summary>
    /// The spread a component's parameter <paramref name="j"/> is a location within, where it is one (a real-valued
    /// parameter: normal, Student-t, Cauchy, Laplace and logistic locations, the log-normal's mu on log x's spread);
    /// null for the others (weights, scales, shapes, rates).
    /// </summary>
    internal double? LocationSpread(MixtureFamilies.Entry family, int j) =>
        family.Parameters[j].Domain == ParameterDomain.Real ? (family.Family == MixtureFamily.LogNormal ? Spreads.LogX : Spreads.X) : null;

    // The optimizer's typical steps: a tenth of the data's spread for a location, 0.1 on the log or logit scale for the
    // others. The default, a tenth of the start's size, made a location of data around 10¹² with a spread of 10³ take
    // steps of 10¹¹ (a trial: every start of three normals collapsed there).
    private double[] LocationScales()
    {
        var scales = Enumerable.Repeat(0.1, ParameterCount).ToArray();
        for (int c = 0; c < Components; c++)
        {
            for (int j = 0; j < Families[c].Parameters.Count; j++)
            {
                if (LocationSpread(Families[c], j) is { } spread)
                    scales[Model.FirstParameter(c) + j] = 0.1 * spread;
            }
        }
        return scales;
    }

    /// <summary>
    /// Where every component has a location on the real line (normal, Student-t, Cauchy, Laplace, logistic: a shift of
    /// the data shifts the locations and nothing else) and the data lie more than 10⁴ of their spreads from zero (10¹²
    /// ± 10, where a location moves in steps of 10⁻⁴ and the searches cannot settle), the same mixture over the data
    /// less a constant c, each difference exact (every value within a factor 2 of c), and c; else null.
    /// </summary>
    internal (MixtureSpec Spec, double By)? Shifted()
    {
        if (Families.Any(f => f.Family is not (MixtureFamily.Normal or MixtureFamily.StudentT or MixtureFamily.Cauchy or MixtureFamily.Laplace or MixtureFamily.Logistic)))
            return null;
        double c = Moments.Mean(X);
        if (!(Math.Abs(c) > 1e4 * Spreads.X) || !X.All(v => v / c is >= 0.5 and <= 2))
            return null;
        var shifted = new Dataset([KeyValuePair.Create(Column, X.Select(v => v - c).ToArray())], Source);
        return (new MixtureSpec(shifted, Column, [.. Families]), c);
    }

    /// <summary>The indices (model order) of the components' location parameters (<see cref="LocationSpread"/>).</summary>
    internal IEnumerable<int> LocationParameters()
    {
        for (int c = 0; c < Components; c++)
        {
            for (int j = 0; j < Families[c].Parameters.Count; j++)
            {
                if (LocationSpread(Families[c], j) is not null)
                    yield return Model.FirstParameter(c) + j;
            }
        }
    }

    /// <summary>The data columns the model reads.</summary>
    public IReadOnlyList<ReadOnlyMemory<double>> Columns { get; }

    /// <summary>Per family, whether each row lies in its support.</summary>
    public IReadOnlyDictionary<MixtureFamily, bool[]> Support { get; }

    /// <summary>The exact mixture model.</summary>
    public MixtureModel Model { get; }

    /// <summary>The exact model's parameters: w1 … w(K−1), then the components'.</summary>
    public IReadOnlyList<ParameterInfo> Parameters { get; }

    /// <summary>The number of free parameters, as AIC and BIC count them.</summary>
    public int ParameterCount => Parameters.Count;

    /// <summary>Component <paramref name="k"/>'s parameter names (k from 0), in its family's order.</summary>
    public IReadOnlyList<string> ComponentParameters(int k) => [.. Families[k].Parameters.Select(p => $"{p.Name}{k + 1}")];

    /// <summary>
    /// A mixture of the families named in <paramref name="families"/> (1 to 16, the same or not) over column
    /// <paramref name="column"/> of <paramref name="data"/>; an <see cref="InputException"/> for an unknown family, a
    /// row outside the support of every component, or too many components.
    /// </summary>
    public static MixtureSpec Create(Dataset data, string column, IReadOnlyList<string> families)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(families);
        data.RequireWhole("a mixture");
        if (families.Count is < 1 or > MixtureModel.MaxComponents)
            throw new InputException($"a mixture has 1 to {MixtureModel.MaxComponents} components, not {families.Count}");
        var named = families.Select(MixtureFamilies.Named).ToArray();
        // Σ wₖ Bernoulli(pₖ) is Bernoulli(Σ wₖ pₖ): only that sum is identified, and a search ends anywhere along it
        // with a singular Hessian (a trial's 2xbernoulli "converged" at an arbitrary w1 = 0.5).
        if (named.Count(f => f.Family == MixtureFamily.Bernoulli) > 1)
            throw new InputException($"{named.Count(f => f.Family == MixtureFamily.Bernoulli)} Bernoulli components: a mixture of Bernoullis is itself a Bernoulli " +
                "(its p the weighted mean of theirs), so their weights and p's are not identified; fit one Bernoulli component");
        return new MixtureSpec(data, column, named);
    }

    /// <summary>
    /// The columns the model reads for <paramref name="values"/> (the data, or a grid to draw densities on): one block
    /// per distinct family, a support mask (1 inside the family's support, 0 where the component's density is zero)
    /// and then the family's columns of the values, out-of-support values replaced by one inside the support so that
    /// no NaN is stored (the mask keeps the kernel from reading them); and each component's first column.
    /// </summary>
    public (IReadOnlyList<ReadOnlyMemory<double>> Columns, int[] Blocks) ColumnsOf(double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var columns = new List<ReadOnlyMemory<double>>();
        var blocks = new Dictionary<MixtureFamily, int>();
        foreach (var family in Families.DistinctBy(f => f.Family))
        {
            var inside = values.Select(family.InSupport).ToArray();
            double fallback = _fallback[family.Family];
            var safe = values.Select((v, i) => inside[i] ? v : fallback).ToArray();
            blocks[family.Family] = columns.Count;
            columns.Add(inside.Select(b => b ? 1.0 : 0.0).ToArray());
            columns.AddRange(family.Columns(safe));
        }
        return (columns, [.. Families.Select(f => blocks[f.Family])]);
    }

    /// <summary>The exact model as a model spec starting at <paramref name="start"/> (natural scale, model order).</summary>
    public ModelSpec<MixtureModel> ToModelSpec(IReadOnlyList<double> start) =>
        new(ModelName, Model, Columns, Parameters, start, LocationScales())
        {
            OwnEngine = device => NormalMixtureEngine.For(this, device),
            // A Laplace component's location has a kink at every data point, where its EM point (a weighted median) and
            // the maximum lie: no gradient test passes there (a trial: every Laplace mixture ended not converged), so the
            // fit settles at the kink as a Laplace fit does, the location held there and the rest maximized.
            HasParameterKinks = Families.Any(f => f.Family == MixtureFamily.Laplace),
        };
}
