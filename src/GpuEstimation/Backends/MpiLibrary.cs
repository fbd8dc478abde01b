using System.Runtime.InteropServices;

namespace GpuEstimation.Backends;

/// <summary>
/// A thin binding of the few MPI calls the ranks need, to the system's MPI library loaded at run time: Open MPI
/// (libmpi.so.40, whose handles are the addresses of its exported objects, <c>ompi_mpi_comm_world</c> and
/// <c>ompi_mpi_double</c>, and whose <c>MPI_IN_PLACE</c> is 1) or MPICH (libmpi.so.12, whose handles are integer
/// constants and whose <c>MPI_IN_PLACE</c> is −1), told apart by Open MPI's exported communicator. Handles are passed
/// as pointer-sized integers: MPICH's int handles travel in the same argument registers. The library is opened with
/// RTLD_GLOBAL, as MPI's own plug-ins may need its symbols.
/// </summary>
internal sealed unsafe class MpiLibrary
{
    private const int Success = 0;
    private const int ThreadSerialized = 2;

    private readonly delegate* unmanaged<int*, int> _initialized;
    private readonly delegate* unmanaged<int*, int> _finalized;
    private readonly delegate* unmanaged<int*, byte***, int, int*, int> _initThread;
    private readonly delegate* unmanaged<nint, int*, int> _commRank;
    private readonly delegate* unmanaged<nint, int*, int> _commSize;
    private readonly delegate* unmanaged<nint, int, nint, void*, int*, int*, nint, nint, int> _allgatherv;
    private readonly delegate* unmanaged<nint, int, int> _abort;
    private readonly delegate* unmanaged<int> _finalize;
    private readonly nint _world;
    private readonly nint _double;
    private readonly nint _inPlace;

    private MpiLibrary(string name, nint library)
    {
        Name = name;
        nint Export(string symbol) => NativeLibrary.TryGetExport(library, symbol, out var address)
            ? address
            : throw new InvalidOperationException($"MPI library {name} has no {symbol}");
        _initialized = (delegate* unmanaged<int*, int>)Export("MPI_Initialized");
        _finalized = (delegate* unmanaged<int*, int>)Export("MPI_Finalized");
        _initThread = (delegate* unmanaged<int*, byte***, int, int*, int>)Export("MPI_Init_thread");
        _commRank = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_rank");
        _commSize = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_size");
        _allgatherv = (delegate* unmanaged<nint, int, nint, void*, int*, int*, nint, nint, int>)Export("MPI_Allgatherv");
        _abort = (delegate* unmanaged<nint, int, int>)Export("MPI_Abort");
        _finalize = (delegate* unmanaged<int>)Export("MPI_Finalize");
        if (NativeLibrary.TryGetExport(library, "ompi_mpi_comm_world", out var world))
        {
            Flavor = "Open MPI";
            _world = world;
            _double = Export("ompi_mpi_double");
            _inPlace = 1;
        }
        else
        {
            // MPICH's mpi.h: MPI_COMM_WORLD ((MPI_Comm)0x44000000), MPI_DOUBLE ((MPI_Datatype)0x4c00080b), MPI_IN_PLACE (void *) -1.
            Flavor = "MPICH";
            _world = 0x44000000;
            _double = 0x4c00080b;
            _inPlace = -1;
        }
    }

    /// <summary>The library file that was loaded.</summary>
    public string Name { get; }

    /// <summary>"Open MPI" or "MPICH".</summary>
    public string Flavor { get; }

