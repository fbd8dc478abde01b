using GpuEstimation.Backends;

namespace GpuEstimation.Cli.Output;

/// <summary>
/// Output files: checked before anything is computed (directory present, not a directory, not the input), and written
/// to a temporary file beside the target, then renamed into place, so a failed write leaves the old file intact.
/// Under MPI only rank 0 checks and writes outputs; the other ranks compute the same results and write nothing.
/// </summary>
internal static class OutputFile
{
    /// <summary>
    /// Fails (naming <paramref name="option"/> and the path) where <paramref name="path"/> cannot take an output:
    /// a missing directory, an existing directory, or the same file as the input <paramref name="input"/>.
    /// </summary>
    public static void Check(string option, string path, string? input = null)
    {
        if (!RowCollective.Current.IsRoot)
            return;
        // "-" reads as standard output to users of other tools; it would be a file named "-" (a trial).
        if (path == "-")
            throw new InputException($"{option} -: standard output is not written to by name; give a file name (or /dev/stdout)");
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new InputException($"{option} {path}: is a directory, expected a file name");
        var directory = Path.GetDirectoryName(full);
        if (directory is not null && !Directory.Exists(directory))
            throw new InputException($"{option} {path}: directory '{directory}' does not exist");
        if (input is not null && SameFile(full, Path.GetFullPath(input)))
            throw new InputException($"{option} {path}: is the --data input file; choose another name");
        // A picture is a PNG whatever its name: out.jpg held a PNG without a word (a trial).
        if (option == "--png" && Path.GetExtension(path) is { Length: > 0 } extension && !extension.Equals(".png", StringComparison.OrdinalIgnoreCase))
            throw new InputException($"{option} {path}: pictures are written as PNG; name the file .png");
        // The file is written beside itself and renamed into place (see Write): a directory that takes no new file is
        // said now, before the work, not after it. A device or a pipe is written in place and needs no such room; a
        // symbolic link's file is written beside the file it names.
        if (!InPlace(full) && Path.GetDirectoryName(Resolve(full)) is { } room)
        {
            var probe = Path.Combine(room, $".gpuest-probe.{Guid.NewGuid():N}");
            try
            {
                using (File.Create(probe, 1, FileOptions.DeleteOnClose))
                {
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InputException($"{option} {path}: cannot write a file in directory '{room}' ({Reason(e)})");
            }
        }
    }

    /// <summary>Why the file system refused, without the name of a file the user never asked for.</summary>
    internal static string Reason(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        DirectoryNotFoundException or FileNotFoundException => "the file system does not allow it",
        _ => e.Message.ReplaceLineEndings(" "),
    };

    /// <summary>Refuses two output options naming the same file (the second would overwrite the first).</summary>
    public static void CheckDistinct(params (string Option, string? Path)[] outputs)
    {
        var given = outputs.Where(o => o.Path is not null).ToList();
        for (int i = 0; i < given.Count; i++)
            for (int j = 0; j < i; j++)
                if (SameFile(Path.GetFullPath(given[i].Path!), Path.GetFullPath(given[j].Path!)))
                    throw new InputException($"{given[i].Option} {given[i].Path}: is also the {given[j].Option} file");
    }

    /// <summary>Writes <paramref name="text"/> (with a final newline) to <paramref name="path"/> by temporary file and rename.</summary>
    public static void WriteText(string option, string path, string text) =>
        Write(option, path, temporary => File.WriteAllText(temporary, text.EndsWith('\n') ? text : text + Environment.NewLine));

    /// <summary>Lets <paramref name="write"/> fill a temporary file beside <paramref name="path"/>, then renames it into place.</summary>
    public static void Write(string option, string path, Action<string> write)
    {
        if (!RowCollective.Current.IsRoot)
            return;
        var full = Path.GetFullPath(path);
        if (InPlace(full))
        {
            // A device or a pipe (/dev/null, /dev/stdout, a FIFO) is written in place: renaming a file onto it would
            // replace the device with a plain file. Written to a scratch file, then appended: /dev/stdout redirected to
            // a file keeps what the command printed before (opened anew and truncated, the file lost it). A descriptor of
            // this process (/dev/stdout, /dev/fd/N, /proc/self/fd/N) is written through that descriptor, so that what is
            // printed after it follows it: appended through a second handle, the descriptor's offset stayed where it was
            // and the next line printed overwrote the output's start (a trial).
            var scratch = Path.Combine(Path.GetTempPath(), $".gpuest.{Guid.NewGuid():N}.tmp{Path.GetExtension(full)}");
            try
            {
                Guard(option, path, () =>
                {
                    write(scratch);
                    using var source = File.OpenRead(scratch);
                    if (ProcessDescriptor(full) is { } descriptor)
                    {
                        WriteToDescriptor(descriptor, source);
                        return;
                    }
                    using var target = new FileStream(full, FileMode.Append, FileAccess.Write);
                    source.CopyTo(target);
                }, scratch);
            }
            finally
            {
                if (File.Exists(scratch))
                    File.Delete(scratch);
            }
            return;
        }
        // A symbolic link stays one: its file is replaced (renaming onto the link replaced the link, and the file it
        // named kept its old contents: a trial).
        full = Resolve(full);
        // Same directory (so the rename is atomic on one file system), same extension (writers may read it).
        var temporary = Path.Combine(Path.GetDirectoryName(full) ?? ".",
            $".{Path.GetFileNameWithoutExtension(full)}.{Guid.NewGuid():N}.tmp{Path.GetExtension(full)}");
        try
        {
            Guard(option, path, () =>
            {
                write(temporary);
                File.Move(temporary, full, overwrite: true);
            }, temporary);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }

    /// <summary>Runs <paramref name="write"/>, turning the file system's errors into input errors naming the option and path.</summary>
    /// <remarks>A message that names the <paramref name="temporary"/> file names the target instead: the user never named the other.</remarks>
    private static void Guard(string option, string path, Action write, string? temporary = null)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var message = e.Message.ReplaceLineEndings(" ");
            throw new InputException($"{option} {path}: {(temporary is null ? message : message.Replace(temporary, Path.GetFullPath(path)))}");
        }
    }

