namespace GpuEstimation.Kernels;

/// <summary>
/// A model whose log-density depends on its coefficients only through a linear predictor η = Σⱼ γⱼ zⱼ (plus what the
/// model adds itself, such as an offset) and on at most one parameter α of its own (a dispersion, a shape, σ): every
/// generalized linear model. Per row it gives its design values zⱼ and the derivatives of log f in (η, α) to the second
/// order; on a device <see cref="LikelihoodKernels.RowDerivativesKernel"/> writes those derivatives per row and
/// <see cref="LikelihoodKernels.TileProductsKernel"/> accumulates the value, the gradient and the Hessian,
/// Σ ∂²/∂η² zₐ z_b, Σ ∂²/∂η∂α zₐ and Σ ∂²/∂α² (a design of one value: <see cref="LikelihoodKernels.HessianKernel"/>,
/// in one pass), the same generic kernels for every such model.
/// </summary>
/// <remarks>
/// Parameters 0 … D − 1 are the coefficients and parameter D (where <see cref="ExtraParameters"/> is 1) is α, so
/// <c>ParameterCount = DesignWidth + ExtraParameters</c>. The sums are in the design's coordinates γ; a model whose
/// parameters are an affine map of them (centred features: γ₀ = b₀ + Σ bₖ mₖ) maps the gradient back in
/// <see cref="ILikelihoodModel{TSelf}.Finish"/> and gives the map itself in <see cref="DesignMap"/>, by which the host
/// carries the Hessian to the parameters.
/// </remarks>
public interface ILinearPredictorModel<TSelf> : ILikelihoodModel<TSelf> where TSelf : unmanaged, ILinearPredictorModel<TSelf>
{
    /// <summary>The number of design values per row, D: one per coefficient.</summary>
    int DesignWidth { get; }

    /// <summary>1 where the model has a parameter of its own after the coefficients, else 0.</summary>
    int ExtraParameters { get; }

    /// <summary>The data column of design value <paramref name="j"/>, or −1 where it is the constant 1 (an intercept).</summary>
    int DesignColumn(int j);

    /// <summary>The index, among the arguments <see cref="ILikelihoodModel{TSelf}.Prepare"/> writes, of design value <paramref name="j"/>'s coefficient γⱼ.</summary>
    int DesignArgument(int j);

    /// <summary>
    /// Device side, once per row: the row's weighted log-density and its derivatives in (η, α) at the arguments that
    /// <see cref="ILikelihoodModel{TSelf}.Prepare"/> wrote, given <paramref name="design"/> = Σⱼ γⱼ zⱼ (the caller
    /// has the design values at hand: the native pass sums it for a block of rows in vectors). It reads only the model's
    /// own arguments 0 … <see cref="RowCurvature.OwnArguments"/> − 1 (the wide passes give it just those, in a
    /// <see cref="Vec4"/>), and its terms multiplied by the row's weight. Must not throw: an impossible value yields
    /// NaN or −∞.
    /// </summary>
    static abstract void Curvature<TVec, TRows>(in TSelf model, in TVec arguments, in TRows data, long row, double design, out RowCurvature curvature)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows;

    /// <summary>
    /// Host side (the native backend), for a block of rows: the derivatives of rows <paramref name="first"/> …
    /// <paramref name="first"/> + <paramref name="count"/> − 1, given each one's design part in <paramref name="design"/>,
    /// into <c>derivatives[kind · stride + i]</c> (<see cref="HessianEntry"/>'s kinds). By default one
    /// <see cref="Curvature"/> per row (<see cref="RowBlocks.OneByOne"/>); a model may compute them in vectors of rows.
    /// </summary>
    static virtual unsafe void CurvatureBlock(in TSelf model, Vec4 own, in HostRows data, long first, int count, double* design,
        double* derivatives, int stride) =>
        RowBlocks.OneByOne(model, own, data, first, count, design, derivatives, stride);

    /// <summary>
    /// Host side: where the parameters θ are not the design's coordinates γ themselves but γ = C θ (+ a constant; centred
    /// features: γ₀ = b₀ + Σ bₖ mₖ), writes C (P×P, row-major, rows γ, columns θ) into <paramref name="map"/> and returns
    /// true. The Hessian is summed in γ, and CᵀH_γC is the parameters'; a covariance is best inverted in γ (where the
    /// centred features keep it well conditioned) and carried to θ. By default they are the same: false, nothing written.
    /// </summary>
    static virtual bool DesignMap(in TSelf model, Span<double> map) => false;
}

/// <summary>Host-side helpers for <see cref="ILinearPredictorModel{TSelf}.CurvatureBlock"/>.</summary>
public static class RowBlocks
{
    /// <summary>One <see cref="ILinearPredictorModel{TSelf}.Curvature"/> per row of the block, as the default block does.</summary>
    // Fully optimized from the first call (with Curvature inlined): a fit of a few passes is over before tiered
    // compilation would promote it, and its first tier costs several times the optimized loop.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static unsafe void OneByOne<TModel>(in TModel model, Vec4 own, in HostRows data, long first, int count, double* design,
        double* derivatives, int stride)
        where TModel : unmanaged, ILinearPredictorModel<TModel>
    {
        for (int i = 0; i < count; i++)
        {
            TModel.Curvature(model, own, data, first + i, design[i], out var row);
            derivatives[i] = row.Value;
            derivatives[stride + i] = row.Eta;
            derivatives[2 * stride + i] = row.Extra;
            derivatives[3 * stride + i] = row.EtaEta;
            derivatives[4 * stride + i] = row.EtaExtra;
            derivatives[5 * stride + i] = row.ExtraExtra;
        }
    }
}
