using GpuEstimation.Backends;
using GpuEstimation.Kernels;

namespace GpuEstimation.Data;

/// <summary>
/// The rows of a dataset spread over the ranks of an MPI job: each rank holds columns of the whole length but reads
/// only its own rows, [<see cref="First"/>, <see cref="End"/>) (<see cref="RowCollective.MyRows"/>), the rows its native
/// passes evaluate. A file mapped into memory (<see cref="NpyData"/>) is read this way at no cost: the pages of the other
/// ranks' rows are never touched; a Parquet file's row groups that hold none of them are not read (the arrays' rows not
/// written are memory never touched). Every host-side statistic of such a dataset (a family's start, a support check)
/// reads the own rows and combines the ranks' parts with one collective, with the bits one process gives
/// (docs/design.md, "Many machines").
/// </summary>
public sealed class RowSpread : IRowSpread
{
    private readonly RowCollective _ranks;

    private RowSpread(RowCollective ranks, long rows)
    {
        _ranks = ranks;
        Rows = rows;
        (First, End) = ranks.MyRows(rows);
    }

    /// <summary>
    /// The spread of <paramref name="rows"/> rows over the ranks of <see cref="RowCollective.Current"/>; null for one
    /// process, which reads every row. Every rank must call it with the same rows (data held in memory; a file's rows
    /// are spread by <see cref="Over(long, string)"/>).
    /// </summary>
    public static RowSpread? Over(long rows) => RowCollective.Current is { Size: > 1 } ranks ? new RowSpread(ranks, rows) : null;

    /// <summary>
    /// The spread of the <paramref name="rows"/> rows of the file at <paramref name="path"/> over the ranks, once the
    /// ranks have agreed that they read the same file: the rows, the file's length, its first and last
    /// <see cref="EndBytes"/> bytes (which hold a .npy header, a CSV header and a Parquet footer) and
    /// <see cref="Samples"/> samples between, compared with one collective before anything depends on the rows. A rank
    /// that opened another file (a stale copy on one node) is an <see cref="InputException"/> naming it; a copy that
    /// differs only elsewhere, at the same length, cannot be told without reading it whole, which each rank no longer
    /// does. Null for one process. Every rank must call it.
    /// </summary>
    public static RowSpread? Over(long rows, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (RowCollective.Current is not { Size: > 1 } ranks)
            return null;
        if (ranks.FirstDiffering(Fingerprint(path, rows)) is { } other)
            throw new InputException($"{path}: MPI rank {other} read another file than rank 0 (its rows, its length or its bytes differ): every rank must read the same file");
        return new RowSpread(ranks, rows);
    }

    /// <summary>The bytes at each end of a file that the ranks compare (<see cref="Over(long, string)"/>).</summary>
    public const int EndBytes = 1 << 16;

    /// <summary>Evenly spaced samples of the file between its ends that the ranks compare too, of <see cref="SampleBytes"/> each.</summary>
    public const int Samples = 16, SampleBytes = 4096;

    // The rows, the file's length, its end bytes and its samples, hashed.
    private static ulong Fingerprint(string path, long rows)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        long length = stream.Length;
        var parts = new List<string> { $"{rows}", $"{length}" };
        void Add(long at, int bytes)
        {
            var part = new byte[(int)Math.Min(bytes, length - at)];
            stream.Position = at;
            stream.ReadExactly(part);
            parts.Add(Convert.ToBase64String(part));
        }
        Add(0, EndBytes);
        for (int k = 1; k <= Samples; k++)
            Add(length * k / (Samples + 1), SampleBytes);
        Add(Math.Max(0, length - EndBytes), EndBytes);
        return RowCollective.Hash(parts);
    }

    /// <inheritdoc/>
    public long Rows { get; }

    /// <inheritdoc/>
    public long First { get; }

    /// <inheritdoc/>
    public long End { get; }

    /// <summary>The ranks.</summary>
    public RowCollective Ranks => _ranks;

    /// <inheritdoc/>
    public void GatherBlocks(Span<double> values, int blockRows, int width) =>
        _ranks.ExchangeChunks(values, Rows, blockRows, width, values.Length);

    /// <inheritdoc/>
    public double[] EachProcess(double own)
    {
        var all = new double[_ranks.Size];
        all[_ranks.Rank] = own;
        _ranks.Exchange(all, _ranks.Size, 1, all.Length);
        return all;
    }

    /// <summary>
    /// The first row of all the ranks' rows that <paramref name="firstIn"/> finds (given [from, to), the first row there
    /// that it looks for, or −1; each rank looks in its own rows), and that row's values in <paramref name="values"/>
    /// (read on its rank and sent to all); null where no rank finds one. Every rank must call it.
    /// </summary>
    public (long Row, double[] Values)? FirstWhere(Func<long, long, long> firstIn, params ReadOnlyMemory<double>[] values)
    {
        ArgumentNullException.ThrowIfNull(firstIn);
        long own = First < End ? firstIn(First, End) : -1;
        var rows = EachProcess(own);
        int rank = Array.FindIndex(rows, r => r >= 0);
        if (rank < 0)
            return null;
        long row = (long)rows[rank];
        return (row, [.. values.Select(column => ValueAt(column, row))]);
    }

    /// <summary>The value of <paramref name="column"/> at <paramref name="row"/>, read on its rank and sent to all. Every rank must call it.</summary>
    public double ValueAt(ReadOnlyMemory<double> column, long row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        int owner = Enumerable.Range(0, _ranks.Size).First(r => _ranks.RowStart(r + 1, Rows) > row);
        return EachProcess(row >= First && row < End ? column.Span[(int)row] : 0)[owner];
    }
}
