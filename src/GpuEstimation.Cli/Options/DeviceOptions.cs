using System.CommandLine;
using GpuEstimation.Backends;
using GpuEstimation.Cli.Parsing;

namespace GpuEstimation.Cli.Options;

/// <summary>Where to compute: <c>--device</c>, <c>--threads</c> and <c>--device-memory</c>, shared by every command that computes.</summary>
internal sealed class DeviceOptions
{
    // No default value of its own: absent, the library's default applies (help names it as typed, not as the enum).
    public Option<Backend?> Device { get; } = CliOption.Single<Backend?>("--device", string.Join("|", BackendText.Names),
        "auto picks CUDA, then OpenCL, then native (all CPU cores), and native for data under 100,000 rows; cpu is ILGPU's CPU accelerator (the GPU kernels, emulated). " +
        "A named device that is absent is an error, never a fallback [default: auto]",
        (flag, text) => BackendText.Parse(flag, text));

    public Option<int?> Threads { get; } = CliOption.Single<int?>("--threads", "N",
        "worker threads of the native backend [default: one per core]; results are bit-identical whatever N",
        (flag, text) => NumberText.Count(flag, text, 1));

    public Option<long?> DeviceMemory { get; } = CliOption.Single<long?>("--device-memory", "SIZE",
        "the most accelerator memory the data may take, e.g. 256MB or 8GiB [default: the device's memory less a tenth]; " +
        "data beyond it streams through the device in row blocks, with bit-identical results. The native backend ignores it",
        (flag, text) => ByteSizeText.Parse(flag, text));

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Add(Device);
        command.Add(Threads);
        command.Add(DeviceMemory);
    }

    /// <summary>
    /// Opens the device the options name, for data of <paramref name="rows"/> rows where the command knows them. Under
    /// MPI with more than one rank, auto is the native backend and any other named backend an error.
    /// </summary>
    public ComputeDevice Open(ParseResult parse, long? rows = null)
    {
        var backend = parse.GetValue(Device);
        if (RowCollective.Current.Size > 1)
        {
            // Under MPI the ranks share the native backend's chunks; the kernel backends do not take part yet.
            if (backend is not (null or Backend.Auto or Backend.Native))
                throw new InputException($"--device {BackendText.Name(backend.Value)}: under MPI ({RowCollective.Current.Size} ranks) only the native backend is supported so far; use --device native or auto");
            backend = Backend.Native;
        }
        try
        {
            return ComputeDevice.Open(backend ?? Backend.Auto, parse.GetValue(Threads), rows, parse.GetValue(DeviceMemory));
        }
        catch (InputException e) when (backend is not null)
        {
            // An absent or unusable device: the library says what is wrong, the CLI which option asked for it.
            var option = $"--device {BackendText.Name(backend.Value)}: ";
            var library = $"device {BackendText.Name(backend.Value)}: ";
            throw new InputException(option + (e.Message.StartsWith(library, StringComparison.Ordinal) ? e.Message[library.Length..] : e.Message));
        }
    }
}
