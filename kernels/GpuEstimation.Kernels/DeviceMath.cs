using System.Runtime.CompilerServices;
using ILGPU;

namespace GpuEstimation.Kernels;

/// <summary>
/// Double-precision log, log1p, exp, expm1, log-gamma and digamma in plain C#, for device code on every backend and
/// for the host alike. ILGPU's default double <c>Math.Log</c> is ~100x slower on a GPU (docs/design.md,
/// "Device math"), and the LibDevice alternative needs the CUDA toolkit, which users often lack. These use only
/// arithmetic and bit manipulation (<see cref="Interop.FloatAsInt(double)"/>), with series derived here (atanh
/// series for log, Taylor for exp, Stirling with Bernoulli numbers for log-gamma and digamma); see the tests for
/// measured accuracy.
/// </summary>
public static class DeviceMath
{
    // ln 2 split so that k·Ln2Hi is exact for |k| < 2^21: Ln2Hi is ln 2 to 32 significant bits, Ln2Lo the rest.
    private const double Ln2Hi = 0.6931471803691238;
    private const double Ln2Lo = 1.9082149292705877e-10;
    private const double Two54 = 18014398509481984.0;
    private const double TwoMinus54 = 5.551115123125783e-17;
    private const double MaxExpArgument = 709.782712893384;
    private const double MinExpArgument = -745.1332191019412;
    // 2^52 + 2^51: added to a double of magnitude below 2^51, it leaves that double's nearest integer in the low bits.
    private const double RoundingShift = 6755399441055744.0;
    // From here the increments of log Γ and ψ use their asymptotic (Stirling) forms: the series are truncated below
    // 5e-19 there (see StirlingTail, DigammaTail); below, the increments are differences, as accurate as before.
    /// <summary>From this argument on, log-gamma and its relatives take Stirling's series (<see cref="XLogXMinusXMinusLogGammaLarge"/>).</summary>
    public const double AsymptoticArgument = 50;
    private const double InversePi = 0.3183098861837907;

    /// <summary>Natural logarithm: NaN below 0 and for NaN, −∞ at ±0, +∞ at +∞; subnormals handled.</summary>
    public static double Log(double x)
    {
        if (!(x > 0))
            return x == 0 ? double.NegativeInfinity : double.NaN;
        if (x == double.PositiveInfinity)
            return x;
        ulong bits = Interop.FloatAsInt(x);
        int exponent = (int)(bits >> 52) - 1023;
        if (exponent == -1023)
        {
            bits = Interop.FloatAsInt(x * Two54);
            exponent = (int)(bits >> 52) - 1023 - 54;
        }
        double m = Interop.IntAsFloat((bits & 0x000FFFFFFFFFFFFFUL) | 0x3FF0000000000000UL);
        if (m > KernelConstants.Sqrt2)
        {
            m *= 0.5;
            exponent++;
        }
        return Reduced(exponent, m - 1.0, 0.0);
    }

    /// <summary>
    /// x · log y for a log-density's term, given log y: 0 when x = 0 and log y = −∞, the limit 0 · log 0 = 0 (as
    /// scipy's <c>xlogy</c>), so that a probability or rate at the edge of its domain (p = 0, λ = 0) gives the exact
    /// log-likelihood of data that put no weight on it, instead of NaN. A NaN log y (a parameter outside its domain)
    /// stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double XLogY(double x, double logY) => x == 0 && !IsNaN(logY) ? 0.0 : x * logY;

    /// <summary>log(1 + x), accurate for small x: NaN below −1, −∞ at −1, keeps the sign of zero.</summary>
    public static double Log1p(double x)
    {
        if (!(x > -1))
            return x == -1 ? double.NegativeInfinity : double.NaN;
        if (x == double.PositiveInfinity)
            return x;
        if (Math.Abs(x) < 1e-4)
            return x * (1 - x * (0.5 - x * (1.0 / 3 - x * (0.25 - x * 0.2))));

        double u = 1.0 + x;
        // The rounding error of 1 + x, exactly (Fast2Sum with the larger operand first).
        double c = x > 1 ? 1.0 - (u - x) : x - (u - 1.0);
        ulong bits = Interop.FloatAsInt(u);
        int exponent = (int)(bits >> 52) - 1023;
        double m = Interop.IntAsFloat((bits & 0x000FFFFFFFFFFFFFUL) | 0x3FF0000000000000UL);
        if (m > KernelConstants.Sqrt2)
        {
            m *= 0.5;
            exponent++;
        }
        return Reduced(exponent, m - 1.0, c / u);
    }

