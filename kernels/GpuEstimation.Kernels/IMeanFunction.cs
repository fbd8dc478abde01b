namespace GpuEstimation.Kernels;

/// <summary>
/// The mean of a nonlinear regression, μ(row; θ), with its exact gradient in θ: written once (by hand, or generated
/// from an expression such as <c>b1*(1-exp(-b2*x))</c>) and run by the generic kernels on every backend, inside a
/// model that reads y and the mean's columns (y ~ Normal(μ, σ) for least squares). An implementation is an unmanaged
/// struct whose instance fields carry what is fixed for a fit, never the parameter values.
/// </summary>
public interface IMeanFunction<TSelf> where TSelf : unmanaged, IMeanFunction<TSelf>
{
    /// <summary>The number of the mean's parameters, P.</summary>
    int ParameterCount { get; }

    /// <summary>The number of data columns the mean reads (its predictors), in the order given to it.</summary>
    int ColumnCount { get; }

    /// <summary>How many arguments <see cref="Prepare"/> writes (by default P).</summary>
    static virtual int ArgumentCount(in TSelf mean) => mean.ParameterCount;

    /// <summary>
    /// Host side, once per evaluation: turns the parameter values θ₀ … θ_{P−1} into the arguments that
    /// <see cref="Evaluate"/> reads at indices 0 … <see cref="ArgumentCount"/> − 1 (parts that do not depend on the row
    /// computed once here). By default the arguments are the parameters.
    /// </summary>
    static virtual void Prepare(in TSelf mean, ReadOnlySpan<double> parameters, Span<double> arguments) =>
        parameters.CopyTo(arguments);

    /// <summary>
    /// Device side, once per row: returns μ(row; θ) and sets <c>gradient[k]</c> to ∂μ/∂θₖ for k = 0 … P − 1 (other
    /// entries untouched). The mean's predictor c is <c>data[firstColumn + c, row]</c>. Must not throw: an impossible
    /// value yields NaN or ±∞, which the host reports.
    /// </summary>
    static abstract double Evaluate<TVec, TRows>(in TSelf mean, in TVec arguments, in TRows data, int firstColumn, long row, ref TVec gradient)
        where TVec : unmanaged, ITermVector<TVec>
        where TRows : struct, IDataRows;
}
