using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuEstimation.Kernels;

/// <summary>
/// <see cref="DeviceMath"/>'s exp, log, log1p, log-gamma and digamma over four doubles at once, for the native backend's row blocks: the
/// same reductions and series (Cody–Waite reduction by ln 2 with e^r − 1 by its Taylor series; the atanh series of
/// s = f/(2 + f) for log), branch-free, the special values selected at the end, held to the same 2-ulp bound (tests over
/// 10⁶ arguments); log-gamma and digamma by DeviceMath's shift and asymptotic series, to its bounds. .NET's own <see cref="Vector256.Exp(Vector256{double})"/> is barely faster than four scalar calls
/// (about 14 ns a vector on the development machine, this one about a third of that).
/// </summary>
public static partial class VectorMath
{
    private const double Ln2Hi = 0.6931471803691238;
    private const double Ln2Lo = 1.9082149292705877e-10;
    private const double MaxExpArgument = 709.782712893384;
    private const double MinExpArgument = -745.1332191019412;
    // Between these e^x is a normal double and k = round(x/ln 2) lies in [−1021, 1023], so 2^k is one normal power of two.
    private const double MinNormalExpArgument = -708.0;
    private const double MaxNormalExpArgument = 709.0;
    // 2^52 + 2^51: adding it to a double of magnitude below 2^51 leaves the nearest integer in the low bits.
    private const double RoundingShift = 6755399441055744.0;
    private const double TwoTo54 = 18014398509481984.0;
    private const double SmallestNormal = 2.2250738585072014e-308;

    /// <summary>e^x lane by lane: +∞ above ~709.78, 0 below ~−745.13, NaN kept, subnormal results rounded once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Exp(Vector256<double> x)
    {
        if (Vector256.GreaterThanOrEqualAll(x, Vector256.Create(MinNormalExpArgument)) && Vector256.LessThanOrEqualAll(x, Vector256.Create(MaxNormalExpArgument)))
        {
            // Every result normal (the usual case): the same steps without the clamp, the split power of two and the
            // special values; multiplying by 2^k is exact here, so the bits are those of the general path below.
            var k = (x * Vector256.Create(KernelConstants.InverseLog2) + Vector256.Create(RoundingShift)) - Vector256.Create(RoundingShift);
            var hi = x - k * Vector256.Create(Ln2Hi);
            var lo = k * Vector256.Create(Ln2Lo);
            var r = hi - lo;
            var p = Expm1Series(r);
            p += ((hi - r) - lo) * (Vector256<double>.One + p);
            return (Vector256<double>.One + p) * PowerOfTwo(k);
        }
        return ExpAnywhere(x);
    }