    /// <summary>
    /// log(1 + a) + log(1 + b) + log(1 + c) + log(1 + d) for values ≥ 0 with one log: log1p(q) with
    /// 1 + q = (1 + a)(1 + b)(1 + c)(1 + d), q formed without adding 1, as q_ab = a·b + (a + b), q_cd likewise,
    /// q = q_ab·q_cd + (q_ab + q_cd) (<see cref="VectorMath.SumOfLog1p"/>'s form). Every operation is on positive values,
    /// so q is within a few ulps of itself however small the values are, and so is the sum. Where q overflows (a
    /// product beyond ~1.8·10³⁰⁸), the four logs one by one; +∞ and NaN propagate.
    /// </summary>
    public static double SumOfLog1p(double a, double b, double c, double d)
    {
        double low = a * b + (a + b);
        double high = c * d + (c + d);
        double q = low * high + (low + high);
        return q < double.PositiveInfinity ? Log1p(q) : (Log1p(a) + Log1p(b)) + (Log1p(c) + Log1p(d));
    }

    /// <summary>e^x: +∞ above ~709.78, 0 below ~−745.13, subnormal results rounded once.</summary>
    public static double Exp(double x)
    {
        if (IsNaN(x))
            return x;
        if (x > MaxExpArgument)
            return double.PositiveInfinity;
        if (x < MinExpArgument)
            return 0.0;
        double p = ReducedExpm1(x, out int k);
        return Scale(1.0 + p, k);
    }

    /// <summary>e^x − 1, accurate for small x; keeps the sign of zero; −1 below ~−37.4.</summary>
    public static double Expm1(double x)
    {
        if (IsNaN(x))
            return x;
        if (x > MaxExpArgument)
            return double.PositiveInfinity;
        if (x < -38)
            return -1.0;
        if (x >= -0.34657359027997264 && x <= 1.0)
            return Expm1Series(x);
        double p = ReducedExpm1(x, out int k);
        if (k > 53)
            return Scale(1.0 + p, k) - 1.0;
        // 2^k (1 + p) − 1 = 2^k p + (2^k − 1), both terms exact for |k| ≤ 53, so one rounding.
        double twoK = Interop.IntAsFloat((ulong)(k + 1023) << 52);
        return twoK * p + (twoK - 1.0);
    }

    /// <summary>
    /// log |Γ(x)|: +∞ at 0, at negative integers and at ±∞; negative non-integers through the reflection formula.
    /// </summary>
    public static double LogGamma(double x)
    {
        if (IsNaN(x))
            return x;
        if (Math.Abs(x) == double.PositiveInfinity)
            return double.PositiveInfinity;
        if (x <= 0)
        {
            double sin = SinPi(x);
            if (sin == 0)
                return double.PositiveInfinity;
            // Γ(x) Γ(1 − x) = π / sin(πx).
            return KernelConstants.LogPi - Log(Math.Abs(sin)) - LogGammaPositive(1.0 - x);
        }
        return LogGammaPositive(x);
    }

    // log Γ(x) for x > 0 (no recursion anywhere here: GPU backends do not allow it).
    private static double LogGammaPositive(double x)
    {
        if (x <= 23 && (double)(long)x == x)
        {
            // Integers: log((x − 1)!), the factorial exact in double up to 22!, so log Γ(1) = log Γ(2) = 0 exactly.
            double factorial = 1;
            for (double k = 2; k < x; k += 1.0)
                factorial *= k;
            return Log(factorial);
        }
        if (x < 10)
        {
            // Shift up: log Γ(x) = log Γ(x + n) − log(x (x + 1) ⋯ (x + n − 1)), with x + n ≥ 10.
            double product = x;
            double z = x + 1.0;
            while (z < 10)
            {
                product *= z;
                z += 1.0;
            }
            return Stirling(z) - Log(product);
        }
        return Stirling(x);
    }

    /// <summary>ψ(x) = d log Γ(x)/dx: NaN at 0 and at negative integers, +∞ at +∞.</summary>
    public static double Digamma(double x)
    {
        if (IsNaN(x) || x == double.NegativeInfinity)
            return double.NaN;
        if (x == double.PositiveInfinity)
            return x;
        if (x <= 0)
        {
            double sin = SinPi(x);
            if (sin == 0)
                return double.NaN;
            // ψ(1 − x) − ψ(x) = π cot(πx).
            return DigammaPositive(1.0 - x) - KernelConstants.Pi * CosPi(x) / sin;
        }
        return DigammaPositive(x);
    }

    private static double DigammaPositive(double x)
    {
        if (x == double.PositiveInfinity)
            return x;
        double shift = 0;
        while (x < 10)
        {
            shift += 1.0 / x;
            x += 1.0;
        }
        double inverse = 1.0 / x;
        return Log(x) - 0.5 * inverse - DigammaSeries(inverse * inverse) - shift;
    }

