using System.Buffers;
using GpuEstimation.Backends;
using Microsoft.Win32.SafeHandles;
using nietras.SeparatedValues;

namespace GpuEstimation.Data;

/// <summary>
/// A CSV file's rows spread over the ranks of an MPI job (<see cref="Dataset.Spread"/>), each rank parsing only its own
/// rows' bytes: the ranks cut the data's bytes into equal ranges and count the lines that begin in each (one pass over
/// its own range, no parsing), agree on the rows and on the file (<see cref="RowSpread.Over(long, string, long)"/>), find the
/// bytes where each rank's rows begin, and parse those. Only plain files are read so: no quote, every line ended by
/// \n or \r\n, no blank line; a file that is not, or in which any rank meets a row that is not a row of numbers of the
/// header's width (the reader's errors are then those of a whole read), is read whole by every rank, as one process
/// reads it, with its messages.
/// </summary>
internal static class CsvRanges
{
    private const int BufferBytes = 1 << 20;

    /// <summary>
    /// The numeric <paramref name="columns"/> of this rank's rows (in runs of <paramref name="unit"/> rows; fields split by <paramref name="separator"/>, each row's
    /// values by <paramref name="parse"/>), in columns of the file's length; null where the file is read whole instead
    /// (one process, or a file that is not plain). Every rank must call it.
    /// </summary>
    public static Dataset? Read(string path, IReadOnlyList<string> columns, long unit, Sep separator, RowValues parse)
    {
        if (RowCollective.Current is not { Size: > 1 } ranks)
            return null;
        long length = new FileInfo(path).Length;
        using var file = File.OpenHandle(path, options: FileOptions.RandomAccess);
        long header = HeaderBytes(file, length);
        // This rank's bytes of the data: its lines are those that begin there.
        long from = header < 0 ? length : header + (length - header) * ranks.Rank / ranks.Size;
        long to = header < 0 ? length : header + (length - header) * (ranks.Rank + 1) / ranks.Size;
        var (lines, plain, _) = Scan(file, length, from, to, []);
        var all = ranks.EachRank(lines);
        if (ranks.EachRank(plain && header >= 0 ? 1 : 0).Any(p => p == 0))
            return null;
        long rows = (long)all.Sum();
        if (rows == 0 || rows > Array.MaxLength)
            return null;
        var spread = RowSpread.Over(rows, path, unit)!;

        // Where each rank's rows begin: the rank whose range holds that line finds it.
        var before = new long[ranks.Size + 1];
        for (int r = 0; r < ranks.Size; r++)
            before[r + 1] = before[r] + (long)all[r];
        var bounds = Enumerable.Range(0, ranks.Size + 1).Select(r => ranks.RowStart(r, rows, unit)).ToArray();
        var mine = bounds.Select(row => row >= before[ranks.Rank] && row < before[ranks.Rank + 1] ? row - before[ranks.Rank] : -1).ToArray();
        // The second look at the range stops at its last boundary line (none: no look).
        long[] targets = [.. mine.Where(k => k >= 0)];
        var found = targets.Length == 0 ? [] : Scan(file, length, from, to, targets).Offsets;
        var offsets = new long[bounds.Length];
        for (int b = 0, k = 0; b < bounds.Length; b++)
        {
            long own = mine[b] >= 0 ? found[k++] : 0;
            int owner = Enumerable.Range(0, ranks.Size).First(r => bounds[b] >= before[r] && bounds[b] < before[r + 1] || r == ranks.Size - 1);
            offsets[b] = bounds[b] == 0 ? header : bounds[b] == rows ? length : (long)ranks.EachRank(own)[owner];
        }

        // This rank's rows parsed into columns of the file's length (the other rows never written: memory not taken).
        var data = columns.Select(_ => spread.Allocate((int)rows)).ToArray();
        long first = spread.First, count = spread.End - spread.First;
        bool good = ParseRange(path, offsets[ranks.Rank], offsets[ranks.Rank + 1], separator, parse, data, first, count);
        if (ranks.EachRank(good ? 1 : 0).Any(g => g == 0))
            return null;
        return new Dataset(columns.Select((name, c) => KeyValuePair.Create(name, (ReadOnlyMemory<double>)data[c])), path,
            index => $"line {index + 2}", spread: spread);
    }

    /// <summary>A row's wanted values, or null where the row is not a row of finite numbers of the header's width.</summary>
    public delegate double[]? RowValues(SepReader.Row row);

