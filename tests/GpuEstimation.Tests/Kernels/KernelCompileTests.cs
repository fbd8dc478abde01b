using System.Reflection;
using GpuEstimation.Engine;
using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Models;
using GpuEstimation.Tests.Support;
using ILGPU;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using Xunit;

namespace GpuEstimation.Tests.Kernels;

/// <summary>
/// Every kernel of every model goes through ILGPU's compiler to PTX (CUDA) and to OpenCL C, here, without a GPU: the
/// CPU accelerator runs the kernels' IL as .NET code, so only this shows that ILGPU's front end and both code
/// generators accept what the models use (static abstract calls, generic term vectors, the linear model's fixed
/// buffer, DeviceMath's bit casts, each backend's group sum), that the PTX needs no libdevice (no CUDA toolkit on
/// users' machines), and that the OpenCL C has no warp shuffles (ILGPU's OpenCL code generator has none) and no
/// dynamic shared memory (ILGPU 1.5.3 shares its pointer between groups, a race on a real device).
/// </summary>
public sealed class KernelCompileTests : IDisposable
{
    private readonly Context _context = Context.Create(builder => builder.Math(MathMode.Default));
    private readonly PTXBackend _ptx;
    private readonly CLBackend _openCl;

    public KernelCompileTests()
    {
        _ptx = new PTXBackend(_context, new CudaCapabilityContext(CudaArchitecture.SM_90), CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, nvvmAPI: null);
        // What the engine asks of an OpenCL device (ComputeDevice): doubles and the generic address space; no subgroups.
        var capabilities = new CLCapabilityContext(float16: false, float64: true, genericAddressSpace: true, int64_Atomics: false, subGroups: false);
        _openCl = new CLBackend(_context, capabilities, CLDeviceVendor.Other, CLCVersion.CL30);
    }

