using System.Diagnostics;
using System.Runtime.InteropServices;
using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Engine;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Models;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Data;

/// <summary>
/// Data larger than the memory a process may use. A .npy file's columns of native doubles that lie whole in the file
/// (1-D, one column, Fortran order) are mapped into memory, not read into arrays (<see cref="MappedColumns"/>); other
/// layouts and types are read as before. A Parquet file's numeric columns beyond a size are decoded into a scratch file
/// mapped into memory (<see cref="ColumnarTable"/>), with the values of arrays. What is computed from a mapped column
/// has the bits of the same values in an array, on the native backend and the CPU accelerator, for every pass and a
/// whole fit; and a gpuest process whose managed heap is limited to a quarter of the file fits it, .npy or Parquet
/// (the .npy file in big-endian order, which must be loaded, runs out of memory under that limit).
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class LargerThanMemoryTests(DeviceFixture devices) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gpuest-mapped").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static bool IsArray(ReadOnlyMemory<double> column) => MemoryMarshal.TryGetArray(column, out _);

    private static unsafe double* Address(ReadOnlyMemory<double> column)
    {
        using var pin = column.Pin();
        return (double*)pin.Pointer;
    }

    [Fact]
    public unsafe void ContiguousNativeDoublesAreMappedOtherLayoutsRead()
    {
        var x = NormalSamples.Draw(1000, 5, 1, 2);
        var path = Path.Combine(_directory, "x.npy");
        NpyFile.Write(path, x);
        var mapped = NpyData.Read(path, ["0"]).Column("0");
        Assert.False(IsArray(mapped));
        Assert.Equal(x, mapped.ToArray());

        // Fortran order: each column whole, one after the other; both mapped, the second where the first ends.
        var fortran = Path.Combine(_directory, "fortran.npy");
        NpyFile.Write(fortran, 1, "{'descr': '<f8', 'fortran_order': True, 'shape': (3, 2), }", NpyFile.Bytes(1, 2, 3, 10, 20, 30));
        var both = NpyData.Read(fortran, ["0", "1"]);
        Assert.False(IsArray(both.Column("0")) || IsArray(both.Column("1")));
        Assert.Equal([10.0, 20, 30], both.Column("1").ToArray());
        Assert.True(Address(both.Column("1")) == Address(both.Column("0")) + 3);

        // Row-major doubles (a column strided through the rows) and big-endian doubles are read into arrays.
        var rowMajor = Path.Combine(_directory, "c.npy");
        NpyFile.Write(rowMajor, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", NpyFile.Bytes(1, 10, 2, 20, 3, 30));
        var c = NpyData.Read(rowMajor, ["1"]).Column("1");
        Assert.True(IsArray(c));
        Assert.Equal([10.0, 20, 30], c.ToArray());
        var big = Path.Combine(_directory, "big.npy");
        NpyFile.Write(big, 1, "{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", [.. NpyFile.Bytes(1.5).Reverse(), .. NpyFile.Bytes(-2).Reverse()]);
        var b = NpyData.Read(big, ["0"]).Column("0");
        Assert.True(IsArray(b));
        Assert.Equal([1.5, -2.0], b.ToArray());
    }

    // A header that leaves the data at an offset that is no multiple of 8 (NumPy pads to 64; another writer may not):
    // mapped all the same, the doubles read unaligned.
    [Fact]
    public void DataAtAnOddOffsetAreMappedToo()
    {
        var header = System.Text.Encoding.Latin1.GetBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }   \n");
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 };
        bytes.AddRange(BitConverter.GetBytes((ushort)header.Length));
        bytes.AddRange(header);
        Assert.NotEqual(0, bytes.Count % 8);
        bytes.AddRange(NpyFile.Bytes(0.5, -1.25, 3e100));
        var path = Path.Combine(_directory, "odd.npy");
        File.WriteAllBytes(path, [.. bytes]);
        var column = NpyData.Read(path, ["0"]).Column("0");
        Assert.False(IsArray(column));
        Assert.Equal([0.5, -1.25, 3e100], column.ToArray());
    }

    // Columns out of the file's order, the mapping covering only the columns read (the first and third of four).
    [Fact]
    public void FortranColumnsOutOfOrderAreMappedFromTheirOwnRange()
    {
        var path = Path.Combine(_directory, "four.npy");
        NpyFile.Write(path, 1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 4), }", NpyFile.Bytes(1, 2, 3, 4, 5, 6, 7, 8));
        var data = NpyData.Read(path, ["2", "0"]);
        Assert.Equal([5.0, 6], data.Column("2").ToArray());
        Assert.Equal([1.0, 2], data.Column("0").ToArray());
        Assert.False(IsArray(data.Column("2")));
    }

    // A mapping is never unmapped: a span taken from a column whose dataset is gone still reads the file's values after
    // collections (a finalizer that unmapped made this read freed pages and crash).
    [Fact]
    public void ASpanOutlivesItsDatasetSafely()
    {
        var x = NormalSamples.Draw(5000, 3, 0, 1);
        var path = Path.Combine(_directory, "x.npy");
        NpyFile.Write(path, x);
        var span = NpyData.Read(path, ["0"]).Column("0").Span;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.Equal(x, span.ToArray());
    }

    // Where the system will not map (here: a directory), the caller is told so and reads the file instead.
    [Fact]
    public void AMappingTheSystemRefusesIsNoMapping() => Assert.Null(MappedColumns.Map(_directory, 0, 8));

    [Fact]
    public void DropMissingMapsWhereNoRowHasANaNAndReadsWhereOneHas()
    {
        var clean = Path.Combine(_directory, "clean.npy");
        NpyFile.Write(clean, [1.0, 2, 3]);
        var data = NpyData.Read(clean, ["0"], MissingValues.Drop);
        Assert.False(IsArray(data.Column("0")));
        Assert.Equal(0, data.DroppedRows);

        var holes = Path.Combine(_directory, "holes.npy");
        NpyFile.Write(holes, [1.0, double.NaN, 3]);
        var dropped = NpyData.Read(holes, ["0"], MissingValues.Drop);
        Assert.Equal([1.0, 3], dropped.Column("0").ToArray());
        Assert.Equal([1], dropped.Dropped);
        Assert.Equal("row index 2", dropped.DescribeRow(1));
        var e = Assert.Throws<InputException>(() => NpyData.Read(holes, ["0"]));
        Assert.Contains("row index 1, column '0': value NaN is not a finite number", e.Message);
    }

    // Several native chunks and CPU-accelerator blocks: the passes read the mapping where the array case reads the array.
    [Theory]
    [InlineData(Backend.Native)]
    [InlineData(Backend.Cpu)]
    public void PassesAndFitsOverAMappedColumnHaveTheBitsOfAnArray(Backend backend)
    {
        var x = NormalSamples.Draw(70_000, 9, 2, 3);
        var path = Path.Combine(_directory, "x.npy");
        NpyFile.Write(path, x);
        var mapped = NpyData.Read(path, ["0"]);
        var held = Dataset.FromColumns(("0", x));
        var device = devices[backend];

        using (var fromFile = new LikelihoodEngine<NormalModel>(device, new NormalModel(), [mapped.Column("0")]))
        using (var fromArray = new LikelihoodEngine<NormalModel>(device, new NormalModel(), [x]))
            SameBits.AssertEqual(SameBits.Normal(fromArray, [1.9, 3.2]), SameBits.Normal(fromFile, [1.9, 3.2]));

        // Student-t: a search of several iterations, starts from the quartiles, a profile interval.
        FitResult Fit(Dataset data)
        {
            using var session = new EstimationSession(ModelCatalog.Create("studentt", data, new ModelColumns("0")), device);
            return session.Fit(new FitOptions { Profile = ["mu"] });
        }
        var expected = Fit(held);
        var actual = Fit(mapped);
        Assert.True(expected.Converged);
        Assert.Equal(expected.LogLikelihood, actual.LogLikelihood);
        Assert.Equal(expected.Parameters.Select(p => p.Estimate), actual.Parameters.Select(p => p.Estimate));
        Assert.Equal(expected.Parameters.Select(p => p.StdError), actual.Parameters.Select(p => p.StdError));
        Assert.Equal(expected.Parameters[0].Profile, actual.Parameters[0].Profile);
    }

    // The native backend reads a file's columns where they lie, in any order (columns not one after another were
    // copied into one block, which made a linear model over a mapped .npy twice its data); several arrays are copied
    // into one block, each 64-byte aligned (the vector passes run faster so), a single array is pinned where it lies.
    [Fact]
    public unsafe void NativeBackendReadsMappedColumnsInPlace()
    {
        var fortran = Path.Combine(_directory, "fortran.npy");
        NpyFile.Write(fortran, 1, "{'descr': '<f8', 'fortran_order': True, 'shape': (3, 2), }", NpyFile.Bytes(1, 2, 3, 10, 20, 30));
        var data = NpyData.Read(fortran, ["0", "1"]);
        double[] array = [7, 8, 9], other = [4, 5, 6];
        // A regression's centred copy: aligned on the pinned object heap, read where it lies.
        var centred = ColumnArrays.CentredAligned([12.0, 13, 14], 10);
        ReadOnlyMemory<double>[] columns = [data.Column("1"), array, data.Column("0"), other, centred];
        using var host = new HostColumns(columns);
        Assert.True(host.Columns[0] == Address(columns[0]) && host.Columns[2] == Address(columns[2]), "a mapped column was copied");
        Assert.True(host.Columns[4] == Address(columns[4]), "an aligned pinned column was copied");
        // Other arrays are copied into the aligned block, unless the allocator happened to put them on a 64-byte boundary.
        foreach (int c in new[] { 1, 3 })
        {
            Assert.Equal(0, (long)host.Columns[c] % 64);
            Assert.True(host.Columns[c] != Address(columns[c]) || (long)Address(columns[c]) % 64 == 0);
        }
        var rows = new GpuEstimation.Kernels.HostRows(host.Columns, 3);
        Assert.Equal([10.0, 8, 1, 6, 4], [rows[0, 0], rows[1, 1], rows[2, 0], rows[3, 2], rows[4, 2]]);
        using var single = new HostColumns([array]);
        Assert.True(single.Columns[0] == Address(array));
    }

    // 8·10⁶ doubles (64 MB) under a managed heap of 16 MB: mapped, the fit runs and gives the sample's mean and
    // standard deviation; the same values big-endian must be loaded, and that process runs out of memory, named.
    [Fact]
    public void AFileFourTimesTheHeapLimitIsFittedWithoutLoadingIt()
    {
        const int rows = 8_000_000;
        var x = NormalSamples.Draw(rows, 17, -1, 0.5);
        var little = Path.Combine(_directory, "x.npy");
        NpyFile.Write(little, x);
        var bigEndian = Path.Combine(_directory, "x-be.npy");
        var bytes = NpyFile.Bytes(x);
        for (int i = 0; i < bytes.Length; i += 8)
            Array.Reverse(bytes, i, 8);
        NpyFile.Write(bigEndian, 1, $"{{'descr': '>f8', 'fortran_order': False, 'shape': ({rows},), }}", bytes);

        FitsTheSampleUnderTheLimit(little, "0", x);

        var (failed, _, message) = Limited("fit", "--model", "normal", "--data", bigEndian, "--column", "0", "--device", "native");
        Assert.Equal(1, failed);
        Assert.Contains("gpuest: out of memory", message);
    }

    // Spilled (a limit of 0 bytes): doubles, integers and a text factor, nulls dropped or not, as the arrays give them;
    // the numeric columns one after another in the scratch file.
    [Fact]
    public unsafe void ParquetColumnsSpilledToAScratchFileEqualThoseInArrays()
    {
        int rows = 5000;
        var x = NormalSamples.Draw(rows, 21, 0, 1);
        var k = Enumerable.Range(0, rows).Select(i => i % 17).ToArray();
        var g = Enumerable.Range(0, rows).Select(i => i % 3 == 0 ? "a" : "b").ToArray();
        var holes = x.Select((v, i) => i % 1000 == 7 ? (double?)null : v).ToArray();
        var path = ColumnarFiles.Parquet(Path.Combine(_directory, "t.parquet"), 1200, ("x", x), ("k", k), ("g", g), ("h", holes));

        var held = ParquetData.Read(path, ["x", "k"], ["g"], MissingValues.Error, long.MaxValue);
        var spilled = ParquetData.Read(path, ["x", "k"], ["g"], MissingValues.Error, 0);
        Assert.True(IsArray(held.Column("x")));
        Assert.False(IsArray(spilled.Column("x")) || IsArray(spilled.Column("k")));
        Assert.True(Address(spilled.Column("k")) == Address(spilled.Column("x")) + rows);
        Assert.Equal(held.Column("x").ToArray(), spilled.Column("x").ToArray());
        Assert.Equal(held.Column("k").ToArray(), spilled.Column("k").ToArray());
        Assert.Equal(held.TextColumn("g"), spilled.TextColumn("g"));

        var heldDrop = ParquetData.Read(path, ["h", "k"], null, MissingValues.Drop, long.MaxValue);
        var spilledDrop = ParquetData.Read(path, ["h", "k"], null, MissingValues.Drop, 0);
        Assert.Equal(5, spilledDrop.DroppedRows);
        Assert.Equal(heldDrop.Column("h").ToArray(), spilledDrop.Column("h").ToArray());
        Assert.Equal(heldDrop.Dropped, spilledDrop.Dropped);
        var e = Assert.Throws<InputException>(() => ParquetData.Read(path, ["h"], null, MissingValues.Error, 0));
        Assert.Contains("row 8, column 'h': the value is missing (null)", e.Message);
    }

    // 8·10⁶ doubles in 8 row groups under a managed heap of 16 MB: spilled by the default rule (half the memory the
    // process may use), fitted, the sample's mean and standard deviation.
    [Fact]
    public void AParquetFileFourTimesTheHeapLimitIsFittedWithoutHoldingIt()
    {
        const int rows = 8_000_000;
        var x = NormalSamples.Draw(rows, 23, 4, 0.25);
        var path = ColumnarFiles.Parquet(Path.Combine(_directory, "x.parquet"), rows / 8, ("x", x));
        FitsTheSampleUnderTheLimit(path, "x", x);

        // With no scratch file to be had (TMPDIR a folder that does not exist), the error says so and how to mend it.
        var (failed, _, message) = Limited(new Dictionary<string, string> { ["TMPDIR"] = Path.Combine(_directory, "absent") },
            "fit", "--model", "normal", "--data", path, "--column", "x", "--device", "native");
        Assert.Equal(2, failed);
        Assert.Contains("x.parquet: the columns read take 64 MB, more than this process may hold in memory, and a scratch file of 64 MB in the temporary folder", message);
        Assert.Contains("(set TMPDIR to a writable folder on a disk with room)", message);
    }

    // A sweep of a few points is not refused under a small memory limit for the memory of a full tile of points.
    [Fact]
    public void ASmallSweepRunsUnderASmallHeap()
    {
        var path = Path.Combine(_directory, "small.npy");
        NpyFile.Write(path, NormalSamples.Draw(1000, 29, 0, 1));
        var (code, output, error) = Limited("sweep", "--model", "normal", "--data", path, "--column", "0", "--grid", "mu=-0.1:0.1:2", "--device", "native");
        Assert.True(code == 0, error);
        Assert.Contains("2 points", output);
    }

    // A Normal fit of column `column` of `path` in a process under the heap limit: the sample's mean and standard
    // deviation (divisor n) to 1e-12.
    private void FitsTheSampleUnderTheLimit(string path, string column, double[] x)
    {
        var json = Path.Combine(_directory, Path.GetFileName(path) + ".json");
        var (code, _, error) = Limited("fit", "--model", "normal", "--data", path, "--column", column, "--device", "native", "--json", json);
        Assert.True(code == 0, error);
        double mean = x.Average(), sd = Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / x.Length);
        using var fit = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        var estimates = fit.RootElement.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("estimate").GetDouble()).ToArray();
        Assert.Equal(mean, estimates[0], 1e-12);
        Assert.Equal(sd, estimates[1], 1e-12);
    }

    private static (int Code, string Output, string Error) Limited(params string[] args) => Limited(new Dictionary<string, string>(), args);

    private static (int Code, string Output, string Error) Limited(Dictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "gpuest.dll"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["DOTNET_GCHeapHardLimit"] = "0x1000000";
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error);
    }
}
