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

    private RowSpread(RowCollective ranks, long rows, long unit)
    {
        if (unit < 1 || unit % Moments.SumBlock != 0)
            throw new ArgumentOutOfRangeException(nameof(unit), unit, $"the ranks' unit of rows must be a multiple of {Moments.SumBlock}, the block of the statistics' sums");
        _ranks = ranks;
        Rows = rows;
        Unit = unit;
        (First, End) = ranks.MyRows(rows, unit);
    }

    /// <summary>
    /// The spread of <paramref name="rows"/> rows over the ranks of <see cref="RowCollective.Current"/>, in runs of
    /// whole units of <paramref name="unit"/> rows (<see cref="RowCollective.RowStart"/>; by default the native backend's,
    /// <see cref="RowCollective.RowAlignment"/>; an accelerator's row block, <see cref="Engine.KernelBlocks.BlockRowsFor"/>,
    /// or a multiple of it, for ranks on accelerators); null for one process, which reads every row. Every rank must
    /// call it with the same arguments (data held in memory; a file's rows are spread by <see cref="Over(long, string, long)"/>).
    /// </summary>
    public static RowSpread? Over(long rows, long unit = RowCollective.RowAlignment) =>
        RowCollective.Current is { Size: > 1 } ranks ? new RowSpread(ranks, rows, unit) : null;

    /// <summary>The unit of rows the ranks' runs are made of (<see cref="RowCollective.RowStart"/>).</summary>
    public long Unit { get; }

    /// <summary>
    /// The unit of rows for ranks that evaluate on <paramref name="backend"/>: the native backend's
    /// <see cref="RowCollective.RowAlignment"/>, or an accelerator's largest row block (<see cref="Engine.KernelBlocks.BlockRowsFor"/>
    /// of one column, a multiple of every narrower block), whose runs the ranks' blocks then are.
    /// </summary>
    public static long UnitFor(Backends.Backend backend) =>
        backend is Backends.Backend.Native or Backends.Backend.Auto ? RowCollective.RowAlignment : Engine.KernelBlocks.BlockRowsFor(1);

    /// <summary>
    /// The spread of the <paramref name="rows"/> rows of the file at <paramref name="path"/> over the ranks (in units of
    /// <paramref name="unit"/> rows, as <see cref="Over(long, long)"/>), once the
    /// ranks have agreed that they read the same file: the rows, the file's length, its first and last
    /// <see cref="EndBytes"/> bytes (which hold a .npy header, a CSV header and a Parquet footer) and
    /// <see cref="Samples"/> samples between, compared with one collective before anything depends on the rows. A rank
    /// that opened another file (a stale copy on one node) is an <see cref="InputException"/> naming it; a copy that
    /// differs only elsewhere, at the same length, cannot be told without reading it whole, which each rank no longer
    /// does. Null for one process. Every rank must call it.
    /// </summary>
    public static RowSpread? Over(long rows, string path, long unit = RowCollective.RowAlignment)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (RowCollective.Current is not { Size: > 1 } ranks)
            return null;
        RequireSameFile(path, rows);
        return new RowSpread(ranks, rows, unit);
    }

    /// <summary>
    /// Under MPI, that every rank read the same file at <paramref name="path"/>, of <paramref name="rows"/> rows (its
    /// rows, its length, its ends and samples compared with one collective, as <see cref="Over(long, string, long)"/>
    /// does): an <see cref="InputException"/> naming the file and the rank that read another. Data read whole on every
    /// rank are compared too, so that the error names the file rather than, later, the columns' hash alone (a trial).
    /// Nothing for one process. Every rank must call it.
    /// </summary>
    public static void RequireSameFile(string path, long rows)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (RowCollective.Current is { Size: > 1 } ranks && ranks.FirstDiffering(Fingerprint(path, rows)) is { } other)
            throw new InputException($"{path}: MPI rank {other} read another file than rank 0 (its rows, its length or its bytes differ): every rank must read the same file");
    }

    /// <summary>The bytes at each end of a file that the ranks compare (<see cref="Over(long, string, long)"/>).</summary>
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
        _ranks.ExchangeChunks(values, Rows, blockRows, width, values.Length, Unit);

    /// <inheritdoc/>
    public double[] EachProcess(double own) => _ranks.EachRank(own);

    /// <summary>
    /// The rows of a run (<see cref="Runs"/>): a host-side pass over a regression's rows sums each run of this many
    /// rows on its own, then the runs' parts in order; the ranks' units are runs of it.
    /// </summary>
    public const int RunRows = RowCollective.RowAlignment;

    /// <summary>
    /// The parts of a host-side pass over <paramref name="rows"/> rows in runs of <see cref="RunRows"/>: run c's
    /// <paramref name="width"/> values at c · width, written by <paramref name="part"/>(its first row, its end, its
    /// values), the runs in parallel. The caller adds them in run order, so the total does not depend on the threads,
    /// nor on the ranks: without a <paramref name="spread"/> every run is computed; over rows spread across ranks, each
    /// rank computes the runs of its own rows and receives the others'. Every rank must call it with the same arguments.
    /// </summary>
    public static double[] Runs(RowSpread? spread, long rows, int width, RunPart part)
    {
        ArgumentNullException.ThrowIfNull(part);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (spread is not null && (spread.Rows != rows || spread.Unit % RunRows != 0))
            throw new ArgumentException($"a pass over {rows} rows in runs of {RunRows} needs a spread of those rows in units of a multiple of it, not {spread.Rows} rows in units of {spread.Unit}", nameof(spread));
        int runs = (int)((rows + RunRows - 1) / RunRows);
        var values = new double[(long)runs * width];
        long first = spread?.First ?? 0, end = spread?.End ?? rows;
        // A rank without rows (First = End, maybe inside the last ragged run) computes no run.
        int from = (int)(first / RunRows), to = first < end ? (int)((end + RunRows - 1) / RunRows) : from;
        Parallel.For(from, to, c =>
        {
            long begin = (long)c * RunRows;
            part(begin, Math.Min(rows, begin + RunRows), values.AsSpan((int)((long)c * width), width));
        });
        spread?.GatherBlocks(values, RunRows, width);
        return values;
    }

    /// <summary>A run's part of a pass (<see cref="Runs"/>): rows [from, to), its values written into <paramref name="values"/>.</summary>
    public delegate void RunPart(long from, long to, Span<double> values);

    /// <summary>
    /// The first of <paramref name="rows"/> rows that <paramref name="firstIn"/> finds (given [from, to), the first row
    /// there that it looks for, or −1), and that row's values in <paramref name="values"/>; null where there is none.
    /// Without a <paramref name="spread"/> one look over every row; over rows spread across ranks, each rank looks in its
    /// own rows, and the row and its values (read on its rank) are sent to all: every rank must call it.
    /// </summary>
    public static (long Row, double[] Values)? FirstWhere(RowSpread? spread, long rows, Func<long, long, long> firstIn, params ReadOnlyMemory<double>[] values)
    {
        ArgumentNullException.ThrowIfNull(firstIn);
        if (spread is null)
        {
            long first = firstIn(0, rows);
            return first < 0 ? null : (first, [.. values.Select(column => column.Span[(int)first])]);
        }
        long own = spread.First < spread.End ? firstIn(spread.First, spread.End) : -1;
        var found = spread.EachProcess(own);
        int rank = Array.FindIndex(found, r => r >= 0);
        if (rank < 0)
            return null;
        long row = (long)found[rank];
        return (row, [.. values.Select(column => spread.ValueAt(column, row))]);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Zeroed native memory (calloc: the system gives pages of zeros as they are first written), which lasts until the
    /// process ends, as a mapped file does (<see cref="MappedColumns"/>): no span taken from it can outlive it. So it is
    /// for the data's columns and a model's derived ones, which live as long as the data; a start's statistics of
    /// derived values take them a block at a time instead (<c>Moments.Mean(x, f)</c>).
    /// </remarks>
    public Memory<double> Allocate(int length) => new UntouchedColumn(length).Memory;

    private sealed unsafe class UntouchedColumn : System.Buffers.MemoryManager<double>
    {
        private readonly double* _values;
        private readonly int _length;

        public UntouchedColumn(int length)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(length);
            _length = length;
            _values = (double*)System.Runtime.InteropServices.NativeMemory.AllocZeroed((nuint)Math.Max(1, length), sizeof(double));
        }

        public override Span<double> GetSpan() => new(_values, _length);

        public override System.Buffers.MemoryHandle Pin(int elementIndex = 0) => new(_values + elementIndex, default, this);

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }

    /// <summary>The value of <paramref name="column"/> at <paramref name="row"/>, read on its rank and sent to all. Every rank must call it.</summary>
    public double ValueAt(ReadOnlyMemory<double> column, long row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        int owner = Enumerable.Range(0, _ranks.Size).First(r => _ranks.RowStart(r + 1, Rows, Unit) > row);
        return EachProcess(row >= First && row < End ? column.Span[(int)row] : 0)[owner];
    }
}