    // Every model struct the kernels assembly holds, so a new family is compiled here without being listed.
    public static TheoryData<string> Models() =>
        new(typeof(NormalModel).Assembly.GetTypes()
            .Where(t => t.IsValueType && !t.IsGenericTypeDefinition && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ILikelihoodModel<>)))
            .Select(t => t.Name));

    // As many model structs as the catalogue has models (the families and the linear model), the generalized linear
    // models (glm, logit, probit) being one struct, and one more for the mixtures (built from their components, not by name).
    [Fact]
    public void EveryFamilyIsAmongTheModels() =>
        Assert.Equal(ModelCatalog.Names.Count - GlmNames.Models.Count + 1 + 1, Models().Count);

    [Theory]
    [Trait("Category", Categories.Slow)]
    [MemberData(nameof(Models))]
    public void EveryKernelCompilesToPtx(string modelName)
    {
        foreach (var (name, entry) in EntryPoints(modelName, typeof(WarpShuffleSum)))
        {
            var compiled = (PTXCompiledKernel)_ptx.Compile(entry, new KernelSpecialization());
            if (Environment.GetEnvironmentVariable("GPUEST_PTX_DUMP") is { } dump)
                File.WriteAllText(Path.Combine(dump, $"{name}.ptx"), compiled.PTXAssembly);
            Assert.Contains(".entry", compiled.PTXAssembly);
            Assert.DoesNotContain("__nv_", compiled.PTXAssembly); // libdevice functions: would need the CUDA toolkit
            Assert.DoesNotContain(".extern .func", compiled.PTXAssembly); // unresolved: the module would not load
        }
    }

    // The tile kernel's 32 products per row are written out (TileSums4x8), each sum a register: 32 multiplies of the
    // tile and 4 of the derivative in its row loop. ILGPU unrolls no loop, so a loop over the tile would compile to a
    // multiply or two and a jump table per sum (docs/design.md, "Term vectors").
    [Fact]
    public void TheTileKernelsProductsAreWrittenOut()
    {
        var method = typeof(LikelihoodKernels).GetMethod(nameof(LikelihoodKernels.TileProductsKernel))!.MakeGenericMethod(typeof(WarpShuffleSum));
        var compiled = (PTXCompiledKernel)_ptx.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(method), new KernelSpecialization());
        int multiplies = System.Text.RegularExpressions.Regex.Count(compiled.PTXAssembly, @"\bmul\.f64");
        Assert.True(multiplies >= 36, $"{multiplies} mul.f64: the tile's products are not written out");
    }

    [Theory]
    [Trait("Category", Categories.Slow)]
    [MemberData(nameof(Models))]
    public void EveryKernelCompilesToOpenClC(string modelName)
    {
        foreach (var (name, entry) in EntryPoints(modelName, typeof(SharedTreeSum)))
        {
            var compiled = (CLCompiledKernel)_openCl.Compile(entry, new KernelSpecialization());
            if (Environment.GetEnvironmentVariable("GPUEST_CL_DUMP") is { } dump)
                File.WriteAllText(Path.Combine(dump, $"{name}.cl"), compiled.Source);
            Assert.Contains("kernel void", compiled.Source);
            Assert.DoesNotContain("sub_group", compiled.Source); // subgroup functions: not every OpenCL device has them
            // ILGPU passes dynamic shared memory through a program-scope pointer that concurrent groups overwrite.
            Assert.DoesNotContain("dynamic_shared_memory", compiled.Source);
        }
    }

    // The nonlinear regression over a hand-written mean (the expression compiler's means take the same path): its
    // likelihood kernels and the least-squares pass's normal equations, in the widest block the pass launches.
    [Theory]
    [Trait("Category", Categories.Slow)]
    [InlineData(typeof(WarpShuffleSum))]
    [InlineData(typeof(SharedTreeSum))]
    public void NonlinearRegressionKernelsCompile(Type sum)
    {
        var model = typeof(NonlinearRegressionModel<NistMeans.Rat43>);
        var vector = typeof(Twice<Vec4>);
        var methods = new[]
        {
            typeof(LikelihoodKernels).GetMethod(nameof(LikelihoodKernels.ValueAndGradientKernel))!.MakeGenericMethod(model, vector, sum),
            typeof(LikelihoodKernels).GetMethod(nameof(LikelihoodKernels.ScoreProductsKernel))!.MakeGenericMethod(model, vector, vector, sum),
            typeof(LeastSquaresKernels).GetMethod(nameof(LeastSquaresKernels.NormalEquationsKernel))!
                .MakeGenericMethod(typeof(NistMeans.Rat43), vector, typeof(Twice<Twice<Twice<Twice<Vec4>>>>), sum),
        };
        foreach (var method in methods)
        {
            var entry = EntryPointDescription.FromExplicitlyGroupedKernel(method);
            if (sum == typeof(WarpShuffleSum))
            {
                var ptx = (PTXCompiledKernel)_ptx.Compile(entry, new KernelSpecialization());
                Assert.Contains(".entry", ptx.PTXAssembly);
                Assert.DoesNotContain("__nv_", ptx.PTXAssembly);
                Assert.DoesNotContain(".extern .func", ptx.PTXAssembly);
            }
            else
            {
                var openCl = (CLCompiledKernel)_openCl.Compile(entry, new KernelSpecialization());
                Assert.Contains("kernel void", openCl.Source);
                Assert.DoesNotContain("dynamic_shared_memory", openCl.Source);
            }
        }
    }

    // Why OpenCL has a group sum of its own: ILGPU's OpenCL code generator has no warp shuffles. The failure, as the
    // engine reports it, names the backend, the kernel, the model and the code generator's complaint.
    [Fact]
    public void WarpShufflesDoNotCompileToOpenClCAndTheFailureSaysWhere()
    {
        var (_, entry) = EntryPoints(nameof(NormalModel), typeof(WarpShuffleSum)).First();
        var error = Assert.ThrowsAny<Exception>(() => _openCl.Compile(entry, new KernelSpecialization()));
        var failure = new KernelException(GpuEstimation.Backends.Backend.OpenCL, KernelException.ValueAndGradient, "normal", compiling: true, error);
        Assert.StartsWith("OpenCL: the value+gradient kernel of normal could not be compiled: ", failure.Message);
        Assert.True(failure.Message.Contains("WarpShuffle"), failure.Message);
        Assert.Same(error, failure.InnerException);
    }

    [Fact]
    public void SweepChunkSumCompilesToPtxAndOpenClC()
    {
        var method = typeof(LikelihoodKernels).GetMethod(nameof(LikelihoodKernels.SumChunksKernel))!;
        var entry = EntryPointDescription.FromImplicitlyGroupedKernel(method);
        var ptx = (PTXCompiledKernel)_ptx.Compile(entry, new KernelSpecialization());
        Assert.Contains("add.f64", ptx.PTXAssembly);
        Assert.DoesNotContain(".extern .func", ptx.PTXAssembly);
        var openCl = (CLCompiledKernel)_openCl.Compile(entry, new KernelSpecialization());
        Assert.Contains("double", openCl.Source);
    }

    // The entry points the engine launches for one model, with the backend's group sum.
    // The regressions' loops over their features are the term vector's own, unrolled (DesignSum, DesignTerms): each
    // coefficient and gradient sum is reached by a constant index. The widest vector (64) then adds no jump table in the
    // row loop over the narrowest (4): only the group sums' reads after it, one 4-way table per Vec4 (15 more). A loop
    // over the features indexed the vector at run time: the linear model's 64-wide kernel had 64 tables, the GLM's 74.
    [Theory]
    [Trait("Category", Categories.Slow)]
    [InlineData(typeof(LinearModel))]
    [InlineData(typeof(GlmModel))]
    public void TheRegressionsFeatureLoopsIndexNoTermVectorAtRunTime(Type model)
    {
        int Tables(Type vector)
        {
            var method = typeof(LikelihoodKernels).GetMethod(nameof(LikelihoodKernels.ValueAndGradientKernel))!
                .MakeGenericMethod(model, vector, typeof(WarpShuffleSum));
            var compiled = (PTXCompiledKernel)_ptx.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(method), new KernelSpecialization());
            return System.Text.RegularExpressions.Regex.Count(compiled.PTXAssembly, "brx.idx");
        }
        int narrow = Tables(typeof(Vec4)), wide = Tables(typeof(Twice<Twice<Twice<Twice<Vec4>>>>));
        Assert.True(wide - narrow <= 15, $"{wide} jump tables at 64 sums against {narrow} at 4: a term vector is indexed at run time in the row loop");
    }

    private static IEnumerable<(string Name, EntryPointDescription Entry)> EntryPoints(string modelName, Type sum) =>
        EntryPoints(typeof(NormalModel).Assembly.GetType($"GpuEstimation.Kernels.Models.{modelName}")!, modelName, sum);

    /// <summary>The entry points the engine launches for <paramref name="model"/> (any model struct, a generated one too).</summary>
    internal static IEnumerable<(string Name, EntryPointDescription Entry)> EntryPoints(Type model, string modelName, Type sum)
    {
        // The widest term vector too for the regressions (up to 61 and 60 features).
        // A mixture: the vector of a three-component normal mixture (the 128-wide one of 16 components took over ten
        // minutes in ILGPU's compiler on the development box and is left out; see docs/design.md, Mixtures).
        Type[] vectors = model == typeof(LinearModel) || model == typeof(GlmModel)
            ? [typeof(Vec4), typeof(Twice<Twice<Twice<Twice<Vec4>>>>)]
            : model == typeof(MixtureModel)
            ? [typeof(Twice<Twice<Vec4>>)]
            : [typeof(Vec4)];
        foreach (var vector in vectors)
        {
            yield return Entry(nameof(LikelihoodKernels.ValueAndGradientKernel), true, model, vector, sum);
            // Sweeps accumulate value-only sums, as the engine launches them.
            yield return Entry(nameof(LikelihoodKernels.SweepKernel), true, model, typeof(ValueOnly<>).MakeGenericType(vector), sum);
            // The catalogue's families take four rows per step and sweep a point per thread on a GPU.
            if (model.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDistribution<>)))
            {
                yield return Entry(nameof(LikelihoodKernels.ValueAndGradientFourRowsKernel), true, model, vector, sum);
                yield return Entry(nameof(LikelihoodKernels.SweepPointsKernel), true, model, typeof(ValueOnly<>).MakeGenericType(vector));
            }
            yield return Entry(nameof(LikelihoodKernels.PointwiseKernel), false, model, vector);
            // The robust covariance's meat: sums as wide as the term vector (the widest: a 64-entry block of the triangle).
            yield return Entry(nameof(LikelihoodKernels.ScoreProductsKernel), true, model, vector, vector, sum);
            yield return Entry(nameof(LikelihoodKernels.ScoresKernel), false, model, vector);
            // A one-value design's Hessian pass (the families, one-column GLMs), with the per-thread sums the engine gives it.
            if (model.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ILinearPredictorModel<>)))
                yield return Entry(nameof(LikelihoodKernels.HessianKernel), true, model, vector, typeof(Twice<Vec4>), sum);
        }
        // Linear-predictor models' Hessian pass beyond one design value (and every pass of a wide design): the rows'
        // derivatives (coefficients in memory) and the tiled sums.
        if (model.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ILinearPredictorModel<>)))
        {
            yield return ($"{modelName}-{nameof(LikelihoodKernels.RowDerivativesKernel)}", EntryPointDescription.FromExplicitlyGroupedKernel(
                typeof(LikelihoodKernels).GetMethod(nameof(LikelihoodKernels.RowDerivativesKernel))!.MakeGenericMethod(model)));
            yield return ($"{modelName}-{nameof(LikelihoodKernels.TileProductsKernel)}", EntryPointDescription.FromExplicitlyGroupedKernel(
                typeof(LikelihoodKernels).GetMethod(nameof(LikelihoodKernels.TileProductsKernel))!.MakeGenericMethod(sum)));
        }

        (string, EntryPointDescription) Entry(string kernel, bool grouped, params Type[] arguments)
        {
            var method = typeof(LikelihoodKernels).GetMethod(kernel, BindingFlags.Public | BindingFlags.Static)!.MakeGenericMethod(arguments);
            var entry = grouped ? EntryPointDescription.FromExplicitlyGroupedKernel(method) : EntryPointDescription.FromImplicitlyGroupedKernel(method);
            return ($"{modelName}-{kernel}-{arguments[1].Name}", entry);
        }
    }

    public void Dispose()
    {
        _openCl.Dispose();
        _ptx.Dispose();
        _context.Dispose();
    }
}
