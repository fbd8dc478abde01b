using GpuEstimation.Backends;

namespace GpuEstimation.Tests.Support;

/// <summary>
/// N ranks of an MPI job simulated in one process: each rank a thread with its own <see cref="RowCollective"/>
/// (<see cref="RowCollective.Use"/>), the all-gather done through shared slots and a barrier, as MPI_Allgatherv in
/// place would do it. Each rank runs the same code (builds its own engine, fits, ...) and only its run of the chunks
/// is computed there; the others' partials arrive through the exchange. A rank that fails or a collective that is
/// never matched ends the run with an exception instead of a hang.
/// </summary>
internal sealed class SimulatedRanks : RowCollective
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private readonly Shared _shared;

    private SimulatedRanks(Shared shared, int rank)
    {
        _shared = shared;
        Rank = rank;
    }

    public override int Rank { get; }

    public override int Size => _shared.Slots.Length;

    /// <summary>How many all-gathers this rank took part in.</summary>
    public int Gathers { get; private set; }

    protected override long MaxCount => _shared.MaxCount;

    /// <summary>
    /// Runs <paramref name="body"/> on <paramref name="size"/> simulated ranks at once, each with its collective
    /// current; the ranks' results in rank order. <paramref name="maxCount"/> caps the doubles of one all-gather
    /// (to test exchanges in several rounds).
    /// </summary>
    public static T[] Run<T>(int size, Func<SimulatedRanks, T> body, long maxCount = 1L << 30)
    {
        var shared = new Shared(size, maxCount);
        var results = new T[size];
        var failures = new Exception?[size];
        var threads = Enumerable.Range(0, size).Select(rank => new Thread(() =>
        {
            var ranks = new SimulatedRanks(shared, rank);
            try
            {
                using (Use(ranks))
                    results[rank] = body(ranks);
            }
            catch (Exception e)
            {
                failures[rank] = e;
                // The others may wait for this rank at the barrier: let them go (they fail there, not hang).
                shared.Barrier.RemoveParticipant();
            }
        }, maxStackSize: 16 << 20)).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var failed = failures.Select((e, rank) => (e, rank)).Where(f => f.e is not null).ToList();
        if (failed.Count > 0)
            throw new AggregateException($"{failed.Count} of {size} simulated ranks failed (first: rank {failed[0].rank})", failed.Select(f => f.e!));
        return results;
    }

    protected override void AllGather(Span<double> buffer, int[] counts, int[] displacements)
    {
        Gathers++;
        // Every rank publishes its own part, then, once all have, copies the others' parts; the second barrier keeps
        // the slots until every rank has read them.
        _shared.Slots[Rank] = buffer.Slice(displacements[Rank], counts[Rank]).ToArray();
        Wait();
        for (int r = 0; r < Size; r++)
        {
            if (r == Rank)
                continue;
            var part = _shared.Slots[r];
            if (part.Length != counts[r])
                throw new InvalidOperationException($"rank {Rank}: rank {r} sent {part.Length} values, expected {counts[r]}");
            part.CopyTo(buffer[displacements[r]..]);
        }
        Wait();
    }

    private void Wait()
    {
        if (_shared.Barrier.ParticipantCount < Size || !_shared.Barrier.SignalAndWait(Patience))
            throw new TimeoutException($"rank {Rank}: an all-gather that another rank did not join");
    }

    private sealed class Shared(int size, long maxCount)
    {
        public double[][] Slots { get; } = new double[size][];

        public Barrier Barrier { get; } = new(size);

        public long MaxCount { get; } = maxCount;
    }
}
