using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels.Models;

/// <summary>
/// Linear regression with Gaussian noise over columns (y, x₁ … x_K), parameters (b₀, b₁ … b_K, σ):
/// <c>log f(y | x) = −log σ − ½ log 2π − ½ ((y − b₀ − Σ bₖ xₖ)/σ)²</c>.
/// statsmodels: <c>OLS(y, add_constant(X))</c> (same coefficients; σ here is the MLE, divisor n).
/// Support: y, x real; σ &gt; 0.
/// </summary>
/// <remarks>
/// The columns it reads are centred (y − ȳ and xₖ − mₖ, the means held here): the linear predictor is then
/// (b₀ − ȳ + Σ bₖ mₖ) + Σ bₖ (xₖ − mₖ), whose first term is one constant per evaluation, so the per-point residuals do
/// not lose digits to cancellation between a large intercept and large feature terms (Longley: −3.5·10⁶ against
/// +3.6·10⁶). <see cref="Finish"/> maps the centred gradient back: ∂/∂bₖ = Σ w (xₖ − mₖ) + mₖ Σ w.
/// </remarks>
public unsafe struct LinearModel : ILinearPredictorModel<LinearModel>
{
    /// <summary>The most feature columns (the means the struct carries; past 60 the engine keeps the coefficients in memory).</summary>
    public const int MaxFeatures = 61;

    /// <summary>The argument that holds the centred intercept γ₀ = b₀ − ȳ + Σ bₖ mₖ; the slopes b₁ … b_K follow it.</summary>
    public const int InterceptArgument = RowCurvature.OwnArguments - 1;

    // Declared before the fixed buffer: the device reads it, and older ILGPU versions mis-mapped fields that
    // follow a fixed buffer in a kernel argument.

    /// <summary>The number of feature columns, K.</summary>
    public int Features { get; }

    /// <summary>
    /// The mean subtracted from the response column the model reads, or 0 (host only, in <see cref="Prepare"/>): residuals of
    /// a response near 10¹² are then differences of small numbers, not of fitted values rounded to 10¹²'s spacing
    /// (1.2·10⁻⁴ a row: the slope's gradient was noise at 10⁻³ standard errors, and a fit of y + 10¹² ran out of
    /// iterations where statsmodels' and R's finish).
    /// </summary>
    public double ResponseMean { get; }

    // Read on the host only (Prepare, Finish, DesignMap); the kernels never index it.
    private fixed double _means[MaxFeatures];

    /// <param name="means">The mean of each feature column, as subtracted from the columns the model reads.</param>
    /// <param name="responseMean">The mean subtracted from the response column the model reads.</param>
    public LinearModel(ReadOnlySpan<double> means, double responseMean = 0)
    {
        if (means.Length > MaxFeatures)
            throw new ArgumentException($"at most {MaxFeatures} feature columns are supported, {means.Length} were given", nameof(means));
        Features = means.Length;
        ResponseMean = responseMean;
        for (int j = 0; j < means.Length; j++)
            _means[j] = means[j];
    }


    /// <inheritdoc/>
    public readonly int ParameterCount => Features + 2;

    /// <inheritdoc/>
    public readonly int ColumnCount => Features + 1;

    /// <summary>The intercept and one coefficient per feature.</summary>
    public readonly int DesignWidth => Features + 1;

    /// <summary>σ.</summary>
    public readonly int ExtraParameters => 1;

    /// <summary>Design value 0 is the intercept's 1; value j the centred feature in column j.</summary>
    public readonly int DesignColumn(int j) => j == 0 ? -1 : j;

    /// <summary>γ₀ is argument <see cref="InterceptArgument"/> and bₖ the k-th after it.</summary>
    public readonly int DesignArgument(int j) => InterceptArgument + j;

    /// <summary>The mean subtracted from feature column <paramref name="feature"/> (0-based).</summary>
    public readonly double Mean(int feature) => _means[feature];

    /// <inheritdoc/>
    public static int ArgumentCount(in LinearModel model) => model.Features + RowCurvature.OwnArguments + 1;