    // ψ(x) ~ log x − 1/(2x) − Σ B₂ₖ / (2k x^{2k}): the sum through B₁₄, from z = 1/x² (x ≥ 10).
    private static double DigammaSeries(double z) =>
        z * (1.0 / 12 - z * (1.0 / 120 - z * (1.0 / 252 - z * (1.0 / 240 - z * (1.0 / 132 - z * (691.0 / 32760 - z / 12.0))))));

    /// <summary>
    /// The trigamma function ψ′(x) = d²log Γ(x)/dx² (NaN at the poles 0, −1, −2, …): for x &gt; 0 the recurrence
    /// ψ′(x) = ψ′(x + 1) + 1/x² up to x ≥ 20, then the asymptotic series 1/x + 1/(2x²) + Σ B₂ₖ/x^{2k+1} through B₁₂ (its
    /// next term is below 1e-18 relative there); below 0 the reflection ψ′(x) = π²/sin²(πx) − ψ′(1 − x), as
    /// <see cref="Digamma"/> reflects (an expression's digamma of a negative argument has it as its derivative). The
    /// second derivatives of the negative binomial's and the gamma's log-density need it.
    /// </summary>
    public static double Trigamma(double x)
    {
        if (IsNaN(x) || x == double.NegativeInfinity)
            return double.NaN;
        if (x <= 0)
        {
            double sin = SinPi(x);
            if (sin == 0)
                return double.NaN;
            // ψ′(1 − x) + ψ′(x) = π²/sin²(πx).
            return KernelConstants.Pi * KernelConstants.Pi / (sin * sin) - TrigammaPositive(1.0 - x);
        }
        return TrigammaPositive(x);
    }

    private static double TrigammaPositive(double x)
    {
        if (x == double.PositiveInfinity)
            return 0.0;
        double shift = 0;
        while (x < 20)
        {
            shift += 1.0 / (x * x);
            x += 1.0;
        }
        double t = 1.0 / x;
        double z = t * t;
        return shift + t + 0.5 * z + t * z * TrigammaSeries(z);
    }

    // ψ′(x) ~ 1/x + 1/(2x²) + Σ B₂ₖ/x^{2k+1}: the sum's factor after 1/x³, through B₁₄, from z = 1/x² (x ≥ 20).
    private static double TrigammaSeries(double z) =>
        1.0 / 6 - z * (1.0 / 30 - z * (1.0 / 42 - z * (1.0 / 30 - z * (5.0 / 66 - z * (691.0 / 2730 - z * (7.0 / 6))))));

    /// <summary>
    /// ψ′(x + a) − ψ′(x) for x &gt; 0, a ≥ 0: for a whole a up to 64, −Σ 1/(x + j)² over j &lt; a (no cancellation);
    /// otherwise the difference of <see cref="Trigamma"/>.
    /// </summary>
    public static double TrigammaIncrement(double x, double a)
    {
        if (a == 0)
            return 0.0;
        if (a <= 64 && a == Math.Floor(a))
        {
            double sum = 0;
            for (double j = 0; j < a; j += 1.0)
            {
                double v = x + j;
                sum += 1.0 / (v * v);
            }
            return -sum;
        }
        return Trigamma(x + a) - Trigamma(x);
    }

    /// <summary>
    /// <see cref="Log1pMinusX"/> at x = (a − b)/b: log(a/b) − (a/b − 1) for a, b &gt; 0, the small term that a count's
    /// or a gamma's log-density is made of near its mean (a the count or the mean, b the other). Where a &lt; b/2 it is
    /// log a − log b − x instead, since x rounds towards −1 (log(1 + x) to log 0 once a/b is below 1e-16) while the
    /// logs keep their digits. NaN for a &lt; 0, −∞ at a = 0.
    /// </summary>
    public static double Log1pMinusXOfRatio(double a, double b)
    {
        double x = (a - b) / b;
        return x < -0.5 ? Log(a) - Log(b) - x : Log1pMinusX(x);
    }

    /// <summary>log(1 + x) − x, accurate where it is far smaller than x (small x): NaN below −1, −∞ at −1.</summary>
    public static double Log1pMinusX(double x)
    {
        if (!(x >= -0.3 && x <= 0.5))
            return Log1p(x) - x;
        // log(1 + x) = 2 atanh(s) = 2(s + s³/3 + s⁵/5 + ...) with s = x/(2 + x), and 2s − x = −sx exactly in
        // algebra, so log(1 + x) − x = s(2s²(1/3 + s²/5 + ...) − x): no cancellation; s² ≤ 0.04, 12 terms.
        double s = x / (2.0 + x);
        double w = s * s;
        double series = 1.0 / 3 + w * (1.0 / 5 + w * (1.0 / 7 + w * (1.0 / 9 + w * (1.0 / 11 + w * (1.0 / 13 + w * (1.0 / 15
            + w * (1.0 / 17 + w * (1.0 / 19 + w * (1.0 / 21 + w * (1.0 / 23 + w * (1.0 / 25)))))))))));
        return s * (2.0 * w * series - x);
    }

