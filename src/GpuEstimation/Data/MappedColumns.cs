using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace GpuEstimation.Data;

/// <summary>
/// A range of a file mapped into memory whose columns of doubles are read where they lie (<see cref="Column"/>): the
/// operating system pages them in as a pass reads them and may drop them again, so a file larger than the machine's
/// memory is read whole, pass after pass, at disk speed, without being loaded. Either a file's own doubles, read-only
/// (<see cref="Map"/>: a .npy column), or a scratch file of the temporary folder that a reader decodes into
/// (<see cref="Scratch"/>: a Parquet file too large to hold), whose written pages the system writes back to disk and
/// drops instead of keeping them in memory.
/// </summary>
/// <remarks>
/// A mapping is never unmapped: it lasts until the process ends, so that no span or pointer taken from one of its
/// columns can outlive it (a span does not keep its memory reachable, and a finalizer that unmapped would leave such a
/// span reading freed pages). The file handle is closed at once (the mapping does not need it), so a mapping holds
/// address space only, and its pages are the page cache's, which the system reclaims. The file must not be shortened
/// while the process runs: reading a page past its new end is a bus error, as with any memory-mapped file (NumPy's
/// <c>mmap_mode</c> alike).
/// </remarks>
internal sealed unsafe class MappedColumns
{
    private readonly byte* _first;
    private readonly long _length;

    private MappedColumns(byte* first, long length)
    {
        _first = first;
        _length = length;
    }

    /// <summary>
    /// Bytes [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>) of the file at
    /// <paramref name="path"/> mapped; null where the system refuses the mapping (no address space for it under a
    /// <c>ulimit -v</c>, a file system that cannot map), so that the caller reads the file instead.
    /// </summary>
    public static MappedColumns? Map(string path, long offset, long length)
    {
        try
        {
            using var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            return View(file, offset, length, MemoryMappedFileAccess.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// A scratch file of <paramref name="bytes"/> bytes in the temporary folder (<see cref="Path.GetTempPath"/>, TMPDIR),
    /// its disk space allocated at once (so that a full disk is this error, not a bus error on a later write), mapped
    /// read-write, and its name removed at once (the mapping keeps the file until the process ends, then the system
    /// frees it). Null where the space or the mapping cannot be had, with the reason in <paramref name="failure"/>.
    /// </summary>
    public static MappedColumns? Scratch(long bytes, out string? failure)
    {
        failure = null;
        var path = Path.Combine(Path.GetTempPath(), $"gpuest-{Environment.ProcessId}-{Guid.NewGuid():N}.scratch");
        try
        {
            using var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.None, bytes);
            using var file = MemoryMappedFile.CreateFromFile(handle, null, bytes, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
            return View(file, 0, bytes, MemoryMappedFileAccess.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            failure = $"a scratch file of {bytes / 1e6:N0} MB in the temporary folder {Path.GetTempPath()} (TMPDIR) could not be made: {e.Message}";
            return null;
        }
        finally
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Never made (a folder that does not exist): nothing to remove.
            }
        }
    }

    /// <summary>
    /// Bytes [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>) of <paramref name="file"/>
    /// as a view whose pointer is held for good (the handle's own finalizer does not unmap a view whose pointer is
    /// acquired); the file itself may be disposed after. A view not made is released at once.
    /// </summary>
    private static MappedColumns View(MemoryMappedFile file, long offset, long length, MemoryMappedFileAccess access)
    {
        var view = file.CreateViewAccessor(offset, length, access);
        try
        {
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            return new MappedColumns(pointer + view.PointerOffset, length);
        }
        catch
        {
            view.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The <paramref name="count"/> doubles from byte <paramref name="offset"/> of the mapped range (writable only where
    /// the range is a scratch file's: a read-only file's pages fault on a write).
    /// </summary>
    public Memory<double> Column(long offset, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + (long)count * sizeof(double), _length);
        return new Manager((double*)(_first + offset), count).Memory;
    }

    /// <summary>One column: a memory whose pinning costs nothing (a mapping does not move).</summary>
    private sealed class Manager(double* values, int length) : MemoryManager<double>
    {
        public override Span<double> GetSpan() => new(values, length);

        public override MemoryHandle Pin(int elementIndex = 0)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, length);
            return new MemoryHandle(values + elementIndex, default, this);
        }

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
