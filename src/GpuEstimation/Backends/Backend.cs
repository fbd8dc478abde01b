namespace GpuEstimation.Backends;

/// <summary>What runs the likelihood: an ILGPU accelerator, or the native host backend.</summary>
public enum Backend
{
    /// <summary>CUDA if present, then a usable OpenCL device, then the native backend.</summary>
    Auto,

    /// <summary>An NVIDIA GPU through CUDA (the driver only; ILGPU compiles the kernels itself).</summary>
    Cuda,

    /// <summary>An OpenCL device that offers the generic address space and double precision.</summary>
    OpenCL,

    /// <summary>The same model structs in plain host loops on all cores: what a machine without a GPU should use.</summary>
    Native,

    /// <summary>ILGPU's CPU accelerator: runs the kernels themselves on the host, emulating a GPU (for tests).</summary>
    Cpu,
}
