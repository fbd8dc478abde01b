using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels.Models;

/// <summary>
/// Geometric: the number of trials up to and including the first success, success probability p:
/// <c>log f(k) = (k − 1) log(1 − p) + log p</c>, k = 1, 2, .... SciPy: <c>scipy.stats.geom(p)</c>; MathNet:
/// <c>Geometric(p)</c>.
/// </summary>
public readonly struct GeometricModel : IDistribution<GeometricModel>, ILinearPredictorModel<GeometricModel>
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
    public static int ArgumentCount(in GeometricModel model) => 5;

    /// <inheritdoc/>
    public static bool InSupport(double x, double trials) => x >= 1 && x == Math.Floor(x);

    /// <inheritdoc/>
    public static ReadOnlyMemory<double>[] Columns(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials) => [x];

    /// <inheritdoc/>
    public static double[] Start(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials)
    {
        // The closed-form MLE: 1 / mean.
        return [Moments.Probability(1.0 / Moments.Mean(x.Span))];
    }

    /// <summary>Arguments: log p, log(1 − p), 1/p, 1/(1 − p), then p (the coefficient of the Hessian pass).</summary>
    public static void Prepare(in GeometricModel model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        double p = parameters[0];
        arguments[0] = DeviceMath.Log(p);
        arguments[1] = DeviceMath.Log1p(-p);
        arguments[2] = 1.0 / p;
        arguments[3] = 1.0 / (1.0 - p);
        arguments[4] = p;
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

    /// <summary>One design value, the constant 1: η is the family's parameter.</summary>
    public int DesignWidth => 1;

    /// <summary>None: the one parameter is η.</summary>
    public int ExtraParameters => 0;

    /// <inheritdoc/>
    public int DesignColumn(int j) => -1;

    /// <summary>The parameter is argument 4.</summary>
    public int DesignArgument(int j) => 4;

    /// <summary>With η = p and f = x − 1 failures: ∂/∂p = 1/p − f/(1 − p), ∂²/∂p² = −1/p² − f/(1 − p)².</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Curvature<TVec, TRows>(in GeometricModel model, in TVec arguments, in TRows data, long row, double design, out RowCurvature curvature)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double failures = data[0, row] - 1.0, toP = arguments.Get(2), toQ = arguments.Get(3);
        curvature = default;
        curvature.Value = DeviceMath.XLogY(failures, arguments.Get(1)) + arguments.Get(0);
        curvature.Eta = toP - failures * toQ;
        curvature.EtaEta = -toP * toP - failures * toQ * toQ;
    }
}
