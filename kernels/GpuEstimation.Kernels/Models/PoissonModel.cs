using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels.Models;

/// <summary>
/// Poisson with rate λ: <c>log f(k) = k log λ − λ − log k!</c>. SciPy: <c>scipy.stats.poisson(mu=rate)</c>; MathNet:
/// <c>Poisson(lambda)</c>. Support: k = 0, 1, 2, .... Reads (k, log k!).
/// </summary>
public readonly struct PoissonModel : IDistribution<PoissonModel>, ILinearPredictorModel<PoissonModel>
{
    /// <inheritdoc/>
    public static string Name => "poisson";

    /// <inheritdoc/>
    public static string Support => "non-negative integers";

    /// <inheritdoc/>
    public static IReadOnlyList<ParameterInfo> Parameters { get; } =
        [new("rate", ParameterDomain.Positive)];

    /// <inheritdoc/>
    public int ColumnCount => 2;

    /// <inheritdoc/>
    public static bool InSupport(double x, double trials) => x >= 0 && x == Math.Floor(x);

    /// <inheritdoc/>
    public static ReadOnlyMemory<double>[] Columns(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials) => [x, Moments.Map(x.Span, k => DeviceMath.LogGamma(k + 1))];

    /// <inheritdoc/>
    public static double[] Start(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials)
    {
        // The closed-form MLE: the mean.
        return [Moments.PositiveOr(Moments.Mean(x.Span), 1.0)];
    }

    /// <summary>
    /// The rate beyond which a row's log f is taken in its cancellation-free form (<see cref="LogDensity"/>): the direct
    /// form subtracts terms ~k log λ and keeps ~ε k log λ of a row (1e-9 at 10⁶; at 10¹² a log-likelihood 1.7e-4 off,
    /// at 10¹⁴ by 11 of 875).
    /// </summary>
    public const double StableRate = 1e6;

    /// <summary>Arguments: λ, log λ.</summary>
    public static void Prepare(in PoissonModel model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        arguments[0] = parameters[0];
        arguments[1] = DeviceMath.Log(parameters[0]);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<TVec, TRows>(in PoissonModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double k = data[0, row];
        terms.Add(0, LogDensity(k, arguments.Get(0), arguments.Get(1), data[1, row]));
        terms.Add(1, k / arguments.Get(0) - 1.0);
    }

    /// <summary>
    /// log f(k) = k log λ − λ − log k! (<paramref name="logFactorial"/>); beyond <see cref="StableRate"/>, for k ≥ 1,
    /// k (log(1 + t) − t) + (k log k − k − log k!) with t = (λ − k)/k (<see cref="DeviceMath.Log1pMinusXOfRatio"/>),
    /// each term small (the second is <see cref="DeviceMath.XLogXMinusXMinusLogGamma"/>(k) − log k, Stirling's tail);
    /// below it the bits are the direct form's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double LogDensity(double k, double rate, double logRate, double logFactorial)
    {
        if (!(rate > StableRate && k >= 1))
            return DeviceMath.XLogY(k, logRate) - rate - logFactorial;
        return k * DeviceMath.Log1pMinusXOfRatio(rate, k) + (DeviceMath.XLogXMinusXMinusLogGamma(k) - DeviceMath.Log(k));
    }

    /// <summary>One design value, the constant 1: η is the family's parameter.</summary>
    public int DesignWidth => 1;

    /// <summary>None: the one parameter is η.</summary>
    public int ExtraParameters => 0;

    /// <inheritdoc/>
    public int DesignColumn(int j) => -1;

    /// <summary>The parameter is argument 0.</summary>
    public int DesignArgument(int j) => 0;

    /// <summary>With η = λ: ∂/∂λ = k/λ − 1, ∂²/∂λ² = −k/λ².</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Curvature<TVec, TRows>(in PoissonModel model, in TVec arguments, in TRows data, long row, double design, out RowCurvature curvature)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double k = data[0, row], inverse = 1.0 / design;
        curvature = default;
        curvature.Value = LogDensity(k, design, arguments.Get(1), data[1, row]);
        curvature.Eta = k * inverse - 1.0;
        curvature.EtaEta = -k * inverse * inverse;
    }
}
