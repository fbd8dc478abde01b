using System.Runtime.CompilerServices;
using GpuEstimation.Kernels.Mixtures;

namespace GpuEstimation.Kernels.Models;

/// <summary>
/// A finite mixture of catalogue families over one observed column, <c>f(x) = Σₖ wₖ fₖ(x | θₖ)</c>, K ≤ 16, each
/// component's family chosen freely (<see cref="MixtureFamily"/>); one model struct, so the generic kernels run it on
/// every backend. Its parameters are w₁ … w_{K−1} (w_K = 1 − Σ wₖ; a point outside the simplex has log-likelihood NaN,
/// which the optimizer steps back from) and then each component's own parameters in its family's order.
/// </summary>
/// <remarks>
/// <para>Data: one block of columns per distinct family, starting with a support mask (1 where the row lies in the
/// family's support, 0 where the component's density is zero there) and followed by the family's own columns, which
/// the family reads through <see cref="OffsetRows{TRows}"/>. Arguments: log w₁ … log w_K, then each component's
/// prepared arguments (the family's <c>Prepare</c>).</para>
/// <para>Two modes share the struct and the kernels. The exact mode adds the mixture's log-density and its gradient.
/// The statistics mode (the EM pass) adds the log-density to term 0 and, for component k, its responsibility
/// rₖ = wₖ fₖ / f, rₖ·a and rₖ·b to terms 1 + 3k … 3 + 3k, where (a, b) are the family's sufficient statistics
/// (normal: x − shift and its square; log-normal: the same of log x; gamma: x and log x; exponential, Poisson,
/// geometric and Bernoulli: x; other families: none, their M-step is not closed-form).</para>
/// </remarks>
public readonly struct MixtureModel : ILikelihoodModel<MixtureModel>
{
    /// <summary>The most components a mixture may have.</summary>
    public const int MaxComponents = 16;

    /// <summary>Sufficient statistics per component in the statistics mode: r, r·a, r·b.</summary>
    public const int StatisticsPerComponent = 3;

    private readonly long _families, _argumentsLow, _argumentsHigh, _columnsLow, _columnsHigh, _parametersLow, _parametersHigh;
    // An int, not a bool: kernel parameters must be blittable.
    private readonly int _parameters, _arguments, _columns, _statistics;

    /// <summary>
    /// A mixture of <paramref name="families"/>, component k reading the column block that starts at
    /// <paramref name="blocks"/>[k] (its support mask, then the family's columns), over <paramref name="columns"/> data
    /// columns in all.
    /// </summary>
    /// <param name="families">Each component's family, 1 to <see cref="MaxComponents"/> of them.</param>
    /// <param name="blocks">Each component's first column.</param>
    /// <param name="columns">The number of data columns.</param>
    /// <param name="statistics">The EM statistics mode rather than the exact log-likelihood and gradient (its normal and
    /// log-normal sums of x, or log x, less each component's μ).</param>
    public MixtureModel(IReadOnlyList<MixtureFamily> families, IReadOnlyList<int> blocks, int columns, bool statistics)
    {
        ArgumentNullException.ThrowIfNull(families);
        ArgumentNullException.ThrowIfNull(blocks);
        if (families.Count is < 1 or > MaxComponents)
            throw new ArgumentOutOfRangeException(nameof(families), $"a mixture has 1 to {MaxComponents} components, not {families.Count}");
        if (blocks.Count != families.Count)
            throw new ArgumentException("one column block per component", nameof(blocks));
        Components = families.Count;
        _statistics = statistics ? 1 : 0;
        _columns = columns;
        int argument = Components, parameter = Components - 1;
        for (int k = 0; k < Components; k++)
        {
            var family = families[k];
            _families |= (long)family << (4 * k);
            Pack(ref _argumentsLow, ref _argumentsHigh, k, argument);
            Pack(ref _columnsLow, ref _columnsHigh, k, blocks[k]);
            Pack(ref _parametersLow, ref _parametersHigh, k, parameter);
            argument += ArgumentCountOf(family);
            parameter += ParameterCountOf(family);
        }
        _arguments = argument;
        _parameters = parameter;
    }

    /// <summary>The number of components, K.</summary>
    public int Components { get; }

    /// <summary>Whether this is the EM statistics mode.</summary>
    public bool Statistics => _statistics != 0;

    /// <summary>The number of parameters of the exact mixture (K − 1 weights and the components' parameters).</summary>
    public int MixtureParameterCount => _parameters;

    /// <summary>
    /// In the exact mode the mixture's parameters; in the statistics mode the larger of the 3K sums and the mixture's
    /// parameters, because the engine passes one vector of that length both ways: the mixture's parameters in (padded
    /// with zeros) and the sums out (in its first 3K places, zeros after them).
    /// </summary>
    public int ParameterCount => Statistics ? Math.Max(StatisticsPerComponent * Components, _parameters) : _parameters;

    /// <inheritdoc/>
    public int ColumnCount => _columns;

    /// <summary>The same mixture in the other mode.</summary>
    public MixtureModel WithStatistics(bool statistics)
    {
        var families = new MixtureFamily[Components];
        var blocks = new int[Components];
        for (int k = 0; k < Components; k++)
        {
            families[k] = Family(k);
            blocks[k] = Unpack(_columnsLow, _columnsHigh, k);
        }
        return new MixtureModel(families, blocks, _columns, statistics);
    }

    /// <summary>Component <paramref name="k"/>'s family.</summary>
    public MixtureFamily Family(int k) => (MixtureFamily)((_families >> (4 * k)) & 0xF);

    /// <summary>The index of component <paramref name="k"/>'s first parameter in the exact mixture's parameters.</summary>
    public int FirstParameter(int k) => Unpack(_parametersLow, _parametersHigh, k);

    /// <inheritdoc/>
    public static int ArgumentCount(in MixtureModel model) => model._arguments;

    /// <summary>
    /// The number of parameters of <paramref name="family"/>: literal constants, which the device code can use (the
    /// families' parameter lists are host objects); a test holds them to the families' own metadata.
    /// </summary>
    public static int ParameterCountOf(MixtureFamily family) => family switch
    {
        MixtureFamily.Exponential or MixtureFamily.Poisson or MixtureFamily.Bernoulli or MixtureFamily.Geometric => 1,
        MixtureFamily.StudentT => 3,
        _ => 2,
    };

    /// <summary>The number of prepared arguments of <paramref name="family"/> (at most 8), as literal constants like <see cref="ParameterCountOf"/>.</summary>
    public static int ArgumentCountOf(MixtureFamily family) => family switch
    {
        MixtureFamily.Exponential or MixtureFamily.Poisson => 2,
        MixtureFamily.LogNormal or MixtureFamily.Cauchy or MixtureFamily.Laplace or MixtureFamily.Logistic => 3,
        MixtureFamily.Normal or MixtureFamily.Weibull => 4,
        MixtureFamily.Beta or MixtureFamily.Bernoulli or MixtureFamily.Geometric => 5,
        MixtureFamily.Gamma => 6,
        MixtureFamily.StudentT => 7,
        _ => 8,
    };

    /// <summary>Weights' logarithms, then each component's prepared arguments.</summary>
    public static void Prepare(in MixtureModel model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        int k = model.Components;
        double last = 1.0;
        for (int j = 0; j < k - 1; j++)
        {
            double w = parameters[j];
            last -= w;
            arguments[j] = w >= 0 ? Math.Log(w) : double.NaN;
        }
        // Outside the simplex the log-likelihood is NaN: the optimizer's line search steps back.
        arguments[k - 1] = last >= 0 ? Math.Log(last) : double.NaN;
        for (int j = 0; j < k; j++)
        {
            var family = model.Family(j);
            var p = parameters.Slice(model.FirstParameter(j), ParameterCountOf(family));
            var a = arguments.Slice(Unpack(model._argumentsLow, model._argumentsHigh, j), ArgumentCountOf(family));
            PrepareComponent(family, p, a);
        }
    }

    private static void PrepareComponent(MixtureFamily family, ReadOnlySpan<double> p, Span<double> a)
    {
        switch (family)
        {
            case MixtureFamily.Normal: NormalModel.Prepare(default, p, a); break;
            case MixtureFamily.LogNormal: LogNormalModel.Prepare(default, p, a); break;
            case MixtureFamily.Exponential: ExponentialModel.Prepare(default, p, a); break;
            case MixtureFamily.Gamma: GammaModel.Prepare(default, p, a); break;
            case MixtureFamily.Beta: BetaModel.Prepare(default, p, a); break;
            case MixtureFamily.Weibull: WeibullModel.Prepare(default, p, a); break;
            case MixtureFamily.StudentT: StudentTModel.Prepare(default, p, a); break;
            case MixtureFamily.Cauchy: CauchyModel.Prepare(default, p, a); break;
            case MixtureFamily.Laplace: LaplaceModel.Prepare(default, p, a); break;
            case MixtureFamily.Logistic: LogisticModel.Prepare(default, p, a); break;
            case MixtureFamily.Poisson: PoissonModel.Prepare(default, p, a); break;
            case MixtureFamily.Bernoulli: BernoulliModel.Prepare(default, p, a); break;
            case MixtureFamily.NegativeBinomial: NegativeBinomialModel.Prepare(default, p, a); break;
            default: GeometricModel.Prepare(default, p, a); break;
        }
    }

    /// <inheritdoc/>
    public static void Accumulate<TVec, TRows>(in MixtureModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        int count = model.Components;
        // Each component's log-density (without its weight), and the largest weighted one.
        var densities = default(Twice<Twice<Vec4>>);
        double top = double.NegativeInfinity;
        for (int k = 0; k < count; k++)
        {
            double value = double.NegativeInfinity;
            int block = Unpack(model._columnsLow, model._columnsHigh, k);
            if (data[block, row] != 0)
            {
                var own = ComponentArguments(model, arguments, k);
                var sums = default(ValueOnly<Twice<Vec4>>);
                Component(model.Family(k), own, new OffsetRows<TRows>(data, block + 1), row, ref sums);
                sums.FinishRows(1);
                value = sums.Get(0);
            }
            densities.Set(k, value);
            double weighted = value + arguments.Get(k);
            top = weighted > top ? weighted : top;
        }
        double scaled = 0;
        for (int k = 0; k < count; k++)
            scaled += TRows.Exp(densities.Get(k) + arguments.Get(k) - top);
        double total = top + TRows.Log1p(scaled - 1.0);
        terms.Add(0, total);

        if (model.Statistics)
        {
            for (int k = 0; k < count; k++)
            {
                double r = TRows.Exp(densities.Get(k) + arguments.Get(k) - total);
                if (!(r > 0))
                    continue;
                int block = Unpack(model._columnsLow, model._columnsHigh, k);
                var family = model.Family(k);
                double a = 0, b = 0;
                if (family == MixtureFamily.Normal || family == MixtureFamily.LogNormal)
                {
                    // x (log x) less the component's μ, its first argument: centred, the M-step's σ² = Σ r a²/Σ r − (Σ r a/Σ r)²
                    // is no difference of sums of size μ², which lost digits as (μ/σ)² (GaussianMixtureRow.Code).
                    a = data[block + 1, row] - arguments.Get(Unpack(model._argumentsLow, model._argumentsHigh, k));
                    b = a * a;
                }
                else if (family == MixtureFamily.Gamma)
                {
                    a = data[block + 1, row];
                    b = data[block + 2, row];
                }
                else if (family == MixtureFamily.Exponential || family == MixtureFamily.Poisson
                    || family == MixtureFamily.Geometric || family == MixtureFamily.Bernoulli)
                {
                    a = data[block + 1, row];
                }
                terms.Add(1 + StatisticsPerComponent * k, r);
                terms.Add(2 + StatisticsPerComponent * k, r * a);
                terms.Add(3 + StatisticsPerComponent * k, r * b);
            }
            return;
        }

        // ∂/∂wₖ = fₖ/f − f_K/f for k < K; ∂/∂θₖ = rₖ ∂ log fₖ/∂θₖ.
        double lastShare = TRows.Exp(densities.Get(count - 1) - total);
        for (int k = 0; k < count; k++)
        {
            double share = TRows.Exp(densities.Get(k) - total);
            if (k < count - 1)
                terms.Add(1 + k, share - lastShare);
            double r = share * TRows.Exp(arguments.Get(k));
            if (!(r > 0))
                continue;
            var family = model.Family(k);
            int block = Unpack(model._columnsLow, model._columnsHigh, k);
            var own = ComponentArguments(model, arguments, k);
            var sums = default(Twice<Vec4>);
            Component(family, own, new OffsetRows<TRows>(data, block + 1), row, ref sums);
            int first = Unpack(model._parametersLow, model._parametersHigh, k);
            int parameters = ParameterCountOf(family);
            for (int j = 0; j < parameters; j++)
                terms.Add(1 + first + j, r * sums.Get(1 + j));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Twice<Vec4> ComponentArguments<TVec>(in MixtureModel model, in TVec arguments, int k) where TVec : unmanaged, ITermVector<TVec>
    {
        int first = Unpack(model._argumentsLow, model._argumentsHigh, k);
        int count = ArgumentCountOf(model.Family(k));
        var own = default(Twice<Vec4>);
        for (int j = 0; j < count; j++)
            own.Set(j, arguments.Get(first + j));
        return own;
    }

    // The one place the families meet: each component's own Accumulate, on its own columns and arguments.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Component<TTerms, TRows>(MixtureFamily family, in Twice<Vec4> a, in OffsetRows<TRows> rows, long row, ref TTerms t)
        where TTerms : unmanaged, ITermVector<TTerms>
        where TRows : struct, IDataRows
    {
        var own = a;
        switch (family)
        {
            case MixtureFamily.Normal: NormalModel.Accumulate(default, Cast<TTerms>(own), rows, row, ref t); break;
            case MixtureFamily.LogNormal: LogNormalModel.Accumulate(default, Cast<TTerms>(own), rows, row, ref t); break;
            case MixtureFamily.Exponential: ExponentialModel.Accumulate(default, Cast<TTerms>(own), rows, row, ref t); break;
            case MixtureFamily.Gamma: GammaModel.Accumulate(default, Cast<TTerms>(own), rows, row, ref t); break;
            case MixtureFamily.Beta: BetaModel.Accumulate(default, Cast<TTerms>(own), rows, row, ref t); break;
            case MixtureFamily.Weibull: WeibullModel.Accumulate(default, Cast<TTerms>(own), rows, row, ref t); break;
            case MixtureFamily.StudentT: StudentTModel.Accumulate(default, Cast<TTerms>(own), rows, row, ref t); break;
            case MixtureFamily.Cauchy: CauchyModel.Accumulate(default, Cast<TTerms>(own), rows, row, ref t); break;
            case MixtureFamily.Laplace: LaplaceModel.Accumulate(default, Cast<TTerms>(own), rows, row, ref t); break;
            case MixtureFamily.Logistic: LogisticModel.Accumulate(default, Cast<TTerms>(own), rows, row, ref t); break;
            case MixtureFamily.Poisson: PoissonModel.Accumulate(default, Cast<TTerms>(own), rows, row, ref t); break;
            case MixtureFamily.Bernoulli: BernoulliModel.Accumulate(default, Cast<TTerms>(own), rows, row, ref t); break;
            case MixtureFamily.NegativeBinomial: NegativeBinomialModel.Accumulate(default, Cast<TTerms>(own), rows, row, ref t); break;
            default: GeometricModel.Accumulate(default, Cast<TTerms>(own), rows, row, ref t); break;
        }
    }

    // The families take their arguments in the same vector type as their sums: copy the eight values over.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TTerms Cast<TTerms>(in Twice<Vec4> a) where TTerms : unmanaged, ITermVector<TTerms>
    {
        var result = default(TTerms);
        for (int j = 0; j < 8; j++)
            result.Set(j, a.Get(j));
        return result;
    }

    private static void Pack(ref long low, ref long high, int k, int value)
    {
        if (value is < 0 or > 255)
            throw new ArgumentOutOfRangeException(nameof(value), "a mixture offset must fit in a byte");
        if (k < 8)
            low |= (long)value << (8 * k);
        else
            high |= (long)value << (8 * (k - 8));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Unpack(long low, long high, int k) =>
        (int)(((k < 8 ? low : high) >> (8 * (k & 7))) & 0xFF);
}
