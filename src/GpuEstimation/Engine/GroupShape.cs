using GpuEstimation.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEstimation.Engine;

/// <summary>
/// The threads per group and the shared memory of one loaded reduction kernel. The device's group size
/// (<see cref="Backends.ComputeDevice.GroupSize"/>, 512 on a GPU) where the compiled kernel launches with it; where it
/// needs more registers per thread than a group of that size can have (CUDA answers such a launch "too many resources
/// requested": a Hessian pass's 32 sums, a mixture's statistics), the largest power of two below it that launches.
/// The number of groups stays the device's (<see cref="KernelBlocks.Groups"/>), so the partials keep their layout and a
/// smaller group only gives each thread more rows; the sums stay in a fixed order, so a launch still gives the same
/// bits every time.
/// </summary>
internal readonly record struct GroupShape(int GroupSize, SharedMemoryConfig Shared)
{
    /// <summary>The shape of <paramref name="kernel"/> (a launcher from <c>LoadStreamKernel</c>) on <paramref name="accelerator"/>.</summary>
    public static GroupShape Of<TSum>(Accelerator accelerator, Delegate kernel, int groupSize)
        where TSum : struct, IGroupSum
    {
        int warp = accelerator.WarpSize;
        var compiled = kernel.GetKernel();
        int size = LargestLaunchable(groupSize, warp,
            g => accelerator.EstimateMaxActiveGroupsPerMultiprocessor(compiled, g, sizeof(double) * TSum.DynamicDoubles(g, warp)) > 0);
        int doubles = TSum.DynamicDoubles(size, warp);
        return new GroupShape(size, doubles > 0 ? SharedMemoryConfig.RequestDynamic<double>(doubles) : default);
    }

    /// <summary>The shape of a loaded kernel with no group sum and no shared memory (a grid-stride loop writing per row).</summary>
    public static GroupShape Plain(Accelerator accelerator, Delegate kernel, int groupSize)
    {
        var compiled = kernel.GetKernel();
        int size = LargestLaunchable(groupSize, accelerator.WarpSize,
            g => accelerator.EstimateMaxActiveGroupsPerMultiprocessor(compiled, g, 0) > 0);
        return new GroupShape(size, default);
    }

    /// <summary>
    /// The largest power of two from <paramref name="groupSize"/> down to <paramref name="smallest"/> (the warp) for
    /// which <paramref name="launches"/> holds, halving; the smallest where none does (its launch then fails with the
    /// driver's own message, which the engine reports as a <see cref="KernelException"/>).
    /// </summary>
    public static int LargestLaunchable(int groupSize, int smallest, Func<int, bool> launches)
    {
        int size = groupSize;
        while (size > smallest && !launches(size))
            size /= 2;
        return Math.Max(size, Math.Min(smallest, groupSize));
    }
}
