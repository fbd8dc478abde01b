using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels;

/// <summary>
/// A fixed-capacity vector of doubles that lives in registers on the device. Kernels use it both for a model's
/// per-evaluation arguments and for each thread's running sums (log-density and gradient terms).
/// </summary>
/// <remarks>
/// The capacities are built as a binary tree (<see cref="Vec4"/>, <see cref="Twice{T}"/> of it, ...), so an index
/// known when the kernel is compiled folds to a single field access, and a run-time index costs a few uniform
/// branches: no local-memory array, whatever the parameter count.
/// </remarks>
public interface ITermVector<TSelf> where TSelf : unmanaged, ITermVector<TSelf>
{
    /// <summary>How many values the vector holds.</summary>
    static abstract int Capacity { get; }

    /// <summary>The value at <paramref name="index"/>.</summary>
    double Get(int index);

    /// <summary>Sets the value at <paramref name="index"/>.</summary>
    void Set(int index, double value);

    /// <summary>Adds <paramref name="value"/> to the value at <paramref name="index"/>.</summary>
    void Add(int index, double value);
}

/// <summary>Four doubles: the leaf of the term-vector tree.</summary>
public struct Vec4 : ITermVector<Vec4>
{
    private double _v0, _v1, _v2, _v3;

    public static int Capacity => 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly double Get(int index) => index switch
    {
        0 => _v0,
        1 => _v1,
        2 => _v2,
        _ => _v3,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int index, double value)
    {
        switch (index)
        {
            case 0: _v0 = value; break;
            case 1: _v1 = value; break;
            case 2: _v2 = value; break;
            default: _v3 = value; break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int index, double value)
    {
        switch (index)
        {
            case 0: _v0 += value; break;
            case 1: _v1 += value; break;
            case 2: _v2 += value; break;
            default: _v3 += value; break;
        }
    }
}

/// <summary>Twice the capacity of <typeparamref name="T"/>: two halves, chosen by one comparison.</summary>
public struct Twice<T> : ITermVector<Twice<T>> where T : unmanaged, ITermVector<T>
{
    // Written only through their own Set/Add (mutated in place), which the compiler does not count as assignment.
#pragma warning disable CS0649
    private T _low, _high;
#pragma warning restore CS0649

    public static int Capacity => 2 * T.Capacity;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly double Get(int index) =>
        index < T.Capacity ? _low.Get(index) : _high.Get(index - T.Capacity);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int index, double value)
    {
        if (index < T.Capacity)
            _low.Set(index, value);
        else
            _high.Set(index - T.Capacity, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int index, double value)
    {
        if (index < T.Capacity)
            _low.Add(index, value);
        else
            _high.Add(index - T.Capacity, value);
    }
}

/// <summary>
/// <typeparamref name="T"/> that keeps the log-density alone: adds to the gradient terms (index 1 and up) are
/// dropped. Sweeps accumulate into it, so that a model's Accumulate, inlined, computes the value only: the compilers
/// remove the gradient arithmetic whose results go nowhere. Arguments are read and written as in <typeparamref name="T"/>.
/// </summary>
public struct ValueOnly<T> : ITermVector<ValueOnly<T>> where T : unmanaged, ITermVector<T>
{
    private T _inner;

    /// <summary>Wraps <paramref name="inner"/> (a model's prepared arguments).</summary>
    public ValueOnly(T inner) => _inner = inner;

    public static int Capacity => T.Capacity;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly double Get(int index) => _inner.Get(index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int index, double value) => _inner.Set(index, value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int index, double value)
    {
        if (index == 0)
            _inner.Add(0, value);
    }
}
