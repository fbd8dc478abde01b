using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuEstimation.Kernels;

/// <summary>
/// The block (<see cref="Lanes16"/>) forms of exp and log where 512-bit vectors are hardware: each of a block's two
/// halves, the common path of the 256-bit functions (the same operations lane by lane, so the same bits;
/// VectorMathTests compares them) run at twice the width; exp's blocks with a lane outside it by the 256-bit functions,
/// out of line, log's halves likewise. Zen 5 executes 512-bit operations at full width, so the transcendental part of a block costs about half.
/// </summary>
public static partial class VectorMath
{
    /// <summary><see cref="Exp(Vector256{double})"/> of each vector of a block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Exp(Lanes16 x)
    {
        if (!Vector512.IsHardwareAccelerated)
            return new(Exp(x.A), Exp(x.B), Exp(x.C), Exp(x.D));
        // One test for the whole block and one call out of line: the JIT keeps in memory what a call may clobber, and a
        // call per half kept a logistic block's values there (~15% of its time).
        var low = Vector512.Create(MinNormalExpArgument);
        var high = Vector512.Create(MaxNormalExpArgument);
        if (!(Vector512.GreaterThanOrEqualAll(Vector512.Min(x.Low, x.High), low) && Vector512.LessThanOrEqualAll(Vector512.Max(x.Low, x.High), high)))
            return ExpByQuarters(x);
        return new(ExpNormal(x.Low), ExpNormal(x.High));
    }

    /// <summary><see cref="Log(Vector256{double})"/> of each vector of a block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Log(Lanes16 x)
    {
        if (!Vector512.IsHardwareAccelerated)
            return new(Log(x.A), Log(x.B), Log(x.C), Log(x.D));
        return new(Log(x.Low), Log(x.High));
    }

    // Exp's common path at 512 bits, every lane of x in [MinNormalExpArgument, MaxNormalExpArgument].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> ExpNormal(Vector512<double> x)
    {
        var k = (x * Vector512.Create(KernelConstants.InverseLog2) + Vector512.Create(RoundingShift)) - Vector512.Create(RoundingShift);
        var hi = x - k * Vector512.Create(Ln2Hi);
        var lo = k * Vector512.Create(Ln2Lo);
        var r = hi - lo;
        var r2 = r * r;
        var r4 = r2 * r2;
        var r8 = r4 * r4;
        var low = Fma(r4, Fma(r2, Pair(r, 1.0 / 5040, 1.0 / 40320), Pair(r, 1.0 / 120, 1.0 / 720)),
            Fma(r2, Pair(r, 1.0 / 6, 1.0 / 24), Pair(r, 1.0, 1.0 / 2)));
        var high = Fma(r4, Pair(r, 1.0 / 6227020800, 1.0 / 87178291200),
            Fma(r2, Pair(r, 1.0 / 39916800, 1.0 / 479001600), Pair(r, 1.0 / 362880, 1.0 / 3628800)));
        var p = r * Fma(r8, high, low);
        p += ((hi - r) - lo) * (Vector512<double>.One + p);
        return (Vector512<double>.One + p) * ((k + Vector512.Create(RoundingShift + 1023)).AsUInt64() << 52).AsDouble();
    }

    // Log's common path at 512 bits (every lane a finite normal double); other vectors by halves.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Log(Vector512<double> x)
    {
        if (!(Vector512.GreaterThanOrEqualAll(x, Vector512.Create(SmallestNormal)) && Vector512.LessThanAll(x, Vector512.Create(double.PositiveInfinity))))
            return LogByHalves(x);
        var bits = x.AsUInt64();
        var exponent = (Vector512.ShiftRightLogical(bits, 52) | Vector512.Create(0x4330000000000000UL)).AsDouble() - Vector512.Create(4503599627371519.0);
        var m = ((bits & Vector512.Create(0x000FFFFFFFFFFFFFUL)) | Vector512.Create(0x3FF0000000000000UL)).AsDouble();
        var large = Vector512.GreaterThan(m, Vector512.Create(KernelConstants.Sqrt2));
        m = Vector512.ConditionalSelect(large, m * Vector512.Create(0.5), m);
        exponent += large & Vector512<double>.One;
        var f = m - Vector512<double>.One;
        var s = f / (Vector512.Create(2.0) + f);
        var z = s * s;
        var z2 = z * z;
        var z4 = z2 * z2;
        var z8 = z4 * z4;
        var high = Fma(z2, Vector512.Create(2.0 / 23), Pair(z, 2.0 / 19, 2.0 / 21));
        var low = Fma(z4, Fma(z2, Pair(z, 2.0 / 15, 2.0 / 17), Pair(z, 2.0 / 11, 2.0 / 13)),
            Fma(z2, Pair(z, 2.0 / 7, 2.0 / 9), Pair(z, 2.0 / 3, 2.0 / 5)));
        var r = z * Fma(z8, high, low);
        var halfSquare = Vector512.Create(0.5) * f * f;
        return exponent * Vector512.Create(Ln2Hi) - ((halfSquare - (s * (halfSquare + r) + (exponent * Vector512.Create(Ln2Lo) + Vector512<double>.Zero))) - f);
    }

    // The other vectors, out of line (inlined, the 256-bit functions would fill a block's inlining budget).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Lanes16 ExpByQuarters(Lanes16 x) => new(Exp(x.A), Exp(x.B), Exp(x.C), Exp(x.D));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector512<double> LogByHalves(Vector512<double> x) => Vector512.Create(Log(x.GetLower()), Log(x.GetUpper()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Pair(Vector512<double> x, double a, double b) => Fma(x, Vector512.Create(b), Vector512.Create(a));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Fma(Vector512<double> a, Vector512<double> b, Vector512<double> c) => Vector512.FusedMultiplyAdd(a, b, c);
}
