using GpuEstimation.Backends;
using GpuEstimation.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEstimation.Engine;

/// <summary>
/// The data of a kernel evaluator on its accelerator, as fixed row blocks (docs/design.md, "Row blocks and
/// streaming"): rows [b·B, (b + 1)·B), B = <see cref="BlockRows"/>, each block packed column after column (column c of
/// block b at c·n_b in its storage, n_b its rows), so that every kernel sees a block as it used to see the whole
/// dataset. The blocks that fit the device's memory (<see cref="ComputeDevice.MemoryLimit"/>, else the accelerator's
/// memory less a margin) stay resident; the others are streamed into one or two device buffers, copied straight out of
/// the columns where those could be page-locked (<see cref="LockedColumns"/>), else packed into two page-locked host
/// buffers first, the copy of the next block on a second stream overlapping the kernels on this one.
/// <see cref="Walk(int, int)"/> visits the blocks with their data on the device; a pass launches its kernels on each (the
/// value-and-gradient pass on all the resident ones at once, <see cref="ResidentRun"/>) and writes per-(block, group)
/// partials that the host adds in block order, then group order: the same groups over the same blocks whether resident
/// or streamed, so the same bits.
/// </summary>
internal sealed class KernelBlocks : IDisposable
{
    /// <summary>The largest block: 2²⁴ rows, so that data up to ~1.7·10⁷ rows (one or two columns) is one block as before.</summary>
    public const int MaxBlockRows = 1 << 24;

    /// <summary>Bytes a block's columns may take at most (the smallest device-memory limit that streams it).</summary>
    public const long BlockBytes = 256L << 20;

    /// <summary>The smallest block the rule gives (very wide data).</summary>
    private const int MinBlockRows = 1 << 10;

    /// <summary>
    /// Bytes of the accelerator's memory left to the engine's other buffers when no limit is given: a tenth, at least
    /// 1 GiB, at most a quarter (a device reporting little memory, as some OpenCL drivers do).
    /// </summary>
    private static long Margin(long memory) => Math.Min(Math.Max(1L << 30, memory / 10), memory / 4);

    // Tests set a small block (a few thousand rows), a memory limit on a shared device, and whether streamed blocks are
    // packed even where the columns could be read as they lie, for one flow of calls (CLI runs in the same process
    // included).
    private static readonly AsyncLocal<(int BlockRows, long? MemoryLimit, bool Packed)?> s_override = new();

    private readonly Accelerator _accelerator;
    // The host columns, kept only where blocks are streamed from them.
    private readonly IReadOnlyList<ReadOnlyMemory<double>> _columns;
    private readonly int _width;
    private readonly MemoryBuffer1D<double, Stride1D.Dense>? _resident;
    private readonly MemoryBuffer1D<double, Stride1D.Dense>[] _slots = [];
    private readonly PageLockedArray1D<double>[] _staging = [];
    // The streamed rows read straight out of the columns, where they could be page-locked; else null, and the blocks are
    // packed into _staging.
    private readonly LockedColumns? _locked;
    private readonly AcceleratorStream? _copies;
    private readonly long[] _groupOffsets;
    // The first block of each rank's run, and the block count after the last.
    private readonly int[] _rankStarts;

