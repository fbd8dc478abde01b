using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels;

/// <summary>Four doubles: the leaf of the term-vector tree.</summary>
public struct Vec4 : ITermVector<Vec4>
{
    private double _v0, _v1, _v2, _v3;

    /// <inheritdoc/>
    public static int Capacity => 4;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly double Get(int index) => index switch
    {
        0 => _v0,
        1 => _v1,
        2 => _v2,
        _ => _v3,
    };

    /// <inheritdoc/>
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

    /// <inheritdoc/>
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

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddValue(double shared, double own) => Add(0, shared + own);

    /// <inheritdoc/>
    public void FinishRows(long rows)
    {
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void ReadLeaves<TBody>(ref TBody body, int first) where TBody : struct, ILeafReader => body.Leaf(this, first);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddToLeaves<TBody>(ref TBody body, int first) where TBody : struct, ILeafWriter => body.Leaf(ref this, first);
}
