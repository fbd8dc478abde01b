using System.Runtime.CompilerServices;
using ILGPU;

namespace GpuEstimation.Kernels;

/// <summary>
/// Where a model's per-point code runs: read access to the dataset, <c>Columns</c> columns of <c>Rows</c> values each
/// stored column after column (so that neighbouring threads read neighbouring addresses), and the transcendental
/// functions to use there. Models are generic over it, so the same model code runs on device memory with
/// <see cref="DeviceMath"/> in the kernels (<see cref="DeviceRows"/>) and on host memory with the host's faster
/// functions where it has them in the native backend (<see cref="HostRows"/>).
/// </summary>
public interface IDataRows
{
    /// <summary>The number of observations.</summary>
    long Rows { get; }

    /// <summary>The value of column <paramref name="column"/> in row <paramref name="row"/>.</summary>
    double this[int column, long row] { get; }

    /// <summary>e^x.</summary>
    static abstract double Exp(double x);

    /// <summary>log(1 + x), accurate for small x.</summary>
    static abstract double Log1p(double x);

    /// <summary>log |Γ(x)|.</summary>
    static abstract double LogGamma(double x);

    /// <summary>ψ(x).</summary>
    static abstract double Digamma(double x);
}

/// <summary>The dataset in accelerator memory, as the kernels see it.</summary>
public readonly struct DeviceRows : IDataRows
{
    private readonly ArrayView<double> _values;

    public DeviceRows(ArrayView<double> values, long rows)
    {
        _values = values;
        Rows = rows;
    }

    public long Rows { get; }

    public double this[int column, long row] => _values[column * Rows + row];

    public static double Exp(double x) => DeviceMath.Exp(x);

    public static double Log1p(double x) => DeviceMath.Log1p(x);

    public static double LogGamma(double x) => DeviceMath.LogGamma(x);

    public static double Digamma(double x) => DeviceMath.Digamma(x);
}

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

    public long Rows { get; }

    public double this[int column, long row]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _values[column * Rows + row];
    }

    // The host's libm exp is several times faster than the series on a CPU and as accurate.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Exp(double x) => Math.Exp(x);

    // log(1 + x) = log(u)·x/(u − 1) with u = 1 + x rounded: the factor corrects u's rounding (Goldberg's method),
    // a couple of ulps, with the host's fast log.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Log1p(double x)
    {
        double u = 1.0 + x;
        if (u == 1.0 || double.IsPositiveInfinity(x))
            return x;
        return Math.Log(u) * (x / (u - 1.0));
    }

    public static double LogGamma(double x) => DeviceMath.LogGamma(x);

    public static double Digamma(double x) => DeviceMath.Digamma(x);
}
