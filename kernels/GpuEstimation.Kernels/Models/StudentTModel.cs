using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuEstimation.Kernels.Models;

/// <summary>
/// Student's t with location μ, scale σ and ν degrees of freedom (all estimated): with z = (x − μ)/σ,
/// <c>log f(x) = log Γ((ν + 1)/2) − log Γ(ν/2) − ½ log(νπ) − log σ − (ν + 1)/2 · log(1 + z²/ν)</c>.
/// SciPy: <c>scipy.stats.t(df=nu, loc=mu, scale=sigma)</c>; MathNet: <c>StudentT(mu, sigma, nu)</c>. Support: any x.
/// </summary>
public readonly struct StudentTModel : IDistribution<StudentTModel>
{
    /// <summary>
    /// From this ν on, the normalizing constant and its ν-derivative are written through increments that keep their
    /// digits (<see cref="DeviceMath.LogGammaIncrement"/>, <see cref="DeviceMath.DigammaIncrementMinusLinear"/>), and
    /// so is each point's ν-derivative; below it, as before (log f within 2e-14 of max(1, |log f|) up to ν = 99.75; 4e-13 at 1e3).
    /// </summary>
    public const double AsymptoticShape = 100;

    /// <inheritdoc/>
    public static string Name => "studentt";

    /// <inheritdoc/>
    public static string Support => "any finite x";

    /// <inheritdoc/>
    public static IReadOnlyList<ParameterInfo> Parameters { get; } =
        [new("mu"), new("sigma", ParameterDomain.Positive), new("nu", ParameterDomain.Positive)];

    /// <inheritdoc/>
    public static bool LocationScale => true;

    /// <inheritdoc/>
    public int ColumnCount => 1;

    /// <inheritdoc/>
    public static int ArgumentCount(in StudentTModel model) => 7;

    /// <inheritdoc/>
    public static bool InSupport(double x, double trials) => true;

    /// <inheritdoc/>
    public static ReadOnlyMemory<double>[] Columns(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials) => [x];

    /// <inheritdoc/>
    public static string? LimitAtInfinity(string parameter) => parameter == "nu" ? "the normal limit" : null;

    /// <inheritdoc/>
    public static double[] Start(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials)
    {
        // Robust: the median, the interquartile range / 1.349 (the normal's), and ν = 5.
        var quartiles = Moments.Quantiles(x.Span, [0.25, 0.5, 0.75]);
        double iqr = quartiles[2] - quartiles[0];
        return [quartiles[1], Moments.PositiveOr(iqr / 1.349, Moments.PositiveOr(Moments.StandardDeviation(x.Span), 1.0)), 5.0];
    }

    /// <summary>
    /// A start that fits the bulk of the data with heavy tails: the median, the median absolute deviation / 0.6745 (the
    /// normal's), ν = 1. Where a quarter or more of the rows lie far from the rest, the interquartile range spans both
    /// and the search from <see cref="Start"/> finds only the wide maximum (ν → ∞, the normal limit), while the bulk's
    /// is higher (181 log-L units for 140 points at 10 ± 0.2 beside 60 at 0 ± 1).
    /// </summary>
    public static double[][] OtherStarts(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials)
    {
        double median = Moments.Quantile(x.Span, 0.5);
        double mad = Moments.Quantile(x.Span, v => Math.Abs(v - median), 0.5) / 0.6745;
        return mad > 0 ? [[median, mad, 1.0]] : [];
    }

    /// <summary>
    /// Arguments: μ, 1/σ, ν, the constant of log f, ½(ψ((ν + 1)/2) − ψ(ν/2) − 1/ν), (ν + 1), 1/ν (a product per
    /// point instead of two divisions: double division is slow on GPUs).
    /// </summary>
    public static void Prepare(in StudentTModel model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        double mu = parameters[0], sigma = parameters[1], nu = parameters[2];
        arguments[0] = mu;
        arguments[1] = 1.0 / sigma;
        arguments[2] = nu;
        if (nu >= AsymptoticShape)
        {
            // With x = ν/2: log Γ(x + ½) − log Γ(x) − ½ log(νπ) = [log Γ(x + ½) − log Γ(x) − ½ log x] − ½ log 2π,
            // and ψ(x + ½) − ψ(x) − 1/ν = ψ(x + ½) − ψ(x) − 1/(2x): no huge terms left to cancel.
            arguments[3] = DeviceMath.LogGammaIncrement(0.5 * nu, 0.5) - KernelConstants.HalfLogTwoPi - DeviceMath.Log(sigma);
            arguments[4] = 0.5 * DeviceMath.DigammaIncrementMinusLinear(0.5 * nu, 0.5);
        }
        else
        {
            arguments[3] = DeviceMath.LogGamma(0.5 * (nu + 1)) - DeviceMath.LogGamma(0.5 * nu) - 0.5 * DeviceMath.Log(nu * KernelConstants.Pi) - DeviceMath.Log(sigma);
            arguments[4] = 0.5 * (DeviceMath.Digamma(0.5 * (nu + 1)) - DeviceMath.Digamma(0.5 * nu) - 1.0 / nu);
        }
        arguments[5] = nu + 1.0;
        arguments[6] = 1.0 / nu;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<TVec, TRows>(in StudentTModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double inverseSigma = arguments.Get(1), nu = arguments.Get(2), nuPlusOne = arguments.Get(5);
        double z = (data[0, row] - arguments.Get(0)) * inverseSigma;
        double zz = z * z;
        double t = zz * arguments.Get(6);
        double log1p = TRows.Log1p(t);
        double weight = nuPlusOne / (nu + zz);
        terms.Add(0, arguments.Get(3) - 0.5 * nuPlusOne * log1p);
        terms.Add(1, weight * z * inverseSigma);
        terms.Add(2, (weight * zz - 1.0) * inverseSigma);
        if (nu >= AsymptoticShape)
        {
            // weight·t − log(1 + t) = [w + log(1 − w)] + w/ν with w = t/(1 + t) = z²/(ν + z²): the bracket is
            // ~−w²/2 and w/ν ~ z²/ν², where the direct form subtracts two values ~z²/ν (a uniform branch).
            double w = zz / (nu + zz);
            terms.Add(3, arguments.Get(4) + 0.5 * (DeviceMath.Log1pMinusX(-w) + w * arguments.Get(6)));
        }
        else
        {
            terms.Add(3, arguments.Get(4) + 0.5 * (weight * t - log1p));
        }
    }

    /// <summary>
    /// Four of a GPU thread's rows: below <see cref="AsymptoticShape"/>, their four log(1 + t) as one log1p of the
    /// product of the (1 + t) (<see cref="DeviceMath.SumOfLog1p"/>), the rest row by row as in <see cref="Accumulate"/>:
    /// a log is most of a row's arithmetic, and a GPU's double-precision units, not its memory, bound this family. From
    /// the asymptotic shape on, <see cref="Accumulate"/> four times.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateFour<TVec, TRows>(in StudentTModel model, in TVec arguments, in TRows data, long row, long stride, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        if (arguments.Get(2) >= AsymptoticShape)
        {
            Accumulate(model, arguments, data, row, ref terms);
            Accumulate(model, arguments, data, row + stride, ref terms);
            Accumulate(model, arguments, data, row + 2 * stride, ref terms);
            Accumulate(model, arguments, data, row + 3 * stride, ref terms);
            return;
        }
        double t0 = AccumulateAllButLog(arguments, data, row, ref terms);
        double t1 = AccumulateAllButLog(arguments, data, row + stride, ref terms);
        double t2 = AccumulateAllButLog(arguments, data, row + 2 * stride, ref terms);
        double t3 = AccumulateAllButLog(arguments, data, row + 3 * stride, ref terms);
        double logs = DeviceMath.SumOfLog1p(t0, t1, t2, t3);
        terms.Add(0, -0.5 * arguments.Get(5) * logs);
        terms.Add(3, -0.5 * logs);
    }

    // One row's terms below the asymptotic shape but for its −(ν + 1)/2 · log(1 + t) and −½ log(1 + t); returns t.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double AccumulateAllButLog<TVec, TRows>(in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double inverseSigma = arguments.Get(1), nu = arguments.Get(2), nuPlusOne = arguments.Get(5);
        double z = (data[0, row] - arguments.Get(0)) * inverseSigma;
        double zz = z * z;
        double t = zz * arguments.Get(6);
        double weight = nuPlusOne / (nu + zz);
        terms.Add(0, arguments.Get(3));
        terms.Add(1, weight * z * inverseSigma);
        terms.Add(2, (weight * zz - 1.0) * inverseSigma);
        terms.Add(3, arguments.Get(4) + 0.5 * (weight * t));
        return t;
    }

    /// <inheritdoc/>
    public static bool HasBlock<TVec>(in StudentTModel model, in TVec arguments) where TVec : unmanaged, ITermVector<TVec> => true;

    /// <summary>
    /// Sixteen rows of <see cref="Accumulate"/> in the lanes: one division, 1/(ν + z²), gives the weight (ν + 1)/(ν + z²)
    /// and, from <see cref="AsymptoticShape"/> on, w = z²/(ν + z²); the sixteen log(1 + t) go into the chunk's running
    /// product (<see cref="TermLanes.MultiplyLog1p"/>), folded into log f and (below the asymptotic shape) the
    /// ν-derivative in <see cref="FinishBlocks"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void AccumulateBlock<TVec>(in StudentTModel model, in TVec arguments, ReadOnlySpan<double> table, in HostRows data, long row, ref TermLanes terms)
        where TVec : unmanaged, ITermVector<TVec>
    {
        double nuPlusOne = arguments.Get(5);
        var inverseSigma = Lanes16.Create(arguments.Get(1));
        var z = (Lanes16.Load(data.Column(0) + row) - Lanes16.Create(arguments.Get(0))) * inverseSigma;
        var zz = z * z;
        var t = zz * Lanes16.Create(arguments.Get(6));
        var nu = Lanes16.Create(arguments.Get(2));
        var inverse = Lanes16.Create(1.0) / (nu + zz);
        var weight = Lanes16.Create(nuPlusOne) * inverse;
        terms.MultiplyLog1p(t);
        terms.Term0 += Vector256.Create(4 * arguments.Get(3));
        terms.Term1 += (weight * z * inverseSigma).Sum();
        terms.Term2 += ((weight * zz - Lanes16.Create(1.0)) * inverseSigma).Sum();
        if (arguments.Get(2) >= AsymptoticShape)
        {
            // As Accumulate: [w + log(1 − w)] + w/ν, no two values ~z²/ν subtracted.
            var w = zz * inverse;
            var half = Lanes16.Create(0.5);
            terms.Term3 += (Lanes16.Create(arguments.Get(4)) + half * (VectorMath.Log1pMinusX(-w) + w * Lanes16.Create(arguments.Get(6)))).Sum();
        }
        else
        {
            terms.Term3 += Vector256.Create(4 * arguments.Get(4)) + Vector256.Create(0.5) * (weight * t).Sum();
        }
    }

    /// <summary>
    /// −(ν + 1)/2 · Σ log(1 + t) into log f and, below <see cref="AsymptoticShape"/>, −½ Σ log(1 + t) into the
    /// ν-derivative, from the running product of the chunk's blocks.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FinishBlocks<TVec>(in StudentTModel model, in TVec arguments, ref TermLanes terms) where TVec : unmanaged, ITermVector<TVec>
    {
        var logs = terms.Log1pTotal();
        terms.Term0 -= Vector256.Create(0.5 * arguments.Get(5)) * logs;
        if (arguments.Get(2) < AsymptoticShape)
            terms.Term3 -= Vector256.Create(0.5) * logs;
    }
}