    // Exp over the whole range: out of line, so that the common path above stays small where it is inlined.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<double> ExpAnywhere(Vector256<double> x)
    {
        // k = x/ln 2 to the nearest integer (ties to even), with the argument clamped so that 2^k stays representable
        // as the product of two normal powers of two.
        var clamped = Vector256.Min(Vector256.Max(x, Vector256.Create(MinExpArgument - 1)), Vector256.Create(MaxExpArgument + 1));
        var k = (clamped * Vector256.Create(KernelConstants.InverseLog2) + Vector256.Create(RoundingShift)) - Vector256.Create(RoundingShift);
        var hi = clamped - k * Vector256.Create(Ln2Hi);
        var lo = k * Vector256.Create(Ln2Lo);
        var r = hi - lo;
        var correction = (hi - r) - lo;
        var p = Expm1Series(r);
        p += correction * (Vector256<double>.One + p);
        // 2^k as 2^⌊k/2⌋ · 2^(k − ⌊k/2⌋): both factors normal over the whole range, the second product rounding once.
        var half = Vector256.Floor(k * Vector256.Create(0.5));
        var result = (Vector256<double>.One + p) * PowerOfTwo(half) * PowerOfTwo(k - half);
        result = Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(MaxExpArgument)), Vector256.Create(double.PositiveInfinity), result);
        result = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(MinExpArgument)), Vector256<double>.Zero, result);
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), result, x);
    }

    /// <summary>Natural logarithm lane by lane: NaN below 0 and for NaN, −∞ at ±0, +∞ at +∞, subnormals handled.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Log(Vector256<double> x)
    {
        if (Vector256.GreaterThanOrEqualAll(x, Vector256.Create(SmallestNormal)) && Vector256.LessThanAll(x, Vector256.Create(double.PositiveInfinity)))
        {
            // Every lane a finite normal double (the usual case): no scaling, no special values; the same bits.
            var (e, mantissa) = Split(x);
            return Reduced(e, mantissa - Vector256<double>.One, Vector256<double>.Zero);
        }
        return LogAnywhere(x);
    }

    // Log over the whole range (subnormals, the special values): out of line, as ExpAnywhere.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<double> LogAnywhere(Vector256<double> x)
    {
        var subnormal = Vector256.LessThan(x, Vector256.Create(SmallestNormal));
        var scaled = Vector256.ConditionalSelect(subnormal, x * Vector256.Create(TwoTo54), x);
        var offset = Vector256.ConditionalSelect(subnormal, Vector256.Create(-54.0), Vector256<double>.Zero);
        var (exponent, m) = Split(scaled);
        var result = Reduced(exponent + offset, m - Vector256<double>.One, Vector256<double>.Zero);
        return Special(x, result);
    }

    /// <summary>log(1 + x) lane by lane, accurate for small x: NaN below −1, −∞ at −1, the sign of zero kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Log1p(Vector256<double> x)
    {
        var one = Vector256<double>.One;
        var u = one + x;
        // The rounding error of 1 + x, exactly (Fast2Sum with the larger operand first).
        var c = Vector256.ConditionalSelect(Vector256.GreaterThan(x, one), one - (u - x), x - (u - one));
        var (exponent, m) = Split(u);
        var result = Reduced(exponent, m - one, c / u);
        // Below 1e-4 the series x − x²/2 + x³/3 − x⁴/4 + x⁵/5 (and x itself for ±0 and subnormals).
        var series = x * (one - x * (Vector256.Create(0.5) - x * (Vector256.Create(1.0 / 3) - x * (Vector256.Create(0.25) - x * Vector256.Create(0.2)))));
        result = Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(x), Vector256.Create(1e-4)), series, result);
        result = Vector256.ConditionalSelect(Vector256.Equals(u, Vector256.Create(double.PositiveInfinity)), u, result);
        result = Vector256.ConditionalSelect(Vector256.LessThan(x, -one), Vector256.Create(double.NaN), result);
        result = Vector256.ConditionalSelect(Vector256.Equals(x, -one), Vector256.Create(double.NegativeInfinity), result);
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), result, x);
    }

    /// <summary>
    /// Σ log(1 + x) over a block's sixteen values x ≥ 0, four lanes at a time: lane i holds
    /// log1p(q) with 1 + q = (1 + A[i])(1 + B[i])(1 + C[i])(1 + D[i]), q formed without ever adding 1, as
    /// q₁₂ = A·B + (A + B), q₃₄ likewise, q = q₁₂·q₃₄ + (q₁₂ + q₃₄) (fused): one log for four values, and, every
    /// term positive, within a few ulps of the sum itself however small the values are (a product of the 1 + x
    /// would lose each value's digits below 2⁻⁵², the same way every time). Where q overflows (values beyond ~10⁷⁷),
    /// the four log1p lane by lane (out of line); +∞ and NaN propagate.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> SumOfLog1p(Lanes16 x)
    {
        var low = Fma(x.A, x.B, x.A + x.B);
        var high = Fma(x.C, x.D, x.C + x.D);
        var q = Fma(low, high, low + high);
        if (Vector256.LessThanAll(q, Vector256.Create(double.PositiveInfinity)))
            return Log1p(q);
        return Log1pAdded(x);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<double> Log1pAdded(Lanes16 x) => (Log1p(x.A) + Log1p(x.B)) + (Log1p(x.C) + Log1p(x.D));

    /// <summary>
    /// log(1 + x) − x lane by lane, as <see cref="DeviceMath.Log1pMinusX"/>: for x in [−0.3, 0.5] its atanh series
    /// (no cancellation; the same terms in the same order), elsewhere <see cref="Log1p(Vector256{double})"/> − x.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Log1pMinusX(Vector256<double> x)
    {
        var near = Vector256.GreaterThanOrEqual(x, Vector256.Create(-0.3)) & Vector256.LessThanOrEqual(x, Vector256.Create(0.5));
        var s = x / (Vector256.Create(2.0) + x);
        var w = s * s;
        var series = Vector256.Create(1.0 / 3) + w * (Vector256.Create(1.0 / 5) + w * (Vector256.Create(1.0 / 7) + w * (Vector256.Create(1.0 / 9)
            + w * (Vector256.Create(1.0 / 11) + w * (Vector256.Create(1.0 / 13) + w * (Vector256.Create(1.0 / 15) + w * (Vector256.Create(1.0 / 17)
            + w * (Vector256.Create(1.0 / 19) + w * (Vector256.Create(1.0 / 21) + w * (Vector256.Create(1.0 / 23) + w * Vector256.Create(1.0 / 25)))))))))));
        var result = s * (Vector256.Create(2.0) * w * series - x);
        if (Vector256.EqualsAll(near.AsUInt64(), Vector256<ulong>.AllBitsSet))
            return result;
        return Vector256.ConditionalSelect(near, result, Log1p(x) - x);
    }

    /// <summary><see cref="Log1pMinusX(Vector256{double})"/> of each vector of a block, in turn (not inlined: a block's
    /// other functions fill the JIT's inlining budget).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Lanes16 Log1pMinusX(Lanes16 x) => new(Log1pMinusX(x.A), Log1pMinusX(x.B), Log1pMinusX(x.C), Log1pMinusX(x.D));

    /// <summary>log Γ(x) lane by lane, as <see cref="DeviceMath.LogGamma"/> (see <see cref="LogGammaAndDigamma(Vector256{double})"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> LogGamma(Vector256<double> x) => LogGammaAndDigamma(x).LogGamma;

    /// <summary>ψ(x) lane by lane, as <see cref="DeviceMath.Digamma"/> (see <see cref="LogGammaAndDigamma(Vector256{double})"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Digamma(Vector256<double> x) => LogGammaAndDigamma(x).Digamma;

    /// <summary>
    /// log Γ(x) and ψ(x) lane by lane, by DeviceMath's formulas and held to its bounds (2e-14 and 1e-14 of
    /// max(1, |value|)): x shifted up to z = x + n ≥ 10 (the product x(x + 1)⋯(z − 1) for log Γ, the shift
    /// Σ 1/(x + j) as one fraction over that product for ψ), then Stirling's series and ψ's asymptotic series at z, which
    /// share 1/z and log z; log Γ of a whole x up to 23 as the log of its exact factorial (0 at 1 and 2). A vector with a
    /// lane outside the normal positive doubles (0, negatives, subnormals, ∞, NaN) is computed lane by lane by DeviceMath.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<double> LogGamma, Vector256<double> Digamma) LogGammaAndDigamma(Vector256<double> x)
    {
        var one = Vector256<double>.One;
        var ordinary = Vector256.GreaterThanOrEqual(x, Vector256.Create(SmallestNormal)) & Vector256.LessThan(x, Vector256.Create(double.PositiveInfinity));
        if (!Vector256.EqualsAll(ordinary.AsUInt64(), Vector256<ulong>.AllBitsSet))
            return LaneByLane(x);
        // z = x + n ≥ 10, product = x(x + 1)⋯(z − 1) in DeviceMath's order, numerator/product = Σ 1/(x + j).
        var ten = Vector256.Create(10.0);
        var z = x;
        var product = one;
        var numerator = Vector256<double>.Zero;
        var below = Vector256.LessThan(z, ten);
        while (!Vector256.EqualsAll(below.AsUInt64(), Vector256<ulong>.Zero))
        {
            numerator = Vector256.ConditionalSelect(below, numerator * z + product, numerator);
            product = Vector256.ConditionalSelect(below, product * z, product);
            z += below & one;
            below = Vector256.LessThan(z, ten);
        }
        var inverse = one / z;
        var w = inverse * inverse;
        var log = Log(z);
        // Stirling: (z − ½) log z − z + ½ log 2π + Σ B₂ₖ / (2k (2k − 1) z^{2k−1}), DeviceMath's terms and order.
        var stirling = inverse * (Vector256.Create(1.0 / 12) - w * (Vector256.Create(1.0 / 360) - w * (Vector256.Create(1.0 / 1260)
            - w * (Vector256.Create(1.0 / 1680) - w * (Vector256.Create(1.0 / 1188) - w * (Vector256.Create(691.0 / 360360)
            - w * (Vector256.Create(1.0 / 156) - w * Vector256.Create(3617.0 / 122400))))))));
        var half = Vector256.Create(0.5);
        var logGamma = z * (log - one) - half * log + Vector256.Create(KernelConstants.HalfLogTwoPi) + stirling - Log(product);
        // ψ(z) ~ log z − 1/(2z) − Σ B₂ₖ / (2k z^{2k}).
        var tail = w * (Vector256.Create(1.0 / 12) - w * (Vector256.Create(1.0 / 120) - w * (Vector256.Create(1.0 / 252)
            - w * (Vector256.Create(1.0 / 240) - w * (Vector256.Create(1.0 / 132) - w * (Vector256.Create(691.0 / 32760) - w * Vector256.Create(1.0 / 12)))))));
        var digamma = log - half * inverse - tail - numerator / product;
        var whole = Vector256.Equals(x, Vector256.Floor(x)) & Vector256.LessThanOrEqual(x, Vector256.Create(23.0));
        if (!Vector256.EqualsAll(whole.AsUInt64(), Vector256<ulong>.Zero))
        {
            // log((x − 1)!), the factorial exact in double up to 22!.
            var factorial = one;
            for (double k = 2; k < 23; k += 1.0)
                factorial *= Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Create(k), x), Vector256.Create(k), one);
            logGamma = Vector256.ConditionalSelect(whole, Log(factorial), logGamma);
        }
        return (logGamma, digamma);
    }

    private static (Vector256<double> LogGamma, Vector256<double> Digamma) LaneByLane(Vector256<double> x) =>
        (Vector256.Create(DeviceMath.LogGamma(x[0]), DeviceMath.LogGamma(x[1]), DeviceMath.LogGamma(x[2]), DeviceMath.LogGamma(x[3])),
         Vector256.Create(DeviceMath.Digamma(x[0]), DeviceMath.Digamma(x[1]), DeviceMath.Digamma(x[2]), DeviceMath.Digamma(x[3])));

    /// <summary><see cref="LogGammaAndDigamma(Vector256{double})"/> of each vector of a block, in turn (not inlined: it is large).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static (Lanes16 LogGamma, Lanes16 Digamma) LogGammaAndDigamma(Lanes16 x)
    {
        var (a, da) = LogGammaAndDigamma(x.A);
        var (b, db) = LogGammaAndDigamma(x.B);
        var (c, dc) = LogGammaAndDigamma(x.C);
        var (d, dd) = LogGammaAndDigamma(x.D);
        return (new(a, b, c, d), new(da, db, dc, dd));
    }

    // x (positive, normal) = 2^e · m with m in [√2/2, √2]: e as a double and m.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<double> Exponent, Vector256<double> M) Split(Vector256<double> x)
    {
        var bits = x.AsUInt64();
        // The biased exponent into the low bits of 2^52's mantissa: (2^52 + e + 1023) − (2^52 + 1023) = e.
        var exponent = (Vector256.ShiftRightLogical(bits, 52) | Vector256.Create(0x4330000000000000UL)).AsDouble() - Vector256.Create(4503599627371519.0);
        var m = ((bits & Vector256.Create(0x000FFFFFFFFFFFFFUL)) | Vector256.Create(0x3FF0000000000000UL)).AsDouble();
        var large = Vector256.GreaterThan(m, Vector256.Create(KernelConstants.Sqrt2));
        m = Vector256.ConditionalSelect(large, m * Vector256.Create(0.5), m);
        exponent += large & Vector256<double>.One;
        return (exponent, m);
    }

    // DeviceMath.Reduced: log(2^e (1 + f)) + c with 1 + f in [√2/2, √2].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Reduced(Vector256<double> k, Vector256<double> f, Vector256<double> c)
    {
        var s = f / (Vector256.Create(2.0) + f);
        var z = s * s;
        // R = z (2/3 + 2/5 z + … + 2/23 z¹⁰) by Estrin's scheme (a shallow dependency chain of fused multiply-adds).
        var z2 = z * z;
        var z4 = z2 * z2;
        var z8 = z4 * z4;
        var high = Fma(z2, Vector256.Create(2.0 / 23), Pair(z, 2.0 / 19, 2.0 / 21));
        var low = Fma(z4, Fma(z2, Pair(z, 2.0 / 15, 2.0 / 17), Pair(z, 2.0 / 11, 2.0 / 13)),
            Fma(z2, Pair(z, 2.0 / 7, 2.0 / 9), Pair(z, 2.0 / 3, 2.0 / 5)));
        var r = z * Fma(z8, high, low);
        var halfSquare = Vector256.Create(0.5) * f * f;
        return k * Vector256.Create(Ln2Hi) - ((halfSquare - (s * (halfSquare + r) + (k * Vector256.Create(Ln2Lo) + c))) - f);
    }

    // log's special values: NaN below 0 and for NaN, −∞ at 0, +∞ at +∞.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Special(Vector256<double> x, Vector256<double> result)
    {
        result = Vector256.ConditionalSelect(Vector256.Equals(x, Vector256.Create(double.PositiveInfinity)), x, result);
        result = Vector256.ConditionalSelect(Vector256.Equals(x, Vector256<double>.Zero), Vector256.Create(double.NegativeInfinity), result);
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<double>.Zero), result, Vector256.Create(double.NaN));
    }

    // 2^k for a whole k in [−1022, 1023] given as a double.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> PowerOfTwo(Vector256<double> k) =>
        ((k + Vector256.Create(RoundingShift + 1023)).AsUInt64() << 52).AsDouble();

    // e^r − 1 for |r| ≤ ln 2 / 2 by its Taylor series to r¹⁴/14! (the next term is below 2^-60 of the result there),
    // r · Σ rⁱ/(i + 1)! by Estrin's scheme.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Expm1Series(Vector256<double> r)
    {
        var r2 = r * r;
        var r4 = r2 * r2;
        var r8 = r4 * r4;
        var low = Fma(r4, Fma(r2, Pair(r, 1.0 / 5040, 1.0 / 40320), Pair(r, 1.0 / 120, 1.0 / 720)),
            Fma(r2, Pair(r, 1.0 / 6, 1.0 / 24), Pair(r, 1.0, 1.0 / 2)));
        var high = Fma(r4, Pair(r, 1.0 / 6227020800, 1.0 / 87178291200),
            Fma(r2, Pair(r, 1.0 / 39916800, 1.0 / 479001600), Pair(r, 1.0 / 362880, 1.0 / 3628800)));
        return r * Fma(r8, high, low);
    }

    // a + b·x.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Pair(Vector256<double> x, double a, double b) => Fma(x, Vector256.Create(b), Vector256.Create(a));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Fma(Vector256<double> a, Vector256<double> b, Vector256<double> c) => Vector256.FusedMultiplyAdd(a, b, c);
}