    /// <summary>
    /// x log x − x − log Γ(x) for x &gt; 0 (the gamma log-density's constant in its shape, with the mean apart): from
    /// x = 50 on, ½ log x − ½ log 2π − (Stirling's series after its leading terms), where the direct form subtracts
    /// values ~x log x and keeps ~16 − log10(x log x) digits (none at x = 10¹⁵); below, the direct form.
    /// </summary>
    public static double XLogXMinusXMinusLogGamma(double x)
    {
        if (!(x >= AsymptoticArgument))
            return x * (Log(x) - 1.0) - LogGamma(x);
        return XLogXMinusXMinusLogGammaLarge(x);
    }

    /// <summary>
    /// <see cref="XLogXMinusXMinusLogGamma"/> for x ≥ <see cref="AsymptoticArgument"/> only (the same bits there), without
    /// the log-gamma branch: where the argument is known to be large, kernels carry no copy of log Γ for it.
    /// </summary>
    public static double XLogXMinusXMinusLogGammaLarge(double x) => 0.5 * Log(x) - KernelConstants.HalfLogTwoPi - StirlingTail(1.0 / x);

    /// <summary>
    /// log x − ψ(x) for x &gt; 0, ~1/(2x) for large x: from x = 10 on, 1/(2x) plus ψ's asymptotic series (as
    /// <see cref="Digamma"/> sums it), without subtracting log x from itself.
    /// </summary>
    public static double LogMinusDigamma(double x)
    {
        if (!(x >= 10))
            return Log(x) - Digamma(x);
        double inverse = 1.0 / x;
        return 0.5 * inverse + DigammaSeries(inverse * inverse);
    }

    /// <summary>
    /// 1/x − ψ′(x) for x &gt; 0, ~−1/(2x²) for large x: from x = 20 on, −(1/(2x²) + Σ B₂ₖ/x^{2k+1}) (as
    /// <see cref="Trigamma"/> sums it), without subtracting 1/x from itself.
    /// </summary>
    public static double InverseMinusTrigamma(double x)
    {
        if (!(x >= 20))
            return 1.0 / x - Trigamma(x);
        double t = 1.0 / x;
        double z = t * t;
        return -(0.5 * z + t * z * TrigammaSeries(z));
    }

    /// <summary>
    /// log Γ(x + a) − log Γ(x) − a log x for x &gt; 0, a ≥ 0, keeping its digits where x is huge (the log-gammas
    /// themselves are ~x log x there, so their difference loses ~log10(x log x) digits).
    /// </summary>
    public static double LogGammaIncrement(double x, double a)
    {
        if (!(x >= AsymptoticArgument) || a == double.PositiveInfinity)
            return LogGamma(x + a) - LogGamma(x) - a * Log(x);
        // Stirling for both: with t = a/x, z = x + a, the difference is x((1 + t) log(1 + t) − t) − ½ log(1 + t)
        // + S(z) − S(x), S the series after ½ log 2π. (1 + t) log(1 + t) − t = t² + (1 + t)(log(1 + t) − t)
        // loses at most a factor 2.6 for t ≤ 1; beyond, the direct form loses at most a factor 3.
        double inverse = 1.0 / x;
        double t = a * inverse;
        double log1p, g;
        if (t <= 1)
        {
            double m = Log1pMinusX(t);
            log1p = t + m;
            g = t * t + (1.0 + t) * m;
        }
        else
        {
            log1p = Log1p(t);
            g = (1.0 + t) * log1p - t;
        }
        return x * g - 0.5 * log1p + (StirlingTail(1.0 / (x + a)) - StirlingTail(inverse));
    }

    /// <summary>ψ(x + a) − ψ(x) for x &gt; 0, a ≥ 0, keeping its digits where x is huge (ψ(x) ~ log x there).</summary>
    public static double DigammaIncrement(double x, double a)
    {
        if (!(x >= AsymptoticArgument) || a == double.PositiveInfinity)
            return Digamma(x + a) - Digamma(x);
        double t = a / x;
        // All three parts are non-negative: nothing cancels.
        return Log1p(t) + DigammaIncrementTail(x, a, t);
    }