    // The header line's bytes with its line end; −1 where it has a quote or a \r but before its \n (the reader ends a
    // line there: the rest would be a row), the file is UTF-16, or it has no line end in its first MiB.
    private static long HeaderBytes(SafeFileHandle file, long length)
    {
        var buffer = new byte[(int)Math.Min(BufferBytes, length)];
        int read = RandomAccess.Read(file, buffer, 0);
        var bytes = buffer.AsSpan(0, read);
        int end = bytes.IndexOf((byte)'\n');
        // UTF-16 text (its byte-order mark), whose line ends are two bytes, is read whole.
        if (end < 0 || bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
            return -1;
        var line = bytes[..end].EndsWith((byte)'\r') ? bytes[..(end - 1)] : bytes[..end];
        return line.Contains((byte)'"') || line.Contains((byte)'\r') ? -1 : end + 1;
    }

    /// <summary>
    /// The lines that begin in [from, to) (a line begins after a \n), whether those bytes are plain (no quote, no \r but
    /// before \n, no blank line), and the offsets at which the <paramref name="targets"/>-th of those lines (from 0,
    /// ascending) begin. With targets, it stops once it has found them all (the lines and plainness then cover only the
    /// bytes looked at).
    /// </summary>
    private static (long Lines, bool Plain, long[] Offsets) Scan(SafeFileHandle file, long length, long from, long to, long[] targets)
    {
        var offsets = new long[targets.Length];
        if (from >= to)
            return (0, true, offsets);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes + 2);
        try
        {
            long lines = 0;
            int next = 0;
            bool plain = true;
            // Bytes from − 1 … to, the one before the range (is the first byte a line's first?) and one after (what a
            // \n or \r at the range's end is followed by).
            for (long at = from - 1; at < to && plain && (targets.Length == 0 || next < targets.Length); at += BufferBytes)
            {
                int want = (int)Math.Min(BufferBytes + 1, Math.Min(to + 1, length) - at);
                int read = RandomAccess.Read(file, buffer.AsSpan(0, want), at);
                var bytes = buffer.AsSpan(0, read);
                int inRange = (int)Math.Min(BufferBytes, to - at);
                if (bytes[..Math.Min(inRange, read)].Contains((byte)'"'))
                    plain = false;
                for (int i = 0; i < Math.Min(inRange, read) && plain; i++)
                {
                    byte b = bytes[i];
                    byte after = i + 1 < read ? bytes[i + 1] : (byte)'\n';
                    if (b == (byte)'\r' && after != (byte)'\n')
                        plain = false;
                    else if (b == (byte)'\n' && at + i + 1 < to)
                    {
                        // A line begins at at + i + 1, in the range; a blank one (\n or \r\n at once) is not plain.
                        if (at + i + 1 < length && (after == (byte)'\n' || after == (byte)'\r'))
                            plain = false;
                        while (next < targets.Length && targets[next] == lines)
                            offsets[next++] = at + i + 1;
                        lines++;
                    }
                }
            }
            return (lines, plain, offsets);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Bytes [begin, end) parsed as rows first … first + count − 1 into the columns; false where a row is not plain
    // numbers of the header's width or the rows are not `count`.
    private static bool ParseRange(string path, long begin, long end, Sep separator, RowValues parse, Memory<double>[] data, long first, long count)
    {
        using var stream = new FileRange(path, begin, end);
        using var reader = Sep.Reader(o => o with { Sep = separator, HasHeader = false, Unescape = true, DisableColCountCheck = true }).From(stream);
        long row = 0;
        bool good = true;
        var rows = end - begin < 1 << 20 ? reader.Enumerate(r => parse(r)) : reader.ParallelEnumerate(r => parse(r));
        foreach (var values in rows)
        {
            if (values is null || row >= count)
            {
                good = false;
                break;
            }
            for (int c = 0; c < data.Length; c++)
                data[c].Span[(int)(first + row)] = values[c];
            row++;
        }
        return good && row == count;
    }

    /// <summary>Bytes [begin, end) of a file, read forward.</summary>
    private sealed class FileRange(string path, long begin, long end) : Stream
    {
        private readonly FileStream _file = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan) { Position = begin };

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => end - begin;

        public override long Position
        {
            get => _file.Position - begin;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            long left = end - _file.Position;
            return left <= 0 ? 0 : _file.Read(buffer[..(int)Math.Min(buffer.Length, left)]);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _file.Dispose();
            base.Dispose(disposing);
        }
    }
}
