using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using GpuEstimation.Backends;

namespace GpuEstimation.Cli;

/// <summary>
/// The fast-start build of gpuest is compiled ahead of time (native AOT: no JIT at start-up, a small fit in ~47 ms
/// instead of ~260 ms). It cannot generate code at run time, which ILGPU's kernels (CUDA, OpenCL, the CPU accelerator)
/// and compiled expressions (<c>--logpdf</c>, <c>--mean</c>) need; those commands it hands, with the same arguments and
/// the same standard streams, to the JIT build beside it (<see cref="ExecutableName"/>, which build/publish.sh puts
/// there) and exits with its exit code. Everything else (the native backend: every model, fit, eval, sweep, plot) it
/// runs itself. In a JIT process (<c>dotnet gpuest.dll</c>, the tests, the JIT build itself) nothing is handed on.
/// </summary>
internal static class JitHandoff
{
    /// <summary>The JIT build's executable, beside the fast-start one.</summary>
    public const string ExecutableName = "gpuest-jit";

    /// <summary>
    /// Runs the JIT build with <paramref name="args"/> where this process cannot run them; returns its exit code, or
    /// null where this process runs them itself.
    /// </summary>
    public static int? Run(string[] args)
    {
        if (RuntimeFeature.IsDynamicCodeSupported || Reason(args, GpuDriverPresent, MpiRanks.Launched()) is not { } reason)
            return null;
        var path = Path.Combine(AppContext.BaseDirectory, ExecutableName);
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"gpuest: this build runs the native backend only, and {reason} needs the JIT build, {path}, which is not there (build/publish.sh puts it beside gpuest)");
            return GpuestApp.BadInput;
        }
        var start = new ProcessStartInfo(path) { UseShellExecute = false };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>
    /// Why <paramref name="args"/> need the JIT build, in words, or null where the native backend runs them: an
    /// expression (<c>--logpdf</c>, <c>--mean</c>), a device other than native (named, or <c>auto</c> on a machine
    /// where <paramref name="gpuDriverPresent"/> finds a CUDA or OpenCL driver that auto could pick), the
    /// <c>devices</c> command, or a process an MPI launcher started.
    /// </summary>
    public static string? Reason(IReadOnlyList<string> args, Func<bool> gpuDriverPresent, bool mpi)
    {
        if (mpi)
            return "a run under MPI";
        if (args.Count > 0 && args[0] == "devices")
            return "the devices command";
        string? device = null;
        for (int i = 0; i < args.Count; i++)
        {
            var (name, value) = Split(args, i);
            if (name is "--logpdf" or "--mean")
                return $"{name} (an expression compiled at run time)";
            if (name == "--device")
                device = value;
        }
        if (device is not null && device != "auto")
            return device.StartsWith("native", StringComparison.Ordinal) ? null : $"--device {device}";
        return gpuDriverPresent() ? "--device auto on a machine with a GPU driver" : null;
    }

    // An option's name and value: "--device cuda", "--device=cuda" or "--device:cuda" (System.CommandLine takes all three).
    private static (string Name, string? Value) Split(IReadOnlyList<string> args, int i)
    {
        var arg = args[i];
        int delimiter = arg.IndexOfAny(['=', ':']);
        if (arg.StartsWith("--", StringComparison.Ordinal) && delimiter > 0)
            return (arg[..delimiter], arg[(delimiter + 1)..]);
        return (arg, i + 1 < args.Count ? args[i + 1] : null);
    }

    // A CUDA driver that loads, or an OpenCL loader with at least one platform: then auto could pick an accelerator,
    // which only the JIT build can run. (The OpenCL loader alone is common on machines without any OpenCL device.)
    private static bool GpuDriverPresent()
    {
        foreach (var cuda in OperatingSystem.IsWindows() ? ["nvcuda.dll"] : new[] { "libcuda.so.1", "libcuda.so" })
        {
            if (NativeLibrary.TryLoad(cuda, out var handle))
            {
                NativeLibrary.Free(handle);
                return true;
            }
        }
        foreach (var openCl in OperatingSystem.IsWindows() ? ["OpenCL.dll"] : new[] { "libOpenCL.so.1", "libOpenCL.so" })
        {
            if (NativeLibrary.TryLoad(openCl, out var handle))
            {
                bool platforms = OpenClPlatforms(handle) > 0;
                NativeLibrary.Free(handle);
                return platforms;
            }
        }
        return false;
    }

    // clGetPlatformIDs(0, NULL, &count): the number of OpenCL platforms the loader finds (0 where it fails).
    private static unsafe uint OpenClPlatforms(IntPtr library)
    {
        if (!NativeLibrary.TryGetExport(library, "clGetPlatformIDs", out var export))
            return 0;
        var getPlatforms = (delegate* unmanaged<uint, IntPtr*, uint*, int>)export;
        uint count = 0;
        return getPlatforms(0, null, &count) == 0 ? count : 0;
    }
}