    /// <summary>
    /// Whether <paramref name="full"/> is written in place rather than by a temporary file renamed onto it: a device, a
    /// pipe or a socket (<see cref="IsSpecial"/>), or a process's file descriptor (/dev/stdout, /dev/stderr, /dev/fd/N,
    /// /proc/…/fd/N), named or reached through symbolic links. /dev/stdout with standard output redirected to a file is a
    /// link to /proc/self/fd/1, a link to that file, which is regular: a file renamed onto /dev/stdout had replaced the
    /// system's link with it (as root), or been refused in /dev (a trial); renamed onto the file itself, it would leave
    /// the output already printed in the unlinked one (a review). A link into /dev/shm is a plain file's.
    /// </summary>
    internal static bool InPlace(string full) => IsSpecial(full) || LinkChain(full).Any(Descriptor);

    /// <summary>
    /// The descriptor of this process that <paramref name="full"/> names (/dev/stdout: 1, /dev/stderr: 2, /dev/fd/N,
    /// /proc/self/fd/N, /proc/thread-self/fd/N, /proc/&lt;this process or one of its threads&gt;/fd/N), named or reached
    /// through symbolic links; null for any other path.
    /// </summary>
    internal static int? ProcessDescriptor(string full) =>
        LinkChain(full).Select(OwnDescriptor).FirstOrDefault(descriptor => descriptor is not null);