    /// <summary>
    /// ψ(x + a) − ψ(x) − a/x for x &gt; 0, a ≥ 0, keeping its digits where x is huge (there it is ~−a(a − 1)/(2x²),
    /// while ψ(x + a) − ψ(x) and a/x are ~a/x). Student's t needs ψ(x + ½) − ψ(x) − 1/(2x).
    /// </summary>
    public static double DigammaIncrementMinusLinear(double x, double a)
    {
        if (!(x >= AsymptoticArgument) || a == double.PositiveInfinity)
            return Digamma(x + a) - Digamma(x) - a / x;
        double t = a / x;
        return Log1pMinusX(t) + DigammaIncrementTail(x, a, t);
    }

    /// <summary>
    /// The scaled complementary error function erfcx(x) = e^{x²} erfc(x): 1 at 0, ~1/(x√π) for large x (where erfc
    /// itself underflows, from x ≈ 26.5), +∞ below ≈ −26.6. For x ≥ 0 within 5.5e-16 relative of mpmath (measured;
    /// see the tests), from one polynomial: (1 + 2x)·erfcx(x) is a smooth function of t = (x − 4)/(x + 4) on the
    /// whole of [0, ∞), whose Chebyshev series, computed here with mpmath at 60 digits
    /// (tests/GpuEstimation.Tests/Data/reference/make_normal_reference.py prints it), falls below 1e-18 after 27 terms;
    /// the polynomial is that series in powers of t. For x &lt; 0, 2e^{x²} − erfcx(−x).
    /// </summary>
    public static double Erfcx(double x)
    {
        if (IsNaN(x))
            return x;
        if (x >= 0)
            return ErfcxPositive(x);
        if (x < -26.7)
            return double.PositiveInfinity;
        return 2.0 * ExpScaledSquare(x, 1.0) - ErfcxPositive(-x);
    }

    /// <summary>
    /// log Φ(x), the log of the standard normal CDF, accurate in both tails: for x &lt; 0 it is log(½ erfcx(−x/√2)) −
    /// x²/2 (no underflow: log Φ(−38) = −727.4, and on to −∞), for x ≥ 0 log1p(−Q) with Q = ½ erfcx(x/√2) e^{−x²/2}
    /// the upper tail, computed from x² split exactly, so Q keeps its relative accuracy where it is tiny.
    /// </summary>
    public static double LogNormalCdf(double x)
    {
        if (IsNaN(x))
            return x;
        if (x < 0)
            return Log(0.5 * ErfcxPositive(-x * KernelConstants.InverseSqrt2)) - 0.5 * x * x;
        return Log1p(-0.5 * ErfcxPositive(x * KernelConstants.InverseSqrt2) * ExpScaledSquare(x, -0.5));
    }

    /// <summary>
    /// φ(x)/Φ(x), the standard normal density over its CDF (the inverse Mills ratio of −x; the probit score's factor):
    /// √(2/π)/erfcx(−x/√2) for x &lt; 0, so it is ~−x in the lower tail with no 0/0, and e^{−x²/2}/√(2π)/(1 − Q)
    /// for x ≥ 0. +∞ at −∞, 0 at +∞.
    /// </summary>
    public static double NormalCdfRatio(double x)
    {
        if (IsNaN(x))
            return x;
        if (x < 0)
            return KernelConstants.SqrtTwoOverPi / ErfcxPositive(-x * KernelConstants.InverseSqrt2);
        double e = ExpScaledSquare(x, -0.5);
        return KernelConstants.InverseSqrtTwoPi * e / (1.0 - 0.5 * ErfcxPositive(x * KernelConstants.InverseSqrt2) * e);
    }

    /// <summary>
    /// erfc(x) = 1 − erf(x): erfcx(x)·e^{−x²} for x ≥ 0, with e^{−x²} from x² split exactly (relative accuracy kept
    /// into the far tail, 0 from x ≈ 27.3), and 2 − erfc(−x) below 0.
    /// </summary>
    public static double Erfc(double x)
    {
        if (IsNaN(x))
            return x;
        double upper = ErfcxPositive(Math.Abs(x)) * ExpScaledSquare(x, -1.0);
        return x >= 0 ? upper : 2.0 - upper;
    }

    /// <summary>
    /// erf(x): its Taylor series for |x| &lt; 1 (where 1 − erfc(x) would cancel), ±(1 − erfc|x|) beyond.
    /// </summary>
    public static double Erf(double x)
    {
        if (IsNaN(x))
            return x;
        double a = Math.Abs(x);
        if (a >= 1.0)
        {
            double value = 1.0 - ErfcxPositive(a) * ExpScaledSquare(a, -1.0);
            return x < 0 ? -value : value;
        }
        // 2/√π Σ (−1)ⁿ x^{2n+1} / (n! (2n + 1)); at |x| = 1 the term n = 22 is below 1e-23 of the sum.
        double u = x * x, term = x, sum = x;
        for (int n = 1; n <= 22; n++)
        {
            term *= -u / n;
            sum += term / (2 * n + 1);
        }
        return 2.0 * KernelConstants.InverseSqrtPi * sum;
    }

