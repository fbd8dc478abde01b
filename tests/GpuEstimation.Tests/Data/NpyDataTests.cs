using GpuEstimation.Data;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Data;

public sealed class NpyDataTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gpuest-npy").FullName;

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "npy", name);

    [Fact]
    public void ReadsNumPysFloat64Column()
    {
        var data = DataFile.Read(Fixture("f8.npy"), ["0"]);
        Assert.Equal([1.5, -2.25, 3e-300, 4e10], data.Column("0").ToArray());
    }

    [Fact]
    public void ReadsColumnsOfARowMajorIntegerTable()
    {
        var data = DataFile.Read(Fixture("i4-table.npy"), ["2", "0"]);
        Assert.Equal([3.0, 6], data.Column("2").ToArray());
        Assert.Equal([1.0, 4], data.Column("0").ToArray());
    }

    [Fact]
    public void ReadsBigEndianFloat32InFortranOrder()
    {
        var data = DataFile.Read(Fixture("f4-bigendian-fortran.npy"), ["1", "0"]);
        Assert.Equal([2.5, 4.5, 6.5], data.Column("1").ToArray());
        Assert.Equal([1.5, 3.5, 5.5], data.Column("0").ToArray());
    }

    [Fact]
    public void ReadsBoolsAsZeroAndOne() =>
        Assert.Equal([1.0, 0, 1], DataFile.Read(Fixture("bool.npy"), ["0"]).Column("0").ToArray());

    [Fact]
    public void LargeRowMajorTableSpanningManyBlocks()
    {
        // 300k rows × 3 int64 columns: several read blocks, each row's wanted column picked out.
        const int rows = 300_000;
        var values = new byte[rows * 3 * 8];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < 3; c++)
                BitConverter.TryWriteBytes(values.AsSpan((r * 3 + c) * 8, 8), (long)r * 10 + c);
        }
        var path = Write("big.npy", 1, $"{{'descr': '<i8', 'fortran_order': False, 'shape': ({rows}, 3), }}", values);
        var data = NpyData.Read(path, ["1"]);
        Assert.Equal(rows, data.Rows);
        for (int r = 0; r < rows; r += 997)
            Assert.Equal(r * 10.0 + 1, data.Column("1").Span[r]);
        Assert.Equal((rows - 1) * 10.0 + 1, data.Column("1").Span[^1]);
    }

    [Fact]
    public void VersionTwoHeader()
    {
        var path = Write("v2.npy", 2, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", NpyFile.Bytes(0.25, -8));
        Assert.Equal([0.25, -8.0], NpyData.Read(path, ["0"]).Column("0").ToArray());
    }

    [Fact]
    public void ColumnOutOfRangeNamesTheIndices()
    {
        var e = Assert.Throws<InputException>(() => DataFile.Read(Fixture("i4-table.npy"), ["x"]));
        Assert.Contains("i4-table.npy: no column 'x'", e.Message);
        Assert.Contains("named by their index: 0 to 2", e.Message);
        Assert.Throws<InputException>(() => DataFile.Read(Fixture("i4-table.npy"), ["3"]));
    }

    [Fact]
    public void TruncatedDataIsAnError()
    {
        var path = Write("short.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", NpyFile.Bytes(1, 2));
        var e = Assert.Throws<InputException>(() => NpyData.Read(path, ["0"]));
        Assert.Contains("the file ends early", e.Message);
        Assert.Contains("3 × 1 values", e.Message);
    }

    [Fact]
    public void NonFiniteValueNamesRowAndColumn()
    {
        var path = Write("nan.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", NpyFile.Bytes(1, double.NaN, 3));
        var e = Assert.Throws<InputException>(() => NpyData.Read(path, ["0"]));
        Assert.Contains("row index 1, column '0'", e.Message);
        Assert.Contains("not a finite number", e.Message);
    }

    [Fact]
    public void DropLeavesOutRowsWithANaNAndKeepsTheirIndices()
    {
        // NumPy marks a missing value NaN: a row with one in any column read is left out; rows keep NumPy's indices.
        var path = Write("nans.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4, 2), }",
            NpyFile.Bytes(10, double.NaN, 20, 2, 30, 3, double.NaN, 4));
        var data = NpyData.Read(path, ["0", "1"], MissingValues.Drop);
        Assert.Equal(2, data.DroppedRows);
        Assert.Equal([20.0, 30], data.Column("0").ToArray());
        Assert.Equal("row index 2", data.DescribeRow(1));
        Assert.Equal(1, DataFile.Read(path, ["0"], null, MissingValues.Drop).DroppedRows);
        var none = Write("all-nan.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", NpyFile.Bytes(double.NaN));
        Assert.Contains("no data rows left: each of the 1 rows has a missing value", Assert.Throws<InputException>(() => NpyData.Read(none, ["0"], MissingValues.Drop)).Message);
    }

    [Theory]
    [InlineData("{'descr': '<U4', 'fortran_order': False, 'shape': (1,), }", "'<U4' is not numeric")]
    [InlineData("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", "'<c16' is not numeric")]
    [InlineData("{'descr': '<f2', 'fortran_order': False, 'shape': (1,), }", "'<f2' is not one that is read")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1), }", "not a column or a table")]
    [InlineData("{'descr': '<f8', 'shape': (1,), }", "lacks 'descr', 'fortran_order' or 'shape'")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (0,), }", "the array has no rows")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 0), }", "the array has no columns")]
    public void UnreadableHeadersAreNamed(string header, string expected)
    {
        var path = Write("bad.npy", 1, header, NpyFile.Bytes(1));
        var e = Assert.Throws<InputException>(() => NpyData.Read(path, ["0"]));
        Assert.StartsWith(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void NotNpyAtAll()
    {
        var path = Path.Combine(_directory, "text.npy");
        File.WriteAllText(path, "x\n1\n2\n");
        var e = Assert.Throws<InputException>(() => DataFile.Read(path, ["0"]));
        Assert.Contains("not a NumPy .npy file", e.Message);
    }

    [Fact]
    public void CsvStillReadForOtherExtensions()
    {
        var path = Path.Combine(_directory, "a.csv");
        File.WriteAllText(path, "x\n1\n2\n");
        Assert.Equal([1.0, 2], DataFile.Read(path, ["x"]).Column("x").ToArray());
    }

    [Fact]
    public void StructuredDtypeIsNamedAsUnsupported()
    {
        var path = Write("record.npy", 1, "{'descr': [('a', '<f8'), ('b', '<i4')], 'fortran_order': False, 'shape': (1,), }", new byte[12]);
        var e = Assert.Throws<InputException>(() => NpyData.Read(path, ["0"]));
        Assert.StartsWith($"{path}: the array has a structured dtype (named fields), which is not supported; ", e.Message);
        Assert.Contains("plain 1-D or 2-D arrays of float, integer or bool", e.Message);
    }

    [Fact]
    public void DescribeRowNamesTheRowIndex()
    {
        var data = DataFile.Read(Fixture("f8.npy"), ["0"]);
        Assert.Equal("row index 0", data.DescribeRow(0));
        Assert.Equal("row index 3", data.DescribeRow(3));
    }

    [Fact]
    public void ValuesNearTheLargestDoubleAreReadExactly()
    {
        var path = Write("huge.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", NpyFile.Bytes(double.MaxValue, double.MinValue, 1e308));
        Assert.Equal([double.MaxValue, double.MinValue, 1e308], NpyData.Read(path, ["0"]).Column("0").ToArray());
    }

    [Fact]
    public void ShapeWhoseSizeOverflowsIsAFileThatEndsEarly()
    {
        var path = Write("overflow.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4, 4611686018427387904), }", NpyFile.Bytes(1, 2));
        var e = Assert.Throws<InputException>(() => NpyData.Read(path, ["0"]));
        Assert.Contains("the file ends early: its header promises 4 × 4611686018427387904 values", e.Message);
    }

    [Fact]
    public void RowsWiderThanABlockAreReadValueByValue()
    {
        // Two rows of 5 million uint8 values: a row is more than one read block.
        const int columns = 5_000_000;
        var values = new byte[2 * columns];
        values[0] = 7;
        values[columns - 1] = 8;
        values[columns] = 9;
        values[2 * columns - 1] = 10;
        var path = Write("wide.npy", 1, $"{{'descr': '|u1', 'fortran_order': False, 'shape': (2, {columns}), }}", values);
        var data = NpyData.Read(path, [$"{columns - 1}", "0"]);
        Assert.Equal([7.0, 9], data.Column("0").ToArray());
        Assert.Equal([8.0, 10], data.Column($"{columns - 1}").ToArray());
    }

    [Theory]
    [InlineData("array.bin")]
    [InlineData("array.csv")]
    [InlineData("array")]
    public void NpyIsKnownByItsMagicWhateverItsExtension(string name)
    {
        var path = Path.Combine(_directory, name);
        File.Copy(Fixture("i4-table.npy"), path);
        Assert.Equal([3.0, 6], DataFile.Read(path, ["2"]).Column("2").ToArray());
    }

    [Fact]
    public void BrokenNpyUnderAnotherExtensionIsNamedAsNpy()
    {
        var path = Write("broken.bin", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", NpyFile.Bytes(1));
        var e = Assert.Throws<InputException>(() => DataFile.Read(path, ["0"]));
        Assert.Contains("the file ends early", e.Message);
    }

    [Fact]
    public void DirectoryIsNamedAsSuch()
    {
        var e = Assert.Throws<InputException>(() => DataFile.Read(_directory, ["x"]));
        Assert.Equal($"{_directory}: is a directory, not a data file", e.Message);
        Assert.Throws<InputException>(() => NpyData.Read(_directory, ["0"]));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, int major, string header, byte[] data)
    {
        var path = Path.Combine(_directory, name);
        NpyFile.Write(path, major, header, data);
        return path;
    }
}
