using ILGPU;

namespace GpuEstimation.Kernels;

/// <summary>
/// The group sum by warp shuffles: a shuffle-down tree within each warp, then the warps' sums added in warp order by
/// thread 0 through shared memory (one double per warp). For CUDA and ILGPU's CPU accelerator.
/// </summary>
public readonly struct WarpShuffleSum : IGroupSum
{
    /// <inheritdoc/>
    public static double GroupSum(double value, ArrayView<double> shared)
    {
        for (int offset = Warp.WarpSize >> 1; offset > 0; offset >>= 1)
            value += Warp.ShuffleDown(value, offset);
        if (Warp.IsFirstLane)
            shared[Warp.WarpIdx] = value;
        Group.Barrier();
        double total = 0;
        if (Group.IsFirstThread)
        {
            int warps = Group.DimX / Warp.WarpSize;
            for (int w = 0; w < warps; w++)
                total += shared[w];
        }
        Group.Barrier();
        return total;
    }

    /// <summary>Dynamic shared memory: one double per warp.</summary>
    public static ArrayView<double> Shared() => SharedMemory.GetDynamic<double>();

    /// <inheritdoc/>
    public static int DynamicDoubles(int groupSize, int warpSize) => Math.Max(1, groupSize / warpSize);
}