    /// <summary>sin x, as sin(π·(x/π)): an absolute error of a few ulps of |x| (the rounding of x/π).</summary>
    public static double Sin(double x) => SinPi(x * InversePi);

    /// <summary>cos x, as cos(π·(x/π)): an absolute error of a few ulps of |x|.</summary>
    public static double Cos(double x) => CosPi(x * InversePi);

    /// <summary>tan x = sin x / cos x, from one reduction x/π.</summary>
    public static double Tan(double x)
    {
        double y = x * InversePi;
        return SinPi(y) / CosPi(y);
    }

    /// <summary>
    /// atan x: odd; for |x| &gt; 1, π/2 − atan(1/|x|); on (tan π/8, 1], π/4 + atan((a − 1)/(a + 1)); then the Taylor
    /// series on |t| ≤ tan π/8 ≈ 0.414, 24 terms (the next below 1e-19).
    /// </summary>
    public static double Atan(double x)
    {
        if (IsNaN(x))
            return x;
        double a = Math.Abs(x);
        bool inverted = a > 1.0;
        if (inverted)
            a = 1.0 / a;
        double offset = 0.0;
        if (a > 0.41421356237309503)
        {
            a = (a - 1.0) / (a + 1.0);
            offset = 0.25 * KernelConstants.Pi;
        }
        double u = a * a, series = 0.0;
        for (int k = 24; k >= 0; k--)
            series = 1.0 / (2 * k + 1) - u * series;
        double result = offset + a * series;
        if (inverted)
            result = 0.5 * KernelConstants.Pi - result;
        return x < 0 ? -result : result;
    }

    /// <summary>log(1 + e^x) (softplus) without overflow: x + log1p(e^{−x}) for x &gt; 0, log1p(e^x) otherwise.</summary>
    public static double LogOnePlusExp(double x) => x > 0 ? x + Log1p(Exp(-x)) : Log1p(Exp(x));

    /// <summary>
    /// log(1 − e^x) for x ≤ 0, accurate at both ends (Mächler's switch at −log 2: log(−expm1 x) above, log1p(−e^x)
    /// below): −∞ at 0, NaN above 0, −0 at −∞.
    /// </summary>
    public static double LogOneMinusExp(double x) => x > -KernelConstants.Log2 ? Log(-Expm1(x)) : Log1p(-Exp(x));

    // erfcx for x ≥ 0 (see Erfcx). From 1e8 on, 1/(x√π) (the next term of the asymptotic series, −1/(2x²), is
    // below 5e-17), which also keeps t finite at +∞.
    private static double ErfcxPositive(double x)
    {
        if (x >= 1e8)
            return KernelConstants.InverseSqrtPi / x;
        double t = (x - 4.0) / (x + 4.0);
        double series = 1.2329951186255526 + t * (-0.1396211168405625 + t * (0.015379652102620026 + t * (
            0.0680970542546904 + t * (-0.10103906603632413 + t * (0.09373283499843826 + t * (
            -0.06633036581166812 + t * (0.03716751553592911 + t * (-0.016197734065728945 + t * (
            0.005031969992669933 + t * (-0.0007577732210512849 + t * (-0.0001992567757633648 + t * (
            0.00015062131406268513 + t * (-2.4398944545280832e-05 + t * (-1.1220772697788498e-05 + t * (
            5.709206053072183e-06 + t * (2.9094470866632674e-07 + t * (-8.249198427508354e-07 + t * (
            7.888177117406594e-08 + t * (1.1009737295274889e-07 + t * (-2.1868462576141457e-08 + t * (
            -1.4709550868669278e-08 + t * (3.950879254166685e-09 + t * (1.7903326159489847e-09 + t * (
            -5.377133821031794e-10 + t * (-1.374652989001164e-10 + t * (
            4.180821739675544e-11))))))))))))))))))))))))));
        return series / (1.0 + 2.0 * x);
    }

