using GpuEstimation.Data;
using Xunit;

namespace GpuEstimation.Tests.Data;

public sealed class CsvDataTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gpuest-csv").FullName;

    [Fact]
    public void ReadsNamedColumnsInFileOrder()
    {
        var path = Write("a.csv", "x,y,z\n1,2,3\n4.5,-5e-3,6\n7,8,9\n");
        var data = CsvData.Read(path, ["z", "x"]);
        Assert.Equal(3, data.Rows);
        Assert.Equal([3.0, 6, 9], data.Column("z"));
        Assert.Equal([1.0, 4.5, 7], data.Column("x"));
    }

    [Fact]
    public void ReadsManyRowsInOrder()
    {
        var path = Write("big.csv", "i,v\n" + string.Concat(Enumerable.Range(0, 100_000).Select(i => $"{i},{i * 0.5}\n")));
        var data = CsvData.Read(path, ["i", "v"]);
        Assert.Equal(100_000, data.Rows);
        Assert.Equal(Enumerable.Range(0, 100_000).Select(i => (double)i), data.Column("i"));
        Assert.Equal(49_999.5, data.Column("v")[^1]);
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        var path = Path.Combine(_directory, "nope.csv");
        var e = Assert.Throws<InputException>(() => CsvData.Read(path, ["x"]));
        Assert.Equal($"{path}: file not found", e.Message);
    }

    [Fact]
    public void MissingColumnListsThePresentOnes()
    {
        var path = Write("b.csv", "alpha,beta\n1,2\n");
        var e = Assert.Throws<InputException>(() => CsvData.Read(path, ["gamma"]));
        Assert.Contains("no column 'gamma'", e.Message);
        Assert.Contains("columns present: alpha, beta", e.Message);
    }

    [Theory]
    [InlineData("abc", "'abc' is not a finite number")]
    [InlineData("NaN", "'NaN' is not a finite number")]
    [InlineData("", "'' is not a finite number")]
    [InlineData("Infinity", "'Infinity' is not a finite number")]
    public void BadCellNamesLineAndColumn(string cell, string expected)
    {
        var path = Write("c.csv", $"x,y\n1,2\n3,4\n5,{cell}\n7,8\n");
        var e = Assert.Throws<InputException>(() => CsvData.Read(path, ["x", "y"]));
        Assert.Contains("line 4", e.Message);
        Assert.Contains("column 'y'", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void HeaderOnlyIsEmpty()
    {
        var path = Write("d.csv", "x\n");
        var e = Assert.Throws<InputException>(() => CsvData.Read(path, ["x"]));
        Assert.Contains("no data rows", e.Message);
    }

    [Fact]
    public void EmptyFileIsReported()
    {
        var path = Write("e.csv", "");
        var e = Assert.Throws<InputException>(() => CsvData.Read(path, ["x"]));
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void DatasetRejectsNonFiniteValuesByRowAndColumn()
    {
        var e = Assert.Throws<InputException>(() => Dataset.FromColumns(("x", [1, double.NaN])));
        Assert.Contains("row 2, column 'x'", e.Message);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
