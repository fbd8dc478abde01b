using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels.Models;

/// <summary>
/// Beta(α, β): <c>log f(x) = (α − 1) log x + (β − 1) log(1 − x) − log B(α, β)</c>. SciPy: <c>scipy.stats.beta(a, b)</c>;
/// MathNet: <c>Beta(a, b)</c>. Support: 0 &lt; x &lt; 1. Reads (log x, log(1 − x)).
/// </summary>
public readonly struct BetaModel : IDistribution<BetaModel>
{
    /// <inheritdoc/>
    public static string Name => "beta";

    /// <inheritdoc/>
    public static string Support => "0 < x < 1";

    /// <inheritdoc/>
    public static IReadOnlyList<ParameterInfo> Parameters { get; } =
        [new("alpha", ParameterDomain.Positive), new("beta", ParameterDomain.Positive)];

    /// <inheritdoc/>
    public int ColumnCount => 2;

    /// <inheritdoc/>
    public static int ArgumentCount(in BetaModel model) => 5;

    /// <inheritdoc/>
    public static bool InSupport(double x, double trials) => x > 0 && x < 1;

    /// <inheritdoc/>
    public static ReadOnlyMemory<double>[] Columns(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials) => [Moments.Map(x.Span, DeviceMath.Log), Moments.Map(x.Span, v => DeviceMath.Log1p(-v))];

    /// <inheritdoc/>
    public static double[] Start(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials)
    {
        // Moments: with m the mean and v the variance, α = m c, β = (1 − m) c, c = m(1 − m)/v − 1.
        double m = Moments.Mean(x.Span), v = Moments.Variance(x.Span);
        double common = Moments.PositiveOr(m * (1 - m) / v - 1, 2.0);
        return [Moments.PositiveOr(m * common, 1.0), Moments.PositiveOr((1 - m) * common, 1.0)];
    }

    /// <summary>
    /// Arguments: α, β, −log B(α, β), ψ(α + β) − ψ(α), ψ(α + β) − ψ(β). The differences are the increments over the
    /// larger parameter (<see cref="DeviceMath.LogGammaIncrement"/>, <see cref="DeviceMath.DigammaIncrement"/>), not
    /// differences of log-gammas: at β = 10¹¹ (data within 10⁻¹⁰ of 0) log Γ(α + β) and log Γ(β) are 2.7·10¹² each, and
    /// their difference carried an error of ~3·10⁻⁴ a row (a scipy trial: log-likelihood 6·10⁻³ high, α 1e-4 off,
    /// "converged"), ψ(α + β) − ψ(β) ~ 10⁻¹¹ three digits.
    /// </summary>
    public static void Prepare(in BetaModel model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        double a = parameters[0], b = parameters[1];
        double small = Math.Min(a, b), large = Math.Max(a, b);
        arguments[0] = a;
        arguments[1] = b;
        arguments[2] = DeviceMath.LogGammaIncrement(large, small) + small * DeviceMath.Log(large) - DeviceMath.LogGamma(small);
        arguments[3] = DeviceMath.DigammaIncrement(a, b);
        arguments[4] = DeviceMath.DigammaIncrement(b, a);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<TVec, TRows>(in BetaModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double logX = data[0, row], logOneMinusX = data[1, row];
        terms.Add(0, arguments.Get(2) + (arguments.Get(0) - 1.0) * logX + (arguments.Get(1) - 1.0) * logOneMinusX);
        terms.Add(1, arguments.Get(3) + logX);
        terms.Add(2, arguments.Get(4) + logOneMinusX);
    }

    /// <inheritdoc/>
    public static bool HasBlock<TVec>(in BetaModel model, in TVec arguments) where TVec : unmanaged, ITermVector<TVec> => true;

    /// <summary>Sixteen rows of <see cref="Accumulate"/> in the lanes (the native backend).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void AccumulateBlock<TVec>(in BetaModel model, in TVec arguments, ReadOnlySpan<double> table, in HostRows data, long row, ref TermLanes terms)
        where TVec : unmanaged, ITermVector<TVec>
    {
        var logX = Lanes16.Load(data.Column(0) + row);
        var logOneMinusX = Lanes16.Load(data.Column(1) + row);
        terms.Term0 += (Lanes16.Create(arguments.Get(2)) + Lanes16.Create(arguments.Get(0) - 1.0) * logX + Lanes16.Create(arguments.Get(1) - 1.0) * logOneMinusX).Sum();
        terms.Term1 += (Lanes16.Create(arguments.Get(3)) + logX).Sum();
        terms.Term2 += (Lanes16.Create(arguments.Get(4)) + logOneMinusX).Sum();
    }
}
