using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuEstimation.Kernels.Models;

/// <summary>
/// Exponential with rate λ: <c>log f(x) = log λ − λx</c>. SciPy: <c>scipy.stats.expon(scale=1/rate)</c>; MathNet:
/// <c>Exponential(rate)</c>. Support: x ≥ 0.
/// </summary>
public readonly struct ExponentialModel : IDistribution<ExponentialModel>, ILinearPredictorModel<ExponentialModel>
{
    /// <inheritdoc/>
    public static string Name => "exponential";

    /// <inheritdoc/>
    public static string Support => "x >= 0";

    /// <inheritdoc/>
    public static IReadOnlyList<ParameterInfo> Parameters { get; } =
        [new("rate", ParameterDomain.Positive)];

    /// <inheritdoc/>
    public int ColumnCount => 1;

    /// <inheritdoc/>
    public static bool InSupport(double x, double trials) => x >= 0;

    /// <inheritdoc/>
    public static ReadOnlyMemory<double>[] Columns(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials) => [x];

    /// <inheritdoc/>
    public static double[] Start(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials)
    {
        // The closed-form MLE: 1 / mean.
        return [Moments.PositiveOr(1.0 / Moments.Mean(x.Span), 1.0)];
    }

    /// <summary>Arguments: λ, log λ.</summary>
    public static void Prepare(in ExponentialModel model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        arguments[0] = parameters[0];
        arguments[1] = DeviceMath.Log(parameters[0]);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<TVec, TRows>(in ExponentialModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double x = data[0, row];
        terms.Add(0, arguments.Get(1) - arguments.Get(0) * x);
        terms.Add(1, 1.0 / arguments.Get(0) - x);
    }

    /// <summary>One design value, the constant 1: η is the family's parameter.</summary>
    public int DesignWidth => 1;

    /// <summary>None: the one parameter is η.</summary>
    public int ExtraParameters => 0;

    /// <inheritdoc/>
    public int DesignColumn(int j) => -1;

    /// <summary>The parameter is argument 0.</summary>
    public int DesignArgument(int j) => 0;

    /// <summary>With η = λ: ∂/∂λ = 1/λ − x, ∂²/∂λ² = −1/λ².</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Curvature<TVec, TRows>(in ExponentialModel model, in TVec arguments, in TRows data, long row, double design, out RowCurvature curvature)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double x = data[0, row], inverse = 1.0 / design;
        curvature = default;
        curvature.Value = arguments.Get(1) - design * x;
        curvature.Eta = inverse - x;
        curvature.EtaEta = -inverse * inverse;
    }

    /// <summary><see cref="Curvature"/> for four rows at a time (the same arithmetic, so the same bits as row by row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void CurvatureBlock(in ExponentialModel model, Vec4 own, in HostRows data, long first, int count, double* design,
        double* derivatives, int stride)
    {
        double* x = data.Column(0) + first;
        var logRate = Vector256.Create(own.Get(1));
        var zero = Vector256<double>.Zero;
        int i = 0;
        for (; i + 3 < count; i += 4)
        {
            var rate = Vector256.Load(design + i);
            var xi = Vector256.Load(x + i);
            var inverse = Vector256<double>.One / rate;
            Vector256.Store(logRate - rate * xi, derivatives + i);
            Vector256.Store(inverse - xi, derivatives + stride + i);
            Vector256.Store(zero, derivatives + 2 * stride + i);
            Vector256.Store(-inverse * inverse, derivatives + 3 * stride + i);
            Vector256.Store(zero, derivatives + 4 * stride + i);
            Vector256.Store(zero, derivatives + 5 * stride + i);
        }
        RowBlocks.OneByOne(model, own, data, first + i, count - i, design + i, derivatives + i, stride);
    }
}
