using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels;

/// <summary>
/// <typeparamref name="T"/> that keeps the log-density alone: adds to the gradient terms (index 1 and up) are
/// dropped. Sweeps accumulate into it, so that a model's Accumulate, inlined, computes the value only: the compilers
/// remove the gradient arithmetic whose results go nowhere. The part of each row's log-density that every row shares
/// (<see cref="ITermVector{TSelf}.AddValue"/>'s first part, such as the Normal's −log σ − ½ log 2π) is set aside and
/// added once, times the rows, at <see cref="FinishRows"/>, which ends every run of rows summed into it (one row:
/// FinishRows(1)). A sweep is bound by double-precision arithmetic, and the Normal's row then costs a difference, a
/// scaling and one multiply-add where it cost four operations: the work of the probe that reached 2.5 T
/// point-evaluations/s on an H200. The totals equal a single evaluation's to rounding, not to the bit. Arguments are
/// read and written as in <typeparamref name="T"/>.
/// </summary>
public struct ValueOnly<T> : ITermVector<ValueOnly<T>> where T : unmanaged, ITermVector<T>
{
    private T _inner;
    private double _shared;

    /// <summary>Wraps <paramref name="inner"/> (a model's prepared arguments).</summary>
    public ValueOnly(T inner)
    {
        _inner = inner;
        _shared = 0;
    }

    /// <inheritdoc/>
    public static int Capacity => T.Capacity;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly double Get(int index) => _inner.Get(index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int index, double value) => _inner.Set(index, value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int index, double value)
    {
        if (index == 0)
            _inner.Add(0, value);
    }

    /// <summary>Adds <paramref name="own"/>; keeps <paramref name="shared"/> (the same at every row) for <see cref="FinishRows"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddValue(double shared, double own)
    {
        _shared = shared;
        _inner.Add(0, own);
    }

    /// <summary>Adds <paramref name="rows"/> times the shared part (nothing where no row set one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void FinishRows(long rows)
    {
        if (rows > 0)
            _inner.Add(0, rows * _shared);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void ReadLeaves<TBody>(ref TBody body, int first) where TBody : struct, ILeafReader => _inner.ReadLeaves(ref body, first);

    /// <summary>Keeps what <paramref name="body"/> adds to value 0 (where <paramref name="first"/> is 0), as <see cref="Add"/> does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddToLeaves<TBody>(ref TBody body, int first) where TBody : struct, ILeafWriter
    {
        if (first != 0)
            return;
        var leaf = default(Vec4);
        body.Leaf(ref leaf, first);
        Add(0, leaf.Get(0));
    }
}
