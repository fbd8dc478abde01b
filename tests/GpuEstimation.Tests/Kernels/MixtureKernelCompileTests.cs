using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Mixtures;
using GpuEstimation.Tests.Support;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using Xunit;

namespace GpuEstimation.Tests.Kernels;

/// <summary>
/// The Gaussian-mixture statistics kernel through ILGPU's PTX and OpenCL C code generators, as
/// <see cref="KernelCompileTests"/> does for the likelihood kernels: the narrowest shape (2-D, K ≤ 4, 16 sums) and the
/// widest the engine launches (d ≤ 32, K ≤ 16, 64 sums per launch).
/// </summary>
public sealed class MixtureKernelCompileTests : IDisposable
{
    private readonly Context _context = Context.Create(builder => builder.Math(MathMode.Default));
    private readonly PTXBackend _ptx;
    private readonly CLBackend _openCl;

    public MixtureKernelCompileTests()
    {
        _ptx = new PTXBackend(_context, new CudaCapabilityContext(CudaArchitecture.SM_90), CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, nvvmAPI: null);
        var capabilities = new CLCapabilityContext(float16: false, float64: true, genericAddressSpace: true, int64_Atomics: false, subGroups: false);
        _openCl = new CLBackend(_context, capabilities, CLDeviceVendor.Other, CLCVersion.CL30);
    }

    public static TheoryData<string> Shapes() => new("narrow", "wide");

    [Theory]
    [Trait("Category", Categories.Slow)]
    [MemberData(nameof(Shapes))]
    public void StatisticsKernelCompilesToPtx(string shape)
    {
        var compiled = (PTXCompiledKernel)_ptx.Compile(Entry(shape, typeof(WarpShuffleSum)), new KernelSpecialization());
        if (Environment.GetEnvironmentVariable("GPUEST_PTX_DUMP") is { } dump)
            File.WriteAllText(Path.Combine(dump, $"gaussian-mixture-{shape}.ptx"), compiled.PTXAssembly);
        Assert.Contains(".entry", compiled.PTXAssembly);
        Assert.Contains("mul.f64", compiled.PTXAssembly);
        Assert.DoesNotContain(".local", compiled.PTXAssembly); // the term vectors stay in registers
        Assert.DoesNotContain("__nv_", compiled.PTXAssembly);
        Assert.DoesNotContain(".extern .func", compiled.PTXAssembly);
        Assert.DoesNotContain("atom.", compiled.PTXAssembly); // fixed-order sums, no atomics
    }

    [Theory]
    [Trait("Category", Categories.Slow)]
    [MemberData(nameof(Shapes))]
    public void StatisticsKernelCompilesToOpenClC(string shape)
    {
        var compiled = (CLCompiledKernel)_openCl.Compile(Entry(shape, typeof(SharedTreeSum)), new KernelSpecialization());
        Assert.Contains("kernel void", compiled.Source);
        Assert.DoesNotContain("sub_group", compiled.Source);
        Assert.DoesNotContain("dynamic_shared_memory", compiled.Source);
        Assert.DoesNotContain("atomic", compiled.Source);
    }

    private static EntryPointDescription Entry(string shape, Type sum)
    {
        Type[] types = shape == "narrow"
            ? [typeof(Vec4), typeof(Vec4), typeof(Twice<Twice<Vec4>>), sum]
            : [typeof(Twice<Twice<Twice<Vec4>>>), typeof(Twice<Twice<Vec4>>), typeof(Twice<Twice<Twice<Twice<Vec4>>>>), sum];
        var method = typeof(GaussianMixtureKernels).GetMethod(nameof(GaussianMixtureKernels.StatisticsKernel))!.MakeGenericMethod(types);
        return EntryPointDescription.FromExplicitlyGroupedKernel(method);
    }

    public void Dispose()
    {
        _openCl.Dispose();
        _ptx.Dispose();
        _context.Dispose();
    }
}
