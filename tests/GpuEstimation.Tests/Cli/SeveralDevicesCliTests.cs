using GpuEstimation.Engine;
using GpuEstimation.Tests.Support;
using Xunit;
using static GpuEstimation.Tests.Cli.Gpuest;

namespace GpuEstimation.Tests.Cli;

/// <summary>
/// <c>--device cpu:0,1</c>: a Weibull fit with robust standard errors (score products) on two CPU accelerators, each holding half of the row blocks, writes the JSON
/// of the fit on one, bit for bit but for the timing and the device line, which names both; bad device lists are
/// errors naming the flag; <c>gpuest devices</c> gives the indices.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class SeveralDevicesCliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gpuest-several-devices").FullName;

    [Fact]
    public void FitOnTwoDevicesWritesTheJsonOfOne()
    {
        const int rows = 10_000;
        var random = new Random(21);
        // Weibull(shape 1.7, scale 2.5) by inversion.
        var x = Enumerable.Range(0, rows).Select(_ => 2.5 * Math.Pow(-Math.Log(1 - random.NextDouble()), 1 / 1.7)).ToArray();
        var data = WriteCsv(_directory, "weibull.csv", ("x", x));
        string[] fit = ["fit", "--model", "weibull", "--column", "x", "--data", data, "--cov", "robust"];
        var oneJson = Path.Combine(_directory, "one.json");
        var twoJson = Path.Combine(_directory, "two.json");

        // Blocks of 1,024 rows: 10 of them, 5 on each device.
        using (KernelBlocks.Override(1024))
        {
            var one = Run([.. fit, "--device", "cpu", "--json", oneJson]);
            Assert.True(one.Code == 0, one.Error);
            var two = Run([.. fit, "--device", "cpu:0,1", "--json", twoJson]);
            Assert.True(two.Code == 0, two.Error);
        }

        var expected = JsonApartFromDevice(oneJson, out var oneDevice);
        var actual = JsonApartFromDevice(twoJson, out var twoDevice);
        Assert.Equal(expected, actual);
        Assert.Equal(oneDevice.Replace("cpu: ", "cpu: 2 × ", StringComparison.Ordinal), twoDevice);
    }

    [Theory]
    [InlineData("cpu:x", "--device cpu:x: 'x' is not a device index")]
    [InlineData("cuda:0,0", "--device cuda:0,0: device 0 is named twice")]
    [InlineData("cpu:0,9", "--device cpu:0,9: no device 9 (this machine has 4: 0-3)")]
    [InlineData("native:all", "--device native:all: a list of devices needs cuda, opencl or cpu")]
    [InlineData("gpu:0", "--device: unknown device 'gpu'")]
    public void BadDeviceListsAreErrorsNamingTheFlag(string device, string message)
    {
        var data = WriteCsv(_directory, "n.csv", ("x", [1.0, 2.0, 4.0]));
        AssertBadInput(["fit", "--model", "normal", "--data", data, "--column", "x", "--device", device], message);
    }

    [Fact]
    public void DevicesListsEachAcceleratorWithItsIndex()
    {
        var (code, output, _) = Run(["devices"]);
        Assert.Equal(0, code);
        var lines = output.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.Contains(lines, l => l.StartsWith("cpu:0: ", StringComparison.Ordinal) && l.Contains($"cpu:all opens up to {GpuEstimation.Backends.ComputeDevice.CpuAccelerators}"));
        Assert.Contains(lines, l => l.StartsWith("native: ", StringComparison.Ordinal));
        // Each backend's accelerators numbered 0, 1, … in order.
        foreach (var backend in new[] { "cuda", "opencl", "cpu" })
        {
            var indices = lines.Where(l => l.Length > backend.Length + 1 && l.StartsWith(backend + ":", StringComparison.Ordinal) && char.IsDigit(l[backend.Length + 1]))
                .Select(l => int.Parse(l[(backend.Length + 1)..l.IndexOf(':', backend.Length + 1)], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(Enumerable.Range(0, indices.Count), indices);
            // A backend without a device says so in a line of its own (a newcomer read nothing of CUDA where there was none).
            if (indices.Count == 0 && backend != "cpu")
                Assert.Contains(lines, l => l.StartsWith($"{backend}: no ", StringComparison.Ordinal));
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
