using GpuEstimation.Expressions;
using GpuEstimation.Kernels;
using GpuEstimation.Tests.Kernels;
using GpuEstimation.Tests.Support;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using Xunit;

namespace GpuEstimation.Tests.Expressions;

/// <summary>
/// A model struct generated from an expression and loaded at run time goes through ILGPU's compiler to PTX and to
/// OpenCL C as the built-in models do (<see cref="KernelCompileTests"/>): no libdevice call, nothing unresolved.
/// The expressions use every kind of device function the generated code calls.
/// </summary>
public sealed class ExpressionKernelCompileTests : IDisposable
{
    private readonly Context _context = Context.Create(builder => builder.Math(MathMode.Default));
    private readonly PTXBackend _ptx;
    private readonly CLBackend _openCl;

    public ExpressionKernelCompileTests()
    {
        _ptx = new PTXBackend(_context, new CudaCapabilityContext(CudaArchitecture.SM_90), CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, nvvmAPI: null);
        var capabilities = new CLCapabilityContext(float16: false, float64: true, genericAddressSpace: true, int64_Atomics: false, subGroups: false);
        _openCl = new CLBackend(_context, capabilities, CLDeviceVendor.Other, CLCVersion.CL30);
    }

    public static TheoryData<string> Expressions() => new(
        "logsumexp(log(w) + normal_lpdf(x, m, s), log1p(-w) + normal_lpdf(x, m + 1, s))",
        "student_t_lpdf(x, w + 1, m, s) + erf(m*x) - abs(x - m) + atan(m) + sin(x*s) + pow(s, m) + min(x, m) + log_sigmoid(m*x) + expm1(-s) + sqrt(s) + tan(m) + erfc(x)",
        // The supports' tests: whole numbers ((double)(long)x in the generated code), −∞ constants, nested selects.
        "poisson_lpmf(x, s) + binomial_lpmf(x, 9, w) + bernoulli_lpmf(x, w) + exponential_lpdf(x, s) + beta_lpdf(w, s, s + m*m)");

    // Slow as KernelCompileTests' per-model compiles (ILGPU's code generators take seconds); CI runs it.
    [Theory]
    [Trait("Category", Categories.Slow)]
    [MemberData(nameof(Expressions))]
    public void GeneratedModelCompilesToPtxAndOpenClC(string text)
    {
        var expression = LogDensityExpression.Compile(text, [new("m"), new("s", ParameterDomain.Positive), new("w", ParameterDomain.UnitInterval)], ["x"]);
        foreach (var (_, entry) in KernelCompileTests.EntryPoints(expression.Type, "expression", typeof(WarpShuffleSum)))
        {
            var compiled = (PTXCompiledKernel)_ptx.Compile(entry, new KernelSpecialization());
            Assert.Contains(".entry", compiled.PTXAssembly);
            Assert.DoesNotContain("__nv_", compiled.PTXAssembly);
            Assert.DoesNotContain(".extern .func", compiled.PTXAssembly);
        }
        foreach (var (_, entry) in KernelCompileTests.EntryPoints(expression.Type, "expression", typeof(SharedTreeSum)))
        {
            var compiled = (CLCompiledKernel)_openCl.Compile(entry, new KernelSpecialization());
            Assert.Contains("kernel void", compiled.Source);
        }
    }

    public void Dispose()
    {
        _openCl.Dispose();
        _ptx.Dispose();
        _context.Dispose();
    }
}
