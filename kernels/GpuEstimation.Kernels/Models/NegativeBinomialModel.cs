using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels.Models;

/// <summary>
/// Negative binomial: the number of failures k before the r-th success, success probability p (as MathNet's
/// <c>NegativeBinomial(r, p)</c>; SciPy: <c>scipy.stats.nbinom(n=r, p=p)</c>), r real and positive:
/// <c>log f(k) = log Γ(k + r) − log Γ(r) − log k! + r log p + k log(1 − p)</c>. Support: k = 0, 1, 2, ....
/// Reads (k, log k!).
/// </summary>
public readonly struct NegativeBinomialModel : IDistribution<NegativeBinomialModel>
{
    /// <summary>
    /// From this r on, log Γ(k + r) − log Γ(r) and ψ(k + r) − ψ(r) are taken as increments that keep their digits
    /// (<see cref="DeviceMath.LogGammaIncrement"/>, <see cref="DeviceMath.DigammaIncrement"/>); below it, as
    /// differences of log-gammas and digammas, as before (within 3.6e-14 of max(1, |log f|) up to r = 99.75; they reach 5e-13 at 1e3).
    /// </summary>
    public const double AsymptoticShape = 100;

    /// <inheritdoc/>
    public static string Name => "negbinomial";

    /// <inheritdoc/>
    public static string Support => "non-negative integers";

    /// <inheritdoc/>
    public static IReadOnlyList<ParameterInfo> Parameters { get; } =
        [new("r", ParameterDomain.Positive), new("p", ParameterDomain.UnitInterval)];

    /// <inheritdoc/>
    public int ColumnCount => 2;

    /// <inheritdoc/>
    public static int ArgumentCount(in NegativeBinomialModel model) => 8;

    /// <inheritdoc/>
    public static bool InSupport(double x, double trials) => x >= 0 && x == Math.Floor(x);

    /// <inheritdoc/>
    public static ReadOnlyMemory<double>[] Columns(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials) => [x, Moments.Map(x.Span, k => DeviceMath.LogGamma(k + 1))];

    /// <inheritdoc/>
    public static string? LimitAtInfinity(string parameter) => parameter == "r" ? "the Poisson limit" : null;

    /// <inheritdoc/>
    public static double[] Start(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials)
    {
        // Moments: mean m = r(1 − p)/p, variance v = m/p, so p = m/v and r = m²/(v − m), taken as m (m/(v − m)) (m²
        // overflows from 10¹⁵⁴); where v ≤ m, r = 10. Where the variance itself overflows (counts past 10¹⁵⁴: r was NaN,
        // "starting value r = NaN", a hunt), r = 1 and p from the mean.
        double m = Moments.Mean(x.Span), v = Moments.Variance(x.Span);
        if (v > m && m > 0)
        {
            double p = m / v, r = m * (m / (v - m));
            return r > 0 && double.IsFinite(r) ? [r, Moments.Probability(p)] : [1.0, Moments.Probability(1 / (1 + m))];
        }
        return [10.0, Moments.Probability(10.0 / (10.0 + m))];
    }

    /// <summary>
    /// Arguments: r, log p, log(1 − p), −log Γ(r), −ψ(r) + log p, r/p, 1/(1 − p), and from
    /// <see cref="AsymptoticShape"/> on log(r(1 − p)) (else 0): there log f = [log Γ(k + r) − log Γ(r) − k log r]
    /// + k log(r(1 − p)) + r log p − log k!, whose terms are all as small as log f near its maximum.
    /// </summary>
    public static void Prepare(in NegativeBinomialModel model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        double r = parameters[0], p = parameters[1];
        double logP = DeviceMath.Log(p);
        arguments[0] = r;
        arguments[1] = logP;
        arguments[2] = DeviceMath.Log1p(-p);
        arguments[3] = -DeviceMath.LogGamma(r);
        arguments[4] = logP - DeviceMath.Digamma(r);
        arguments[5] = r / p;
        arguments[6] = 1.0 / (1.0 - p);
        // r(1 − p) rounds once (1 − p is exact for p ≥ ½), so its log is good to an ulp where r is huge and 1 − p tiny.
        arguments[7] = r >= AsymptoticShape ? DeviceMath.Log(r * (1.0 - p)) : 0.0;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<TVec, TRows>(in NegativeBinomialModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double k = data[0, row], r = arguments.Get(0);
        // The branch on r is uniform (every thread of an evaluation takes the same side); a large count is a row's own.
        if (k > LargeCount)
        {
            double n = k + r;
            terms.Add(0, LargeCountLogDensity(k, r, n * (r / arguments.Get(5)), n * (1.0 / arguments.Get(6)), BinomialModel.StirlingTermLarge(k)));
            if (r >= AsymptoticShape)
                terms.Add(1, DeviceMath.DigammaIncrement(r, k) + arguments.Get(1));
            else
                terms.Add(1, TRows.Digamma(k + r) + arguments.Get(4));
        }
        else if (r >= AsymptoticShape)
        {
            terms.Add(0, DeviceMath.LogGammaIncrement(r, k) + k * arguments.Get(7) + r * arguments.Get(1) - data[1, row]);
            terms.Add(1, DeviceMath.DigammaIncrement(r, k) + arguments.Get(1));
        }
        else
        {
            terms.Add(0, TRows.LogGamma(k + r) + arguments.Get(3) - data[1, row] + r * arguments.Get(1) + k * arguments.Get(2));
            terms.Add(1, TRows.Digamma(k + r) + arguments.Get(4));
        }
        terms.Add(2, arguments.Get(5) - k * arguments.Get(6));
    }

    /// <summary>
    /// Counts beyond this take <see cref="LargeCountLogDensity"/>: the direct form's log Γ(k + r) and log k!, each
    /// ~k log k, cancel to ~16 − log10(k log k) digits (7.8e-4 nats over a sample of counts near 5·10⁹).
    /// </summary>
    public const double LargeCount = 1e6;

    /// <summary>
    /// log f(k) for k ≥ 1 and any r &gt; 0 as log(r/(k + r)) plus Loader's binomial saddle-point form with r successes in
    /// n = k + r trials (<see cref="BinomialModel.SaddlePoint"/>, as R's <c>dnbinom</c> for every size): every term about
    /// as small as log f. The expected counts <paramref name="np"/> = n p (successes) and <paramref name="nq"/> = n(1 − p)
    /// (failures) are the caller's (the catalogue's from p, NB2's from μ), and <paramref name="stirlingK"/> = T(k)
    /// (<see cref="BinomialModel.StirlingTerm"/>), which NB2 holds per row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double LargeCountLogDensity(double k, double r, double np, double nq, double stirlingK)
    {
        double n = k + r;
        return DeviceMath.Log(r / n) + BinomialModel.SaddlePoint(r, k, n, np, nq, stirlingK);
    }

    /// <inheritdoc/>
    public static bool HasBlock<TVec>(in NegativeBinomialModel model, in TVec arguments) where TVec : unmanaged, ITermVector<TVec> => true;

    /// <summary>Counts up to this many are looked up in the block table (<see cref="BlockTable"/>).</summary>
    public const int TableCounts = 256;

    /// <inheritdoc/>
    public static int BlockTableLength(in NegativeBinomialModel model) => 2 * (TableCounts + 1);

    /// <summary>
    /// For k = 0 … <see cref="TableCounts"/>: below <see cref="AsymptoticShape"/>, log Γ(k + r) − log Γ(r) = Σⱼ log(r + j)
    /// and ψ(k + r) − ψ(r) = Σⱼ 1/(r + j) (j &lt; k) as running sums with compensation (Neumaier); from there on, the
    /// increments <see cref="Accumulate"/> takes there, <see cref="DeviceMath.LogGammaIncrement"/> and
    /// <see cref="DeviceMath.DigammaIncrement"/>. The first <see cref="TableCounts"/> + 1 values, then the second.
    /// </summary>
    public static void BlockTable<TVec>(in NegativeBinomialModel model, in TVec arguments, Span<double> table) where TVec : unmanaged, ITermVector<TVec>
    {
        double r = arguments.Get(0);
        var logs = table[..(TableCounts + 1)];
        var inverses = table[(TableCounts + 1)..];
        if (r >= AsymptoticShape)
        {
            for (int k = 0; k <= TableCounts; k++)
            {
                logs[k] = DeviceMath.LogGammaIncrement(r, k);
                inverses[k] = DeviceMath.DigammaIncrement(r, k);
            }
            return;
        }
        double logSum = 0, logCompensation = 0, inverseSum = 0, inverseCompensation = 0;
        logs[0] = 0;
        inverses[0] = 0;
        for (int k = 0; k < TableCounts; k++)
        {
            double v = r + k;
            Add(ref logSum, ref logCompensation, DeviceMath.Log(v));
            Add(ref inverseSum, ref inverseCompensation, 1.0 / v);
            logs[k + 1] = logSum + logCompensation;
            inverses[k + 1] = inverseSum + inverseCompensation;
        }
    }

    private static void Add(ref double sum, ref double compensation, double value)
    {
        double t = sum + value;
        compensation += Math.Abs(sum) >= Math.Abs(value) ? (sum - t) + value : (value - t) + sum;
        sum = t;
    }

    /// <summary>
    /// Sixteen rows of <see cref="Accumulate"/> in the lanes. Where every count is a whole number up to
    /// <see cref="TableCounts"/>, the increments of log Γ and ψ from r to k + r are looked up in <paramref name="table"/>;
    /// otherwise log Γ(k + r) and ψ(k + r) by <see cref="VectorMath.LogGammaAndDigamma(Lanes16)"/> below
    /// <see cref="AsymptoticShape"/>, and the increments row by row by DeviceMath from there on (as <see cref="Accumulate"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void AccumulateBlock<TVec>(in NegativeBinomialModel model, in TVec arguments, ReadOnlySpan<double> table, in HostRows data, long row, ref TermLanes terms)
        where TVec : unmanaged, ITermVector<TVec>
    {
        double r = arguments.Get(0);
        bool asymptotic = r >= AsymptoticShape;
        var k = Lanes16.Load(data.Column(0) + row);
        if (!Lanes16.LessThan(Lanes16.Create(LargeCount), k).NoneSet())
        {
            RowByRow(model, arguments, data, row, ref terms);
            return;
        }
        // k log(1 − p) below the asymptotic shape; from there on k log(r(1 − p)), log Γ's increment being taken less k log r.
        var rest = Lanes16.Create(r * arguments.Get(1)) - Lanes16.Load(data.Column(1) + row) + k * Lanes16.Create(arguments.Get(asymptotic ? 7 : 2));
        if ((Lanes16.LessThan(Lanes16.Create(TableCounts), k) | Lanes16.NotEqual(k, Lanes16.Floor(k))).NoneSet())
        {
            fixed (double* logs = table)
            {
                terms.Term0 += (Lanes16.Gather(logs, k) + rest).Sum();
                terms.Term1 += (Lanes16.Gather(logs + TableCounts + 1, k) + Lanes16.Create(arguments.Get(1))).Sum();
            }
        }
        else if (asymptotic)
        {
            var (logGamma, digamma) = Increments(r, k);
            terms.Term0 += (logGamma + rest).Sum();
            terms.Term1 += (digamma + Lanes16.Create(arguments.Get(1))).Sum();
        }
        else
        {
            var (logGamma, digamma) = VectorMath.LogGammaAndDigamma(k + Lanes16.Create(r));
            terms.Term0 += (logGamma + Lanes16.Create(arguments.Get(3)) + rest).Sum();
            terms.Term1 += (digamma + Lanes16.Create(arguments.Get(4))).Sum();
        }
        terms.Term2 += (Lanes16.Create(arguments.Get(5)) - k * Lanes16.Create(arguments.Get(6))).Sum();
    }

    // Sixteen rows as Accumulate takes them one by one (a block with a count beyond LargeCount).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe void RowByRow<TVec>(in NegativeBinomialModel model, in TVec arguments, in HostRows data, long row, ref TermLanes terms)
        where TVec : unmanaged, ITermVector<TVec>
    {
        var values = stackalloc double[3 * Lanes16.Count];
        for (int i = 0; i < Lanes16.Count; i++)
        {
            var one = default(TVec);
            Accumulate(model, arguments, data, row + i, ref one);
            for (int t = 0; t < 3; t++)
                values[t * Lanes16.Count + i] = one.Get(t);
        }
        terms.Term0 += Lanes16.Load(values).Sum();
        terms.Term1 += Lanes16.Load(values + Lanes16.Count).Sum();
        terms.Term2 += Lanes16.Load(values + 2 * Lanes16.Count).Sum();
    }

    // DeviceMath's increments from r to r + k, lane by lane (blocks with a count beyond the table, r from AsymptoticShape on).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe (Lanes16 LogGamma, Lanes16 Digamma) Increments(double r, Lanes16 k)
    {
        var counts = stackalloc double[Lanes16.Count];
        var logGamma = stackalloc double[Lanes16.Count];
        var digamma = stackalloc double[Lanes16.Count];
        k.Store(counts);
        for (int i = 0; i < Lanes16.Count; i++)
        {
            logGamma[i] = DeviceMath.LogGammaIncrement(r, counts[i]);
            digamma[i] = DeviceMath.DigammaIncrement(r, counts[i]);
        }
        return (Lanes16.Load(logGamma), Lanes16.Load(digamma));
    }
}
