namespace GpuEstimation.Backends;

/// <summary>
/// The processes among which the native backend shares the rows of one estimation: one process (<see cref="Single"/>,
/// the default), or the ranks of an MPI job (<see cref="MpiRanks"/>). Every native pass cuts the rows into its fixed
/// chunks and sums each chunk into a partial; rank r of N computes the partials of a contiguous run of whole chunks
/// (<see cref="Mine"/>), writes them at their places in the array of all the partials, and one collective
/// (<see cref="Exchange(Span{double}, int, long, long)"/>) fills in the other ranks' places on every rank. Every rank then adds all the partials in
/// chunk order, exactly as one process does, so the sums have the same bits for any number of ranks, and every rank
/// sees the same numbers (its optimizer stays in step with the others').
/// </summary>
/// <remarks>
/// A pass takes the collective that is <see cref="Current"/> when it is built. Each rank must make the same calls to
/// <see cref="Exchange(Span{double}, int, long, long)"/> in the same order: the ranks run the same program over the same data, so they do.
/// </remarks>
public abstract class RowCollective
{
    private static readonly AsyncLocal<RowCollective?> Scoped = new();
    private static RowCollective? s_process;

    /// <summary>One process: every chunk is its own and <see cref="Exchange(Span{double}, int, long, long)"/> does nothing.</summary>
    public static RowCollective Single { get; } = new SingleProcess();

    /// <summary>
    /// The collective of passes built now: the one set by <see cref="Use"/> in this flow of execution where there is
    /// one, else the process's (<see cref="MpiRanks.Join"/> sets it), else <see cref="Single"/>.
    /// </summary>
    public static RowCollective Current => Scoped.Value ?? s_process ?? Single;

    /// <summary>This process's rank, 0 … <see cref="Size"/> − 1.</summary>
    public abstract int Rank { get; }

    /// <summary>The number of ranks.</summary>
    public abstract int Size { get; }

    /// <summary>
    /// This rank's number among the ranks on its machine, for picking a device of its own there
    /// (<see cref="DeviceSelection.OfLocalRank"/>); where the launcher does not say, the rank itself.
    /// </summary>
    public virtual int LocalRank => Rank;

    /// <summary>Whether this is rank 0, the one that prints and writes.</summary>
    public bool IsRoot => Rank == 0;

    /// <summary>The ranks in words for a result's device description ("" for one process).</summary>
    public string Description => Size == 1 ? "" : $", {Size} MPI ranks";

    /// <summary>
    /// Makes <paramref name="collective"/> <see cref="Current"/> in this flow of execution (this thread and the tasks
    /// it starts) until the returned scope is disposed: several simulated ranks can run in one process this way.
    /// </summary>
    public static IDisposable Use(RowCollective collective)
    {
        ArgumentNullException.ThrowIfNull(collective);
        var previous = Scoped.Value;
        Scoped.Value = collective;
        return new Scope(previous);
    }

    /// <summary>Makes <paramref name="collective"/> the process's collective (null: back to <see cref="Single"/>).</summary>
    protected static void SetProcess(RowCollective? collective) => s_process = collective;

    /// <summary>
    /// This rank's units (chunks of rows, or any unit of work) out of <paramref name="units"/>: [First, End), a
    /// contiguous run; the ranks' runs partition 0 … units − 1 in rank order. Empty where there are more ranks than units.
    /// </summary>
    public (int First, int End) Mine(int units) => Part(Rank, units);

    /// <summary>
    /// The unit of the ranks' rows (<see cref="RowStart"/>): every rank's rows begin at a multiple of it, a multiple of
    /// every chunk of rows the native backend's passes sum (and of <c>Moments.SumBlock</c>), so that each chunk is one
    /// rank's whole.
    /// </summary>
    public const int RowAlignment = 1 << 15;

