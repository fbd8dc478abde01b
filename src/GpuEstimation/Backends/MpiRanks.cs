using System.Runtime.InteropServices;

namespace GpuEstimation.Backends;

/// <summary>
/// The ranks of an MPI job (Open MPI or MPICH, loaded at run time through a thin binding) as the process's
/// <see cref="RowCollective"/>: each rank evaluates its run of the native passes' chunks and one MPI_Allgatherv per
/// pass gives every rank all the partials. A process started without an MPI launcher never loads MPI
/// (<see cref="Launched"/>). In this version every rank reads the whole data and computes everything outside the
/// passes' sums itself (the same numbers on every rank): the ranks share the work of the sums, not the host memory.
/// On a kernel backend each rank holds and evaluates only its run of the row blocks on its own device.
/// </summary>
public sealed unsafe class MpiRanks : RowCollective, IDisposable
{
    private readonly MpiLibrary _library;
    private bool _finalized;

    private MpiRanks(MpiLibrary library, int rank, int size)
    {
        _library = library;
        Rank = rank;
        Size = size;
    }

    /// <inheritdoc/>
    public override int Rank { get; }

    /// <inheritdoc/>
    public override int Size { get; }

    /// <inheritdoc/>
    /// <remarks>
    /// From the launcher's environment: Open MPI's <c>OMPI_COMM_WORLD_LOCAL_RANK</c>, MPICH Hydra's <c>MPI_LOCALRANKID</c>,
    /// Slurm's <c>SLURM_LOCALID</c>; else the rank.
    /// </remarks>
    public override int LocalRank => LocalRankOf(Environment.GetEnvironmentVariable) ?? Rank;

    /// <summary>The local rank the launcher's environment gives (<see cref="LocalRank"/>), or null where it gives none.</summary>
    public static int? LocalRankOf(Func<string, string?> environment)
    {
        foreach (var name in (string[])["OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"])
        {
            if (int.TryParse(environment(name), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int value))
                return value;
        }
        return null;
    }

    /// <summary>The MPI library in use, e.g. "Open MPI (libmpi.so.40)".</summary>
    public string Library => $"{_library.Flavor} ({_library.Name})";

    /// <summary>
    /// Whether an MPI launcher started this process: its environment has Open MPI's <c>OMPI_COMM_WORLD_SIZE</c>, or
    /// the process-management interface's <c>PMI_SIZE</c> (MPICH's Hydra, Slurm) or <c>PMIX_RANK</c> (PMIx).
    /// </summary>
    public static bool Launched(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        return environment("OMPI_COMM_WORLD_SIZE") is { Length: > 0 } || environment("PMI_SIZE") is { Length: > 0 }
            || environment("PMIX_RANK") is { Length: > 0 };
    }

    /// <summary>
    /// Initializes MPI (the library named by <c>GPUEST_MPI_LIBRARY</c>, else Open MPI's or MPICH's from the system,
    /// the launcher's own first),
    /// and makes these ranks the process's <see cref="RowCollective"/>. Fails with a message naming the libraries it
    /// tried where none loads.
    /// </summary>
    public static MpiRanks Join()
    {
        // MPI and its transports may install handlers for SIGSEGV and friends, which .NET uses itself (a null
        // reference is a SIGSEGV turned into an exception): none, unless the user asks. UCX (MPICH's transport on
        // Debian, and Open MPI's on InfiniBand) does take them over: a NullReferenceException under MPICH ended the
        // process with UCX's backtrace until UCX_ERROR_SIGNALS was emptied. Open MPI 4.1's own handlers (opal_signal)
        // were seen to leave .NET's in place; emptied too, as a precaution. setenv, because .NET's Environment does
        // not write the C library's environment that MPI reads; a value the user set is kept. Before the library is
        // loaded: UCX reads its settings when it is loaded.
        SetEnvironment("UCX_ERROR_SIGNALS", "");
        SetEnvironment("OMPI_MCA_opal_signal", "");
        var library = MpiLibrary.Load(Environment.GetEnvironmentVariable("GPUEST_MPI_LIBRARY"),
            openMpi: Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is { Length: > 0 });
        library.Init();
        var ranks = new MpiRanks(library, library.Rank(), library.Size());
        SetProcess(ranks);
        return ranks;
    }

    /// <summary>Ends every rank of the job with exit code <paramref name="code"/> (MPI_Abort): for a failure on one rank, which would leave the others waiting.</summary>
    public void Abort(int code) => _library.Abort(code);

    /// <summary>Finalizes MPI; the process's collective goes back to <see cref="RowCollective.Single"/>.</summary>
    public void Dispose()
    {
        if (_finalized)
            return;
        _finalized = true;
        SetProcess(null);
        _library.Shutdown();
    }

    /// <inheritdoc/>
    protected override void AllGather(Span<double> buffer, int[] counts, int[] displacements)
    {
        fixed (double* data = buffer)
            _library.AllGatherInPlace(data, counts, displacements);
    }

    private static void SetEnvironment(string name, string value)
    {
        try
        {
            Native.SetEnv(name, value, 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    private static class Native
    {
        [DllImport("libc.so.6", EntryPoint = "setenv")]
        public static extern int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
    }
}