    // The path, then each symbolic link's target in turn (at most 40 hops), as long as there is one to follow.
    private static IEnumerable<string> LinkChain(string full)
    {
        var path = full;
        for (int hop = 0; hop <= 40; hop++)
        {
            yield return path;
            string? next;
            try
            {
                next = new FileInfo(path).LinkTarget;
            }
            catch (IOException)
            {
                yield break;
            }
            if (next is null)
                yield break;
            path = Path.GetFullPath(next, Path.GetDirectoryName(path) ?? "/");
        }
    }

    // The descriptor a name of this process's descriptors gives, else null.
    private static int? OwnDescriptor(string path)
    {
        if (path == "/dev/stdout")
            return 1;
        if (path == "/dev/stderr")
            return 2;
        var parts = path.Split('/');
        string? number = parts switch
        {
            [_, "dev", "fd", var n] => n,
            [_, "proc", var process, "fd", var n] when process is "self" or "thread-self" || IsThisProcess(process) => n,
            _ => null,
        };
        return int.TryParse(number, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int fd) ? fd : null;
    }

    // Whether a /proc entry's number is this process's or one of its threads'.
    private static bool IsThisProcess(string process) =>
        process == Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)
        || (process.All(char.IsAsciiDigit) && Directory.Exists($"/proc/self/task/{process}"));

    /// <summary>
    /// Copies <paramref name="source"/> to descriptor <paramref name="descriptor"/> with the system's write, after what
    /// was printed to standard output or error: the descriptor's own offset moves, and a write the system refuses (a
    /// closed pipe) is an <see cref="IOException"/> with its reason (.NET's console stream drops a broken pipe's error,
    /// which left a truncated output and exit 0: a review).
    /// </summary>
    private static void WriteToDescriptor(int descriptor, Stream source)
    {
        Console.Out.Flush();
        Console.Error.Flush();
        var buffer = new byte[1 << 16];
        int read;
        while ((read = source.Read(buffer)) > 0)
        {
            int at = 0;
            while (at < read)
            {
                nint written = SystemWrite(descriptor, ref buffer[at], read - at);
                if (written < 0)
                {
                    int error = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                    const int Interrupted = 4;
                    if (error == Interrupted)
                        continue;
                    throw new IOException(System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(error));
                }
                at += (int)written;
            }
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "write", SetLastError = true)]
    private static extern nint SystemWrite(int descriptor, ref byte buffer, nint count);

    // A file descriptor's name: /dev/stdout, /dev/stderr, /dev/fd/N, /proc/<pid or self>/fd/N.
    private static bool Descriptor(string path) =>
        path is "/dev/stdout" or "/dev/stderr" || path.StartsWith("/dev/fd/", StringComparison.Ordinal)
        || (path.StartsWith("/proc/", StringComparison.Ordinal) && path.Split('/') is [_, "proc", _, "fd", _]);

    /// <summary>Whether <paramref name="full"/> exists and is not a regular file (a character device, a FIFO, a socket).</summary>
    internal static bool IsSpecial(string full)
    {
        if (!File.Exists(full) || OperatingSystem.IsWindows())
            return false;
        // .NET reports no file type on Unix; its own native shim's stat does (the mode's S_IFMT bits, after an int of flags).
        var status = new byte[256];
        try
        {
            if (SystemNativeStat(full, status) != 0)
                return false;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
        const int TypeMask = 0xF000, Regular = 0x8000;
        return (BitConverter.ToInt32(status, 4) & TypeMask) != Regular;
    }

    [System.Runtime.InteropServices.DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", CharSet = System.Runtime.InteropServices.CharSet.Ansi)]
    private static extern int SystemNativeStat(string path, byte[] status);

    private static bool SameFile(string a, string b) =>
        string.Equals(Resolve(a), Resolve(b), OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);

    // The file a path names, through its symbolic links (itself where it is none; a link to nothing yet, the file it
    // would make): a link to the input counts as the input, and an output through a link replaces the file it names.
    private static string Resolve(string path)
    {
        try
        {
            var file = new FileInfo(path);
            return file.LinkTarget is null ? path : file.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        }
        catch (IOException)
        {
            return path;
        }
    }
}