    /// <summary>
    /// Where rank <paramref name="rank"/>'s rows of <paramref name="rows"/> begin (rank <see cref="Size"/>: at the end):
    /// the rows in units of <paramref name="unit"/> rows (by default <see cref="RowAlignment"/>), shared out as
    /// <see cref="Part"/> shares units. Rank r evaluates rows [RowStart(r), RowStart(r + 1)) in every native pass, and a
    /// rank that reads only its own rows of a file (<see cref="Data.RowSpread"/>) reads these (in units of an
    /// accelerator's row blocks where the ranks evaluate on accelerators: <see cref="Engine.KernelBlocks"/>).
    /// </summary>
    public long RowStart(int rank, long rows, long unit = RowAlignment)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(unit, 1L);
        if (rank >= Size)
            return rows;
        int units = (int)((rows + unit - 1) / unit);
        return Math.Min(rows, Part(rank, units).First * unit);
    }

    /// <summary>This rank's rows of <paramref name="rows"/>: [<see cref="RowStart"/>(Rank), RowStart(Rank + 1)).</summary>
    public (long First, long End) MyRows(long rows, long unit = RowAlignment) => (RowStart(Rank, rows, unit), RowStart(Rank + 1, rows, unit));

    /// <summary>
    /// This rank's chunks of <paramref name="chunkRows"/> rows (a divisor of <see cref="RowAlignment"/>) out of
    /// <paramref name="rows"/>: those whose rows are its own (<see cref="MyRows"/>), [First, End).
    /// </summary>
    public (int First, int End) MineChunks(long rows, int chunkRows)
    {
        RequireDivides(chunkRows, RowAlignment);
        var (first, end) = MyRows(rows);
        return ((int)((first + chunkRows - 1) / chunkRows), (int)((end + chunkRows - 1) / chunkRows));
    }

    /// <summary>
    /// Fills, on every rank, the others' parts of <paramref name="data"/>[0, <paramref name="length"/>), where chunk c of
    /// <paramref name="chunkRows"/> rows (<see cref="MineChunks"/>; of the ranks' rows in units of <paramref name="unit"/>,
    /// which the chunk divides) wrote <paramref name="unitLength"/> values at c · unitLength. Every rank must call it
    /// with the same arguments; nothing to do for one process.
    /// </summary>
    public void ExchangeChunks(Span<double> data, long rows, int chunkRows, long unitLength, long length, long unit = RowAlignment)
    {
        if (Size == 1 || length == 0)
            return;
        RequireDivides(chunkRows, unit);
        Exchange(data, Bounds(r => Math.Min(length, (RowStart(r, rows, unit) + chunkRows - 1) / chunkRows * unitLength), length));
    }

    /// <summary>Each rank's <paramref name="own"/> value, in rank order, on every rank (one small exchange). Every rank must call it.</summary>
    public double[] EachRank(double own)
    {
        var all = new double[Size];
        all[Rank] = own;
        Exchange(all, Size, 1, all.Length);
        return all;
    }

    /// <summary>
    /// This rank's rows of the window [<paramref name="from"/>, <paramref name="from"/> + <paramref name="count"/>) of
    /// <paramref name="rows"/>, as indices into the window: [First, End).
    /// </summary>
    public (int First, int End) MineInWindow(long rows, long from, int count)
    {
        var (first, end) = MyRows(rows);
        return ((int)Math.Clamp(first - from, 0, count), (int)Math.Clamp(end - from, 0, count));
    }

    /// <summary>
    /// Fills, on every rank, the others' parts of <paramref name="data"/>: row i of the window (<see cref="MineInWindow"/>)
    /// wrote <paramref name="width"/> values at i · width. Every rank must call it with the same arguments.
    /// </summary>
    public void ExchangeWindow(Span<double> data, long rows, long from, int count, long width)
    {
        if (Size == 1 || count == 0)
            return;
        Exchange(data, Bounds(r => Math.Clamp(RowStart(r, rows) - from, 0, count) * width, count * width));
    }

    private static void RequireDivides(int chunkRows, long unit)
    {
        if (chunkRows <= 0 || unit % chunkRows != 0)
            throw new ArgumentOutOfRangeException(nameof(chunkRows), chunkRows, $"chunks of rows must divide the ranks' unit of {unit} rows");
    }

    /// <summary>
    /// Fills, on every rank, the parts of <paramref name="data"/>[0, <paramref name="length"/>) that the other ranks
    /// computed: unit u is <paramref name="data"/>[u · unitLength, min(length, (u + 1) · unitLength)), and each rank has
    /// written the units of its <see cref="Mine"/>(<paramref name="units"/>). Every rank must call it with the same
    /// arguments. Nothing to do for one process.
    /// </summary>
    public void Exchange(Span<double> data, int units, long unitLength, long length)
    {
        if (Size == 1 || units == 0 || length == 0)
            return;
        ArgumentOutOfRangeException.ThrowIfLessThan(unitLength, 1L);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, (long)data.Length);
        Exchange(data, Bounds(r => Math.Min(length, Part(r, units).First * unitLength), length));
    }

    /// <summary>
    /// Fills, on every rank, the parts of <paramref name="data"/> that the other ranks computed, where rank r has written
    /// <paramref name="data"/>[<paramref name="bounds"/>[r], <paramref name="bounds"/>[r + 1]) (Size + 1 bounds, from 0
    /// to at most the data's length, never decreasing). Every rank must call it with the same bounds. Nothing to do for
    /// one process.
    /// </summary>
    public void Exchange(Span<double> data, ReadOnlySpan<long> bounds)
    {
        if (Size == 1)
            return;
        if (bounds.Length != Size + 1 || bounds[0] != 0 || bounds[Size] > data.Length)
            throw new ArgumentException($"{Size + 1} bounds from 0 to at most {data.Length} expected", nameof(bounds));
        // Rounds of at most MaxCount doubles (a collective's counts are ints), each rank's part of the round in place.
        long length = bounds[Size];
        var counts = new int[Size];
        var displacements = new int[Size];
        for (long begin = 0; begin < length; begin += MaxCount)
        {
            long stop = Math.Min(length, begin + MaxCount);
            for (int r = 0; r < Size; r++)
            {
                if (bounds[r + 1] < bounds[r])
                    throw new ArgumentException("the bounds decrease", nameof(bounds));
                long from = Math.Clamp(bounds[r], begin, stop), to = Math.Clamp(bounds[r + 1], from, stop);
                displacements[r] = (int)(from - begin);
                counts[r] = (int)(to - from);
            }
            AllGather(data[(int)begin..(int)stop], counts, displacements);
        }
    }

    /// <summary>
    /// Under several ranks, that every rank holds the same data: the rows and a 64-bit hash of the columns' bits,
    /// gathered and compared with rank 0's. Each rank reads the file itself and evaluates its own run of the chunks, so
    /// a rank that read another copy (a stale file on one node, a different path) would otherwise give a wrong answer
    /// without a word (a trial: one value changed on rank 1, exit 0, μ matching neither file). An
    /// <see cref="InputException"/> naming the first rank that differs; nothing to do for one process.
    /// </summary>
    public virtual void CheckSameData(IReadOnlyList<ReadOnlyMemory<double>> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (Size == 1)
            return;
        long rows = columns.Count == 0 ? 0 : columns[0].Length;
        ulong hash = Hash(columns);
        // Three exact doubles a rank: the rows and the hash's two halves.
        var all = new double[3 * Size];
        all[3 * Rank] = rows;
        all[3 * Rank + 1] = hash >> 32;
        all[3 * Rank + 2] = hash & 0xFFFF_FFFFUL;
        Exchange(all, Size, 3, all.Length);
        for (int r = 1; r < Size; r++)
        {
            if (all[3 * r] != all[0])
                throw new InputException($"MPI rank {r} read {all[3 * r]:N0} rows, rank 0 {all[0]:N0}: every rank must read the same data (the same file on every node)");
            if (all[3 * r + 1] != all[1] || all[3 * r + 2] != all[2])
                throw new InputException($"MPI rank {r} read other values than rank 0 ({all[0]:N0} rows each): every rank must read the same data (the same file on every node)");
        }
    }

    /// <summary>
    /// Under several ranks, that every rank opened the same <paramref name="kind"/> of device (its backend: the native
    /// backend and each accelerator backend cut and exchange their sums differently): an
    /// <see cref="InputException"/> naming the first rank that differs; every rank must call it. Nothing to do for one process.
    /// </summary>
    public void CheckSameDevice(string kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        if (FirstDiffering(Hash([kind])) is { } other)
        {
            // Each rank's kind, sent as its backend's number, so that every rank names both (a trial: rank 1's was not said).
            var kinds = Enum.GetNames<Backend>().Select(name => name.ToLowerInvariant()).ToArray();
            var each = EachRank(Array.IndexOf(kinds, kind));
            string Named(int rank) => each[rank] >= 0 ? kinds[(int)each[rank]] : "a kind not known here";
            throw new InputException($"MPI rank {other} opened another kind of device ({Named(other)}) than rank 0 ({Named(0)}): every rank must run the same backend");
        }
    }

    /// <summary>
    /// Under several ranks, the first rank whose <paramref name="hash"/> differs from rank 0's (every rank must call it),
    /// or null where all agree; one collective of two exact doubles a rank. Nothing to do for one process.
    /// </summary>
    public int? FirstDiffering(ulong hash)
    {
        if (Size == 1)
            return null;
        var all = new double[2 * Size];
        all[2 * Rank] = hash >> 32;
        all[2 * Rank + 1] = hash & 0xFFFF_FFFFUL;
        Exchange(all, Size, 2, all.Length);
        for (int r = 1; r < Size; r++)
        {
            if (all[2 * r] != all[0] || all[2 * r + 1] != all[1])
                return r;
        }
        return null;
    }

    /// <summary>FNV-1a over <paramref name="texts"/>, each ended by a 0: the same texts give the same hash on any machine.</summary>
    public static ulong Hash(IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ulong h = Offset;
        foreach (var text in texts)
        {
            foreach (char c in text)
                h = (h ^ c) * Prime;
            h = (h ^ 0) * Prime;
        }
        return h;
    }

    // FNV-1a's 64-bit offset basis and prime.
    private const ulong Offset = 14695981039346656037UL, Prime = 1099511628211UL;

    // FNV-1a over each segment of each column's bits (segments in parallel), then over the segments' hashes in order.
    private static ulong Hash(IReadOnlyList<ReadOnlyMemory<double>> columns)
    {
        const int Segment = 1 << 20;
        ulong total = Offset;
        foreach (var column in columns)
        {
            int segments = (column.Length + Segment - 1) / Segment;
            var hashes = new ulong[segments];
            Parallel.For(0, segments, k =>
            {
                var values = column.Span.Slice(k * Segment, Math.Min(Segment, column.Length - k * Segment));
                ulong h = Offset;
                foreach (double v in values)
                    h = (h ^ (ulong)BitConverter.DoubleToInt64Bits(v)) * Prime;
                hashes[k] = h;
            });
            foreach (ulong h in hashes)
                total = (total ^ h) * Prime;
            total = (total ^ (ulong)column.Length) * Prime;
        }
        return total;
    }

    /// <summary>
    /// Size + 1 exchange bounds (<see cref="Exchange(Span{double}, ReadOnlySpan{long})"/>): rank r's part begins at
    /// <paramref name="start"/>(r) (0 for rank 0), and the last ends at <paramref name="length"/>.
    /// </summary>
    public long[] Bounds(Func<int, long> start, long length)
    {
        var bounds = new long[Size + 1];
        for (int r = 1; r < Size; r++)
            bounds[r] = start(r);
        bounds[Size] = length;
        return bounds;
    }

    /// <summary>
    /// Rank <paramref name="rank"/>'s units out of <paramref name="units"/>, as <see cref="Mine"/> gives that rank.
    /// </summary>
    public (int First, int End) Part(int rank, int units) =>
        ((int)((long)units * rank / Size), (int)((long)units * (rank + 1) / Size));

    /// <summary>The most doubles one <see cref="AllGather"/> moves (counts are ints in MPI).</summary>
    protected virtual long MaxCount => 1L << 30;

    /// <summary>
    /// The collective itself (MPI_Allgatherv in place): rank r's <paramref name="counts"/>[r] doubles at
    /// <paramref name="displacements"/>[r] in <paramref name="buffer"/>, already there on rank r, copied to the same
    /// place on every other rank.
    /// </summary>
    protected abstract void AllGather(Span<double> buffer, int[] counts, int[] displacements);

    private sealed class SingleProcess : RowCollective
    {
        public override int Rank => 0;

        public override int Size => 1;

        protected override void AllGather(Span<double> buffer, int[] counts, int[] displacements)
        {
        }
    }

    private sealed class Scope(RowCollective? previous) : IDisposable
    {
        public void Dispose() => Scoped.Value = previous;
    }
}
