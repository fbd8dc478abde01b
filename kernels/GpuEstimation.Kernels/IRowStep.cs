namespace GpuEstimation.Kernels;

/// <summary>
/// How many of its rows a thread takes per step of a grid-stride loop (<see cref="LikelihoodKernels.ValueAndGradientKernel"/>,
/// <see cref="LikelihoodKernels.SweepKernel"/>): a type parameter of those kernels, picked per backend, so that the
/// choice is a constant where the kernel is compiled and the other loop is no code at all. Either way a thread adds its
/// rows in the same order, so the sums have the same bits.
/// </summary>
public interface IRowStep
{
    /// <summary>
    /// Four rows per step for models of at most four sums (the catalogue's families: little arithmetic per row, bound
    /// by reading memory): the four rows' loads do not depend on the sums, so all four are in flight at once, and a GPU
    /// reads at its full rate only with several loads per thread outstanding (docs/design.md, "Kernel shapes"). Wider
    /// models keep one row per step: their arithmetic covers the loads, and four copies of their code would only
    /// lengthen the compile.
    /// </summary>
    static abstract bool FourRows { get; }
}

/// <summary>One row per step: ILGPU's CPU accelerator, whose .NET code ran Student-t 2-3x slower with four copies of the row.</summary>
public readonly struct OneRowPerStep : IRowStep
{
    /// <inheritdoc/>
    public static bool FourRows => false;
}

/// <summary>Four rows per step where the model has at most four sums: the GPU backends (CUDA, OpenCL).</summary>
public readonly struct FourRowsPerStep : IRowStep
{
    /// <inheritdoc/>
    public static bool FourRows => true;
}
