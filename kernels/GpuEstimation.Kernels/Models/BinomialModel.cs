using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels.Models;

/// <summary>
/// Binomial with success probability p and nᵢ trials per observation (given, not estimated):
/// <c>log f(k) = log C(n, k) + k log p + (n − k) log(1 − p)</c>. SciPy: <c>scipy.stats.binom(n, p)</c>; MathNet:
/// <c>Binomial(p, n)</c>. Support: k = 0 … n. Reads (k, n, log C(n, k)).
/// </summary>
public readonly struct BinomialModel : IDistribution<BinomialModel>, ILinearPredictorModel<BinomialModel>
{
    /// <inheritdoc/>
    public static string Name => "binomial";

    /// <inheritdoc/>
    public static string Support => "integers 0 <= k <= trials";

    /// <inheritdoc/>
    public static IReadOnlyList<ParameterInfo> Parameters { get; } =
        [new("p", ParameterDomain.UnitInterval)];

    /// <inheritdoc/>
    public static bool UsesTrials => true;

    private static ReadOnlyMemory<double> LogChoose(ReadOnlySpan<double> k, ReadOnlySpan<double> n) =>
        Moments.Map(k, n, (k, n) => DeviceMath.LogGamma(n + 1) - DeviceMath.LogGamma(k + 1) - DeviceMath.LogGamma(n - k + 1));

    /// <inheritdoc/>
    public int ColumnCount => 3;

    /// <inheritdoc/>
    public static int ArgumentCount(in BinomialModel model) => 5;

    /// <inheritdoc/>
    public static bool InSupport(double x, double trials) => x >= 0 && x == Math.Floor(x) && trials >= x && trials == Math.Floor(trials);

    /// <inheritdoc/>
    public static ReadOnlyMemory<double>[] Columns(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials) => [x, trials!.Value, LogChoose(x.Span, trials!.Value.Span)];

    /// <inheritdoc/>
    public static double[] Start(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials)
    {
        // The closed-form MLE: successes / trials (sums of whole numbers, exact below 2⁵³ in any order).
        return [Moments.Probability(Moments.Sum(x.Span) / Moments.Sum(trials!.Value.Span))];
    }

    /// <summary>Arguments: p, log p, log(1 − p), 1/p, 1/(1 − p).</summary>
    public static void Prepare(in BinomialModel model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        BernoulliModel.ProbabilityArguments(parameters[0], arguments);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<TVec, TRows>(in BinomialModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double k = data[0, row], n = data[1, row];
        terms.Add(0, LogDensity(k, n, arguments.Get(0), arguments.Get(1), arguments.Get(2), data[2, row]));
        terms.Add(1, k * arguments.Get(3) - (n - k) * arguments.Get(4));
    }

    /// <summary>The trials from which <see cref="LogDensity"/> takes the saddle-point form (below, the direct form's bits).</summary>
    public const double StableTrials = 1e3;

    /// <summary>
    /// log f(k) = log C(n, k) + k log p + m log(1 − p), m = n − k (<paramref name="logChoose"/> = log C(n, k)). Beyond
    /// <see cref="StableTrials"/>, for k, m ≥ 1, Loader's saddle-point form: k L(np, k) + m L(n(1 − p), m) + T(k) + T(m)
    /// − T(n), with L(a, b) = log(a/b) − (a/b − 1) (<see cref="DeviceMath.Log1pMinusXOfRatio"/>) and T(x) = x log x − x
    /// − log Γ(x) − log x (<see cref="DeviceMath.XLogXMinusXMinusLogGamma"/>, Stirling's tail): each term small, where the
    /// direct form adds log C(n, k) ~ n to k log p + m log(1 − p) ~ −n and kept ~16 − log10 n digits (a trial's log L
    /// was 0.139 off at 10¹² trials). The linear terms (np − k) + (n(1 − p) − m) are 0 exactly and left out.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double LogDensity(double k, double n, double p, double logP, double logQ, double logChoose)
    {
        double m = n - k;
        if (!(n > StableTrials && k >= 1 && m >= 1))
            return logChoose + DeviceMath.XLogY(k, logP) + DeviceMath.XLogY(m, logQ);
        return SaddlePoint(k, m, n, n * p, n * (1.0 - p), StirlingTerm(m));
    }

    /// <summary>
    /// Loader's saddle-point form of log C(n, k) + k log p + m log q (n = k + m ≥ <see cref="DeviceMath.AsymptoticArgument"/>,
    /// real k, m ≥ 1, as R's <c>dbinom_raw</c>), from the expected counts <paramref name="np"/> = n p and
    /// <paramref name="nq"/> = n q given directly: k L(np, k) + m L(nq, m) + T(k) + T(m) − T(n), T(x) = x log x − x −
    /// log Γ(x + 1) (<paramref name="stirlingM"/> = T(m), which a caller may hold per row or know to be large). Each term
    /// is about as small as the result, where the direct form adds terms of order n that cancel. The negative
    /// binomial's log-density is log(r/(y + r)) plus this with k = r, m = y, n = y + r.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SaddlePoint(double k, double m, double n, double np, double nq, double stirlingM) =>
        k * DeviceMath.Log1pMinusXOfRatio(np, k) + m * DeviceMath.Log1pMinusXOfRatio(nq, m) + StirlingTerm(k) + stirlingM - StirlingTermLarge(n);

    /// <summary>T(x) = x log x − x − log Γ(x + 1) for x ≥ 1, without cancellation (−½ log(2πx) − 1/(12x) + ...).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double StirlingTerm(double x) => DeviceMath.XLogXMinusXMinusLogGamma(x) - DeviceMath.Log(x);

    /// <summary>
    /// <see cref="StirlingTerm"/> for x ≥ <see cref="DeviceMath.AsymptoticArgument"/> (the same bits), without log Γ's
    /// code: the saddle point's n, a large count's T (OpenCL compilers took tens of seconds over each copy of log Γ).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double StirlingTermLarge(double x) => DeviceMath.XLogXMinusXMinusLogGammaLarge(x) - DeviceMath.Log(x);

    /// <summary>One design value, the constant 1: η is the family's parameter.</summary>
    public int DesignWidth => 1;

    /// <summary>None: the one parameter is η.</summary>
    public int ExtraParameters => 0;

    /// <inheritdoc/>
    public int DesignColumn(int j) => -1;

    /// <summary>The parameter is argument 0.</summary>
    public int DesignArgument(int j) => 0;

    /// <summary>
    /// Reads arguments 0 … 3 only (the Hessian pass hands no more), so 1/(1 − p) from η itself. With η = p: ∂/∂p = k/p − (n − k)/(1 − p), ∂²/∂p² = −k/p² − (n − k)/(1 − p)².
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Curvature<TVec, TRows>(in BinomialModel model, in TVec arguments, in TRows data, long row, double design, out RowCurvature curvature)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double k = data[0, row], n = data[1, row];
        BernoulliModel.ProbabilityCurvature(arguments, k, n - k, data[2, row], design, out curvature);
        curvature.Value = LogDensity(k, n, design, arguments.Get(1), arguments.Get(2), data[2, row]);
    }
}
