using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels;

/// <summary>
/// The dataset in pinned host memory, as the native backend sees it: each column where it lies (an array, a file
/// mapped into memory), through a table of their first values, so that no column is copied to sit beside the others.
/// </summary>
public readonly unsafe struct HostRows : IDataRows
{
    private readonly double** _columns;

    /// <param name="columns">Each column's first value, its rows following it; the table and the columns must stay valid (pinned or native) while this is used.</param>
    /// <param name="rows">Rows per column.</param>
    public HostRows(double** columns, long rows)
    {
        _columns = columns;
        Rows = rows;
    }

    /// <summary>
    /// Columns laid one after another from <paramref name="values"/> (column-major), through <paramref name="table"/>,
    /// room for <paramref name="count"/> column pointers that must stay valid while the rows are used (a stackalloc).
    /// </summary>
    public static HostRows Contiguous(double* values, int count, long rows, double** table)
    {
        for (int c = 0; c < count; c++)
            table[c] = values + c * rows;
        return new HostRows(table, rows);
    }

    /// <inheritdoc/>
    public long Rows { get; }

    /// <inheritdoc/>
    public double this[int column, long row]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _columns[column][row];
    }

    /// <summary>The first value of column <paramref name="column"/>; its rows follow it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double* Column(int column) => _columns[column];

    // The host's libm exp is several times faster than the series on a CPU and as accurate.
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Exp(double x) => Math.Exp(x);

    // log(1 + x) = log(u)·x/(u − 1) with u = 1 + x rounded: the factor corrects u's rounding (Goldberg's method),
    // a couple of ulps, with the host's fast log.
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Log1p(double x)
    {
        double u = 1.0 + x;
        if (u == 1.0 || double.IsPositiveInfinity(x))
            return x;
        return Math.Log(u) * (x / (u - 1.0));
    }

    /// <inheritdoc/>
    public static double LogGamma(double x) => DeviceMath.LogGamma(x);

    /// <inheritdoc/>
    public static double Digamma(double x) => DeviceMath.Digamma(x);
}