    // e^{s·x²} for s a power of two (±½, ±1), from x = h + l with h holding x's top 26 significand bits: h² and s·h²
    // are exact, x² − h² = l (x + h) is small, so the result has the accuracy of two exps of exact arguments, where
    // e^{s·(x·x)} would carry x²'s rounding (~x² ulps of 1: 7e-14 relative at x = 38) into the result. Bit masking,
    // not Veltkamp's split, so that a compiler's fused multiply-add cannot change h.
    private static double ExpScaledSquare(double x, double s)
    {
        if (!(Math.Abs(x) < 1e150))
            return IsNaN(x) ? x : s < 0 ? 0.0 : double.PositiveInfinity;
        double h = Interop.IntAsFloat(Interop.FloatAsInt(x) & 0xFFFFFFFFF8000000UL);
        double l = x - h;
        return Exp(s * (h * h)) * Exp(s * (l * (x + h)));
    }

    /// <summary>sin(πx), exact at integers (±0) and accurate near them.</summary>
    public static double SinPi(double x)
    {
        if (Math.Abs(x) >= 4503599627370496.0)
            return IsNaN(x) || Math.Abs(x) == double.PositiveInfinity ? double.NaN : 0.0 * x;
        long quadrant = ReduceHalfTurns(x, out double t);
        return quadrant switch
        {
            0 => SinSeries(t),
            1 => CosSeries(t),
            2 => -SinSeries(t),
            _ => -CosSeries(t),
        };
    }

    /// <summary>cos(πx), exact at integers and half-integers.</summary>
    public static double CosPi(double x)
    {
        if (IsNaN(x) || Math.Abs(x) == double.PositiveInfinity)
            return double.NaN;
        if (Math.Abs(x) >= 9007199254740992.0)
            return 1.0; // every double this large is an even integer
        if (Math.Abs(x) >= 4503599627370496.0)
            return ((long)x & 1) == 0 ? 1.0 : -1.0;
        long quadrant = ReduceHalfTurns(x, out double t);
        return quadrant switch
        {
            0 => CosSeries(t),
            1 => -SinSeries(t),
            2 => -CosSeries(t),
            _ => SinSeries(t),
        };
    }

    // log(2^e (1 + f)) + c with 1 + f in [√2/2, √2]: log(1 + f) = f − (f²/2 − s (f²/2 + R)), s = f/(2 + f),
    // R = Σ_{k≥1} 2 s^{2k}/(2k + 1) (the atanh series of s, rearranged so the leading terms are exact).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Reduced(int exponent, double f, double c)
    {
        double s = f / (2.0 + f);
        double z = s * s;
        double r = z * (2.0 / 3 + z * (2.0 / 5 + z * (2.0 / 7 + z * (2.0 / 9 + z * (2.0 / 11 + z * (2.0 / 13
            + z * (2.0 / 15 + z * (2.0 / 17 + z * (2.0 / 19 + z * (2.0 / 21 + z * (2.0 / 23)))))))))));
        double halfSquare = 0.5 * f * f;
        double k = exponent;
        return k * Ln2Hi - ((halfSquare - (s * (halfSquare + r) + (k * Ln2Lo + c))) - f);
    }

    // NaN by its bits (exponent all ones, mantissa not zero): no library call, the same on every backend.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsNaN(double x) => (Interop.FloatAsInt(x) & 0x7FFFFFFFFFFFFFFFUL) > 0x7FF0000000000000UL;

    // x = n/2 + r with |r| ≤ 1/4, exactly (|x| < 2^52); returns n mod 4 and t = πr.
    private static long ReduceHalfTurns(double x, out double t)
    {
        double n = RoundHalfAway(2 * x);
        t = KernelConstants.Pi * (x - 0.5 * n);
        return (long)n & 3;
    }

    // Nearest integer, halves away from zero; values of 2^52 and beyond are integers already.
    private static double RoundHalfAway(double x) =>
        Math.Abs(x) >= 4503599627370496.0 ? x : (double)(long)(x + (x >= 0 ? 0.5 : -0.5));

    // e^r − 1 for r = x − k ln 2, k = x/ln 2 to the nearest integer (ties to even: the shift 2^52 + 2^51 leaves it in
    // the low bits of the sum, |x/ln 2| < 2^31 here), |r| ≤ ln 2 / 2, carrying the rounding error of r to first order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double ReducedExpm1(double x, out int k)
    {
        double shifted = x * KernelConstants.InverseLog2 + RoundingShift;
        double kd = shifted - RoundingShift;
        k = (int)Interop.FloatAsInt(shifted);
        double hi = x - kd * Ln2Hi;
        double lo = kd * Ln2Lo;
        double r = hi - lo;
        double correction = (hi - r) - lo;
        double p = ReducedExpm1Series(r);
        return p + correction * (1.0 + p);
    }

