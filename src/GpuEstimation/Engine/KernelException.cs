using GpuEstimation.Backends;

namespace GpuEstimation.Engine;

/// <summary>
/// A kernel that an accelerator could not compile or run: says which backend, which kernel and which model, with the
/// ILGPU or driver error as <see cref="Exception.InnerException"/>. For example "OpenCL: the value+gradient kernel of
/// studentt could not be compiled: ...". Not bad input: the product or the device is at fault.
/// </summary>
public sealed class KernelException : Exception
{
    /// <summary>The kernel that sums the log-likelihood and its gradient.</summary>
    public const string ValueAndGradient = "value+gradient";

    /// <summary>The kernel that evaluates the log-likelihood at many points (a sweep).</summary>
    public const string Sweep = "sweep";

    /// <summary>The value, gradient and Hessian of a linear-predictor model.</summary>
    public const string Hessian = "hessian";

    /// <summary>The kernel that adds a sweep's chunk sums.</summary>
    public const string SumChunks = "sweep chunk-sum";

    /// <summary>The kernel that writes each observation's log-density.</summary>
    public const string Pointwise = "pointwise";

    /// <summary>The kernel that sums the outer products of the rows' scores (robust covariance).</summary>
    public const string ScoreProducts = "score-products";

    /// <summary>The kernel that writes each row's score (cluster-robust covariance).</summary>
    public const string Scores = "scores";

    /// <summary>A wide design's per-row derivatives (<c>RowDerivativesKernel</c>).</summary>
    public const string RowDerivatives = "row-derivatives";

    /// <summary>A wide design's tiled sums (<c>TileProductsKernel</c>).</summary>
    public const string TileProducts = "tile-products";

    /// <summary>The normal equations of nonlinear least squares (<see cref="Kernels.LeastSquaresKernels.NormalEquationsKernel"/>).</summary>
    public const string NormalEquations = "normal-equations";

    /// <summary>Describes the failure.</summary>
    /// <param name="backend">The backend the kernel was for.</param>
    /// <param name="kernel">The kernel (<see cref="ValueAndGradient"/>, <see cref="Sweep"/>, ...).</param>
    /// <param name="model">The model's name.</param>
    /// <param name="compiling">Whether it failed to compile (rather than to run).</param>
    /// <param name="inner">The ILGPU or driver error.</param>
    public KernelException(Backend backend, string kernel, string model, bool compiling, Exception inner)
        : base($"{BackendName(backend)}: the {kernel} kernel of {model} {(compiling ? "could not be compiled" : "failed to run")}: " +
            Cause(inner), inner)
    {
        Backend = backend;
        Kernel = kernel;
        Model = model;
    }

    /// <summary>The backend the kernel was for.</summary>
    public Backend Backend { get; }

    /// <summary>The kernel that failed.</summary>
    public string Kernel { get; }

    /// <summary>The model whose kernel failed.</summary>
    public string Model { get; }

    // The backend as people write it: CUDA, OpenCL, the CPU accelerator.
    private static string BackendName(Backend backend) => backend switch
    {
        Backend.Cuda => "CUDA",
        Backend.OpenCL => "OpenCL",
        Backend.Cpu => "CPU accelerator",
        _ => backend.ToString().ToLowerInvariant(),
    };

    // ILGPU wraps the code generator's error in "An internal compiler error has been detected": the cause is the
    // innermost exception, and where it was thrown says what failed (e.g. CLCodeGenerator.GenerateCode(WarpShuffle)).
    private static string Cause(Exception e)
    {
        while (e.InnerException is { } inner)
            e = inner;
        var site = e.TargetSite is { } method
            ? $" in {method.DeclaringType?.Name}.{method.Name}({string.Join(", ", method.GetParameters().Select(p => p.ParameterType.Name))})"
            : "";
        return $"{e.GetType().Name}{site}: {e.Message}";
    }
}
