using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels.Models;

/// <summary>
/// Geometric: the number of trials up to and including the first success, success probability p:
/// <c>log f(k) = (k − 1) log(1 − p) + log p</c>, k = 1, 2, .... SciPy: <c>scipy.stats.geom(p)</c>; MathNet:
/// <c>Geometric(p)</c>.
/// </summary>
public readonly struct GeometricModel : IDistribution<GeometricModel>
{
    /// <inheritdoc/>
    public static string Name => "geometric";

    /// <inheritdoc/>
    public static string Support => "integers k >= 1";

    /// <inheritdoc/>
    public static IReadOnlyList<ParameterInfo> Parameters { get; } =
        [new("p", ParameterDomain.UnitInterval)];

    /// <inheritdoc/>
    public int ColumnCount => 1;

    /// <inheritdoc/>
    public static int ArgumentCount(in GeometricModel model) => 4;

    /// <inheritdoc/>
    public static bool InSupport(double x, double trials) => x >= 1 && x == Math.Floor(x);

    /// <inheritdoc/>
    public static double[][] Columns(double[] x, double[]? trials) => [x];

    /// <inheritdoc/>
    public static double[] Start(double[] x, double[]? trials)
    {
        // The closed-form MLE: 1 / mean.
        return [Moments.Probability(1.0 / Moments.Mean(x))];
    }

    /// <summary>Arguments: log p, log(1 − p), 1/p, 1/(1 − p).</summary>
    public static void Prepare(in GeometricModel model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        double p = parameters[0];
        arguments[0] = DeviceMath.Log(p);
        arguments[1] = DeviceMath.Log1p(-p);
        arguments[2] = 1.0 / p;
        arguments[3] = 1.0 / (1.0 - p);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<TVec, TRows>(in GeometricModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double failures = data[0, row] - 1.0;
        terms.Add(0, DeviceMath.XLogY(failures, arguments.Get(1)) + arguments.Get(0));
        terms.Add(1, arguments.Get(2) - failures * arguments.Get(3));
    }
}