    // e^r − 1 for |r| ≤ ln 2 / 2 by its Taylor series to r¹⁴/14! (the next term is below 2^-60 of the result there).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double ReducedExpm1Series(double r) =>
        r * (1 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720 + r * (1.0 / 5040
        + r * (1.0 / 40320 + r * (1.0 / 362880 + r * (1.0 / 3628800 + r * (1.0 / 39916800 + r * (1.0 / 479001600
        + r * (1.0 / 6227020800 + r * (1.0 / 87178291200))))))))))))));

    // Taylor series of e^x − 1 to x^19/19! (for |x| ≤ 1 the next term is below 2^-60 of the result): Expm1's own range.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Expm1Series(double x) =>
        x * (1 + x * (1.0 / 2 + x * (1.0 / 6 + x * (1.0 / 24 + x * (1.0 / 120 + x * (1.0 / 720 + x * (1.0 / 5040
        + x * (1.0 / 40320 + x * (1.0 / 362880 + x * (1.0 / 3628800 + x * (1.0 / 39916800 + x * (1.0 / 479001600
        + x * (1.0 / 6227020800 + x * (1.0 / 87178291200 + x * (1.0 / 1307674368000 + x * (1.0 / 20922789888000
        + x * (1.0 / 355687428096000 + x * (1.0 / 6402373705728000 + x * (1.0 / 121645100408832000)))))))))))))))))));

    // y · 2^k for y in [0.5, 2], k in the exponent range of Exp (one rounding, also into the subnormal range).
    private static double Scale(double y, int k)
    {
        if (k > 1023)
            return y * 2.0 * Interop.IntAsFloat((ulong)(k - 1 + 1023) << 52);
        if (k < -1021)
            return y * Interop.IntAsFloat((ulong)(k + 54 + 1023) << 52) * TwoMinus54;
        return y * Interop.IntAsFloat((ulong)(k + 1023) << 52);
    }

    // Stirling's series for log Γ(z), z ≥ 10: (z − ½) log z − z + ½ log 2π + Σ B₂ₖ / (2k (2k − 1) z^{2k−1}).
    private static double Stirling(double z)
    {
        double inverse = 1.0 / z;
        double w = inverse * inverse;
        double series = inverse * (1.0 / 12 - w * (1.0 / 360 - w * (1.0 / 1260 - w * (1.0 / 1680 - w * (1.0 / 1188
            - w * (691.0 / 360360 - w * (1.0 / 156 - w * (3617.0 / 122400))))))));
        double log = Log(z);
        return z * (log - 1.0) - 0.5 * log + KernelConstants.HalfLogTwoPi + series;
    }

    // Stirling's series for log Γ(z) after (z − ½) log z − z + ½ log 2π, from 1/z: for z ≥ 50 the next term,
    // 1/(1188 z⁹), is below 5e-19.
    private static double StirlingTail(double inverse)
    {
        double w = inverse * inverse;
        return inverse * (1.0 / 12 - w * (1.0 / 360 - w * (1.0 / 1260 - w * (1.0 / 1680))));
    }

    // ψ(x + a) − ψ(x) − log(1 + t) for t = a/x, z = x + a: 1/(2x) − 1/(2z) = t/(2z), plus U(x) − U(z) with ψ(y) = log y
    // − 1/(2y) − U(y). U's terms to y⁻¹² leave ~y⁻¹² of the difference (4e-21 at y = 50).
    private static double DigammaIncrementTail(double x, double a, double t)
    {
        double z = x + a;
        return 0.5 * t / z + (DigammaTail(1.0 / x) - DigammaTail(1.0 / z));
    }

    // U(y) = Σ B₂ₖ / (2k y^{2k}) from 1/y, to y⁻¹².
    private static double DigammaTail(double inverse)
    {
        double w = inverse * inverse;
        return w * (1.0 / 12 - w * (1.0 / 120 - w * (1.0 / 252 - w * (1.0 / 240 - w * (1.0 / 132 - w * (691.0 / 32760))))));
    }

    // sin t and cos t for |t| ≤ π/4 by Taylor series (next term below 2^-60).
    private static double SinSeries(double t)
    {
        double u = t * t;
        return t * (1 - u * (1.0 / 6 - u * (1.0 / 120 - u * (1.0 / 5040 - u * (1.0 / 362880 - u * (1.0 / 39916800
            - u * (1.0 / 6227020800 - u * (1.0 / 1307674368000 - u * (1.0 / 355687428096000)))))))));
    }

    private static double CosSeries(double t)
    {
        double u = t * t;
        return 1 - u * (1.0 / 2 - u * (1.0 / 24 - u * (1.0 / 720 - u * (1.0 / 40320 - u * (1.0 / 3628800
            - u * (1.0 / 479001600 - u * (1.0 / 87178291200 - u * (1.0 / 20922789888000 - u * (1.0 / 6402373705728000)))))))));
    }
}
