using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace GpuEstimation.Backends;

/// <summary>Which accelerator runs the kernels.</summary>
public enum Backend
{
    /// <summary>CUDA if present, then a usable OpenCL device, then ILGPU's CPU accelerator.</summary>
    Auto,
    Cuda,
    OpenCL,
    /// <summary>ILGPU's CPU accelerator: runs the same kernels on the host, for tests and machines without a GPU.</summary>
    Cpu,
}

/// <summary>An accelerator the machine offers, and whether this engine can use it.</summary>
public sealed record DeviceInfo(Backend Backend, string Name, bool Usable, string? Reason)
{
    public override string ToString() =>
        Usable ? $"{Backend.ToString().ToLowerInvariant()}: {Name}" : $"{Backend.ToString().ToLowerInvariant()}: {Name} (unusable: {Reason})";
}

/// <summary>
/// One ILGPU context and accelerator, and the launch shape used on it. Engines borrow it; it is disposed last.
/// </summary>
public sealed class ComputeDevice : IDisposable
{
    private const int PreferredGroupSize = 512;

    private readonly Context _context;

    private ComputeDevice(Context context, Accelerator accelerator, Backend backend)
    {
        _context = context;
        Accelerator = accelerator;
        Backend = backend;
        GroupSize = LargestPowerOfTwoAtMost(Math.Min(PreferredGroupSize, accelerator.MaxNumThreadsPerGroup));
        // Enough resident groups to fill every multiprocessor (measurements.md: 528 x 512 on a 132-SM H200).
        int perMultiprocessor = Math.Max(1, accelerator.MaxNumThreadsPerMultiprocessor / GroupSize);
        MaxGroups = Math.Max(1, accelerator.NumMultiprocessors * perMultiprocessor);
    }

    /// <summary>The ILGPU accelerator.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>The backend kind.</summary>
    public Backend Backend { get; }

    /// <summary>Threads per group of the reduction kernels (a power of two).</summary>
    public int GroupSize { get; }

    /// <summary>The most groups a reduction launch uses.</summary>
    public int MaxGroups { get; }

    /// <summary>What ran, for every result: backend and device name.</summary>
    public string Description => $"{Backend.ToString().ToLowerInvariant()}: {Accelerator.Name}";

    /// <summary>
    /// Opens the requested backend. <see cref="Backend.Auto"/> picks CUDA, then OpenCL, then the CPU accelerator; a
    /// named backend that is absent or unusable is an error, never a silent fallback.
    /// </summary>
    public static ComputeDevice Open(Backend requested = Backend.Auto)
    {
        var context = CreateContext();
        try
        {
            var candidates = Describe(context).ToList();
            var order = requested == Backend.Auto ? new[] { Backend.Cuda, Backend.OpenCL, Backend.Cpu } : new[] { requested };
            foreach (var backend in order)
            {
                var match = candidates.FirstOrDefault(c => c.Info.Backend == backend && c.Info.Usable);
                if (match.Device is not null)
                    return new ComputeDevice(context, match.Device.CreateAccelerator(context), backend);
            }
            var name = requested.ToString().ToLowerInvariant();
            var unusable = candidates.Where(c => c.Info.Backend == requested && !c.Info.Usable).Select(c => c.Info.ToString()).ToList();
            throw new InputException(unusable.Count > 0
                ? $"--device {name}: no usable device ({string.Join("; ", unusable)})"
                : $"--device {name}: no such device on this machine");
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>Every accelerator ILGPU finds, usable or not, with the reason where not.</summary>
    public static IReadOnlyList<DeviceInfo> List()
    {
        using var context = CreateContext();
        return Describe(context).Select(c => c.Info).ToList();
    }

    /// <summary>Parses a --device value.</summary>
    public static Backend ParseBackend(string text) => text.ToLowerInvariant() switch
    {
        "auto" => Backend.Auto,
        "cuda" => Backend.Cuda,
        "opencl" => Backend.OpenCL,
        "cpu" => Backend.Cpu,
        _ => throw new InputException($"--device: unknown device '{text}' (expected auto, cuda, opencl or cpu)"),
    };

    public void Dispose()
    {
        Accelerator.Dispose();
        _context.Dispose();
    }

    /// <summary>
    /// CUDA devices, every OpenCL device (compatible or not, so that the unusable ones can be listed with the reason),
    /// and a small CPU accelerator: 2 multiprocessors of 2 warps of 2 threads. The CPU accelerator emulates every
    /// thread with an OS thread and every barrier with a handshake, so on a few cores a launch costs ~0.5 ms with these
    /// 8 threads against ~2 ms with ILGPU's default 16 per group; the shape still has several groups, and warps
    /// within a group, for the tests to exercise.
    /// </summary>
    private static Context CreateContext() =>
        Context.Create(builder => builder.Cuda().OpenCL(_ => true).CPU(new CPUDevice(2, 2, 2)).Math(MathMode.Default));

    private static IEnumerable<(Device Device, DeviceInfo Info)> Describe(Context context)
    {
        foreach (var device in context.Devices)
        {
            var backend = device.AcceleratorType switch
            {
                AcceleratorType.Cuda => Backend.Cuda,
                AcceleratorType.OpenCL => Backend.OpenCL,
                _ => Backend.Cpu,
            };
            // ILGPU 1.5.3 emits OpenCL C that needs the generic address space (measurements.md); a device without it
            // fails only when the first kernel compiles, so say so up front.
            string? reason = device is CLDevice cl && !cl.Capabilities.GenericAddressSpace
                ? "lacks the OpenCL generic address space that ILGPU's OpenCL backend needs"
                : device is CLDevice cl64 && !cl64.Capabilities.Float64 ? "no double-precision support" : null;
            yield return (device, new DeviceInfo(backend, device.Name, reason is null, reason));
        }
    }

    private static int LargestPowerOfTwoAtMost(int value)
    {
        int result = 1;
        while (result * 2 <= value)
            result *= 2;
        return result;
    }
}