    /// <summary>
    /// Loads the MPI library: <paramref name="path"/> where given, else the launcher's own first (Open MPI's
    /// libmpi.so.40 where <paramref name="openMpi"/>, the launcher having set Open MPI's variables, else MPICH's
    /// libmpich.so.12 / libmpi.so.12), then the other, then libmpi.so. Fails naming every library it tried.
    /// </summary>
    public static MpiLibrary Load(string? path, bool openMpi)
    {
        string[] mpich = ["libmpich.so.12", "libmpi.so.12"];
        string[] names = path is { Length: > 0 } ? [path]
            : openMpi ? ["libmpi.so.40", .. mpich, "libmpi.so"] : [.. mpich, "libmpi.so.40", "libmpi.so"];
        var reasons = new List<string>();
        foreach (var name in names)
        {
            if (Open(name, out var handle, out var reason))
                return new MpiLibrary(name, handle);
            reasons.Add($"{name}: {reason}");
        }
        throw new InvalidOperationException($"cannot load the MPI library ({string.Join("; ", reasons)}); install Open MPI (Debian: apt-get install openmpi-bin) or name the library in GPUEST_MPI_LIBRARY");
    }

    /// <summary>MPI_Init_thread (asking for MPI_THREAD_SERIALIZED) unless MPI is already initialized.</summary>
    public void Init()
    {
        int flag;
        Check(_initialized(&flag), "MPI_Initialized");
        if (flag != 0)
            return;
        int provided;
        Check(_initThread(null, null, ThreadSerialized, &provided), "MPI_Init_thread");
    }

    /// <summary>MPI_Comm_rank of MPI_COMM_WORLD.</summary>
    public int Rank()
    {
        int rank;
        Check(_commRank(_world, &rank), "MPI_Comm_rank");
        return rank;
    }

    /// <summary>MPI_Comm_size of MPI_COMM_WORLD.</summary>
    public int Size()
    {
        int size;
        Check(_commSize(_world, &size), "MPI_Comm_size");
        return size;
    }

    /// <summary>MPI_Allgatherv in place over MPI_COMM_WORLD, of doubles.</summary>
    public void AllGatherInPlace(double* buffer, int[] counts, int[] displacements)
    {
        fixed (int* c = counts, d = displacements)
            Check(_allgatherv(_inPlace, 0, _double, buffer, c, d, _double, _world), "MPI_Allgatherv");
    }

    /// <summary>MPI_Abort of MPI_COMM_WORLD with <paramref name="code"/>: ends every rank.</summary>
    public void Abort(int code) => _abort(_world, code);

    /// <summary>MPI_Finalize, unless already finalized.</summary>
    public void Shutdown()
    {
        int flag;
        if (_finalized(&flag) == Success && flag == 0)
            Check(_finalize(), "MPI_Finalize");
    }

    private void Check(int code, string call)
    {
        if (code != Success)
            throw new InvalidOperationException($"{call} failed with MPI error {code} ({Flavor}, {Name})");
    }

    // dlopen with RTLD_NOW | RTLD_GLOBAL through libc (glibc 2.34+ has dlopen in libc itself; older ones in libdl),
    // the reason from dlerror; .NET's own loader where neither is there.
    private static bool Open(string name, out nint handle, out string reason)
    {
        const int Now = 2, Global = 0x100;
        foreach (var (open, error) in new (Func<string, int, nint>, Func<nint>)[] { (DlopenLibc, DlerrorLibc), (DlopenLibdl, DlerrorLibdl) })
        {
            try
            {
                // dlerror bound first: binding it after a failed dlopen would clear the error it is to report.
                error();
                handle = open(name, Now | Global);
                reason = handle != 0 ? "" : Marshal.PtrToStringUTF8(error()) ?? "not found";
                return handle != 0;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
            }
        }
        try
        {
            handle = NativeLibrary.Load(name);
            reason = "";
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            handle = 0;
            reason = e.Message.ReplaceLineEndings(" ");
            return false;
        }
    }

    [DllImport("libc.so.6", EntryPoint = "dlopen")]
    private static extern nint DlopenLibc([MarshalAs(UnmanagedType.LPUTF8Str)] string file, int mode);

    [DllImport("libc.so.6", EntryPoint = "dlerror")]
    private static extern nint DlerrorLibc();

    [DllImport("libdl.so.2", EntryPoint = "dlopen")]
    private static extern nint DlopenLibdl([MarshalAs(UnmanagedType.LPUTF8Str)] string file, int mode);

    [DllImport("libdl.so.2", EntryPoint = "dlerror")]
    private static extern nint DlerrorLibdl();
}
