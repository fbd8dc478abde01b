using GpuEstimation.Engine;
using GpuEstimation.Kernels;
using GpuEstimation.Tests.Support;
using ILGPU;
using ILGPU.Runtime;
using Xunit;

namespace GpuEstimation.Tests.Engine;

/// <summary>
/// A reduction kernel's group size: the device's where the kernel launches with it, else the largest power of two below
/// that does (on CUDA, a Hessian pass's or a mixture's kernel at 512 threads was refused: "too many resources requested
/// for launch", 2026-11-28 on an H200). The CPU accelerator launches any size, so the search is tested with the
/// launch test as a function.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class GroupShapeTests(DeviceFixture devices)
{
    [Theory]
    [InlineData(512, 32, 512, 512)]   // launches as it is
    [InlineData(512, 32, 256, 256)]   // registers allow half the threads (the H200's Hessian pass)
    [InlineData(512, 32, 128, 128)]
    [InlineData(512, 32, 100, 64)]    // the largest power of two that fits
    [InlineData(512, 32, 0, 32)]      // none fits: the warp, whose launch then fails with the driver's message
    [InlineData(16, 32, 0, 16)]       // a group smaller than the warp stays as it is
    public void LargestLaunchableHalvesUntilTheKernelFits(int groupSize, int warp, int mostThreads, int expected)
    {
        var tried = new List<int>();
        int size = GroupShape.LargestLaunchable(groupSize, warp, g =>
        {
            tried.Add(g);
            return g <= mostThreads;
        });
        Assert.Equal(expected, size);
        // Each size tried once, largest first, halving.
        Assert.Equal(tried.OrderByDescending(g => g), tried);
        Assert.All(tried.Zip(tried.Skip(1)), pair => Assert.Equal(pair.First / 2, pair.Second));
    }

    [Fact]
    public void AKernelThatLaunchesKeepsTheDeviceGroupSizeAndItsSharedMemory()
    {
        var device = devices.Cpu;
        var accelerator = device.Accelerator;
        var kernel = accelerator.LoadStreamKernel<ArrayView<double>, int, ArrayView<double>>(SumKernel);
        var shape = GroupShape.Of<WarpShuffleSum>(accelerator, kernel, device.GroupSize);
        Assert.Equal(device.GroupSize, shape.GroupSize);
        int doubles = WarpShuffleSum.DynamicDoubles(device.GroupSize, accelerator.WarpSize);
        Assert.Equal(doubles, shape.Shared.NumElements);

        // And the launch in that shape sums like the host.
        var values = Enumerable.Range(1, 1000).Select(i => (double)i).ToArray();
        using var data = accelerator.Allocate1D(values);
        using var partials = accelerator.Allocate1D<double>(4);
        kernel(new KernelConfig(4, shape.GroupSize, shape.Shared), data.View, values.Length, partials.View);
        Assert.Equal(500500.0, partials.GetAsArray1D().Sum(), 12);
    }

    private static void SumKernel(ArrayView<double> values, int rows, ArrayView<double> partials)
    {
        double sum = 0;
        for (int row = Grid.IdxX * Group.DimX + Group.IdxX; row < rows; row += Grid.DimX * Group.DimX)
            sum += values[row];
        double total = WarpShuffleSum.GroupSum(sum, WarpShuffleSum.Shared());
        if (Group.IsFirstThread)
            partials[Grid.IdxX] = total;
    }
}
