using GpuEstimation.Backends;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Cli;

/// <summary>
/// The command line as ranks of an MPI job, simulated in this process (<see cref="SimulatedRanks"/>; the real
/// mpirun runs are tests/mpi/run.sh's): rank 0 alone writes the output files, with one process's JSON bar the device,
/// which names the ranks; under several ranks auto is the native backend and a named accelerator each rank's own; MPI
/// is detected from the launcher's environment only.
/// </summary>
public sealed class MpiCliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gpuest-mpi").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void RankZeroAloneWritesTheJsonOfOneProcessWithTheRanksInTheDevice()
    {
        var data = Data();
        var single = Path.Combine(_directory, "single.json");
        var (code, _, error) = Gpuest.Run("fit", "--model", "studentt", "--data", data, "--column", "x", "--device", "native", "--json", single);
        Assert.True(code == 0, error);
        // Each rank asked for a file of its own name, so that a write by rank 1 would show.
        var runs = SimulatedRanks.Run(2, ranks =>
            Gpuest.Run("fit", "--model", "studentt", "--data", data, "--column", "x", "--json", Path.Combine(_directory, $"rank{ranks.Rank}.json")));
        Assert.All(runs, run => Assert.True(run.Code == 0, run.Error));
        var expected = Gpuest.JsonApartFromDevice(single, out _);
        var actual = Gpuest.JsonApartFromDevice(Path.Combine(_directory, "rank0.json"), out var device);
        Assert.StartsWith("native: ", device);
        Assert.EndsWith(", 2 MPI ranks", device);
        Assert.Equal(expected, actual);
        // Nothing from rank 1, not even a temporary file.
        Assert.Equal(["rank0.json", "single.json", "x.csv"], Directory.GetFiles(_directory).Select(f => Path.GetFileName(f)).Order().ToArray());
    }

    // A named accelerator backend: each rank its own device (ILGPU's CPU accelerator here), the JSON of one process on
    // one device bar the device, which names the ranks; an absent one is an error on every rank, exit 2.
    [Fact]
    public void UnderSeveralRanksANamedAcceleratorIsEachRanksOwnWithTheBitsOfOneProcess()
    {
        var data = Data();
        var single = Path.Combine(_directory, "single.json");
        var (code, _, error) = Gpuest.Run("fit", "--model", "studentt", "--data", data, "--column", "x", "--cov", "hc0", "--device", "cpu", "--json", single);
        Assert.True(code == 0, error);
        var runs = SimulatedRanks.Run(2, ranks =>
            Gpuest.Run("fit", "--model", "studentt", "--data", data, "--column", "x", "--cov", "hc0", "--device", "cpu", "--json", Path.Combine(_directory, $"rank{ranks.Rank}.json")));
        Assert.All(runs, run => Assert.True(run.Code == 0, run.Error));
        var expected = Gpuest.JsonApartFromDevice(single, out _);
        var actual = Gpuest.JsonApartFromDevice(Path.Combine(_directory, "rank0.json"), out var device);
        Assert.StartsWith("cpu: ", device);
        Assert.EndsWith(", 2 MPI ranks", device);
        Assert.Equal(expected, actual);
        Assert.False(File.Exists(Path.Combine(_directory, "rank1.json")));

        if (DeviceFixture.Present.Contains(Backend.Cuda))
            return;
        foreach (var (failed, output, message) in SimulatedRanks.Run(2, _ => Gpuest.Run("fit", "--model", "normal", "--data", data, "--column", "x", "--device", "cuda")))
        {
            Assert.Equal(2, failed);
            Assert.Equal("", output);
            Assert.Contains("--device cuda: no such device on this machine", message);
        }
    }

    // A Gaussian mixture's --assign: the responsibilities are a pass the ranks share, so every rank computes them before
    // rank 0 writes (a trial's mpirun -np 2 hung: rank 0 computed them inside the write, waiting for rank 1); the file is
    // one process's.
    [Fact]
    public void AGaussianMixturesAssignmentsUnderRanksAreOneProcesss()
    {
        var z = NormalSamples.Draw(3000, 63, 0, 1);
        var w = NormalSamples.Draw(3000, 64, 0, 1);
        var data = Gpuest.WriteCsv(_directory, "gm.csv", ("a", z.Select((v, i) => v + (i % 3 == 0 ? 3 : 0)).ToArray()), ("b", w));
        var single = Path.Combine(_directory, "single.csv");
        var (code, _, error) = Gpuest.Run("fit", "--model", "gaussian-mixture", "--data", data, "--x", "a,b", "--components", "2", "--device", "native", "--assign", single);
        Assert.True(code == 0, error);
        var runs = SimulatedRanks.Run(2, ranks =>
            Gpuest.Run("fit", "--model", "gaussian-mixture", "--data", data, "--x", "a,b", "--components", "2", "--assign", Path.Combine(_directory, $"rank{ranks.Rank}.csv")));
        Assert.All(runs, run => Assert.True(run.Code == 0, run.Error));
        Assert.Equal(File.ReadAllText(single), File.ReadAllText(Path.Combine(_directory, "rank0.csv")));
        Assert.False(File.Exists(Path.Combine(_directory, "rank1.csv")));
    }

    [Fact]
    public void MpiIsDetectedFromTheLaunchersEnvironmentOnly()
    {
        Assert.False(MpiRanks.Launched(_ => null));
        Assert.False(MpiRanks.Launched(name => name == "OMPI_COMM_WORLD_SIZE" ? "" : null));
        Assert.True(MpiRanks.Launched(name => name == "OMPI_COMM_WORLD_SIZE" ? "2" : null));
        Assert.True(MpiRanks.Launched(name => name == "PMI_SIZE" ? "4" : null));
        Assert.True(MpiRanks.Launched(name => name == "PMIX_RANK" ? "0" : null));
        // This test process was not started by a launcher (or the run would have loaded MPI).
        Assert.Equal(1, RowCollective.Current.Size);
    }

    // 40,000 rows: two of the native backend's chunks, one per rank.
    private string Data()
    {
        var z = NormalSamples.Draw(40_000, 61, 0, 1);
        var w = NormalSamples.Draw(40_000, 62, 0, 1);
        return Gpuest.WriteCsv(_directory, "x.csv", ("x", z.Select((v, i) => 0.3 + v / Math.Sqrt(0.3 + 0.7 * w[i] * w[i])).ToArray()));
    }
}
