using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels;

/// <summary>
/// A statistical model for independent observations, written once and run by the generic kernels on every
/// backend (and by plain host loops). An implementation is an unmanaged struct; its instance fields carry what is
/// fixed for a fit (for example the number of feature columns), never the parameter values.
/// </summary>
/// <remarks>
/// Parameters are on their natural scale here; transforms for optimization are the host's business.
/// </remarks>
public interface ILikelihoodModel<TSelf> where TSelf : unmanaged, ILikelihoodModel<TSelf>
{
    /// <summary>The number of parameters, P.</summary>
    int ParameterCount { get; }

    /// <summary>The number of data columns the model reads, in the order given to the engine.</summary>
    int ColumnCount { get; }

    /// <summary>How many arguments <see cref="Prepare"/> writes (by default P + 1).</summary>
    static virtual int ArgumentCount(in TSelf model) => model.ParameterCount + 1;

    /// <summary>
    /// Host side, once per evaluation: turns the natural parameter values into the arguments that
    /// <see cref="Accumulate"/> receives (room for <see cref="ArgumentCount"/> values). Precomputing here keeps per-evaluation constants
    /// such as <c>log σ</c> out of the per-point loop. By default the arguments are the parameters themselves.
    /// </summary>
    static virtual void Prepare(in TSelf model, ReadOnlySpan<double> parameters, Span<double> arguments) =>
        parameters.CopyTo(arguments);

    /// <summary>
    /// Host side, once per evaluation, after the device sums: turns the summed terms 1..P into the gradient with
    /// respect to the parameters, for a model that runs on transformed data (for example centred features). By
    /// default the sums are the gradient. It must be linear in the sums (a change of variables is): the robust
    /// covariance applies it to single rows' scores and to sums of them within clusters, as well as to the total.
    /// </summary>
    static virtual void Finish(in TSelf model, ReadOnlySpan<double> parameters, Span<double> gradient)
    {
    }

    /// <summary>
    /// Device side: how many observations row <paramref name="row"/> stands for (a frequency weight w), where the model's
    /// <see cref="Accumulate"/> adds w times one observation's terms; 1 by default. The score products of robust
    /// covariances divide by it (w copies of a row contribute w·s sᵀ, not (w s)(w s)ᵀ); a row of weight 0 adds nothing.
    /// </summary>
    static virtual double Multiplicity<TRows>(in TSelf model, in TRows data, long row) where TRows : struct, IDataRows => 1.0;

    /// <summary>
    /// Device side, once per observation: adds <c>log f(row | θ)</c> to <c>terms[0]</c> and
    /// <c>∂ log f(row | θ) / ∂θₖ</c> to <c>terms[1 + k]</c>. Must not throw: an impossible value yields NaN or
    /// −∞, which the host reports.
    /// </summary>
    static abstract void Accumulate<TVec, TRows>(in TSelf model, in TVec arguments, in TRows data, long row, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows;

    /// <summary>
    /// Device side, on a GPU's four-rows-per-step kernel (<see cref="LikelihoodKernels.ValueAndGradientFourRowsKernel"/>):
    /// adds the terms of the thread's rows <paramref name="row"/>,
    /// <paramref name="row"/> + <paramref name="stride"/>, + 2 · <paramref name="stride"/> and + 3 · <paramref name="stride"/>.
    /// By default <see cref="Accumulate"/> for each in that order (the bits of the one-row kernels). A model whose rows
    /// are bound by arithmetic may share work among the four, such as one log1p of the product of four (1 + x) in place
    /// of four (Student-t), giving the same quantities to rounding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static virtual void AccumulateFour<TVec, TRows>(in TSelf model, in TVec arguments, in TRows data, long row, long stride, ref TVec terms)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows
    {
        TSelf.Accumulate(model, arguments, data, row, ref terms);
        TSelf.Accumulate(model, arguments, data, row + stride, ref terms);
        TSelf.Accumulate(model, arguments, data, row + 2 * stride, ref terms);
        TSelf.Accumulate(model, arguments, data, row + 3 * stride, ref terms);
    }

    /// <summary>
    /// Host side (the native backend), once per evaluation: whether <see cref="AccumulateBlock"/> computes this model's
    /// terms at these prepared arguments. False by default (the native backend then calls <see cref="Accumulate"/> row
    /// by row); a model may answer false for options or parameter ranges its block does not cover.
    /// </summary>
    static virtual bool HasBlock<TVec>(in TSelf model, in TVec arguments) where TVec : unmanaged, ITermVector<TVec> => false;

    /// <summary>
    /// Host side (the native backend), once per evaluation with blocks: how many values <see cref="BlockTable"/> writes
    /// (0 by default): per-evaluation values too many for the argument vector, such as a function of the parameters
    /// tabulated at the few values a column takes.
    /// </summary>
    static virtual int BlockTableLength(in TSelf model) => 0;

    /// <summary>Host side, once per evaluation with blocks: fills the table <see cref="AccumulateBlock"/> receives.</summary>
    static virtual void BlockTable<TVec>(in TSelf model, in TVec arguments, Span<double> table) where TVec : unmanaged, ITermVector<TVec>
    {
    }

    /// <summary>
    /// Host side (the native backend): adds the terms of rows <paramref name="row"/> … <paramref name="row"/> + 15
    /// (<see cref="Lanes16.Count"/>), one row per lane of a <see cref="Lanes16"/>, to <paramref name="terms"/> (each
    /// term's block summed by <see cref="Lanes16.Sum"/>): the same quantities as <see cref="Accumulate"/> (to rounding),
    /// with <see cref="VectorMath"/> for its transcendental functions, and <paramref name="table"/> as
    /// <see cref="BlockTable"/> wrote it. Called only where <see cref="HasBlock"/> said true.
    /// </summary>
    static virtual void AccumulateBlock<TVec>(in TSelf model, in TVec arguments, ReadOnlySpan<double> table, in HostRows data, long row, ref TermLanes terms)
        where TVec : unmanaged, ITermVector<TVec> =>
        throw new NotSupportedException($"{typeof(TSelf).Name} has no row block.");

    /// <summary>
    /// Host side (the native backend), once after a chunk's blocks: folds into the terms what the blocks gathered
    /// apart from them, such as the sum of log1p terms that <see cref="TermLanes.MultiplyLog1p"/> kept as one running
    /// product (<see cref="TermLanes.Log1pTotal"/>). Nothing by default.
    /// </summary>
    static virtual void FinishBlocks<TVec>(in TSelf model, in TVec arguments, ref TermLanes terms) where TVec : unmanaged, ITermVector<TVec>
    {
    }
}
