using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels.Models;

/// <summary>
/// Bernoulli with success probability p: <c>log f(y) = y log p + (1 − y) log(1 − p)</c>, y ∈ {0, 1}. SciPy:
/// <c>scipy.stats.bernoulli(p)</c>; MathNet: <c>Bernoulli(p)</c>.
/// </summary>
public readonly struct BernoulliModel : IDistribution<BernoulliModel>, ILinearPredictorModel<BernoulliModel>
{
    /// <inheritdoc/>
    public static string Name => "bernoulli";

    /// <inheritdoc/>
    public static string Support => "y in {0, 1}";

    /// <inheritdoc/>
    public static IReadOnlyList<ParameterInfo> Parameters { get; } =
        [new("p", ParameterDomain.UnitInterval)];

    /// <inheritdoc/>
    public int ColumnCount => 1;

    /// <inheritdoc/>
    public static int ArgumentCount(in BernoulliModel model) => 5;

    /// <summary>p, log p, log(1 − p), 1/p, 1/(1 − p): what the Bernoulli and binomial terms need.</summary>
    internal static void ProbabilityArguments(double p, Span<double> arguments)
    {
        arguments[0] = p;
        arguments[1] = DeviceMath.Log(p);
        arguments[2] = DeviceMath.Log1p(-p);
        arguments[3] = 1.0 / p;
        arguments[4] = 1.0 / (1.0 - p);
    }

    /// <inheritdoc/>
    public static bool InSupport(double x, double trials) => x == 0 || x == 1;

    /// <inheritdoc/>
    public static ReadOnlyMemory<double>[] Columns(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials) => [x];

    /// <inheritdoc/>
    public static double[] Start(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials)
    {
        // The closed-form MLE: the mean.
        return [Moments.Probability(Moments.Mean(x.Span))];
    }

    /// <summary>Arguments: p, log p, log(1 − p), 1/p, 1/(1 − p).</summary>
    public static void Prepare(in BernoulliModel model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        BernoulliModel.ProbabilityArguments(parameters[0], arguments);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<TVec, TRows>(in BernoulliModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double y = data[0, row];
        terms.Add(0, DeviceMath.XLogY(y, arguments.Get(1)) + DeviceMath.XLogY(1.0 - y, arguments.Get(2)));
        terms.Add(1, y * arguments.Get(3) - (1.0 - y) * arguments.Get(4));
    }

    /// <summary>One design value, the constant 1: η is the family's parameter.</summary>
    public int DesignWidth => 1;

    /// <summary>None: the one parameter is η.</summary>
    public int ExtraParameters => 0;

    /// <inheritdoc/>
    public int DesignColumn(int j) => -1;

    /// <summary>The parameter is argument 0.</summary>
    public int DesignArgument(int j) => 0;

    /// <summary>
    /// Reads arguments 0 … 3 only (the Hessian pass hands no more), so 1/(1 − p) from η itself. With η = p: ∂/∂p = y/p − (1 − y)/(1 − p), ∂²/∂p² = −y/p² − (1 − y)/(1 − p)².
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Curvature<TVec, TRows>(in BernoulliModel model, in TVec arguments, in TRows data, long row, double design, out RowCurvature curvature)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double y = data[0, row];
        ProbabilityCurvature(arguments, y, 1.0 - y, 0.0, design, out curvature);
    }

    /// <summary>
    /// The Bernoulli's and the binomial's row, given its successes and failures and the row's constant (the binomial's
    /// log C(n, k)), with <see cref="ProbabilityArguments"/>' first four arguments and η = p.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ProbabilityCurvature<TVec>(in TVec arguments, double successes, double failures, double constant, double design, out RowCurvature curvature)
        where TVec : unmanaged, ITermVector<TVec>
    {
        double toP = arguments.Get(3), toQ = 1.0 / (1.0 - design);
        curvature = default;
        curvature.Value = constant + DeviceMath.XLogY(successes, arguments.Get(1)) + DeviceMath.XLogY(failures, arguments.Get(2));
        curvature.Eta = successes * toP - failures * toQ;
        curvature.EtaEta = -successes * toP * toP - failures * toQ * toQ;
    }
}
