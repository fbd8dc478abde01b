using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels;

/// <summary>Twice the capacity of <typeparamref name="T"/>: two halves, chosen by one comparison.</summary>
public struct Twice<T> : ITermVector<Twice<T>> where T : unmanaged, ITermVector<T>
{
    // Written only through their own Set/Add (mutated in place), which the compiler does not count as assignment.
#pragma warning disable CS0649
    private T _low, _high;
#pragma warning restore CS0649

    /// <inheritdoc/>
    public static int Capacity => 2 * T.Capacity;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly double Get(int index) =>
        index < T.Capacity ? _low.Get(index) : _high.Get(index - T.Capacity);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int index, double value)
    {
        if (index < T.Capacity)
            _low.Set(index, value);
        else
            _high.Set(index - T.Capacity, value);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int index, double value)
    {
        if (index < T.Capacity)
            _low.Add(index, value);
        else
            _high.Add(index - T.Capacity, value);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddValue(double shared, double own) => Add(0, shared + own);

    /// <inheritdoc/>
    public void FinishRows(long rows)
    {
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void ReadLeaves<TBody>(ref TBody body, int first) where TBody : struct, ILeafReader
    {
        _low.ReadLeaves(ref body, first);
        _high.ReadLeaves(ref body, first + T.Capacity);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddToLeaves<TBody>(ref TBody body, int first) where TBody : struct, ILeafWriter
    {
        _low.AddToLeaves(ref body, first);
        _high.AddToLeaves(ref body, first + T.Capacity);
    }
}
