using System.CommandLine;
using GpuEstimation.Backends;
using GpuEstimation.Cli.Parsing;

namespace GpuEstimation.Cli.Options;

/// <summary>Where to compute: <c>--device</c>, <c>--threads</c> and <c>--device-memory</c>, shared by every command that computes.</summary>
internal sealed class DeviceOptions
{
    // No default value of its own: absent, the library's default applies (help names it as typed, not as the enum).
    public Option<DeviceChoice?> Device { get; } = CliOption.Single<DeviceChoice?>("--device", string.Join("|", BackendText.Names) + "[:all|:0,1,…]",
        "auto picks CUDA, then OpenCL, then native (all CPU cores), and native for data under 100,000 rows; cpu is ILGPU's CPU accelerator (the GPU kernels, emulated). " +
        "cuda:all or cuda:0,1 shares the rows over several devices of one kind, with the bits of one device. " +
        "A named device that is absent is an error, never a fallback [default: auto]",
        (flag, text) => BackendText.ParseChoice(flag, text));

    public Option<int?> Threads { get; } = CliOption.Single<int?>("--threads", "N",
        "worker threads of the native backend [default: one per core]; results are bit-identical whatever N",
        (flag, text) => NumberText.Count(flag, text, 1));

    public Option<long?> DeviceMemory { get; } = CliOption.Single<long?>("--device-memory", "SIZE",
        "the most accelerator memory the data may take on each device, e.g. 256MiB or 8GiB [default: the device's memory less a tenth]; " +
        "data beyond it streams through the device in row blocks of at most 256MiB (so at least one block's size is needed: " +
        "256MiB always does), with bit-identical results. The native backend ignores it",
        (flag, text) => ByteSizeText.Parse(flag, text));

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Add(Device);
        command.Add(Threads);
        command.Add(DeviceMemory);
    }

    /// <summary>
    /// Under several MPI ranks, the unit of rows in whose runs each rank reads only its own rows of the data
    /// (<see cref="Data.Dataset.Spread"/>): the rows its passes evaluate, in the native backend's chunks (auto's choice
    /// under MPI) or in an accelerator's largest row blocks (<see cref="Data.RowSpread.UnitFor"/>). Null for one process. The ranks agree (one collective; every rank
    /// must ask): a rank's --device is its own, and ranks on different backends, which are refused once the devices are
    /// open, read the data whole alike first.
    /// </summary>
    public long? SpreadsRows(ParseResult parse)
    {
        var ranks = RowCollective.Current;
        if (ranks.Size == 1)
            return null;
        long unit = Data.RowSpread.UnitFor(parse.GetValue(Device)?.Backend ?? Backend.Auto);
        return ranks.FirstDiffering((ulong)unit) is null ? unit : null;
    }

    /// <summary>
    /// Opens the device the options name, for data of <paramref name="rows"/> rows where the command knows them. Under
    /// MPI with more than one rank, auto is the native backend (every rank must run the same backend, and only a named
    /// one is sure to be on every machine), and a named accelerator backend's first device is the rank's own
    /// (<see cref="DeviceSelection.OfLocalRank"/>).
    /// </summary>
    public ComputeDevice Open(ParseResult parse, long? rows = null)
    {
        var choice = parse.GetValue(Device);
        var ranks = RowCollective.Current;
        var selection = choice?.Selection ?? DeviceSelection.First;
        if (ranks.Size > 1)
        {
            if (choice is null or { Backend: Backend.Auto })
                choice = new DeviceChoice(Backend.Native, DeviceSelection.First);
            else if (choice.Backend is not Backend.Native && selection == DeviceSelection.First)
                selection = DeviceSelection.OfLocalRank(ranks.LocalRank);
        }
        ComputeDevice device;
        try
        {
            device = ComputeDevice.Open(choice?.Backend ?? Backend.Auto, selection, parse.GetValue(Threads), rows, parse.GetValue(DeviceMemory));
        }
        catch (InputException e) when (choice is not null)
        {
            // An absent or unusable device: the library says what is wrong, the CLI which option asked for it.
            var option = $"--device {choice}: ";
            var library = $"device {BackendText.Name(choice.Backend)}: ";
            throw new InputException(option + (e.Message.StartsWith(library, StringComparison.Ordinal) ? e.Message[library.Length..] : e.Message));
        }
        // An option the device opened does not use is said to be unused (an OpenCL trial: --threads 1 taken without a word).
        if (ranks.IsRoot && parse.GetValue(Threads) is not null && device.Backend != Backend.Native)
            parse.InvocationConfiguration.Error.WriteLine($"gpuest: note: --threads sets the native backend's worker threads; the {BackendText.Name(device.Backend)} device does not use it");
        if (ranks.IsRoot && parse.GetValue(DeviceMemory) is not null && device.Backend == Backend.Native)
            parse.InvocationConfiguration.Error.WriteLine("gpuest: note: --device-memory limits an accelerator's memory; the native backend reads the data in host memory and does not use it");
        // Every rank on one kind of device, checked once as each command opens its device (a trial: native on rank 0,
        // the CPU accelerator on rank 1 printed rank 0's own sums, then aborted in a collective).
        try
        {
            ranks.CheckSameDevice(device.Kind);
        }
        catch
        {
            device.Dispose();
            throw;
        }
        return device;
    }
}
