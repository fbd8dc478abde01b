using GpuEstimation.Backends;
using Xunit;

namespace GpuEstimation.Tests.Support;

/// <summary>
/// The backends present on this machine, opened once for the whole run: ILGPU's CPU accelerator and the native
/// backend always, CUDA and OpenCL where a usable device exists. Tests that take a <see cref="Backend"/> run on each.
/// </summary>
public sealed class DeviceFixture : IDisposable
{
    private readonly Dictionary<Backend, ComputeDevice> _devices = new();

    public DeviceFixture()
    {
        _devices[Backend.Cpu] = ComputeDevice.Open(Backend.Cpu);
        foreach (var backend in Present.Where(b => b != Backend.Cpu))
            _devices[backend] = ComputeDevice.Open(backend);
    }

    /// <summary>Backends with a usable device here (the CPU accelerator first, then native).</summary>
    public static IReadOnlyList<Backend> Present { get; } = ComputeDevice.List()
        .Where(d => d.Usable)
        .Select(d => d.Backend)
        .Append(Backend.Cpu)
        .Append(Backend.Native)
        .Distinct()
        .OrderBy(b => b switch { Backend.Cpu => 0, Backend.Native => 1, _ => 2 })
        .ToList();

    /// <summary>For [Theory, MemberData(nameof(DeviceFixture.Backends), MemberType = typeof(DeviceFixture))].</summary>
    public static IEnumerable<object[]> Backends => Present.Select(b => new object[] { b });

    public ComputeDevice this[Backend backend] => _devices[backend];

    public ComputeDevice Cpu => _devices[Backend.Cpu];

    public ComputeDevice Native => _devices[Backend.Native];

    public void Dispose()
    {
        foreach (var device in _devices.Values)
            device.Dispose();
    }
}

/// <summary>Tests that use accelerators share one set of devices and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class DeviceCollection : ICollectionFixture<DeviceFixture>
{
    public const string Name = "devices";
}
