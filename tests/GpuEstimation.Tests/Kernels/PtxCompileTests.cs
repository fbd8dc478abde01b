using System.Reflection;
using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Models;
using GpuEstimation.Tests.Support;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Xunit;

namespace GpuEstimation.Tests.Kernels;

/// <summary>
/// Every kernel of every model goes through ILGPU's compiler to PTX, here, without a GPU: the CPU accelerator runs the
/// kernels' IL as .NET code, so only this shows that ILGPU's front end accepts what the models use (static abstract
/// calls, generic term vectors, the linear model's fixed buffer, DeviceMath's bit casts) and that the PTX needs no
/// libdevice (no CUDA toolkit on users' machines).
/// </summary>
public sealed class PtxCompileTests : IDisposable
{
    private readonly Context _context = Context.Create(builder => builder.Math(MathMode.Default));
    private readonly PTXBackend _backend;

    public PtxCompileTests() =>
        _backend = new PTXBackend(_context, new CudaCapabilityContext(CudaArchitecture.SM_90), CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, nvvmAPI: null);

    // Every model struct the kernels assembly holds, so a new family is compiled here without being listed.
    public static TheoryData<string> Models() =>
        new(typeof(NormalModel).Assembly.GetTypes()
            .Where(t => t.IsValueType && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ILikelihoodModel<>)))
            .Select(t => t.Name));

    // As many model structs as the catalogue has models (the families and the linear model).
    [Fact]
    public void EveryFamilyIsAmongTheModels() =>
        Assert.Equal(ModelCatalog.Names.Count, Models().Count);

    [Theory]
    [Trait("Category", Categories.Slow)]
    [MemberData(nameof(Models))]
    public void EveryKernelCompilesToPtx(string modelName)
    {
        var model = typeof(NormalModel).Assembly.GetType($"GpuEstimation.Kernels.Models.{modelName}")!;
        // The widest term vector too for the linear model (up to 61 features).
        Type[] vectors = model == typeof(LinearModel)
            ? [typeof(Vec4), typeof(Twice<Twice<Twice<Twice<Vec4>>>>)]
            : [typeof(Vec4)];
        foreach (var vector in vectors)
        {
            foreach (var (kernel, grouped) in new[] { ("ValueAndGradientKernel", true), ("SweepKernel", true), ("PointwiseKernel", false) })
            {
                // Sweeps accumulate value-only sums, as the engine launches them.
                var sums = kernel == "SweepKernel" ? typeof(ValueOnly<>).MakeGenericType(vector) : vector;
                var method = typeof(LikelihoodKernels).GetMethod(kernel, BindingFlags.Public | BindingFlags.Static)!.MakeGenericMethod(model, sums);
                var entry = grouped ? EntryPointDescription.FromExplicitlyGroupedKernel(method) : EntryPointDescription.FromImplicitlyGroupedKernel(method);
                var compiled = (PTXCompiledKernel)_backend.Compile(entry, new KernelSpecialization());
                if (Environment.GetEnvironmentVariable("GPUEST_PTX_DUMP") is { } dump)
                    File.WriteAllText(Path.Combine(dump, $"{modelName}-{kernel}-{vector.Name}.ptx"), compiled.PTXAssembly);
                Assert.Contains(".entry", compiled.PTXAssembly);
                Assert.DoesNotContain("__nv_", compiled.PTXAssembly); // libdevice functions: would need the CUDA toolkit
                Assert.DoesNotContain(".extern .func", compiled.PTXAssembly); // unresolved: the module would not load
            }
        }
    }

    [Fact]
    public void SweepChunkSumCompilesToPtx()
    {
        var method = typeof(LikelihoodKernels).GetMethod(nameof(LikelihoodKernels.SumChunksKernel))!;
        var compiled = (PTXCompiledKernel)_backend.Compile(EntryPointDescription.FromImplicitlyGroupedKernel(method), new KernelSpecialization());
        Assert.Contains("add.f64", compiled.PTXAssembly);
        Assert.DoesNotContain(".extern .func", compiled.PTXAssembly);
    }

    public void Dispose()
    {
        _backend.Dispose();
        _context.Dispose();
    }
}
