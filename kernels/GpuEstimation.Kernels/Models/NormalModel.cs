using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuEstimation.Kernels.Models;

/// <summary>
/// Normal distribution over one column x, parameters (mu, sigma):
/// <c>log f(x) = −log σ − ½ log 2π − ½ ((x − μ)/σ)²</c>.
/// SciPy: <c>scipy.stats.norm(loc=mu, scale=sigma)</c>; MathNet: <c>Normal(mu, sigma)</c>.
/// Support: x real; sigma &gt; 0. Also a linear-predictor model with the constant as its one design value (η = μ) and
/// α = σ, so that the engine sums its exact Hessian in the value's pass: a fit from the closed form is one Newton pass
/// that confirms it, with the observed information from the same pass.
/// </summary>
public readonly struct NormalModel : IDistribution<NormalModel>, ILinearPredictorModel<NormalModel>
{
    /// <inheritdoc/>
    public static string Name => "normal";

    /// <inheritdoc/>
    public static string Support => "any finite x";

    /// <inheritdoc/>
    public static IReadOnlyList<ParameterInfo> Parameters { get; } =
        [new("mu"), new("sigma", ParameterDomain.Positive)];

    /// <inheritdoc/>
    public static bool LocationScale => true;

    /// <inheritdoc/>
    public static bool InSupport(double x, double trials) => true;

    /// <inheritdoc/>
    public static ReadOnlyMemory<double>[] Columns(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials) => [x];

    /// <summary>The closed-form MLE: the mean and the standard deviation with divisor n.</summary>
    public static double[] Start(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials) =>
        [Moments.Mean(x.Span), Moments.PositiveOr(Moments.StandardDeviation(x.Span), 1.0)];

    /// <summary>σ, which the robust covariances' k does not count (OLS on a constant estimates it as no parameter).</summary>
    public static IReadOnlyCollection<string> ScaleParameters { get; } = ["sigma"];

    /// <inheritdoc/>
    public int ColumnCount => 1;

    /// <inheritdoc/>
    public static int ArgumentCount(in NormalModel model) => 4;

    /// <summary>Arguments: μ, 1/σ, −log σ − ½ log 2π, 1/(σ√2).</summary>
    public static void Prepare(in NormalModel model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        double sigma = parameters[1];
        arguments[0] = parameters[0];
        arguments[1] = 1.0 / sigma;
        arguments[2] = -DeviceMath.Log(sigma) - KernelConstants.HalfLogTwoPi;
        arguments[3] = 1.0 / (sigma * KernelConstants.Sqrt2);
    }

    // Inlined into the native backend's loop (ILGPU inlines device calls by itself). The value as c − w² with
    // w = (x − μ)/(σ√2), c shared by every row (AddValue): a sweep (which needs the value alone, and is bound by
    // double-precision arithmetic) adds c once per run of rows, so that a row costs a difference, a scaling and a
    // multiply-subtract (which the GPU's compiler fuses); elsewhere c − w² is added per row, as before. Math.FusedMultiplyAdd
    // is not used: ILGPU 1.5 leaves it an unresolved external function in PTX.
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<TVec, TRows>(in NormalModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double d = data[0, row] - arguments.Get(0);
        double w = d * arguments.Get(3);
        terms.AddValue(arguments.Get(2), -(w * w));
        double inverseSigma = arguments.Get(1);
        double z = d * inverseSigma;
        terms.Add(1, z * inverseSigma);
        terms.Add(2, (z * z - 1.0) * inverseSigma);
    }

    /// <summary>One design value, the constant 1: η = μ.</summary>
    public int DesignWidth => 1;

    /// <summary>σ.</summary>
    public int ExtraParameters => 1;

    /// <inheritdoc/>
    public int DesignColumn(int j) => -1;

    /// <summary>μ is argument 0.</summary>
    public int DesignArgument(int j) => 0;

    /// <summary>
    /// With z = (x − η)/σ: ∂/∂η = z/σ, ∂/∂σ = (z² − 1)/σ, ∂²/∂η² = −1/σ², ∂²/∂η∂σ = −2z/σ², ∂²/∂σ² = (1 − 3z²)/σ².
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Curvature<TVec, TRows>(in NormalModel model, in TVec arguments, in TRows data, long row, double design, out RowCurvature curvature)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double d = data[0, row] - design;
        double w = d * arguments.Get(3);
        double inverseSigma = arguments.Get(1);
        double z = d * inverseSigma;
        double inverseVariance = inverseSigma * inverseSigma;
        curvature.Value = arguments.Get(2) - w * w;
        curvature.Eta = z * inverseSigma;
        curvature.Extra = (z * z - 1.0) * inverseSigma;
        curvature.EtaEta = -inverseVariance;
        curvature.EtaExtra = -2.0 * z * inverseVariance;
        curvature.ExtraExtra = (1.0 - 3.0 * z * z) * inverseVariance;
    }

    /// <summary>
    /// <see cref="Curvature"/> for four rows at a time in 256-bit vectors (the same arithmetic, so the same bits as
    /// row by row): the native Hessian pass of a normal fit is then about as fast as its evaluation.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void CurvatureBlock(in NormalModel model, Vec4 own, in HostRows data, long first, int count, double* design,
        double* derivatives, int stride)
    {
        double* x = data.Column(0) + first;
        var inverseSigma = Vector256.Create(own.Get(1));
        var constant = Vector256.Create(own.Get(2));
        var scaled = Vector256.Create(own.Get(3));
        var inverseVariance = inverseSigma * inverseSigma;
        var one = Vector256<double>.One;
        int i = 0;
        for (; i + 3 < count; i += 4)
        {
            var d = Vector256.Load(x + i) - Vector256.Load(design + i);
            var w = d * scaled;
            var z = d * inverseSigma;
            var zz = z * z;
            Vector256.Store(constant - w * w, derivatives + i);
            Vector256.Store(z * inverseSigma, derivatives + stride + i);
            Vector256.Store((zz - one) * inverseSigma, derivatives + 2 * stride + i);
            Vector256.Store(-inverseVariance, derivatives + 3 * stride + i);
            Vector256.Store(Vector256.Create(-2.0) * z * inverseVariance, derivatives + 4 * stride + i);
            Vector256.Store((one - Vector256.Create(3.0) * z * z) * inverseVariance, derivatives + 5 * stride + i);
        }
        RowBlocks.OneByOne(model, own, data, first + i, count - i, design + i, derivatives + i, stride);
    }

    /// <inheritdoc/>
    public static bool HasBlock<TVec>(in NormalModel model, in TVec arguments) where TVec : unmanaged, ITermVector<TVec> => true;

    /// <summary>Sixteen rows of <see cref="Accumulate"/> in the lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void AccumulateBlock<TVec>(in NormalModel model, in TVec arguments, ReadOnlySpan<double> table, in HostRows data, long row, ref TermLanes terms)
        where TVec : unmanaged, ITermVector<TVec>
    {
        var inverseSigma = Lanes16.Create(arguments.Get(1));
        var d = Lanes16.Load(data.Column(0) + row) - Lanes16.Create(arguments.Get(0));
        var w = d * Lanes16.Create(arguments.Get(3));
        terms.Term0 += (Lanes16.Create(arguments.Get(2)) - w * w).Sum();
        var z = d * inverseSigma;
        terms.Term1 += (z * inverseSigma).Sum();
        terms.Term2 += ((z * z - Lanes16.Create(1.0)) * inverseSigma).Sum();
    }
}
