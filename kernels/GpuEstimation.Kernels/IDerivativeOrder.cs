namespace GpuEstimation.Kernels;

/// <summary>
/// A compile-time switch for a model's per-row code: whether second derivatives are wanted. A constant once the
/// code is specialized for the struct type, so the compilers drop the second-order arithmetic from the gradient pass.
/// </summary>
internal interface IDerivativeOrder
{
    /// <summary>Whether the second derivatives are computed.</summary>
    static abstract bool Second { get; }
}
