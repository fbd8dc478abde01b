using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels.Models;

/// <summary>
/// Log-normal: log x ~ Normal(mu, sigma), <c>log f(x) = −log x − log σ − ½ log 2π − ½ ((log x − μ)/σ)²</c>.
/// SciPy: <c>scipy.stats.lognorm(s=sigma, scale=exp(mu))</c>; MathNet: <c>LogNormal(mu, sigma)</c>. Support: x &gt; 0.
/// Reads (log x) computed once on the host.
/// </summary>
public readonly struct LogNormalModel : IDistribution<LogNormalModel>, ILinearPredictorModel<LogNormalModel>
{
    /// <inheritdoc/>
    public static string Name => "lognormal";

    /// <inheritdoc/>
    public static string Support => "x > 0";

    /// <inheritdoc/>
    public static IReadOnlyList<ParameterInfo> Parameters { get; } =
        [new("mu"), new("sigma", ParameterDomain.Positive)];

    /// <inheritdoc/>
    public static bool LocationScale => true;

    /// <summary>σ, which the robust covariances' k does not count (OLS of log x on a constant estimates it as no parameter).</summary>
    public static IReadOnlyCollection<string> ScaleParameters { get; } = ["sigma"];

    /// <inheritdoc/>
    public int ColumnCount => 1;

    /// <inheritdoc/>
    public static bool InSupport(double x, double trials) => x > 0;

    /// <inheritdoc/>
    public static ReadOnlyMemory<double>[] Columns(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials) => [Moments.Map(x.Span, DeviceMath.Log)];

    /// <inheritdoc/>
    public static double[] Start(ReadOnlyMemory<double> x, ReadOnlyMemory<double>? trials)
    {
        // The closed-form MLE: mean and standard deviation (divisor n) of log x.
        return [Moments.Mean(x.Span, DeviceMath.Log), Moments.PositiveOr(Moments.StandardDeviation(x.Span, DeviceMath.Log), 1.0)];
    }

    /// <summary>Arguments: μ, 1/σ, −log σ − ½ log 2π.</summary>
    public static void Prepare(in LogNormalModel model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        arguments[0] = parameters[0];
        arguments[1] = 1.0 / parameters[1];
        arguments[2] = -DeviceMath.Log(parameters[1]) - KernelConstants.HalfLogTwoPi;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<TVec, TRows>(in LogNormalModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double logX = data[0, row];
        double inverseSigma = arguments.Get(1);
        double z = (logX - arguments.Get(0)) * inverseSigma;
        double zz = z * z;
        terms.Add(0, arguments.Get(2) - logX - 0.5 * zz);
        terms.Add(1, z * inverseSigma);
        terms.Add(2, (zz - 1.0) * inverseSigma);
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
    /// The normal's on log x (the Jacobian −log x in the value only): with z = (log x − η)/σ, ∂/∂η = z/σ,
    /// ∂/∂σ = (z² − 1)/σ, ∂²/∂η² = −1/σ², ∂²/∂η∂σ = −2z/σ², ∂²/∂σ² = (1 − 3z²)/σ².
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Curvature<TVec, TRows>(in LogNormalModel model, in TVec arguments, in TRows data, long row, double design, out RowCurvature curvature)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double logX = data[0, row];
        double inverseSigma = arguments.Get(1);
        double z = (logX - design) * inverseSigma;
        double zz = z * z, inverseVariance = inverseSigma * inverseSigma;
        curvature.Value = arguments.Get(2) - logX - 0.5 * zz;
        curvature.Eta = z * inverseSigma;
        curvature.Extra = (zz - 1.0) * inverseSigma;
        curvature.EtaEta = -inverseVariance;
        curvature.EtaExtra = -2.0 * z * inverseVariance;
        curvature.ExtraExtra = (1.0 - 3.0 * zz) * inverseVariance;
    }

    /// <inheritdoc/>
    public static bool HasBlock<TVec>(in LogNormalModel model, in TVec arguments) where TVec : unmanaged, ITermVector<TVec> => true;

    /// <summary>Sixteen rows of <see cref="Accumulate"/> in the lanes (the native backend).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void AccumulateBlock<TVec>(in LogNormalModel model, in TVec arguments, ReadOnlySpan<double> table, in HostRows data, long row, ref TermLanes terms)
        where TVec : unmanaged, ITermVector<TVec>
    {
        var inverseSigma = Lanes16.Create(arguments.Get(1));
        var logX = Lanes16.Load(data.Column(0) + row);
        var z = (logX - Lanes16.Create(arguments.Get(0))) * inverseSigma;
        var zz = z * z;
        terms.Term0 += (Lanes16.Create(arguments.Get(2)) - logX - Lanes16.Create(0.5) * zz).Sum();
        terms.Term1 += (z * inverseSigma).Sum();
        terms.Term2 += ((zz - Lanes16.Create(1.0)) * inverseSigma).Sum();
    }
}