    /// <summary>
    /// Blocks <paramref name="begin"/> … <paramref name="end"/> − 1 of the data, numbered as in the whole data, on
    /// <paramref name="accelerator"/>: one device's run (<see cref="Shards"/>; on one device of one process, all the
    /// blocks), among <paramref name="ranks"/>; <paramref name="alone"/> where it is the job's only run.
    /// </summary>
    private KernelBlocks(ComputeDevice device, Accelerator accelerator, IReadOnlyList<ReadOnlyMemory<double>> columns, long rows, int begin, int end,
        RowCollective ranks, int[] rankStarts, bool alone, LaunchShape shape)
    {
        _accelerator = accelerator;
        Ranks = ranks;
        _rankStarts = rankStarts;
        Alone = alone;
        MaxThreadsPerGroup = shape.MaxThreads;
        accelerator.Bind();
        Rows = rows;
        GroupSize = shape.GroupSize;
        MaxGroups = shape.MaxGroups;
        int width = _width = Math.Max(1, columns.Count);
        BlockRows = BlockRowsFor(width);
        Count = (int)((rows + BlockRows - 1) / BlockRows);
        Begin = begin;
        End = end;
        _groupOffsets = new long[Count + 1];
        for (int b = 0; b < Count; b++)
            _groupOffsets[b + 1] = _groupOffsets[b] + Groups(b);

        // The device buffers of streamed blocks hold the largest block: B rows, or all of them where fewer.
        long runRows = End > Begin ? First(End - 1) + RowsOf(End - 1) - First(Begin) : 0;
        int largest = (int)Math.Min(BlockRows, Math.Max(1, runRows));
        long blockBytes = (long)largest * width * sizeof(double);
        long total = runRows * width * sizeof(double);
        long? limit = s_override.Value?.MemoryLimit ?? device.MemoryLimit;
        long budget = limit ?? Math.Max(0, _accelerator.MemorySize - Margin(_accelerator.MemorySize));
        int slots = 0;
        Resident = End;
        if (total > budget)
        {
            if (budget < blockBytes)
                throw new InputException(
                    (limit is null ? $"the device's memory for data ({Size(budget)}: its memory less a margin)" : $"the device memory limit ({Size(budget)})") +
                    $" is below one row block of this data ({largest:N0} rows of {width} column{(width == 1 ? "" : "s")}, " +
                    $"{Size(blockBytes)}); the smallest limit that works is {blockBytes:N0} bytes, e.g. {AtLeast(blockBytes)} (data of {width} column{(width == 1 ? "" : "s")} " +
                    $"is streamed in blocks of {BlockRows:N0} rows, so only beyond that many rows)", "memoryLimit");
            // Two device buffers where they fit, so that the next block's copy overlaps this block's kernels; else one.
            slots = budget >= 2 * blockBytes ? 2 : 1;
            Resident = Begin + (int)Math.Min(End - Begin - 1, (budget - slots * blockBytes) / blockBytes);
        }
        _columns = slots > 0 ? columns : [];
        try
        {
            long residentRows = Resident > Begin ? First(Resident - 1) + RowsOf(Resident - 1) - First(Begin) : 0;
            _resident = _accelerator.Allocate1D<double>(Math.Max(1, residentRows * width));
            for (int b = Begin; b < Resident; b++)
            {
                long first = First(b);
                int n = RowsOf(b);
                for (int c = 0; c < columns.Count; c++)
                    _resident.View.AsContiguous().SubView((first - First(Begin)) * width + (long)c * n, n).CopyFromCPU(columns[c].Span.Slice((int)first, n));
            }
            if (slots > 0)
            {
                _slots = new MemoryBuffer1D<double, Stride1D.Dense>[slots];
                for (int s = 0; s < slots; s++)
                    _slots[s] = _accelerator.Allocate1D<double>(blockBytes / sizeof(double));
                _locked = s_override.Value?.Packed is true ? null : LockedColumns.TryLock(_accelerator, columns, First(Resident), First(End - 1) + RowsOf(End - 1) - First(Resident));
                if (_locked is null)
                    _staging = [_accelerator.AllocatePageLocked1D<double>(blockBytes / sizeof(double)),
                        _accelerator.AllocatePageLocked1D<double>(blockBytes / sizeof(double))];
                _copies = _accelerator.CreateStream();
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// The data's blocks over <paramref name="device"/>'s accelerators in contiguous runs, one per accelerator (docs/design.md,
    /// "Several devices"): with C blocks over D' = min(D, C) of the D accelerators (at least one), accelerator d
    /// holds blocks [⌊dC/D'⌋, ⌊(d + 1)C/D'⌋), each run resident or streamed under the device's memory limit. Under MPI
    /// (<see cref="RowCollective.Current"/> of several ranks) the blocks are first shared among the ranks as
    /// <see cref="RowCollective.Mine"/> shares units, and this rank's run is shared so among its accelerators (a rank
    /// without blocks holds an empty run); where each rank read only its own rows (<paramref name="spread"/>, in units of
    /// a multiple of the block, which the engine checks), a rank's blocks are those of its own rows. On failure the runs made so far are disposed.
    /// </summary>
    public static KernelBlocks[] Shards(ComputeDevice device, IReadOnlyList<ReadOnlyMemory<double>> columns, long rows, Data.RowSpread? spread = null)
    {
        var accelerators = device.Accelerators;
        var ranks = RowCollective.Current;
        int blockRows = BlockRowsFor(Math.Max(1, columns.Count));
        int count = (int)((rows + blockRows - 1) / blockRows);
        var rankStarts = Enumerable.Range(0, ranks.Size + 1).Select(r => r == ranks.Size ? count
            : spread is null ? ranks.Part(r, count).First : (int)((ranks.RowStart(r, rows, spread.Unit) + blockRows - 1) / blockRows)).ToArray();
        var (first, end) = (rankStarts[ranks.Rank], rankStarts[ranks.Rank + 1]);
        long held = end - first;
        int shards = (int)Math.Max(1, Math.Min(accelerators.Count, held));
        bool alone = shards == 1 && ranks.Size == 1;
        var shape = LaunchShape.Agreed(device, ranks);
        var result = new List<KernelBlocks>(shards);
        try
        {
            for (int d = 0; d < shards; d++)
                result.Add(new KernelBlocks(device, accelerators[d], columns, rows, first + (int)(d * held / shards), first + (int)((d + 1) * held / shards), ranks, rankStarts, alone, shape));
        }
        catch
        {
            foreach (var made in result)
                made.Dispose();
            throw;
        }
        // The streamed blocks of the whole job, for the result's device line (the same on every rank).
        var streamed = ranks.EachRank(result.Sum(r => r.Streamed));
        foreach (var run in result)
            run.StreamedInJob = (int)streamed.Sum();
        return [.. result];
    }

    /// <summary>
    /// The launch shape of every run of a job: the device's (<see cref="ComputeDevice.GroupSize"/>,
    /// <see cref="ComputeDevice.MaxGroups"/>, its first accelerator's threads per group); under MPI the smallest of each
    /// among the ranks' devices (one small exchange), so that every rank cuts the blocks into the same groups and makes
    /// the same exchanges, the bits of one device of that shape. Every rank's device must be of one type (GPU or CPU).
    /// </summary>
    private readonly record struct LaunchShape(int GroupSize, int MaxGroups, int MaxThreads)
    {
        public static LaunchShape Agreed(ComputeDevice device, RowCollective ranks)
        {
            var accelerator = device.Accelerators[0];
            var own = new LaunchShape(device.GroupSize, device.MaxGroups, accelerator.MaxNumThreadsPerGroup);
            if (ranks.Size == 1)
                return own;
            const int width = 4;
            var all = new double[width * ranks.Size];
            own.CopyTo(all.AsSpan(width * ranks.Rank), (int)accelerator.AcceleratorType);
            ranks.Exchange(all, ranks.Size, width, all.Length);
            var types = Enumerable.Range(0, ranks.Size).Select(r => (AcceleratorType)(int)all[width * r + 3]).ToArray();
            if (types.Distinct().Count() > 1)
            {
                int other = Array.FindIndex(types, t => t != types[0]);
                throw new InputException($"the MPI ranks' devices are of different kinds (rank 0: {types[0]}, rank {other}: {types[other]}): " +
                    "every rank must run the same kind of device, so that they cut the data into the same groups");
            }
            return new LaunchShape(
                Enumerable.Range(0, ranks.Size).Min(r => (int)all[width * r]),
                Enumerable.Range(0, ranks.Size).Min(r => (int)all[width * r + 1]),
                Enumerable.Range(0, ranks.Size).Min(r => (int)all[width * r + 2]));
        }

        private void CopyTo(Span<double> target, int type)
        {
            target[0] = GroupSize;
            target[1] = MaxGroups;
            target[2] = MaxThreads;
            target[3] = type;
        }
    }

    /// <summary>
    /// One <typeparamref name="TRun"/> per run of <paramref name="runs"/> (<see cref="Shards"/>), made by
    /// <paramref name="make"/> with the run's accelerator bound to this thread. Where <paramref name="takeOver"/>, each
    /// takes over its run's blocks (its Dispose disposes them), and on failure the ones made so far and the runs not yet
    /// taken over are disposed; else the blocks stay their owner's, and on failure only the ones made are disposed.
    /// </summary>
    public static TRun[] Build<TRun>(KernelBlocks[] runs, Func<KernelBlocks, TRun> make, bool takeOver = true) where TRun : IDisposable
    {
        var made = new List<TRun>(runs.Length);
        try
        {
            foreach (var blocks in runs)
            {
                blocks.Accelerator.Bind();
                made.Add(make(blocks));
            }
        }
        catch
        {
            foreach (var run in made)
                run.Dispose();
            if (takeOver)
            {
                foreach (var blocks in runs.Skip(made.Count))
                    blocks.Dispose();
            }
            throw;
        }
        return [.. made];
    }

    /// <summary>
    /// Runs <paramref name="action"/> for each of <paramref name="runs"/> (by index): inline for one, and for several on one
    /// host thread per device, its accelerator bound to the thread. A failure on any is rethrown as itself (the first).
    /// </summary>
    public static void ForEach(IReadOnlyList<KernelBlocks> runs, Action<int> action)
    {
        if (runs.Count == 1)
        {
            action(0);
            return;
        }
        try
        {
            Parallel.For(0, runs.Count, new ParallelOptions { MaxDegreeOfParallelism = runs.Count }, r =>
            {
                runs[r].Accelerator.Bind();
                action(r);
            });
        }
        catch (AggregateException e)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
    }

    /// <summary>
    /// A pass's host buffers for its per-block partials, <paramref name="perBlock"/> values a block, one per run of
    /// <paramref name="runs"/>: for the job's only run (<see cref="Alone"/>) one block's (each block read back to the
    /// start and added as it comes); else one buffer of every block's, shared by the runs, each block in its place
    /// (<see cref="PartialsAt"/>), completed by the other ranks' and added in block order once every device has run
    /// (<see cref="AddInBlockOrder"/>), so that the sums have one device's bits.
    /// </summary>
    public static double[][] HostPartials(KernelBlocks[] runs, long perBlock)
    {
        if (runs[0].Alone)
            return [new double[perBlock]];
        var all = new double[Math.Max(1, runs[0].Count) * perBlock];
        return [.. runs.Select(_ => all)];
    }

    /// <summary>Where block <paramref name="block"/>'s partials lie in its buffer of <see cref="HostPartials"/>.</summary>
    public long PartialsAt(int block, long perBlock) => Alone ? 0 : block * perBlock;

    /// <summary>
    /// Where the job has several runs, once this rank's devices have run: the other ranks' blocks' partials exchanged
    /// into <paramref name="partials"/> (a buffer of <see cref="HostPartials"/>), then <paramref name="add"/>(block) for
    /// every block of the data in order: the order one device adds them in as they come. Nothing for the only run.
    /// </summary>
    public static void AddInBlockOrder(KernelBlocks[] runs, double[] partials, long perBlock, Action<int> add)
    {
        var blocks = runs[0];
        if (blocks.Alone)
            return;
        blocks.Ranks.Exchange(partials, blocks.Ranks.Bounds(r => blocks.FirstBlockOf(r) * perBlock, (long)blocks.Count * perBlock));
        for (int block = 0; block < blocks.Count; block++)
            add(block);
    }

    /// <summary>
    /// The other ranks' parts of a per-(block, group) buffer, <paramref name="perGroup"/> values a group, each block's at
    /// its <see cref="GroupOffset"/> (the value-and-gradient pass's partials).
    /// </summary>
    public void ExchangeGroups(double[] partials, int perGroup) =>
        Ranks.Exchange(partials, Ranks.Bounds(r => _groupOffsets[FirstBlockOf(r)] * perGroup, TotalGroups * perGroup));

    /// <summary>
    /// The other ranks' parts of per-row values of rows [<paramref name="first"/>, <paramref name="first"/> +
    /// <paramref name="count"/>), <paramref name="perRow"/> values a row from <paramref name="output"/>[0]: each rank
    /// has written its blocks' rows.
    /// </summary>
    public void ExchangeRows(Span<double> output, long first, long count, int perRow) =>
        Ranks.Exchange(output, Ranks.Bounds(r => (Math.Clamp(FirstBlockOf(r) < Count ? First(FirstBlockOf(r)) : Rows, first, first + count) - first) * perRow, count * perRow));

    /// <summary>The first block of rank <paramref name="rank"/>'s run (<see cref="Count"/> for a rank after the last block).</summary>
    public int FirstBlockOf(int rank) => _rankStarts[rank];

    /// <summary>
    /// Adds to <paramref name="sums"/> one block's partials as the passes that launch <paramref name="perLaunch"/> sums at
    /// a time write them from <paramref name="at"/> on: launch j's count sums group by group from j · perLaunch · groups,
    /// each sum's partials in group order.
    /// </summary>
    public static void AddLaunches(double[] partials, long at, int groups, int total, int perLaunch, double[] sums)
    {
        for (int first = 0; first < total; first += perLaunch)
        {
            int count = Math.Min(perLaunch, total - first);
            long offset = at + (long)first * groups;
            for (int g = 0; g < groups; g++)
            {
                for (int k = 0; k < count; k++)
                    sums[first + k] += partials[offset + (long)g * count + k];
            }
        }
    }

    /// <summary>The ranks among which the data's blocks are shared (<see cref="RowCollective.Single"/> outside MPI).</summary>
    public RowCollective Ranks { get; }

    /// <summary>
    /// Whether this is the job's only run of blocks (one device of one process): a pass adds each block's partials as it
    /// reads them back, where several runs keep every block's for <see cref="AddInBlockOrder"/>.
    /// </summary>
    public bool Alone { get; }

    /// <summary>The most threads per group of the reduction launches' devices (under MPI the smallest among the ranks').</summary>
    public int MaxThreadsPerGroup { get; }

    /// <summary>The streamed blocks of every run of the job, all devices and ranks (<see cref="Streamed"/> is this run's).</summary>
    public int StreamedInJob { get; private set; }

    /// <summary>The accelerator that holds these blocks.</summary>
    public Accelerator Accelerator => _accelerator;

    /// <summary>The first block held here (0 but for the later runs of several devices or ranks).</summary>
    public int Begin { get; }

    /// <summary>One past the last block held here (<see cref="Count"/> but for the earlier runs of several devices or ranks).</summary>
    public int End { get; }

    /// <summary>The rows of every block but the last (which has the rest).</summary>
    public int BlockRows { get; }

    /// <summary>The number of blocks of the whole data (none for no rows), whether held here or not.</summary>
    public int Count { get; }

    /// <summary>Blocks <see cref="Begin"/> … Resident − 1 stay on the device; the rest of the run are streamed.</summary>
    public int Resident { get; }

    /// <summary>Whether the streamed blocks are copied straight out of the columns (else packed into page-locked buffers).</summary>
    internal bool CopiesFromColumns => _locked is not null;

    /// <summary>The number of streamed blocks.</summary>
    public int Streamed => End - Resident;

    /// <summary>All the rows.</summary>
    public long Rows { get; }

    /// <summary>Threads per group of the reduction launches (the device's; under MPI the same on every rank).</summary>
    public int GroupSize { get; }

    /// <summary>The most groups of a reduction launch.</summary>
    public int MaxGroups { get; }

    /// <summary>Groups of all the blocks' reduction launches together: the partials a pass writes per sum.</summary>
    public long TotalGroups => _groupOffsets[Count];

    /// <summary>The first row of block <paramref name="block"/>.</summary>
    public long First(int block) => (long)block * BlockRows;

    /// <summary>The rows of block <paramref name="block"/>.</summary>
    public int RowsOf(int block) => (int)Math.Min(BlockRows, Rows - First(block));

    /// <summary>Groups of block <paramref name="block"/>'s reduction launch: as many as its rows need, at most <see cref="MaxGroups"/>.</summary>
    public int Groups(int block) => (int)Math.Clamp((RowsOf(block) + GroupSize - 1L) / GroupSize, 1, MaxGroups);

    /// <summary>Groups of the blocks before <paramref name="block"/>: where its partials start, in groups.</summary>
    public long GroupOffset(int block) => _groupOffsets[block];

    /// <summary>The reduction launch of block <paramref name="block"/>.</summary>
    public KernelConfig Config(int block, GroupShape shape) => new(Groups(block), shape.GroupSize, shape.Shared);

    /// <summary>The blocks that hold rows [first, first + count).</summary>
    public (int Begin, int End) Covering(long first, long count) =>
        count <= 0 ? (0, 0) : ((int)(first / BlockRows), (int)((first + count - 1) / BlockRows) + 1);

    /// <summary>
    /// Blocks <paramref name="begin"/> … <paramref name="end"/> − 1 with their data on the device, for a pass to launch
    /// its kernels on (on the accelerator's default stream) while the next streamed block is copied. A block's data is
    /// valid until the next step of the walk.
    /// </summary>
    public Walker Walk(int begin, int end) => new(this, Math.Max(begin, Begin), Math.Min(end, End));

    /// <summary>The blocks held here (<see cref="Begin"/> … <see cref="End"/> − 1), as <see cref="Walk(int, int)"/>.</summary>
    public Walker Walk() => Walk(Begin, End);

    /// <summary>
    /// The row block size: a fixed function of the data's width (never of a memory limit, so that a streamed run
    /// launches what a resident one does): the largest power of two of at most <see cref="MaxBlockRows"/> rows whose
    /// columns take at most <see cref="BlockBytes"/>.
    /// </summary>
    public static int BlockRowsFor(int columns)
    {
        if (s_override.Value is { } values)
            return values.BlockRows;
        int result = MaxBlockRows;
        while (result > MinBlockRows && (long)result * columns * sizeof(double) > BlockBytes)
            result /= 2;
        return result;
    }

    /// <summary>
    /// For tests: blocks of <paramref name="rows"/> rows, where given <paramref name="memoryLimit"/> for every device,
    /// and where <paramref name="packed"/> streamed blocks packed into page-locked buffers (as on OpenCL) rather than
    /// copied out of the columns, in this flow of calls until the result is disposed.
    /// </summary>
    public static IDisposable Override(int rows, long? memoryLimit = null, bool packed = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        var previous = s_override.Value;
        s_override.Value = (rows, memoryLimit, packed);
        return new Restore(() => s_override.Value = previous);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    private static string Size(long bytes) => $"{bytes:N0} byte{(bytes == 1 ? "" : "s")}";

    // An amount of at least bytes as one would type it: whole MiB (2^20) or KB (1000) rounded up, or bytes.
    private static string AtLeast(long bytes) => bytes switch
    {
        >= 1L << 20 => $"{(bytes + (1L << 20) - 1) >> 20}MiB",
        >= 1000 => $"{(bytes + 999) / 1000}KB",
        _ => $"{bytes}",
    };

    /// <summary>The columns of the data: how many values a row has in a block's storage.</summary>
    public int Width => _width;

    /// <summary>
    /// The resident blocks (<see cref="Begin"/> … <see cref="Resident"/> − 1) as one launch sees them
    /// (<see cref="LikelihoodKernels.ValueAndGradientKernel"/>): their storage, one block after another; their rows; and
    /// their groups, <see cref="Groups"/> of each block (equal but for the last block of the data, which comes last).
    /// </summary>
    public (ArrayView<double> Data, long Rows, long Groups) ResidentRun()
    {
        if (Resident == Begin)
            return (default, 0, 0);
        long rows = First(Resident - 1) + RowsOf(Resident - 1) - First(Begin);
        return (_resident!.View.SubView(0, rows * _width), rows, GroupOffset(Resident) - GroupOffset(Begin));
    }

    private ArrayView<double> ResidentView(int block) =>
        _resident!.View.SubView((First(block) - First(Begin)) * _width, (long)RowsOf(block) * _width);

    private ArrayView<double> SlotView(int slot, int block) =>
        _slots[slot].View.SubView(0, (long)RowsOf(block) * _width);

    /// <summary>
    /// Packs block <paramref name="block"/> column after column into host buffer <paramref name="buffer"/> (nothing where
    /// the blocks are copied straight out of the columns).
    /// </summary>
    private void Fill(int buffer, int block)
    {
        if (_locked is not null)
            return;
        var target = _staging[buffer];
        int n = RowsOf(block), first = (int)First(block);
        // Chunks of 1M values over the columns, in parallel: a host copy at memory speed, not one core's.
        const int chunk = 1 << 20;
        int perColumn = (n + chunk - 1) / chunk;
        Parallel.For(0, _columns.Count * perColumn, i =>
        {
            int c = i / perColumn, at = i % perColumn * chunk, length = Math.Min(chunk, n - at);
            _columns[c].Span.Slice(first + at, length).CopyTo(target.Span.Slice(c * n + at, length));
        });
    }

    /// <summary>
    /// Starts copying block <paramref name="block"/> to device buffer <paramref name="slot"/> on the copy stream: out of
    /// the page-locked columns, or out of host buffer <paramref name="buffer"/>, where it was packed.
    /// </summary>
    private void Upload(int buffer, int slot, int block)
    {
        if (_locked is not null)
            _locked.Upload(_slots[slot].View, _copies!, First(block), RowsOf(block));
        else
            _slots[slot].View.CopyFromPageLockedAsync(_copies!, _staging[buffer]);
    }

    public void Dispose()
    {
        _copies?.Synchronize();
        _copies?.Dispose();
        _locked?.Dispose();
        foreach (var buffer in _staging)
            buffer?.Dispose();
        foreach (var slot in _slots)
            slot?.Dispose();
        _resident?.Dispose();
    }

    /// <summary>
    /// Visits resident blocks first, then the streamed ones in order: block k's copy (on the copy stream) overlaps the
    /// kernels on block k − 1, and where the blocks are packed the host packs block k + 1 meanwhile (<see cref="Fill"/>
    /// does nothing where they are copied out of the columns). Partials go to per-block places, so the order of the
    /// visits does not change any sum.
    /// </summary>
    internal struct Walker
    {
        private readonly KernelBlocks _blocks;
        private readonly int _end, _residentEnd, _streamBegin;
        private int _next;

        public Walker(KernelBlocks blocks, int begin, int end)
        {
            _blocks = blocks;
            _end = end;
            _residentEnd = Math.Min(end, blocks.Resident);
            _streamBegin = Math.Max(begin, blocks.Resident);
            _next = begin - 1;
            Current = default;
            if (_streamBegin < end)
            {
                // The first streamed block's copy starts now (with two device buffers), under the resident blocks' kernels.
                blocks._copies!.Synchronize();
                blocks._accelerator.DefaultStream.Synchronize();
                blocks.Fill(0, _streamBegin);
                if (blocks._slots.Length == 2)
                    blocks.Upload(0, 0, _streamBegin);
            }
        }

        public (int Block, ArrayView<double> Data) Current { get; private set; }

        public readonly Walker GetEnumerator() => this;

        public bool MoveNext()
        {
            int block = ++_next;
            if (block < _residentEnd)
            {
                Current = (block, _blocks.ResidentView(block));
                return true;
            }
            if (block < _streamBegin)
                block = _next = _streamBegin;
            if (block >= _end)
                return false;
            var blocks = _blocks;
            int k = block - _streamBegin;
            bool more = block + 1 < _end;
            if (blocks._slots.Length == 2)
            {
                // Block k's copy was started a step ago. Pack block k + 1 into the host buffer whose copy (k − 1's) has
                // ended, while the kernels on k − 1 and the copy of k run; then, once both have ended, start copying
                // k + 1 into the device buffer k − 1 had, under the kernels the caller now launches on k.
                if (more)
                    blocks.Fill((k + 1) % 2, block + 1);
                blocks._copies!.Synchronize();
                blocks._accelerator.DefaultStream.Synchronize();
                if (more)
                    blocks.Upload((k + 1) % 2, (k + 1) % 2, block + 1);
                Current = (block, blocks.SlotView(k % 2, block));
            }
            else
            {
                // One device buffer: its copy waits for the kernels on the block before; the host packs the next
                // block meanwhile.
                blocks._accelerator.DefaultStream.Synchronize();
                blocks.Upload(k % 2, 0, block);
                if (more)
                    blocks.Fill((k + 1) % 2, block + 1);
                blocks._copies!.Synchronize();
                Current = (block, blocks.SlotView(0, block));
            }
            return true;
        }
    }
}
