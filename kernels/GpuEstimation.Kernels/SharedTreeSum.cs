using ILGPU;

namespace GpuEstimation.Kernels;

/// <summary>
/// The group sum through shared memory alone, for OpenCL (ILGPU's OpenCL code generator has no warp shuffles): every
/// thread stores its value, a halving tree runs within each run of <see cref="Width"/> threads (one barrier per step),
/// and thread 0 adds the runs' sums in order. The additions are those of <see cref="WarpShuffleSum"/> on a device whose
/// warps are 32 wide (CUDA's), so the same launch shape gives the same bits on either. The memory is static, one
/// double per thread of the largest group: ILGPU 1.5.3 passes OpenCL's dynamic shared memory through a program-scope
/// pointer that all groups share, so groups running at the same time on one device read each other's sums
/// (docs/design.md, "OpenCL").
/// </summary>
public readonly struct SharedTreeSum : IGroupSum
{
    /// <summary>Threads per run of the tree: CUDA's warp size.</summary>
    public const int Width = 32;

    /// <inheritdoc/>
    public static double GroupSum(double value, ArrayView<double> shared)
    {
        int thread = Group.IdxX;
        int width = Group.DimX < Width ? Group.DimX : Width;
        int lane = thread & (width - 1);
        shared[thread] = value;
        Group.Barrier();
        for (int offset = width >> 1; offset > 0; offset >>= 1)
        {
            if (lane < offset)
                shared[thread] += shared[thread + offset];
            Group.Barrier();
        }
        double total = 0;
        if (Group.IsFirstThread)
        {
            for (int run = 0; run < Group.DimX; run += width)
                total += shared[run];
        }
        Group.Barrier();
        return total;
    }

    /// <summary>Static shared memory: one double per thread of the largest group.</summary>
    public static ArrayView<double> Shared() => SharedMemory.Allocate<double>(LikelihoodKernels.MaxGroupSize);

    /// <inheritdoc/>
    public static int DynamicDoubles(int groupSize, int warpSize) => 0;
}
