using GpuEstimation.Data;
using Xunit;

namespace GpuEstimation.Tests.Data;

/// <summary>
/// Parquet and Arrow IPC (file and stream) read through <see cref="DataFile"/>: files written here by Parquet.Net and
/// Apache.Arrow in several row groups or record batches, read back to the values written; nulls; errors.
/// </summary>
public sealed class ColumnarDataTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gpuest-columnar").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("parquet")]
    [InlineData("arrow")]
    [InlineData("arrows")]
    [InlineData("npy")]
    [InlineData("csv")]
    public void AnEmptyFileIsSaidToBeEmptyWhateverItsFormat(string extension)
    {
        var path = Path.Combine(_directory, $"empty.{extension}");
        File.WriteAllBytes(path, []);
        var e = Assert.Throws<InputException>(() => DataFile.Read(path, ["x"]));
        Assert.Equal($"{path}: the file is empty", e.Message);
        Assert.Equal($"{path}: the file is empty", Assert.Throws<InputException>(() => DataFile.ColumnNames(path)).Message);
    }

    // A pipe given as the data (/dev/stdin fed by one, a shell's <(...)) was "the file is empty": it is said to be a
    // pipe. The read end of an anonymous pipe, opened by its /proc path while this process holds the write end.
    [Fact]
    public void APipeIsSaidToBeAPipe()
    {
        if (!OperatingSystem.IsLinux())
            return;
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);
        var path = $"/proc/self/fd/{pipe.ClientSafePipeHandle.DangerousGetHandle()}";
        pipe.Write("x\n1\n2\n"u8);
        var e = Assert.Throws<InputException>(() => DataFile.Read(path, ["x"]));
        Assert.StartsWith($"{path}: a pipe, not a file", e.Message);
    }

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "columnar", name);

    /// <summary>A table written as <paramref name="format"/> (parquet, arrow, arrows), <paramref name="part"/> rows a row group or batch.</summary>
    private string Write(string format, int part, params (string Name, System.Array Values)[] columns)
    {
        var path = Path.Combine(_directory, $"t{Guid.NewGuid():N}.{format}");
        return format == "parquet" ? ColumnarFiles.Parquet(path, part, columns) : ColumnarFiles.Arrow(path, format == "arrows", part, columns);
    }

    public static TheoryData<string> Formats => ["parquet", "arrow", "arrows"];

    [Theory]
    [MemberData(nameof(Formats))]
    public void EveryNumericTypeReadsBackAsTheDoublesWritten(string format)
    {
        // 10 rows in parts of 3: the last part short, so slices are placed by each part's own length.
        const int rows = 10;
        var x = Enumerable.Range(0, rows).Select(r => Math.Pow(-1.5, r) * 1e-3 * (r + 0.1)).ToArray();
        var path = Write(format, 3,
            ("d", x),
            ("f", x.Select(v => (float)v).ToArray()),
            ("i8", Enumerable.Range(0, rows).Select(r => (sbyte)(r * 25 - 120)).ToArray()),
            ("u8", Enumerable.Range(0, rows).Select(r => (byte)(r * 25)).ToArray()),
            ("i16", Enumerable.Range(0, rows).Select(r => (short)(r * 6000 - 30000)).ToArray()),
            ("u16", Enumerable.Range(0, rows).Select(r => (ushort)(r * 7000)).ToArray()),
            ("i32", Enumerable.Range(0, rows).Select(r => r * 400_000_000 - 2_000_000_000).ToArray()),
            ("u32", Enumerable.Range(0, rows).Select(r => (uint)r * 450_000_000u).ToArray()),
            ("i64", Enumerable.Range(0, rows).Select(r => (r - 5) * 1_000_000_000_000_000L).ToArray()),
            ("u64", Enumerable.Range(0, rows).Select(r => (ulong)r * 2_000_000_000_000_000_000UL).ToArray()),
            ("b", Enumerable.Range(0, rows).Select(r => r % 3 == 0).ToArray()));
        var names = new[] { "d", "f", "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64", "b" };
        var data = DataFile.Read(path, names);
        Assert.Equal(rows, data.Rows);
        Assert.Equal(x, data.Column("d"));
        Assert.Equal(x.Select(v => (double)(float)v), data.Column("f").ToArray());
        Assert.Equal(Enumerable.Range(0, rows).Select(r => (double)(sbyte)(r * 25 - 120)), data.Column("i8").ToArray());
        Assert.Equal(Enumerable.Range(0, rows).Select(r => (double)(byte)(r * 25)), data.Column("u8").ToArray());
        Assert.Equal(Enumerable.Range(0, rows).Select(r => (double)(short)(r * 6000 - 30000)), data.Column("i16").ToArray());
        Assert.Equal(Enumerable.Range(0, rows).Select(r => (double)(ushort)(r * 7000)), data.Column("u16").ToArray());
        Assert.Equal(Enumerable.Range(0, rows).Select(r => (double)(r * 400_000_000 - 2_000_000_000)), data.Column("i32").ToArray());
        Assert.Equal(Enumerable.Range(0, rows).Select(r => (double)((uint)r * 450_000_000u)), data.Column("u32").ToArray());
        Assert.Equal(Enumerable.Range(0, rows).Select(r => (double)((r - 5) * 1_000_000_000_000_000L)), data.Column("i64").ToArray());
        Assert.Equal(Enumerable.Range(0, rows).Select(r => (double)((ulong)r * 2_000_000_000_000_000_000UL)), data.Column("u64").ToArray());
        Assert.Equal(Enumerable.Range(0, rows).Select(r => r % 3 == 0 ? 1.0 : 0.0), data.Column("b").ToArray());
        Assert.Equal(names, DataFile.ColumnNames(path));
    }

    [Fact]
    public void ParquetDecimalsAndManyRowGroupsReadInOrder()
    {
        // 40 row groups of 25 rows, read by several workers: each group lands in its own slice.
        var values = Enumerable.Range(0, 1000).Select(r => r * 0.25m - 100m).ToArray();
        var path = Write("parquet", 25, ("m", values), ("r", Enumerable.Range(0, 1000).ToArray()));
        var data = DataFile.Read(path, ["r", "m"]);
        Assert.Equal(Enumerable.Range(0, 1000).Select(r => (double)r), data.Column("r").ToArray());
        Assert.Equal(values.Select(v => (double)v), data.Column("m").ToArray());
    }

    [Theory]
    [InlineData(Parquet.CompressionMethod.None)]
    [InlineData(Parquet.CompressionMethod.Snappy)]
    [InlineData(Parquet.CompressionMethod.Gzip)]
    public void DoublesReadTheSameWhateverTheCompressionAndNulls(Parquet.CompressionMethod compression)
    {
        // Plain doubles without nulls (uncompressed or Snappy) are read from their pages directly, any other layout
        // through Parquet.Net: every one gives the values written, page by page across row groups.
        var x = Enumerable.Range(0, 5000).Select(r => Math.Sin(r) * Math.Exp(r % 50)).ToArray();
        var repeated = Enumerable.Range(0, 5000).Select(r => (double)(r % 7)).ToArray();
        var path = ColumnarFiles.Parquet(Path.Combine(_directory, $"{compression}.parquet"), 1200, compression,
            ("x", x), ("nullable", x.Select(v => (double?)v).ToArray()), ("repeated", repeated));
        var data = DataFile.Read(path, ["x", "nullable", "repeated"]);
        Assert.Equal(x, data.Column("x"));
        Assert.Equal(x, data.Column("nullable"));
        Assert.Equal(repeated, data.Column("repeated"));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void DictionaryTextIsAFactorsLevels(string format)
    {
        string?[] g = ["north", "south", "north", "east", "south", "north", "east"];
        var path = Write(format, 3, ("y", new double[] { 1, 2, 3, 4, 5, 6, 7 }), ("g", g));
        var data = DataFile.Read(path, ["y"], ["g"]);
        Assert.True(data.IsText("g"));
        Assert.Equal(g, data.TextColumn("g"));
        // Asked for as numbers, text names its first cell that is not one, as CSV does.
        var e = Assert.Throws<InputException>(() => DataFile.Read(path, ["g"]));
        Assert.Equal($"{path}: row 1, column 'g': 'north' is not a finite number", e.Message);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void TextThatIsAllNumbersIsKeptAsNumbersAsInCsv(string format)
    {
        var path = Write(format, 2, ("g", new string?[] { "1", "2.5", "1" }));
        var data = DataFile.Read(path, [], ["g"]);
        Assert.False(data.IsText("g"));
        Assert.Equal([1.0, 2.5, 1], data.Column("g").ToArray());
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void ANullIsAnErrorNamingItsRowAndColumn(string format)
    {
        // Row 5 (from 1) is null in x, row 6 in g: the first row with a null is the one named.
        var path = Write(format, 2,
            ("x", new double?[] { 1, 2, 3, 4, null, 6, 7 }),
            ("g", new string?[] { "a", "b", "a", "b", "a", null, "b" }));
        var e = Assert.Throws<InputException>(() => DataFile.Read(path, ["x"], ["g"]));
        Assert.Equal($"{path}: row 5, column 'x': the value is missing (null)", e.Message);
        e = Assert.Throws<InputException>(() => DataFile.Read(path, [], ["g"]));
        Assert.Equal($"{path}: row 6, column 'g': the value is missing (null)", e.Message);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void DropLeavesOutRowsWithANullAndCountsThem(string format)
    {
        var path = Write(format, 2,
            ("x", new double?[] { 1, 2, double.NaN, 4, null, 6, 7 }),
            ("g", new string?[] { "a", "b", "a", "b", "a", null, "b" }),
            ("z", new double?[] { null, 20, 30, 40, 50, 60, 70 }));
        var data = DataFile.Read(path, ["x"], ["g"], MissingValues.Drop);
        Assert.Equal(3, data.DroppedRows);
        Assert.Equal([1.0, 2, 4, 7], data.Column("x").ToArray());
        Assert.Equal(["a", "b", "b", "b"], data.TextColumn("g"));
        // Rows keep the file's numbers: the last kept is row 7.
        Assert.Equal("row 4", data.DescribeRow(2));
        Assert.Equal("row 7", data.DescribeRow(3));
        // Only the columns read count: z's null in row 1 drops it only when z is read.
        Assert.Equal(4, DataFile.Read(path, ["x", "z"], ["g"], MissingValues.Drop).DroppedRows);
        Assert.Equal(1, DataFile.Read(path, ["z"], null, MissingValues.Drop).DroppedRows);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void AColumnNotThereListsThoseThatAre(string format)
    {
        var path = Write(format, 2, ("x", new double[] { 1, 2 }), ("y", new double[] { 3, 4 }));
        var e = Assert.Throws<InputException>(() => DataFile.Read(path, ["w"]));
        Assert.Equal($"{path}: no column 'w'; columns present: x, y", e.Message);
    }

    [Fact]
    public void ParquetDatesAndNestedColumnsAreNamedWithTheirType()
    {
        var path = Write("parquet", 2, ("t", new[] { DateTime.UnixEpoch, DateTime.UnixEpoch }), ("x", new double[] { 1, 2 }));
        var e = Assert.Throws<InputException>(() => DataFile.Read(path, ["x", "t"]));
        Assert.Equal($"{path}: column 't' has type date/time, which is not read; columns of numbers (float, double, integers, bool, decimal) or text are", e.Message);
    }

    private sealed class Nested
    {
        public double X { get; set; }

        public int[] List { get; set; } = [];

        public Point Struct { get; set; } = new();
    }

    private sealed class Point
    {
        public double A { get; set; }
    }

    [Fact]
    public async Task ParquetListsAndStructsAreRefusedByName()
    {
        var path = Path.Combine(_directory, "nested.parquet");
        await using (var stream = File.Create(path))
            await Parquet.Serialization.ParquetSerializer.SerializeAsync(new[] { new Nested { X = 1, List = [1, 2] }, new Nested { X = 2 } }, stream);
        Assert.Equal([1.0, 2], DataFile.Read(path, ["X"]).Column("X").ToArray());
        var e = Assert.Throws<InputException>(() => DataFile.Read(path, ["List"]));
        Assert.Equal($"{path}: column 'List' is a nested column (list), which is not read; columns of numbers or text are", e.Message);
        e = Assert.Throws<InputException>(() => DataFile.Read(path, ["Struct"]));
        Assert.Equal($"{path}: column 'Struct' is a nested column (struct), which is not read; columns of numbers or text are", e.Message);
    }

    [Fact]
    public void ArrowTimestampsAreNamedWithTheirType()
    {
        var path = Write("arrow", 2, ("t", new[] { DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch }));
        var e = Assert.Throws<InputException>(() => DataFile.Read(path, ["t"]));
        Assert.Contains($"{path}: column 't' has type timestamp, which is not read", e.Message);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void CutShortOrDamagedFilesAreInputErrorsNamingTheFile(string format)
    {
        var whole = File.ReadAllBytes(Write(format, 5, ("x", Enumerable.Range(0, 20).Select(r => (double)r).ToArray()), ("g", Enumerable.Range(0, 20).Select(r => (string?)$"L{r % 3}").ToArray())));
        var cut = Path.Combine(_directory, $"cut.{format}");
        foreach (int length in new[] { 0, 3, 8, whole.Length / 3, whole.Length / 2, whole.Length - 20, whole.Length - 1 })
        {
            File.WriteAllBytes(cut, whole[..length]);
            var e = Assert.Throws<InputException>(() => DataFile.Read(cut, ["x"], ["g"]));
            Assert.StartsWith($"{cut}: ", e.Message);
        }
        // The magic and then garbage; and the right ends with garbage between.
        var random = new Random(16);
        var garbage = new byte[whole.Length];
        random.NextBytes(garbage);
        whole.AsSpan(0, 8).CopyTo(garbage);
        whole.AsSpan(whole.Length - 8).CopyTo(garbage.AsSpan(garbage.Length - 8));
        File.WriteAllBytes(cut, garbage);
        var damaged = Assert.Throws<InputException>(() => DataFile.Read(cut, ["x"], ["g"]));
        Assert.StartsWith($"{cut}: ", damaged.Message);
    }

    [Fact]
    public void FormatsAreKnownByMagicBytesWhateverTheExtension()
    {
        var parquet = Write("parquet", 2, ("x", new double[] { 1, 2, 3 }));
        var arrow = Write("arrow", 2, ("x", new double[] { 1, 2, 3 }));
        var arrows = Write("arrows", 2, ("x", new double[] { 1, 2, 3 }));
        foreach (var path in new[] { parquet, arrow, arrows })
        {
            var renamed = Path.ChangeExtension(path, ".dat");
            File.Move(path, renamed);
            Assert.Equal([1.0, 2, 3], DataFile.Read(renamed, ["x"]).Column("x").ToArray());
        }
        // The other way round, a CSV under a .parquet name (a trial): the extension decides, and the message says what the file is.
        var csv = Path.Combine(_directory, "table.parquet");
        File.WriteAllText(csv, "x\n1\n2\n");
        var e = Assert.Throws<InputException>(() => DataFile.Read(csv, ["x"]));
        Assert.Equal($"{csv}: not a Parquet file (it does not begin with PAR1; it begins with text: a CSV file under a .parquet name? rename it .csv)", e.Message);
    }

    // Corrupt files a trial made by hand: a Parquet footer length of 2³¹ − 1 was reported as out of memory (exit 1), one
    // of 5 bytes as the system's "Invalid argument", random bytes named .arrow as a stream cut short, and a damaged
    // Arrow stream by an internal exception's name. A fuzzing trial: an Arrow file of its two magic strings alone was
    // told "Non-negative number required. (Parameter 'value')", a damaged Parquet footer "Object reference not set to an
    // instance of an object": the library's words where they say nothing of the data are left out.
    [Theory]
    [InlineData("j3.parquet", new byte[] { 0x50, 0x41, 0x52, 0x31, 0xff, 0xff, 0xff, 0x7f, 0x50, 0x41, 0x52, 0x31 }, "the file cannot be read as Parquet: its footer's length (2,147,483,647 bytes) does not fit in the file (12 bytes)")]
    [InlineData("j4.parquet", new byte[] { 0x50, 0x41, 0x52, 0x31, 5, 0, 0, 0, 0x50, 0x41, 0x52, 0x31 }, "its footer's length (5 bytes) does not fit in the file (12 bytes)")]
    [InlineData("r.arrow", new byte[] { 0x12, 0x9a, 0x33, 0xc1, 0x07, 0x44, 0x90, 0, 0, 0, 0, 0 }, "not an Arrow file: it neither begins with ARROW1 (the IPC file format, Feather v2) nor with a message of the IPC stream format")]
    [InlineData("j.arrow", new byte[] { 0x41, 0x52, 0x52, 0x4f, 0x57, 0x31, 0, 0, 0x67, 0x61, 0x72, 0x62, 0x61, 0x67, 0x65, 0x41, 0x52, 0x52, 0x4f, 0x57, 0x31 }, "the file cannot be read as Arrow IPC: it is damaged, or not Arrow's")]
    [InlineData("m.arrow", new byte[] { 0x41, 0x52, 0x52, 0x4f, 0x57, 0x31, 0, 0, 0x41, 0x52, 0x52, 0x4f, 0x57, 0x31 }, "the file cannot be read as Arrow IPC: it is damaged, or not Arrow's (its metadata is inconsistent)")]
    public void CorruptColumnarFilesAreInputErrorsSayingWhat(string name, byte[] bytes, string expected)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InputException>(() => DataFile.Read(path, ["x"]));
        Assert.StartsWith($"{path}: ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain("Exception", e.Message);
    }

    // A trial: Parquet and Arrow files with two columns named x were read by the first without a word (CSV refuses a
    // header naming a column twice).
    [Fact]
    public void AColumnNamedTwiceIsRefusedInEveryFormat()
    {
        (string, System.Array) first = ("x", new double[] { 1, 2, 3 }), second = ("x", new double[] { 4, 5, 6 });
        foreach (var path in new[]
        {
            ColumnarFiles.Parquet(Path.Combine(_directory, "twice.parquet"), 3, first, second),
            ColumnarFiles.Arrow(Path.Combine(_directory, "twice.arrow"), stream: false, 3, first, second),
        })
        {
            var e = Assert.Throws<InputException>(() => DataFile.Read(path, ["x"]));
            Assert.Equal($"{path}: the file names column 'x' twice (columns 1 and 2); column names must be unique", e.Message);
        }
    }

    // A trial's damaged Arrow file: one text offset past the data (0x40000000) was an access violation that ended the
    // process (exit 134, a stack trace); the cells' bounds are now checked before they are read.
    [Fact]
    public void AnArrowTextOffsetPastItsDataIsAnInputError()
    {
        var path = Path.Combine(_directory, "offsets.arrow");
        var x = new Apache.Arrow.DoubleArray.Builder().AppendRange([1.0, 2, 3, 4, 5, 6]).Build();
        var g = new Apache.Arrow.StringArray.Builder().AppendRange(["aa", "bb", "aa", "bb", "aa", "bb"]).Build();
        var schema = new Apache.Arrow.Schema.Builder()
            .Field(f => f.Name("x").DataType(Apache.Arrow.Types.DoubleType.Default))
            .Field(f => f.Name("g").DataType(Apache.Arrow.Types.StringType.Default)).Build();
        using (var file = File.Create(path))
        using (var writer = new Apache.Arrow.Ipc.ArrowFileWriter(file, schema))
        {
            writer.WriteRecordBatch(new Apache.Arrow.RecordBatch(schema, [x, g], 6));
            writer.WriteEnd();
        }
        var bytes = File.ReadAllBytes(path);
        // The offsets 0, 2, ..., 12 as little-endian int32s; the last one moved far past the data.
        var offsets = Enumerable.Range(0, 7).SelectMany(i => BitConverter.GetBytes(2 * i)).ToArray();
        int at = bytes.AsSpan().IndexOf(offsets);
        Assert.True(at >= 0, "the offsets were not found in the file");
        BitConverter.GetBytes(0x40000000).CopyTo(bytes, at + 24);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InputException>(() => DataFile.Read(path, ["x"], ["g"]));
        Assert.Contains("the file cannot be read as Arrow IPC: it is damaged", e.Message);
        Assert.Contains("a text column's cell bounds point outside its data", e.Message);
    }

    [Fact]
    public void ParquetCppsDictionaryPagesAndNullsReadToTheirValues()
    {
        // Dictionary indices 9 bits wide and definition levels, as parquet-cpp packs them (README beside the file).
        var path = Fixture("parquet-cpp-dictionary.parquet");
        var data = DataFile.Read(path, ["x"], null, MissingValues.Drop);
        var kept = Enumerable.Range(0, 2000).Where(i => i % 13 != 5).ToArray();
        Assert.Equal(2000 - kept.Length, data.DroppedRows);
        Assert.Equal(kept.Select(i => (i * 37 % 300) * 0.5 - 20), data.Column("x").ToArray());
        Assert.Equal($"row {kept[^1] + 1}", data.DescribeRow(kept.Length - 1));
        var e = Assert.Throws<InputException>(() => DataFile.Read(path, ["x"]));
        Assert.Equal($"{path}: row 6, column 'x': the value is missing (null)", e.Message);
    }

    /// <summary>The files made by Apache's C++ Parquet writer and by apache-arrow for JavaScript (README beside them).</summary>
    [Theory]
    [InlineData("parquet-cpp.parquet", 9007199254740993.0)]
    [InlineData("arrow-js.arrow", 2147483647.0)]
    [InlineData("arrow-js.arrows", 2147483647.0)]
    public void FilesWrittenByOtherLibrariesReadToTheirValues(string name, double lastI)
    {
        var path = Fixture(name);
        Assert.Equal(["x", "i", "f", "b", "g"], DataFile.ColumnNames(path));
        var e = Assert.Throws<InputException>(() => DataFile.Read(path, ["x"]));
        Assert.Equal($"{path}: row 5, column 'x': the value is missing (null)", e.Message);

        var all = DataFile.Read(path, ["i", "f", "b"], ["g"]);
        Assert.Equal([1.0, -2, 3, 4, 5, lastI], all.Column("i").ToArray());
        Assert.Equal([0.5, -1.25, 3, (double)1e-3f, 2.5, -7], all.Column("f").ToArray());
        Assert.Equal([1.0, 0, 1, 0, 0, 1], all.Column("b").ToArray());
        Assert.Equal(["a", "b", "a", "c", "b", "a"], all.TextColumn("g"));

        var kept = DataFile.Read(path, ["x", "i"], ["g"], MissingValues.Drop);
        Assert.Equal(1, kept.DroppedRows);
        Assert.Equal([1.5, -2.25, 3e-300, 4e10, 0.125], kept.Column("x").ToArray());
        Assert.Equal(["a", "b", "a", "c", "a"], kept.TextColumn("g"));
        Assert.Equal("row 6", kept.DescribeRow(4));
    }
}
