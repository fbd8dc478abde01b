using System.CommandLine;
using GpuEstimation.Backends;

namespace GpuEstimation.Cli.Commands;

/// <summary>
/// <c>gpuest devices</c>: the accelerators found, and why any is unusable; each accelerator with its index among its
/// backend's devices, as <c>--device cuda:0,1</c> takes it.
/// </summary>
internal sealed class DevicesCommand : Command
{
    public DevicesCommand() : base("devices", "The accelerators found (with the index --device cuda:0,1 takes), and why any is unusable.") =>
        SetAction(parse =>
        {
            var counts = new Dictionary<Backend, int>();
            foreach (var device in ComputeDevice.List())
            {
                string line = device.ToString();
                if (device.Backend != Backend.Native)
                {
                    int index = counts.GetValueOrDefault(device.Backend);
                    counts[device.Backend] = index + 1;
                    var name = Parsing.BackendText.Name(device.Backend);
                    line = $"{name}:{index}{line[name.Length..]}";
                    // The CPU accelerator is one emulator, opened as many times as asked (a trial saw cpu:0 alone listed
                    // and cpu:3 accepted).
                    if (device.Backend == Backend.Cpu)
                        line += $" (ILGPU's emulator of a GPU, for testing the kernels; --device cpu:0,1,… or cpu:all opens up to {ComputeDevice.CpuAccelerators} of it)";
                }
                parse.InvocationConfiguration.Output.WriteLine(line);
            }
            // A backend with no device at all is said too (a newcomer read nothing of CUDA or OpenCL on a machine without).
            foreach (var (backend, none) in new[] { (Backend.Cuda, "no CUDA device (an NVIDIA GPU and its driver; the CUDA toolkit is not needed)"), (Backend.OpenCL, "no usable OpenCL device (an OpenCL platform whose device has doubles and the generic address space)") })
            {
                if (!counts.ContainsKey(backend))
                    parse.InvocationConfiguration.Output.WriteLine($"{Parsing.BackendText.Name(backend)}: {none}");
            }
            return GpuestApp.Ok;
        });
}
