using System.CommandLine;
using GpuEstimation.Backends;

namespace GpuEstimation.Cli.Commands;

/// <summary><c>gpuest devices</c>: the accelerators found, and why any is unusable.</summary>
internal sealed class DevicesCommand : Command
{
    public DevicesCommand() : base("devices", "The accelerators found, and why any is unusable.") =>
        SetAction(parse =>
        {
            foreach (var device in ComputeDevice.List())
                parse.InvocationConfiguration.Output.WriteLine(device.ToString());
            return GpuestApp.Ok;
        });
}
