using ILGPU;

namespace GpuEstimation.Kernels;

/// <summary>
/// How a group adds up one value per thread, the last step of the reduction kernels: a type parameter of the kernels,
/// so that each backend gets the reduction its code generator can emit (<see cref="WarpShuffleSum"/> on CUDA and ILGPU's
/// CPU accelerator, <see cref="SharedTreeSum"/> on OpenCL, whose ILGPU code generator has no warp shuffles) while the
/// kernels themselves are written once. Both add in a fixed order without atomics, so a launch gives the same bits
/// every time.
/// </summary>
public interface IGroupSum
{
    /// <summary>
    /// Device side: the sum of <paramref name="value"/> over the group, valid in thread 0. Every thread of the group
    /// must call it (it holds barriers); it ends with a barrier, so it may be called again at once.
    /// </summary>
    /// <param name="value">This thread's value.</param>
    /// <param name="shared">The group's shared memory, from <see cref="Shared"/>.</param>
    static abstract double GroupSum(double value, ArrayView<double> shared);

    /// <summary>Device side, once per kernel: the group's shared memory for <see cref="GroupSum"/>.</summary>
    static abstract ArrayView<double> Shared();

    /// <summary>
    /// Host side: the doubles of dynamic shared memory to request at launch for a group of this size (0: none, the
    /// memory is allocated statically).
    /// </summary>
    /// <param name="groupSize">Threads per group (a power of two, at most <see cref="LikelihoodKernels.MaxGroupSize"/>, and a multiple of the warp size).</param>
    /// <param name="warpSize">The accelerator's warp size.</param>
    static abstract int DynamicDoubles(int groupSize, int warpSize);
}
