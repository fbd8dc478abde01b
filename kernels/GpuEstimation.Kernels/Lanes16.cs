using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GpuEstimation.Kernels;

/// <summary>
/// Sixteen doubles, one row each: the native backend's row block, held as two 512-bit vectors (rows 0-7 and 8-15).
/// Every operation applies to both halves, so that a chain of dependent operations (an exp feeding a log) runs as two
/// independent chains that the processor overlaps (one vector at a time, such chains leave most of the arithmetic units
/// waiting). Where 512-bit vectors are hardware (Zen 5 runs them at full width) each half is one instruction: the
/// families' blocks took ~20% less time than as four 256-bit vectors (logistic at 10⁶ rows, 1.9 → 1.6 ms, dev box);
/// elsewhere .NET runs each half as two 256-bit vectors. Lane by lane the operations are the same, and the fixed
/// orders of <see cref="Sum"/> and the other reductions are those of four 256-bit vectors A, B, C, D, so the bits do not
/// depend on the width. Host side only.
/// </summary>
public readonly struct Lanes16
{
    /// <summary>Rows 0-7 and 8-15.</summary>
    public readonly Vector512<double> Low, High;

    /// <summary>The two halves, rows in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Lanes16(Vector512<double> low, Vector512<double> high) => (Low, High) = (low, high);

    /// <summary>The four 256-bit vectors, rows in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Lanes16(Vector256<double> a, Vector256<double> b, Vector256<double> c, Vector256<double> d)
        : this(Vector512.Create(a, b), Vector512.Create(c, d))
    {
    }

    /// <summary>Rows 0-3.</summary>
    public Vector256<double> A
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Low.GetLower();
    }

    /// <summary>Rows 4-7.</summary>
    public Vector256<double> B
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Low.GetUpper();
    }

    /// <summary>Rows 8-11.</summary>
    public Vector256<double> C
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => High.GetLower();
    }

    /// <summary>Rows 12-15.</summary>
    public Vector256<double> D
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => High.GetUpper();
    }

    /// <summary>How many rows a block holds.</summary>
    public const int Count = 16;

    /// <summary>The same value in every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Create(double value)
    {
        var v = Vector512.Create(value);
        return new(v, v);
    }

    /// <summary>
    /// Sixteen consecutive values from <paramref name="source"/>, as four 256-bit loads: a pinned column is only 8-byte
    /// aligned, and 512-bit loads, most of them then across two cache lines, made the memory-bound Normal 1.5x slower.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Lanes16 Load(double* source) =>
        new(Vector256.Load(source), Vector256.Load(source + 4), Vector256.Load(source + 8), Vector256.Load(source + 12));

    /// <summary>Stores the sixteen values at <paramref name="destination"/>, rows in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Store(double* destination)
    {
        Low.Store(destination);
        High.Store(destination + 8);
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
    public Vector256<double> Sum() => (Low.GetLower() + Low.GetUpper()) + (High.GetLower() + High.GetUpper());

    /// <summary>Whether every lane of a mask (from a comparison) is clear.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool NoneSet() => Vector512.EqualsAll((Low | High).AsUInt64(), Vector512<ulong>.Zero);

    /// <summary>Whether every lane of a mask (from a comparison) is set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool AllSet() => Vector512.EqualsAll((Low & High).AsUInt64(), Vector512<ulong>.AllBitsSet);

    /// <summary>Lane-wise sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 operator +(Lanes16 x, Lanes16 y) => new(x.Low + y.Low, x.High + y.High);

    /// <summary>Lane-wise difference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 operator -(Lanes16 x, Lanes16 y) => new(x.Low - y.Low, x.High - y.High);

    /// <summary>Lane-wise product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 operator *(Lanes16 x, Lanes16 y) => new(x.Low * y.Low, x.High * y.High);

    /// <summary>Lane-wise quotient.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 operator /(Lanes16 x, Lanes16 y) => new(x.Low / y.Low, x.High / y.High);

    /// <summary>Lane-wise negation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 operator -(Lanes16 x) => new(-x.Low, -x.High);

    /// <summary>Lane-wise bitwise and (masks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 operator &(Lanes16 x, Lanes16 y) => new(x.Low & y.Low, x.High & y.High);

    /// <summary>Lane-wise bitwise or (masks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 operator |(Lanes16 x, Lanes16 y) => new(x.Low | y.Low, x.High | y.High);

    /// <summary>Lane-wise floor.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Floor(Lanes16 x) => new(Vector512.Floor(x.Low), Vector512.Floor(x.High));

    /// <summary>All bits set where x ≠ y (and where either is NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 NotEqual(Lanes16 x, Lanes16 y) =>
        new(~Vector512.Equals(x.Low, y.Low), ~Vector512.Equals(x.High, y.High));

    /// <summary>
    /// <c>table[index]</c> lane by lane, for whole non-negative indices that the caller has checked lie in the table.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Lanes16 Gather(double* table, Lanes16 index) =>
        new(Gather(table, index.Low), Gather(table, index.High));

    // Eight lanes: their indices converted at once where 512-bit vectors are hardware (.NET has no 512-bit gather),
    // then two 256-bit gathers.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<double> Gather(double* table, Vector512<double> index)
    {
        if (Avx512F.IsSupported)
        {
            var indices = Avx512F.ConvertToVector256Int32WithTruncation(index);
            return Vector512.Create(Avx2.GatherVector256(table, indices.GetLower(), 8), Avx2.GatherVector256(table, indices.GetUpper(), 8));
        }
        return Vector512.Create(Gather(table, index.GetLower()), Gather(table, index.GetUpper()));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<double> Gather(double* table, Vector256<double> index)
    {
        if (Avx2.IsSupported)
            return Avx2.GatherVector256(table, Avx.ConvertToVector128Int32WithTruncation(index), 8);
        return Vector256.Create(table[(int)index.GetElement(0)], table[(int)index.GetElement(1)], table[(int)index.GetElement(2)],
            table[(int)index.GetElement(3)]);
    }

    /// <summary>Lane-wise x·y + z, rounded once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 FusedMultiplyAdd(Lanes16 x, Lanes16 y, Lanes16 z) =>
        new(Vector512.FusedMultiplyAdd(x.Low, y.Low, z.Low), Vector512.FusedMultiplyAdd(x.High, y.High, z.High));

    /// <summary>Lane-wise absolute value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Abs(Lanes16 x) => new(Vector512.Abs(x.Low), Vector512.Abs(x.High));

    /// <summary>All bits set where x = y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Equal(Lanes16 x, Lanes16 y) =>
        new(Vector512.Equals(x.Low, y.Low), Vector512.Equals(x.High, y.High));

    /// <summary>All bits set where x &lt; y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 LessThan(Lanes16 x, Lanes16 y) =>
        new(Vector512.LessThan(x.Low, y.Low), Vector512.LessThan(x.High, y.High));

    /// <summary>All bits set where x ≥ y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 GreaterThanOrEqual(Lanes16 x, Lanes16 y) =>
        new(Vector512.GreaterThanOrEqual(x.Low, y.Low), Vector512.GreaterThanOrEqual(x.High, y.High));

    /// <summary>Lane by lane, <paramref name="whereSet"/> where the mask is set, else <paramref name="otherwise"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 ConditionalSelect(Lanes16 mask, Lanes16 whereSet, Lanes16 otherwise) =>
        new(Vector512.ConditionalSelect(mask.Low, whereSet.Low, otherwise.Low), Vector512.ConditionalSelect(mask.High, whereSet.High, otherwise.High));
}
