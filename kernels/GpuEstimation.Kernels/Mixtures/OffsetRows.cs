using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels.Mixtures;

/// <summary>
/// A view of a dataset whose column 0 is column <c>offset</c> of the underlying rows: how a mixture hands each
/// component's family the block of columns it reads, so that the family's own <c>Accumulate</c> runs unchanged.
/// </summary>
public readonly struct OffsetRows<TRows> : IDataRows where TRows : struct, IDataRows
{
    private readonly TRows _inner;
    private readonly int _offset;

    /// <summary>A view of <paramref name="inner"/> starting at column <paramref name="offset"/>.</summary>
    public OffsetRows(TRows inner, int offset)
    {
        _inner = inner;
        _offset = offset;
    }

    /// <inheritdoc/>
    public long Rows => _inner.Rows;

    /// <inheritdoc/>
    public double this[int column, long row]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _inner[column + _offset, row];
    }

    /// <inheritdoc/>
    public static double Exp(double x) => TRows.Exp(x);

    /// <inheritdoc/>
    public static double Log1p(double x) => TRows.Log1p(x);

    /// <inheritdoc/>
    public static double LogGamma(double x) => TRows.LogGamma(x);

    /// <inheritdoc/>
    public static double Digamma(double x) => TRows.Digamma(x);
}
