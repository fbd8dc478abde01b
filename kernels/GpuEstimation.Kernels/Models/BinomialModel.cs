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

    private static double[] LogChoose(ReadOnlySpan<double> k, ReadOnlySpan<double> n)
    {
        var result = new double[k.Length];
        for (int i = 0; i < k.Length; i++)
            result[i] = DeviceMath.LogGamma(n[i] + 1) - DeviceMath.LogGamma(k[i] + 1) - DeviceMath.LogGamma(n[i] - k[i] + 1);
        return result;
    }

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
        // The closed-form MLE: successes / trials.
        double successes = 0, total = 0;
        ReadOnlySpan<double> k = x.Span, n = trials!.Value.Span;
        for (int i = 0; i < k.Length; i++)
        {
            successes += k[i];
            total += n[i];
        }
        return [Moments.Probability(successes / total)];
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
        terms.Add(0, data[2, row] + DeviceMath.XLogY(k, arguments.Get(1)) + DeviceMath.XLogY(n - k, arguments.Get(2)));
        terms.Add(1, k * arguments.Get(3) - (n - k) * arguments.Get(4));
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
    /// Reads arguments 0 … 3 only (the Hessian pass hands no more), so 1/(1 − p) from η itself. With η = p: ∂/∂p = k/p − (n − k)/(1 − p), ∂²/∂p² = −k/p² − (n − k)/(1 − p)².
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Curvature<TVec, TRows>(in BinomialModel model, in TVec arguments, in TRows data, long row, double design, out RowCurvature curvature)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double k = data[0, row];
        BernoulliModel.ProbabilityCurvature(arguments, k, data[1, row] - k, data[2, row], design, out curvature);
    }
}
