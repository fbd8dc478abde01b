using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels;

/// <summary>The dataset in pinned host memory, as the native backend sees it.</summary>
public readonly unsafe struct HostRows : IDataRows
{
    private readonly double* _values;

    /// <param name="values">Column-major values; must stay valid (pinned or native) while this is used.</param>
    /// <param name="rows">Rows per column.</param>
    public HostRows(double* values, long rows)
    {
        _values = values;
        Rows = rows;
    }

    /// <inheritdoc/>
    public long Rows { get; }

    /// <inheritdoc/>
    public double this[int column, long row]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _values[column * Rows + row];
    }

    /// <summary>The first value of column <paramref name="column"/>; its rows follow it.</summary>
    public double* Column(int column) => _values + column * Rows;

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