    /// <summary>
    /// Arguments: the model's own first (<see cref="RowCurvature.OwnArguments"/>, all that <see cref="Curvature"/>
    /// reads): 1/σ, −log σ − ½ log 2π, 0 (unused); then, at <see cref="InterceptArgument"/>, (b₀ − ȳ) + Σ bₖ mₖ (ȳ the
    /// <see cref="ResponseMean"/>, taken off b₀ first, where the two are close); then b₁ … b_K.
    /// </summary>
    public static void Prepare(in LinearModel model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        int k = model.Features;
        double centred = parameters[0] - model.ResponseMean;
        for (int j = 0; j < k; j++)
            centred += parameters[j + 1] * model.Mean(j);
        double sigma = parameters[k + 1];
        arguments[0] = 1.0 / sigma;
        arguments[1] = -DeviceMath.Log(sigma) - KernelConstants.HalfLogTwoPi;
        arguments[2] = 0;
        arguments[InterceptArgument] = centred;
        parameters[1..(k + 1)].CopyTo(arguments[(InterceptArgument + 1)..]);
    }

    /// <summary>∂/∂bₖ = (sum over centred xₖ) + mₖ · ∂/∂b₀.</summary>
    public static void Finish(in LinearModel model, ReadOnlySpan<double> parameters, Span<double> gradient)
    {
        for (int j = 0; j < model.Features; j++)
            gradient[j + 1] += model.Mean(j) * gradient[0];
    }

    /// <summary>The sums are in the centred coordinates γ₀ = b₀ − ȳ + Σ bₖ mₖ, γₖ = bₖ: C is the identity plus m in row 0.</summary>
    public static bool DesignMap(in LinearModel model, Span<double> map)
    {
        var copy = model;
        CentredDesign.Map(map, copy.ParameterCount, copy.Features, copy.Mean);
        return true;
    }

    // Inlined into the native backend's loop (ILGPU inlines device calls by itself).
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<TVec, TRows>(in LinearModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        // The loops over the features are walks over the term vectors' leaves (DesignSum, DesignTerms; as in GlmModel).
        int k = model.Features;
        var mean = new DesignSum<TRows>(data, row, 1, k, arguments.Get(InterceptArgument));
        arguments.ReadLeaves(ref mean, 0);
        double inverseSigma = arguments.Get(0);
        double z = (data[0, row] - mean.Sum) * inverseSigma;
        double zz = z * z;
        double w = z * inverseSigma;
        terms.Add(0, arguments.Get(1) - 0.5 * zz);
        terms.Add(1, w);
        // Feature j's term at 2 + j (0-based), then σ's at k + 2.
        var gradient = new DesignTerms<TRows>(data, row, 1, k, offset: 2, w, hasLast: true, (zz - 1.0) * inverseSigma);
        terms.AddToLeaves(ref gradient, 0);
    }

    /// <summary>
    /// log f and its derivatives in the mean η and σ, with z = (y − η)/σ: ∂/∂η = z/σ, ∂/∂σ = (z² − 1)/σ, ∂²/∂η² =
    /// −1/σ², ∂²/∂η∂σ = −2z/σ², ∂²/∂σ² = (1 − 3z²)/σ² (each row once: no weights).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Curvature<TVec, TRows>(in LinearModel model, in TVec arguments, in TRows data, long row, double design, out RowCurvature curvature)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        double inverseSigma = arguments.Get(0);
        double z = (data[0, row] - design) * inverseSigma;
        double zz = z * z;
        curvature = default;
        curvature.Value = arguments.Get(1) - 0.5 * zz;
        curvature.Eta = z * inverseSigma;
        curvature.Extra = (zz - 1.0) * inverseSigma;
        curvature.EtaEta = -(inverseSigma * inverseSigma);
        curvature.EtaExtra = -2.0 * z * inverseSigma * inverseSigma;
        curvature.ExtraExtra = (1.0 - 3.0 * zz) * inverseSigma * inverseSigma;
    }
}
