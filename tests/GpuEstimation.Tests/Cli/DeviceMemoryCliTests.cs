using GpuEstimation.Engine;
using GpuEstimation.Tests.Support;
using Xunit;
using static GpuEstimation.Tests.Cli.Gpuest;

namespace GpuEstimation.Tests.Cli;

/// <summary>
/// <c>--device-memory</c>: a Weibull fit (L-BFGS over value-and-gradient passes) on the CPU accelerator with a tenth
/// of the data's size gives the JSON of the resident fit, bit for bit but for the timing and the device line, which
/// says how many row blocks were streamed (the engine's tests cover the other passes); bad sizes name the flag.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class DeviceMemoryCliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gpuest-device-memory").FullName;

    [Fact]
    public void StreamedFitWritesTheResidentFitsJson()
    {
        const int rows = 50_000;
        var random = new Random(8);
        // Weibull(shape 1.7, scale 2.5) by inversion.
        var x = Enumerable.Range(0, rows).Select(_ => 2.5 * Math.Pow(-Math.Log(1 - random.NextDouble()), 1 / 1.7)).ToArray();
        var data = WriteCsv(_directory, "weibull.csv", ("x", x));
        string[] fit = ["fit", "--model", "weibull", "--column", "x", "--data", data, "--device", "cpu"];
        var residentJson = Path.Combine(_directory, "resident.json");
        var streamedJson = Path.Combine(_directory, "streamed.json");

        // Blocks of 1,024 rows (49 of them), as CI can afford; 400,000 bytes of data, a tenth of them 40,000 (two device
        // buffers and two resident blocks of 8,192 bytes).
        using (KernelBlocks.Override(1024))
        {
            var resident = Run([.. fit, "--json", residentJson]);
            Assert.True(resident.Code == 0, resident.Error);
            var streamed = Run([.. fit, "--device-memory", "40KB", "--json", streamedJson]);
            Assert.True(streamed.Code == 0, streamed.Error);
            Assert.True(streamed.Output.Contains("(data streamed: 47 of 49 row blocks)"), streamed.Output);
            Assert.DoesNotContain("streamed", resident.Output);
        }

        var expected = JsonApartFromDevice(residentJson, out var residentDevice);
        var actual = JsonApartFromDevice(streamedJson, out var streamedDevice);
        Assert.Equal(expected, actual);
        Assert.Equal(residentDevice + " (data streamed: 47 of 49 row blocks)", streamedDevice);
    }

    // An OpenCL trial: --threads on an accelerator was taken without a word. Each option the device opened does not use
    // is said to be unused, on standard error; the fit goes on (exit 0), and where it is used nothing is said.
    [Fact]
    public void AnOptionTheDeviceDoesNotUseIsNoted()
    {
        var data = WriteCsv(_directory, "small.csv", ("x", [1.0, 2.5, 2.0, 4.0, 3.5]));
        string[] fit = ["fit", "--model", "normal", "--column", "x", "--data", data];
        var cpu = Run([.. fit, "--device", "cpu", "--threads", "1"]);
        Assert.True(cpu.Code == 0, cpu.Error);
        Assert.Contains("note: --threads sets the native backend's worker threads; the cpu device does not use it", cpu.Error);
        var native = Run([.. fit, "--device", "native", "--device-memory", "1GB"]);
        Assert.True(native.Code == 0, native.Error);
        Assert.Contains("note: --device-memory limits an accelerator's memory; the native backend", native.Error);
        var used = Run([.. fit, "--device", "native", "--threads", "1"]);
        Assert.True(used.Code == 0, used.Error);
        Assert.DoesNotContain("note:", used.Error);
    }

    [Theory]
    [InlineData("256MB", 256_000_000L)]
    [InlineData("8GiB", 8L << 30)]
    [InlineData("1.5 gb", 1_500_000_000L)]
    [InlineData("40KB", 40_000L)]
    [InlineData("512kb", 512_000L)]
    [InlineData("4096", 4096L)]
    [InlineData("2TiB", 2L << 40)]
    public void SizesParseInTheirUnits(string text, long bytes) =>
        Assert.Equal(bytes, GpuEstimation.Cli.Parsing.ByteSizeText.Parse("--device-memory", text));

    [Theory]
    [InlineData("1.5x", "expected an amount of memory")]
    [InlineData("MB", "expected an amount of memory")]
    [InlineData("-3MB", "must be at least one byte")]
    [InlineData("0", "must be at least one byte")]
    [InlineData("99999999999GiB", "is more memory than any machine has")]
    [InlineData("256M", "say which unit: 256MB (powers of 1000) or 256MiB (powers of 1024)")]
    [InlineData("512k", "say which unit")]
    public void BadSizesAreErrorsNamingTheFlag(string size, string message)
    {
        var data = WriteCsv(_directory, "n.csv", ("x", [1.0, 2.0, 4.0]));
        AssertBadInput(["fit", "--model", "normal", "--data", data, "--column", "x", "--device-memory", size], $"--device-memory {size}: {message}");
    }

    [Fact]
    public void ALimitBelowOneBlockIsAnErrorNamingTheFlag()
    {
        // 3,000 rows of one column in one block of 24,000 bytes: a 10 KB limit cannot hold it.
        var data = WriteCsv(_directory, "small.csv", ("x", Enumerable.Range(0, 3000).Select(i => i / 1000.0).ToArray()));
        AssertBadInput(["fit", "--model", "normal", "--data", data, "--column", "x", "--device", "cpu", "--device-memory", "10KB"],
            "--device-memory: the device memory limit (10,000 bytes) is below one row block of this data (3,000 rows of 1 column, 24,000 bytes); " +
            "the smallest limit that works is 24,000 bytes, e.g. 24KB (data of 1 column is streamed in blocks of 16,777,216 rows, so only beyond that many rows)");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
