using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels.Models;

/// <summary>
/// Linear regression with Gaussian noise over columns (y, x₁ … x_K), parameters (b₀, b₁ … b_K, σ):
/// <c>log f(y | x) = −log σ − ½ log 2π − ½ ((y − b₀ − Σ bₖ xₖ)/σ)²</c>.
/// statsmodels: <c>OLS(y, add_constant(X))</c> (same coefficients; σ here is the MLE, divisor n).
/// Support: y, x real; σ &gt; 0.
/// </summary>
/// <remarks>
/// The feature columns it reads are centred (xₖ − mₖ, the means held here): the linear predictor is then
/// (b₀ + Σ bₖ mₖ) + Σ bₖ (xₖ − mₖ), whose first term is one constant per evaluation, so the per-point residuals do
/// not lose digits to cancellation between a large intercept and large feature terms (Longley: −3.5·10⁶ against
/// +3.6·10⁶). <see cref="Finish"/> maps the centred gradient back: ∂/∂bₖ = Σ w (xₖ − mₖ) + mₖ Σ w.
/// </remarks>
public unsafe struct LinearModel : ILikelihoodModel<LinearModel>
{
    /// <summary>The most feature columns (so that P + 1 = K + 3 fits the widest term vector, 64).</summary>
    public const int MaxFeatures = 61;

    // Declared before the fixed buffer: the device reads it, and older ILGPU versions mis-mapped fields that
    // follow a fixed buffer in a kernel argument.

    /// <summary>The number of feature columns, K.</summary>
    public int Features { get; }

    // Read on the host only (Prepare, Finish); the kernels never index it.
    private fixed double _means[MaxFeatures];

    /// <param name="means">The mean of each feature column, as subtracted from the columns the model reads.</param>
    public LinearModel(ReadOnlySpan<double> means)
    {
        if (means.Length > MaxFeatures)
            throw new ArgumentException($"at most {MaxFeatures} feature columns are supported, {means.Length} were given", nameof(means));
        Features = means.Length;
        for (int j = 0; j < means.Length; j++)
            _means[j] = means[j];
    }


    /// <inheritdoc/>
    public readonly int ParameterCount => Features + 2;

    /// <inheritdoc/>
    public readonly int ColumnCount => Features + 1;

    /// <summary>The mean subtracted from feature column <paramref name="feature"/> (0-based).</summary>
    public readonly double Mean(int feature) => _means[feature];

    /// <summary>Arguments: b₀ + Σ bₖ mₖ, b₁ … b_K, 1/σ, −log σ − ½ log 2π.</summary>
    public static void Prepare(in LinearModel model, ReadOnlySpan<double> parameters, Span<double> arguments)
    {
        int k = model.Features;
        double centred = parameters[0];
        for (int j = 0; j < k; j++)
            centred += parameters[j + 1] * model.Mean(j);
        double sigma = parameters[k + 1];
        parameters[..(k + 1)].CopyTo(arguments);
        arguments[0] = centred;
        arguments[k + 1] = 1.0 / sigma;
        arguments[k + 2] = -DeviceMath.Log(sigma) - KernelConstants.HalfLogTwoPi;
    }

    /// <summary>∂/∂bₖ = (sum over centred xₖ) + mₖ · ∂/∂b₀.</summary>
    public static void Finish(in LinearModel model, ReadOnlySpan<double> parameters, Span<double> gradient)
    {
        for (int j = 0; j < model.Features; j++)
            gradient[j + 1] += model.Mean(j) * gradient[0];
    }

    // Inlined into the native backend's loop (ILGPU inlines device calls by itself).
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<TVec, TRows>(in LinearModel model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        int k = model.Features;
        double mean = arguments.Get(0);
        for (int j = 1; j <= k; j++)
            mean += arguments.Get(j) * data[j, row];
        double inverseSigma = arguments.Get(k + 1);
        double z = (data[0, row] - mean) * inverseSigma;
        double zz = z * z;
        double w = z * inverseSigma;
        terms.Add(0, arguments.Get(k + 2) - 0.5 * zz);
        terms.Add(1, w);
        for (int j = 1; j <= k; j++)
            terms.Add(1 + j, w * data[j, row]);
        terms.Add(k + 2, (zz - 1.0) * inverseSigma);
    }
}
