using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GpuEstimation.Kernels;

/// <summary>
/// Sixteen doubles, one row each, as four 256-bit vectors: the native backend's row block. Every operation applies to
/// the four vectors in turn, so that a chain of dependent operations (an exp feeding a log) runs as four independent
/// chains that the processor overlaps; one vector at a time, such chains leave most of the arithmetic units waiting
/// (exp then log1p over one vector took 1.6x the time of the same work staged over four, dev box). Host side only.
/// </summary>
public readonly struct Lanes16
{
    /// <summary>Rows 0-3, 4-7, 8-11 and 12-15.</summary>
    public readonly Vector256<double> A, B, C, D;

    /// <summary>The four vectors, rows in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Lanes16(Vector256<double> a, Vector256<double> b, Vector256<double> c, Vector256<double> d) => (A, B, C, D) = (a, b, c, d);

    /// <summary>How many rows a block holds.</summary>
    public const int Count = 16;

    /// <summary>The same value in every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Create(double value)
    {
        var v = Vector256.Create(value);
        return new(v, v, v, v);
    }

    /// <summary>Sixteen consecutive values from <paramref name="source"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Lanes16 Load(double* source) =>
        new(Vector256.Load(source), Vector256.Load(source + 4), Vector256.Load(source + 8), Vector256.Load(source + 12));

    /// <summary>Stores the sixteen values at <paramref name="destination"/>, rows in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Store(double* destination)
    {
        A.Store(destination);
        B.Store(destination + 4);
        C.Store(destination + 8);
        D.Store(destination + 12);
    }

    /// <summary>The first sixteen values of <paramref name="source"/>.</summary>
    public static unsafe Lanes16 Load(ReadOnlySpan<double> source)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(source.Length, Count, nameof(source));
        fixed (double* at = source)
            return Load(at);
    }

    /// <summary>The four vectors added lane by lane in a fixed order, (A + B) + (C + D).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<double> Sum() => (A + B) + (C + D);

    /// <summary>Whether every lane of a mask (from a comparison) is clear.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool NoneSet() => Vector256.EqualsAll(((A | B) | (C | D)).AsUInt64(), Vector256<ulong>.Zero);

    /// <summary>Whether every lane of a mask (from a comparison) is set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool AllSet() => Vector256.EqualsAll(((A & B) & (C & D)).AsUInt64(), Vector256<ulong>.AllBitsSet);

    /// <summary>Lane-wise sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 operator +(Lanes16 x, Lanes16 y) => new(x.A + y.A, x.B + y.B, x.C + y.C, x.D + y.D);

    /// <summary>Lane-wise difference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 operator -(Lanes16 x, Lanes16 y) => new(x.A - y.A, x.B - y.B, x.C - y.C, x.D - y.D);

    /// <summary>Lane-wise product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 operator *(Lanes16 x, Lanes16 y) => new(x.A * y.A, x.B * y.B, x.C * y.C, x.D * y.D);

    /// <summary>Lane-wise quotient.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 operator /(Lanes16 x, Lanes16 y) => new(x.A / y.A, x.B / y.B, x.C / y.C, x.D / y.D);

    /// <summary>Lane-wise negation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 operator -(Lanes16 x) => new(-x.A, -x.B, -x.C, -x.D);

    /// <summary>Lane-wise bitwise and (masks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 operator &(Lanes16 x, Lanes16 y) => new(x.A & y.A, x.B & y.B, x.C & y.C, x.D & y.D);

    /// <summary>Lane-wise bitwise or (masks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 operator |(Lanes16 x, Lanes16 y) => new(x.A | y.A, x.B | y.B, x.C | y.C, x.D | y.D);

    /// <summary>Lane-wise floor.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Floor(Lanes16 x) => new(Vector256.Floor(x.A), Vector256.Floor(x.B), Vector256.Floor(x.C), Vector256.Floor(x.D));

    /// <summary>All bits set where x ≠ y (and where either is NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 NotEqual(Lanes16 x, Lanes16 y) =>
        new(~Vector256.Equals(x.A, y.A), ~Vector256.Equals(x.B, y.B), ~Vector256.Equals(x.C, y.C), ~Vector256.Equals(x.D, y.D));

    /// <summary>
    /// <c>table[index]</c> lane by lane, for whole non-negative indices that the caller has checked lie in the table.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Lanes16 Gather(double* table, Lanes16 index) =>
        new(Gather(table, index.A), Gather(table, index.B), Gather(table, index.C), Gather(table, index.D));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<double> Gather(double* table, Vector256<double> index)
    {
        if (Avx2.IsSupported)
            return Avx2.GatherVector256(table, Avx.ConvertToVector128Int32WithTruncation(index), 8);
        return Vector256.Create(table[(int)index.GetElement(0)], table[(int)index.GetElement(1)], table[(int)index.GetElement(2)],
            table[(int)index.GetElement(3)]);
    }

    /// <summary>Lane-wise absolute value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Abs(Lanes16 x) => new(Vector256.Abs(x.A), Vector256.Abs(x.B), Vector256.Abs(x.C), Vector256.Abs(x.D));

    /// <summary>All bits set where x = y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Equal(Lanes16 x, Lanes16 y) =>
        new(Vector256.Equals(x.A, y.A), Vector256.Equals(x.B, y.B), Vector256.Equals(x.C, y.C), Vector256.Equals(x.D, y.D));

    /// <summary>All bits set where x &lt; y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 LessThan(Lanes16 x, Lanes16 y) =>
        new(Vector256.LessThan(x.A, y.A), Vector256.LessThan(x.B, y.B), Vector256.LessThan(x.C, y.C), Vector256.LessThan(x.D, y.D));

    /// <summary>All bits set where x ≥ y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 GreaterThanOrEqual(Lanes16 x, Lanes16 y) =>
        new(Vector256.GreaterThanOrEqual(x.A, y.A), Vector256.GreaterThanOrEqual(x.B, y.B), Vector256.GreaterThanOrEqual(x.C, y.C),
            Vector256.GreaterThanOrEqual(x.D, y.D));

    /// <summary>Lane by lane, <paramref name="whereSet"/> where the mask is set, else <paramref name="otherwise"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 ConditionalSelect(Lanes16 mask, Lanes16 whereSet, Lanes16 otherwise) =>
        new(Vector256.ConditionalSelect(mask.A, whereSet.A, otherwise.A), Vector256.ConditionalSelect(mask.B, whereSet.B, otherwise.B),
            Vector256.ConditionalSelect(mask.C, whereSet.C, otherwise.C), Vector256.ConditionalSelect(mask.D, whereSet.D, otherwise.D));
}
