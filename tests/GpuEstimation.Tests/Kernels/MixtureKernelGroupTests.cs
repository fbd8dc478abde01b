using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Mixtures;
using GpuEstimation.Tests.Mixtures;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using Xunit;

namespace GpuEstimation.Tests.Kernels;

/// <summary>
/// <see cref="GaussianMixtureKernels.StatisticsKernel"/> launched directly in groups of 64 threads on a CPU accelerator
/// of that shape (the engine's CPU accelerator has groups of 4, a GPU's 512), so that its lanes run as they do on a GPU:
/// 3 statistics (16 lanes of 4 threads), 18 (2 lanes of 32), and 70 and 84 (one lane; 2 and 1 statistics a thread
/// over 64 threads, of 4 a thread), each against the plain sums of <see cref="StatisticsReference"/> (1e-12), with the
/// groups' partials added in group order as the host does. 1,001 rows over 3 groups: partial tiles, and a group with
/// fewer tiles than another.
/// </summary>
public sealed class MixtureKernelGroupTests : IDisposable
{
    private const int GroupSize = 64;
    private readonly Context _context = Context.Create(builder => builder.CPU(new CPUDevice(4, GroupSize / 4, 1)).Math(MathMode.Default));
    private readonly Accelerator _accelerator;

    public MixtureKernelGroupTests() => _accelerator = _context.CreateCPUAccelerator(0);

    [Theory]
    [InlineData(1, 1, true)]
    [InlineData(2, 3, false)]
    [InlineData(3, 7, false)]
    [InlineData(5, 4, false)]
    public void LanesAndOwnersSumEveryStatistic(int d, int k, bool diagonal)
    {
        const int n = 1001, groups = 3;
        var reference = new StatisticsReference(d, k, diagonal, n);
        int count = reference.PackedCodes.Length;
        Assert.True(count <= Vec4.Capacity * GroupSize);
        var kernel = _accelerator.LoadStreamKernel<ArrayView<double>, long, int, int, int, ArrayView<double>, ArrayView<int>, int, int, ArrayView<double>>(
            GaussianMixtureKernels.StatisticsKernel<Unrolled4, Vec4, WarpShuffleSum>);
        using var values = _accelerator.Allocate1D(reference.Columns.SelectMany(c => c).ToArray());
        using var parameters = _accelerator.Allocate1D(reference.Packed.ToArray());
        using var codes = _accelerator.Allocate1D(reference.PackedCodes);
        using var partials = _accelerator.Allocate1D<double>(groups * (count + 1));
        var shared = SharedMemoryConfig.RequestDynamic<double>(WarpShuffleSum.DynamicDoubles(GroupSize, _accelerator.WarpSize));
        kernel(new KernelConfig(groups, GroupSize, shared), values.View, n, d, k, diagonal ? 1 : 0, parameters.View, codes.View, 0, count, partials.View);
        _accelerator.Synchronize();
        var host = partials.GetAsArray1D();
        double value = 0;
        var sums = new double[count];
        for (int g = 0; g < groups; g++)
        {
            value += host[g * (count + 1)];
            for (int e = 0; e < count; e++)
                sums[e] += host[g * (count + 1) + 1 + e];
        }
        reference.Check(value, sums);
    }

    public void Dispose()
    {
        _accelerator.Dispose();
        _context.Dispose();
    }
}
