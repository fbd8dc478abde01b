using GpuEstimation.Cli.Output;
using Xunit;

namespace GpuEstimation.Tests.Cli;

/// <summary>Number formatting and output-file safety.</summary>
public sealed class OutputTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gpuest-output").FullName;

    [Theory]
    [InlineData(1000000000.12, 12, "1000000000.12")]
    [InlineData(0.5868347297, 10, "0.5868347297")]
    [InlineData(2.125, 10, "2.125")]
    [InlineData(-0.0, 6, "0")]
    [InlineData(123456789012345.0, 6, "123456789012345")]
    [InlineData(1e20, 6, "1E+20")]
    [InlineData(1.5e-9, 6, "1.5E-09")]
    [InlineData(-3.25, 6, "-3.25")]
    public void SignificantDigitsWithoutNeedlessExponents(double value, int digits, string expected) =>
        Assert.Equal(expected, Numbers.Significant(value, digits));

    [Fact]
    public void IntervalEndsOfALargeEstimateKeepTheirDecimals()
    {
        // Six significant digits alone would print 1000000000 (or 1E+09); the standard error 0.05 asks for more.
        Assert.Equal("1000000000.022", Numbers.Significant(1000000000.022, 6, 0.05, 3));
        Assert.DoesNotContain("E", Numbers.Significant(999999999.9, 6, 0.05, 3));
        // A standard error below 1e-5 (printed with an exponent itself) still asks its decimals: the Wald ends of
        // 3.000000485 ± 1.96 · 5.0e-7 printed as 3 and 3.
        Assert.Equal("2.999999502", Numbers.Significant(2.999999502477, 6, 5.0129e-7, 3));
        Assert.Equal("3.000001467", Numbers.Significant(3.000001467, 6, 5.0129e-7, 3));
    }

    [Theory]
    [InlineData(-0.001, "0.00", "0.00")]
    [InlineData(-0.0, "0.000", "0.000")]
    [InlineData(-0.02, "0.00", "-0.02")]
    public void NoNegativeZero(double value, string format, string expected) => Assert.Equal(expected, Numbers.Fixed(value, format));

    // A trial's sweep over 169.6801..169.6803 printed as 169.68..169.68, and an evaluation of 0.0003 ms as 0.000 ms.
    [Fact]
    public void RangesAndShortTimesKeepTheirDigits()
    {
        Assert.Equal(("169.6801", "169.6803"), Numbers.Apart(169.6801, 169.6803, 6));
        Assert.Equal(("1", "2"), Numbers.Apart(1, 2, 6));
        Assert.Equal(("3", "3"), Numbers.Apart(3, 3, 6));
        Assert.Equal("0.0003 ms", Numbers.Milliseconds(0.0003));
        Assert.Equal("0.0000123 ms", Numbers.Milliseconds(1.234e-5));
        Assert.Equal("12.346 ms", Numbers.Milliseconds(12.3456));
        Assert.Equal("0.100 ms", Numbers.Milliseconds(0.1));
    }

    [Fact]
    public void AFailedWriteLeavesTheOldFileAndNoTemporary()
    {
        var path = Path.Combine(_directory, "out.json");
        File.WriteAllText(path, "old");
        var e = Assert.Throws<InputException>(() => OutputFile.Write("--json", path, temporary =>
        {
            File.WriteAllText(temporary, "half a fi");
            throw new IOException("disk full");
        }));
        Assert.Equal($"--json {path}: disk full", e.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_directory));
    }

    [Fact]
    public void ASuccessfulWriteReplacesTheFile()
    {
        var path = Path.Combine(_directory, "out.csv");
        File.WriteAllText(path, "old");
        OutputFile.WriteText("--out", path, "new");
        Assert.Equal("new" + Environment.NewLine, File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public void ChecksNameTheOptionAndPath()
    {
        var missing = Path.Combine(_directory, "no-such-dir", "x.json");
        Assert.StartsWith($"--json {missing}: directory", Assert.Throws<InputException>(() => OutputFile.Check("--json", missing)).Message);
        Assert.StartsWith($"--out {_directory}: is a directory", Assert.Throws<InputException>(() => OutputFile.Check("--out", _directory)).Message);
        var data = Path.Combine(_directory, "data.csv");
        File.WriteAllText(data, "x\n1\n");
        Assert.Contains("is the --data input", Assert.Throws<InputException>(() => OutputFile.Check("--out", Path.Combine(_directory, ".", "data.csv"), data)).Message);
        var link = Path.Combine(_directory, "link.csv");
        File.CreateSymbolicLink(link, data);
        Assert.Contains("is the --data input", Assert.Throws<InputException>(() => OutputFile.Check("--out", data, link)).Message);
        Assert.Contains("is also the --out file", Assert.Throws<InputException>(() => OutputFile.CheckDistinct(("--out", data), ("--json", null), ("--png", data))).Message);
    }

    // A pipe (or a device such as /dev/null) is written in place: renaming a temporary file onto it would replace it
    // with a plain file holding the output.
    [SkippableFact]
    public void APipeIsWrittenInPlaceNotReplaced()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "needs mkfifo");
        var fifo = Path.Combine(_directory, "pipe.json");
        Assert.Equal(0, MakeFifo(fifo, 0b110_000_000));
        Assert.True(OutputFile.IsSpecial(fifo));
        var reader = Task.Run(() => File.ReadAllText(fifo));

        OutputFile.WriteText("--json", fifo, "{ \"written\": true }");

        Assert.True(reader.Wait(TimeSpan.FromSeconds(30)), "the reader got nothing");
        Assert.Contains("\"written\": true", reader.Result);
        Assert.True(OutputFile.IsSpecial(fifo), "the pipe was replaced by a plain file");
        Assert.False(OutputFile.IsSpecial(Path.Combine(_directory, "absent.json")));
        Assert.Single(Directory.GetFileSystemEntries(_directory));
    }

    // A symbolic link stays one, its file replaced; a link through /proc (as /dev/stdout is, to /proc/self/fd/1, and on
    // to the file standard output is redirected to, which is regular) is written in place and appended to, keeping what
    // was written before (a trial: --json /dev/stdout with output redirected replaced the system's /dev/stdout, as root).
    [SkippableFact]
    public void ALinkStaysALinkAndOneThroughProcIsAppendedTo()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && Directory.Exists("/proc/self/fd"), "needs /proc");
        var target = Path.Combine(_directory, "target.json");
        File.WriteAllText(target, "old");
        var link = Path.Combine(_directory, "link.json");
        File.CreateSymbolicLink(link, target);
        OutputFile.Check("--json", link);
        OutputFile.WriteText("--json", link, "new");
        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.Equal("new" + Environment.NewLine, File.ReadAllText(target));

        var redirected = Path.Combine(_directory, "redirected.txt");
        using (var stream = new FileStream(redirected, FileMode.Create, FileAccess.Write))
        {
            stream.Write("table\n"u8);
            stream.Flush();
            var standard = Path.Combine(_directory, "stdout");
            File.CreateSymbolicLink(standard, $"/proc/self/fd/{stream.SafeFileHandle.DangerousGetHandle()}");
            Assert.True(OutputFile.InPlace(standard));
            OutputFile.Check("--json", standard);
            OutputFile.WriteText("--json", standard, "{}");
            Assert.NotNull(new FileInfo(standard).LinkTarget);
        }
        Assert.Equal("table\n{}" + Environment.NewLine, File.ReadAllText(redirected));
        // Descriptors named directly are written in place too (renamed onto the file they lead to, the output printed
        // before would stay in the unlinked one, a review); a link into /dev/shm is a plain file's.
        Assert.True(OutputFile.InPlace("/proc/self/fd/1") && OutputFile.InPlace("/dev/fd/1") && OutputFile.InPlace("/dev/stdout"));
        var shm = Path.Combine(_directory, "shm.json");
        File.CreateSymbolicLink(shm, "/dev/shm/gpuest-absent.json");
        Assert.False(OutputFile.InPlace(shm));
    }

    // An output named /dev/stdout (or /dev/fd/1) while standard output is redirected to a file goes through the process's
    // own descriptor: what the command prints after it follows it. Appended through a second handle, the descriptor's
    // offset stayed put and the status line printed next overwrote the CSV's start (a trial: a prediction's header and
    // first digits lost, exit 0). Run as a child process under sh, whose redirection is the user's.
    [SkippableFact]
    public void StandardOutputByNameKeepsItsOrderInARedirectedFile()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists("/bin/sh"), "needs a shell");
        Assert.Equal(1, OutputFile.ProcessDescriptor("/dev/stdout"));
        Assert.Equal(1, OutputFile.ProcessDescriptor("/proc/self/fd/1"));
        Assert.Equal(1, OutputFile.ProcessDescriptor("/proc/thread-self/fd/1"));
        Assert.Equal(1, OutputFile.ProcessDescriptor($"/proc/{Environment.ProcessId}/fd/1"));
        Assert.Equal(2, OutputFile.ProcessDescriptor("/dev/fd/2"));
        Assert.Equal(3, OutputFile.ProcessDescriptor("/dev/fd/3"));
        if (Environment.ProcessId != 1)
            Assert.Null(OutputFile.ProcessDescriptor("/proc/1/fd/1"));
        Assert.Null(OutputFile.ProcessDescriptor(Path.Combine(_directory, "plain.json")));
        var data = Gpuest.WriteCsv(_directory, "data.csv", ("x", [1.0, 2, 4, 3.5, 2.5]));
        foreach (var name in new[] { "/dev/stdout", "/dev/fd/1" })
        {
            var redirected = Path.Combine(_directory, "redirected.txt");
            var start = new System.Diagnostics.ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardError = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("{ dotnet \"$1\" fit --model normal --data \"$2\" --column x --json \"$3\"; echo AFTER; } > \"$4\"");
            start.ArgumentList.Add("sh");
            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "gpuest.dll"), data, name, redirected })
                start.ArgumentList.Add(arg);
            using (var process = System.Diagnostics.Process.Start(start)!)
            {
                var error = process.StandardError.ReadToEnd();
                process.WaitForExit();
                Assert.True(process.ExitCode == 0, error);
            }
            var text = File.ReadAllText(redirected);
            // The table, then the whole JSON, then the line the shell printed after the command.
            Assert.StartsWith("model normal (MLE), 5 observations", text);
            int json = text.IndexOf("{\n", StringComparison.Ordinal);
            Assert.True(json > 0, text);
            Assert.Contains("\"logLikelihood\"", text[json..]);
            Assert.EndsWith("}\nAFTER\n", text.ReplaceLineEndings("\n"));
        }

        // A pipe whose reader has gone: the output's write fails, said (exit 2), not dropped with exit 0 (a review).
        var closed = new System.Diagnostics.ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardError = true };
        closed.ArgumentList.Add("-c");
        closed.ArgumentList.Add("{ dotnet \"$1\" fit --model normal --data \"$2\" --column x --json /dev/stdout; echo \"exit $?\" >&2; } | true");
        closed.ArgumentList.Add("sh");
        closed.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "gpuest.dll"));
        closed.ArgumentList.Add(data);
        using (var process = System.Diagnostics.Process.Start(closed)!)
        {
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.Contains("gpuest: --json /dev/stdout: Broken pipe", error);
            Assert.Contains("exit 2", error);
        }
    }

    // A directory that takes no new file (here /proc, which refuses one even to root) is said before the work, by
    // the check, and without the name of the temporary file the output would have been written through.
    [SkippableFact]
    public void ADirectoryThatTakesNoFileIsSaidBeforeTheWork()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && Directory.Exists("/proc/self"), "needs /proc");
        var e = Assert.Throws<InputException>(() => OutputFile.Check("--json", "/proc/fit.json"));
        Assert.Equal("--json /proc/fit.json: cannot write a file in directory '/proc' (the file system does not allow it)", e.Message);
        var data = Gpuest.WriteCsv(_directory, "data.csv", ("x", [1.0, 2, 4]));
        var error = Gpuest.AssertBadInput(["fit", "--model", "normal", "--data", data, "--column", "x", "--json", "/proc/fit.json"],
            "--json /proc/fit.json: cannot write a file in directory '/proc'");
        Assert.DoesNotContain(".tmp", error);
        // The demo's picture directory: one that cannot be made, and one that takes no file.
        Gpuest.AssertBadInput(["demo", "--points", "20", "--pictures", "/proc/pictures"], "--pictures /proc/pictures: cannot create the directory");
        Gpuest.AssertBadInput(["demo", "--points", "20", "--pictures", "/proc"], "cannot write a file in directory '/proc'");
        // A writable directory keeps no trace of the check.
        OutputFile.Check("--json", Path.Combine(_directory, "fit.json"));
        Assert.Equal([data], Directory.GetFileSystemEntries(_directory));
        // A device is written in place and needs no room beside it.
        OutputFile.Check("--json", "/dev/null");
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo", CharSet = System.Runtime.InteropServices.CharSet.Ansi)]
    private static extern int MakeFifo(string path, uint mode);

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
