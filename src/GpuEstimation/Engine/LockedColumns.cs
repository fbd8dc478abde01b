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
/// streamed rows would take more than half the host's memory (a file larger than memory stays paged), or where the
/// driver refuses, <see cref="TryLock"/> gives null and the blocks are packed into page-locked buffers as before.
/// </summary>
internal sealed unsafe class LockedColumns : IDisposable
{
    private readonly Accelerator _accelerator;
    private readonly MemoryHandle[] _pins;
    private readonly double*[] _starts;
    private readonly List<IntPtr> _registered = [];

    private LockedColumns(Accelerator accelerator, IReadOnlyList<ReadOnlyMemory<double>> columns)
    {
        _accelerator = accelerator;
        _pins = new MemoryHandle[columns.Count];
        _starts = new double*[columns.Count];
        for (int c = 0; c < columns.Count; c++)
        {
            _pins[c] = columns[c].Pin();
            _starts[c] = (double*)_pins[c].Pointer;
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
            return null;
        if (accelerator.AcceleratorType == AcceleratorType.Cuda && count * columns.Count * sizeof(double) > GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2)
            return null;
        var locked = new LockedColumns(accelerator, columns);
        if (accelerator.AcceleratorType == AcceleratorType.CPU)
            return locked;
        var clock = Stopwatch.StartNew();
        for (int c = 0; c < columns.Count; c++)
        {
            if (!locked.Register((IntPtr)(locked._starts[c] + first), count * sizeof(double)))
            {
                locked.Dispose();
                return null;
            }
        }
        Trace.WriteLine($"gpuest: streamed rows page-locked where they lie: {count * columns.Count * sizeof(double):N0} bytes in {clock.Elapsed.TotalMilliseconds:F0} ms");
        return locked;
    }

    // Page-locks bytes from start (read-only, else read-write: a managed array is writable); false where the driver
    // refuses both (the reason traced).
    private bool Register(IntPtr start, long bytes)
    {
        var api = CudaAPI.CurrentAPI;
        var error = api.MemHostRegister(start, new IntPtr(bytes), MemHostRegisterFlags.CU_MEMHOSTREGISTER_PORTABLE | MemHostRegisterFlags.CU_MEMHOSTREGISTER_READ_ONLY);
        if (error != CudaError.CUDA_SUCCESS)
            error = api.MemHostRegister(start, new IntPtr(bytes), MemHostRegisterFlags.CU_MEMHOSTREGISTER_PORTABLE);
        if (error != CudaError.CUDA_SUCCESS)
        {
            Trace.WriteLine($"gpuest: the streamed rows could not be page-locked where they lie ({error}); blocks are packed into page-locked buffers");
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
    }
}
