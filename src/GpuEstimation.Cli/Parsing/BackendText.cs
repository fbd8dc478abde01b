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

    /// <summary>
    /// A device as <c>--device</c> takes it: a backend name, or an accelerator backend with its devices,
    /// <c>cuda:all</c> or <c>cuda:0,1</c> (indices among that backend's devices, none twice); a bad list is an error
    /// naming <paramref name="flag"/>.
    /// </summary>
    public static DeviceChoice ParseChoice(string flag, string text)
    {
        int colon = text.IndexOf(':');
        if (colon < 0)
            return new DeviceChoice(Parse(flag, text), DeviceSelection.First);
        var backend = Parse(flag, text[..colon]);
        if (backend is Backend.Auto or Backend.Native)
            throw new InputException($"{flag} {text.Trim()}: a list of devices needs cuda, opencl or cpu, not {Name(backend)}");
        var list = text[(colon + 1)..].Trim();
        if (list.Equals("all", StringComparison.OrdinalIgnoreCase))
            return new DeviceChoice(backend, DeviceSelection.Every);
        var parts = list.Split(',', StringSplitOptions.TrimEntries);
        var indices = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out indices[i]))
                throw new InputException($"{flag} {text.Trim()}: '{parts[i]}' is not a device index (expected {Name(backend)}:all or a list such as {Name(backend)}:0,1)");
        }
        try
        {
            return new DeviceChoice(backend, DeviceSelection.Of(indices));
        }
        catch (InputException e)
        {
            throw new InputException($"{flag} {text.Trim()}: {e.Message}");
        }
    }

    /// <summary>The name typed for <paramref name="backend"/> (help shows defaults this way).</summary>
    public static string Name(Backend backend) => backend == Backend.OpenCL ? "opencl" : backend.ToString().ToLowerInvariant();
}

/// <summary>A backend and which of its devices (<c>--device cuda:0,1</c>).</summary>
internal sealed record DeviceChoice(Backend Backend, DeviceSelection Selection)
{
    /// <summary>As typed: <c>cuda</c>, <c>cuda:all</c>, <c>cuda:0,1</c>.</summary>
    public override string ToString() =>
        BackendText.Name(Backend) + (Selection == DeviceSelection.First ? "" : ":" + Selection);
}
