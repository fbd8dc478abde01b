using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels;

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
}
