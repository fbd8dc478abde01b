using System.Buffers;
using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace GpuEstimation.Engine;

/// <summary>
/// The streamed rows of a run of blocks read straight out of the host columns (docs/design.md, "Row blocks and
/// streaming"): each column pinned where it lies while the blocks live and, on CUDA, its streamed rows page-locked
/// (registered with the driver, read-only where the driver allows it: a file's columns are mapped read-only), so that
/// a block's copy to the device is one asynchronous transfer a column, with no packing on the host: the packing (a
/// host-to-host copy competing with the transfer for the host's memory) held streaming to 61% of the page-locked
/// host-to-device rate on the H200. The CPU accelerator reads the columns as they are. Elsewhere (OpenCL), where the
/// rows this process holds locked would pass half the host's memory (a file larger than memory stays paged), where a
/// column cannot be pinned, or where the driver refuses (another engine over the same columns holds them registered),
/// <see cref="TryLock"/> gives null, saying why in the trace, and the blocks are packed into page-locked buffers.
/// </summary>
internal sealed unsafe class LockedColumns : IDisposable
{
    private readonly Accelerator _accelerator;
    private readonly MemoryHandle[] _pins;
    private readonly double*[] _starts;
    private readonly List<IntPtr> _registered = [];

    // Bytes page-locked by every instance in this process: the half-of-memory bound holds for them together (several
    // devices' runs, several engines), not for each.
    private static long s_lockedBytes;
    private long _bytes;

    private LockedColumns(Accelerator accelerator, IReadOnlyList<ReadOnlyMemory<double>> columns)
    {
        _accelerator = accelerator;
        _pins = new MemoryHandle[columns.Count];
        _starts = new double*[columns.Count];
        try
        {
            for (int c = 0; c < columns.Count; c++)
            {
                _pins[c] = columns[c].Pin();
                _starts[c] = (double*)_pins[c].Pointer;
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// <paramref name="columns"/> pinned, and rows [<paramref name="first"/>, <paramref name="first"/> +
    /// <paramref name="count"/>) of each page-locked on CUDA, on <paramref name="accelerator"/> (bound to this thread);
    /// null where the blocks are to be packed instead.
    /// </summary>
    public static LockedColumns? TryLock(Accelerator accelerator, IReadOnlyList<ReadOnlyMemory<double>> columns, long first, long count)
    {
        if (count <= 0 || columns.Count == 0 || accelerator.AcceleratorType is not (AcceleratorType.CPU or AcceleratorType.Cuda))
        {
            if (count > 0 && columns.Count > 0)
                Trace.WriteLine($"gpuest: streamed blocks are packed into page-locked buffers ({accelerator.AcceleratorType} cannot page-lock the columns)");
            return null;
        }
        LockedColumns locked;
        try
        {
            locked = new LockedColumns(accelerator, columns);
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException)
        {
            // A column that cannot be pinned (a caller's own memory manager): packed, as before.
            Trace.WriteLine($"gpuest: streamed blocks are packed into page-locked buffers (a column cannot be pinned: {e.Message})");
            return null;
        }
        if (accelerator.AcceleratorType == AcceleratorType.CPU)
            return locked;
        long bytes = count * columns.Count * sizeof(double), bound = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2;
        if (Interlocked.Add(ref s_lockedBytes, bytes) > bound)
        {
            Interlocked.Add(ref s_lockedBytes, -bytes);
            locked.Dispose();
            Trace.WriteLine($"gpuest: streamed blocks are packed into page-locked buffers ({bytes:N0} bytes to lock, with what this process holds locked, pass half the host's memory)");
            return null;
        }
        locked._bytes = bytes;
        var clock = Stopwatch.StartNew();
        for (int c = 0; c < columns.Count; c++)
        {
            if (!locked.Register((IntPtr)(locked._starts[c] + first), count * sizeof(double)))
            {
                locked.Dispose();
                return null;
            }
        }
        Trace.WriteLine($"gpuest: streamed rows page-locked where they lie: {bytes:N0} bytes in {clock.Elapsed.TotalMilliseconds:F0} ms");
        return locked;
    }

    // Page-locks bytes from start (read-only, else read-write: a managed array is writable); false where the driver
    // refuses both (the reason traced).
    private bool Register(IntPtr start, long bytes)
    {
        var api = CudaAPI.CurrentAPI;
        var readOnly = api.MemHostRegister(start, new IntPtr(bytes), MemHostRegisterFlags.CU_MEMHOSTREGISTER_PORTABLE | MemHostRegisterFlags.CU_MEMHOSTREGISTER_READ_ONLY);
        var error = readOnly == CudaError.CUDA_SUCCESS ? readOnly : api.MemHostRegister(start, new IntPtr(bytes), MemHostRegisterFlags.CU_MEMHOSTREGISTER_PORTABLE);
        if (error != CudaError.CUDA_SUCCESS)
        {
            // (Another engine over the same columns holds them registered: the driver refuses an overlapping range.)
            Trace.WriteLine($"gpuest: the streamed rows could not be page-locked where they lie (read-only: {readOnly}; read-write: {error}); blocks are packed into page-locked buffers");
            return false;
        }
        _registered.Add(start);
        return true;
    }

    /// <summary>
    /// Starts copying rows [<paramref name="first"/>, <paramref name="first"/> + <paramref name="rows"/>) of every column
    /// into <paramref name="target"/> column after column (column c at c·<paramref name="rows"/>) on
    /// <paramref name="stream"/>: a block's storage as the packing gives it.
    /// </summary>
    public void Upload(ArrayView<double> target, AcceleratorStream stream, long first, int rows)
    {
        for (int c = 0; c < _starts.Length; c++)
            target.SubView((long)c * rows, rows).CopyFromCPUUnsafeAsync(stream, ref _starts[c][first], rows);
    }

    public void Dispose()
    {
        if (_registered.Count > 0)
        {
            _accelerator.Bind();
            foreach (var start in _registered)
                CudaAPI.CurrentAPI.MemHostUnregister(start);
            _registered.Clear();
        }
        foreach (var pin in _pins)
            pin.Dispose();
        Interlocked.Add(ref s_lockedBytes, -_bytes);
        _bytes = 0;
    }
}
