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
/// The Gaussian-mixture statistics kernels through ILGPU's PTX and OpenCL C code generators, as
/// <see cref="KernelCompileTests"/> does for the likelihood kernels: the general kernel's narrowest shape (4 statistics
/// a thread) and the widest the engine launches (16 a thread); the one-column normal mixture's kernel unrolled for K ≤ 4
/// and K ≤ 16.
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

    public static TheoryData<string> Shapes() => new("narrow", "wide", "normal-narrow", "normal-wide");

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
        // Neither kernel has local memory: the normal kernel keeps its responsibilities in registers, the general one
        // its tile of rows and responsibilities in shared memory.
        Assert.DoesNotContain(".local", compiled.PTXAssembly);
        // Every sum is its own register: the general kernel indexes its owned statistics by constants alone (no jump
        // table); the normal kernel's only tables are its group sums' reads after the row loop, one 4-way table per Vec4
        // of its sums (16 narrow, 64 wide). A term vector indexed at run time in the row loop would add as many again.
        int tables = System.Text.RegularExpressions.Regex.Count(compiled.PTXAssembly, "brx.idx");
        if (shape.StartsWith("normal"))
        {
            int sums = shape.EndsWith("narrow") ? 16 : 64;
            Assert.True(tables <= sums / 4, $"{tables} jump tables for {sums} sums: a term vector is indexed at run time in the row loop");
        }
        else
        {
            Assert.True(tables == 0, $"{tables} jump tables: an owned statistic is indexed at run time");
            Assert.Contains("bar.sync", compiled.PTXAssembly);
        }
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
        var method = shape switch
        {
            "narrow" => General(typeof(Unrolled4), typeof(Vec4), sum),
            "wide" => General(typeof(UnrolledTwice<UnrolledTwice<Unrolled4>>), typeof(Twice<Twice<Vec4>>), sum),
            "normal-narrow" => Normal(typeof(Unrolled4), typeof(Vec4), typeof(Twice<Twice<Vec4>>), sum),
            _ => Normal(typeof(UnrolledTwice<UnrolledTwice<Unrolled4>>), typeof(Twice<Twice<Vec4>>), typeof(Twice<Twice<Twice<Twice<Vec4>>>>), sum),
        };
        return EntryPointDescription.FromExplicitlyGroupedKernel(method);

        static System.Reflection.MethodInfo General(params Type[] types) =>
            typeof(GaussianMixtureKernels).GetMethod(nameof(GaussianMixtureKernels.StatisticsKernel))!.MakeGenericMethod(types);
        static System.Reflection.MethodInfo Normal(params Type[] types) =>
            typeof(GaussianMixtureKernels).GetMethod(nameof(GaussianMixtureKernels.NormalStatisticsKernel))!.MakeGenericMethod(types);
    }

    public void Dispose()
    {
        _openCl.Dispose();
        _ptx.Dispose();
        _context.Dispose();
    }
}
