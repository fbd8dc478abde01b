using GpuEstimation.Backends;

namespace GpuEstimation.Cli.Parsing;

/// <summary>Device names as typed (<c>auto|cuda|opencl|native|cpu</c>) to the library's <see cref="Backend"/>.</summary>
internal static class BackendText
{
    /// <summary>The accepted names, in the order help lists them.</summary>
    public static readonly IReadOnlyList<string> Names = ["auto", "cuda", "opencl", "native", "cpu"];

    /// <summary>The backend; an unknown name is an error naming <paramref name="flag"/>.</summary>
    public static Backend Parse(string flag, string text) => text.Trim().ToLowerInvariant() switch
    {
        "auto" => Backend.Auto,
        "cuda" => Backend.Cuda,
        "opencl" => Backend.OpenCL,
        "native" => Backend.Native,
        "cpu" => Backend.Cpu,
        _ => throw new InputException($"{flag}: unknown device '{text}' (expected {string.Join(", ", Names)})"),
    };

    /// <summary>The name typed for <paramref name="backend"/> (help shows defaults this way).</summary>
    public static string Name(Backend backend) => backend == Backend.OpenCL ? "opencl" : backend.ToString().ToLowerInvariant();
}
