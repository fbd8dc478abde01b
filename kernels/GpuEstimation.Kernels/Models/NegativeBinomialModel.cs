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
    public static string Name => "negbinomial";

    public static string Support => "non-negative integers";

    public static IReadOnlyList<ParameterInfo> Parameters { get; } =
        [new("r", ParameterDomain.Positive), new("p", ParameterDomain.UnitInterval)];

    public int ColumnCount => 2;

    public static int ArgumentCount(in NegativeBinomialModel model) => 7;

    public static bool InSupport(double x, double trials) => x >= 0 && x == Math.Floor(x);

    public static double[][] Columns(double[] x, double[]? trials) => [x, Moments.Map(x, k => DeviceMath.LogGamma(k + 1))];

    public static double[] Start(double[] x, double[]? trials)
    {
        // Moments: mean m = r(1 − p)/p, variance v = m/p, so p = m/v and r = m²/(v − m); where v ≤ m, r = 10.
        double m = Moments.Mean(x), v = Moments.Variance(x);
        if (v > m && m > 0)
            return [m * m / (v - m), Moments.Probability(m / v)];
        return [10.0, Moments.Probability(10.0 / (10.0 + m))];
    }

    /// <summary>Arguments: r, log p, log(1 − p), −log Γ(r), −ψ(r) + log p, r/p, 1/(1 − p).</summary>
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
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<TVec, TRows>(in NegativeBinomialModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double k = data[0, row], r = arguments.Get(0);
        terms.Add(0, TRows.LogGamma(k + r) + arguments.Get(3) - data[1, row] + r * arguments.Get(1) + k * arguments.Get(2));
        terms.Add(1, TRows.Digamma(k + r) + arguments.Get(4));
        terms.Add(2, arguments.Get(5) - k * arguments.Get(6));
    }
}
