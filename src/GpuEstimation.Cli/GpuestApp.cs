using System.CommandLine;
using System.CommandLine.Invocation;
using GpuEstimation.Backends;
using GpuEstimation.Cli.Commands;
using GpuEstimation.Engine;

namespace GpuEstimation.Cli;

/// <summary>
/// The <c>gpuest</c> command line. Exit codes: 0 success, 2 bad input (one line on stderr, no stack trace), 3 a fit
/// that did not converge, 1 an unexpected failure (also one line).
/// </summary>
public static class GpuestApp
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadInput = 2;
    public const int NotConverged = 3;

    // "@FILE" is a data path here, not a response file to expand.
    private static readonly ParserConfiguration Syntax = new() { ResponseFileTokenReplacer = null };

    /// <summary>
    /// The process's entry point: <see cref="Run"/> on the console, alone, or as one rank of an MPI job where an MPI
    /// launcher started the process (<see cref="MpiRanks.Launched"/>; without one nothing of MPI is loaded). Under MPI
    /// every rank runs the same command over the same data, sharing the native backend's sums; rank 0 alone prints
    /// and writes files. A failure on any rank ends the whole job (MPI_Abort with the exit code), since the other ranks
    /// may be waiting for it in a collective: rank 0 prints its message; another rank prints its own only if the job
    /// is still running a moment later (rank 0 did not fail too).
    /// </summary>
    public static int RunProcess(string[] args)
    {
        if (!MpiRanks.Launched())
            return Run(args, Console.Out, Console.Error);
        // Open MPI gives each rank a pseudo-terminal for its output, on which .NET's console would first write the
        // terminal's keypad-mode escapes, which then land in the user's redirected output: a plain terminal instead.
        Environment.SetEnvironmentVariable("TERM", "dumb");
        MpiRanks ranks;
        try
        {
            ranks = MpiRanks.Join();
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"gpuest: MPI: {e.Message.ReplaceLineEndings(" ")}");
            return Failure;
        }
        // Every rank must run the same command: a rank started with other options (a trial's --start on one rank)
        // computed other sums, so that rank 0 printed a wrong fit and the job then hung in a collective.
        if (ranks.FirstDiffering(RowCollective.Hash(Shared(args))) is { } other)
        {
            if (ranks.IsRoot)
                Console.Error.WriteLine($"gpuest: MPI rank {other} was started with other arguments than rank 0 (besides {string.Join(", ", PerRank)}): every rank must run the same command");
            ranks.Dispose();
            return BadInput;
        }
        var buffered = new StringWriter();
        int code = Run(args, ranks.IsRoot ? Console.Out : TextWriter.Null, ranks.IsRoot ? Console.Error : buffered);
        if (code is Ok or NotConverged)
        {
            ranks.Dispose();
            return code;
        }
        if (!ranks.IsRoot)
        {
            Thread.Sleep(RankFailureGrace);
            foreach (var line in buffered.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
                Console.Error.WriteLine(line.StartsWith("gpuest: ", StringComparison.Ordinal) ? $"gpuest: rank {ranks.Rank}: {line[8..]}" : line);
        }
        Console.Out.Flush();
        Console.Error.Flush();
        ranks.Abort(code);
        return code;
    }

    // The options a rank may give its own value: its threads and device, and the files only rank 0 writes (a review:
    // --threads 1 on one rank and 2 on another, which give the same bits, were refused). Not the data's path: not every
    // model compares the data the ranks read (a one-column normal mixture does not). Not --assign: its
    // responsibilities are a pass of every rank (given on rank 0 alone, rank 0 waited for the others for ever).
    private static readonly string[] PerRank = ["--threads", "--device", "--device-memory", "--json", "--out", "--png", "--pictures"];

    // The arguments every rank must share: all but PerRank's options and their values (as "--opt value" or "--opt=value").
    private static IEnumerable<string> Shared(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            if (PerRank.Any(option => args[i].StartsWith(option + "=", StringComparison.Ordinal)))
                continue;
            if (PerRank.Contains(args[i]))
            {
                i++;
                continue;
            }
            yield return args[i];
        }
    }

    // How long a failed rank other than 0 waits for rank 0's abort before printing its own message and aborting.
    private static readonly TimeSpan RankFailureGrace = TimeSpan.FromSeconds(2);

    // The columns a --formula reads that no factor could stand for: its response and its offset (a review: 'y ~ x' on a
    // yes/no response got the factor hint for y).
    private static IEnumerable<string> FormulaNonFactors(IEnumerable<System.CommandLine.Parsing.OptionResult> given)
    {
        if (given.FirstOrDefault(r => r.Option.Name == "--formula")?.Tokens.FirstOrDefault()?.Value is not { } text)
            return [];
        try
        {
            var spec = GpuEstimation.Design.Formula.Parse(text);
            return spec.Offset is { } offset ? [spec.Response, offset] : [spec.Response];
        }
        catch (InputException)
        {
            return [];
        }
    }

    /// <summary>Runs the command line <paramref name="args"/>, writing results to <paramref name="output"/> and errors to <paramref name="error"/>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        // With GPUEST_DEBUG=1 the library's and ILGPU's trace lines (how streamed blocks reach the device, what a
        // backend does not support) go to the error stream too.
        using var trace = Environment.GetEnvironmentVariable("GPUEST_DEBUG") is "1" ? new DebugTrace(error) : null;
        ParseResult? parse = null;
        try
        {
            parse = CreateRoot().Parse(Normalize(args), Syntax);
            if (parse.Action is ParseErrorAction)
            {
                error.WriteLine($"gpuest: {ParseErrors.Describe(parse)}");
                return BadInput;
            }
            int code = parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
            // No command at all: the help, as a usage error (exit 2) that a script can tell from success.
            return args.Length == 0 && code == Ok ? BadInput : code;
        }
        catch (InputException e)
        {
            // A device memory limit too small for one row block (ComputeDevice.Open's memoryLimit, or the device's own
            // memory): the library says so in its words, the CLI names the option that sets it.
            var option = e.ParamName == "memoryLimit" ? "--device-memory: " : "";
            // A missing value, where the command can leave such rows out: say how.
            var options = parse?.CommandResult.Command.Options;
            var given = parse?.CommandResult.Children.OfType<System.CommandLine.Parsing.OptionResult>().ToList() ?? [];
            var hint = e.MissingValue && options?.Any(o => o.Name == "--drop-missing") == true ? " (--drop-missing leaves such rows out)"
                // Text in a column read as numbers, in a regression that reads factors (not a nonlinear mean's), and
                // not its response, weights, offset or trials: say how to make it one.
                : e.TextColumn is { } text && given.Any(r => r.Option.Name is "--y" or "--formula") && given.All(r => r.Option.Name != "--mean")
                    && !given.Any(r => r.Option.Name is "--y" or "--weights" or "--offset" or "--trials-column" && r.Tokens.Any(t => t.Value == text))
                    && !FormulaNonFactors(given).Contains(text)
                    ? $" (a categorical column is read as a factor: --factor {text}, or C({text}) in --formula)" : "";
            error.WriteLine($"gpuest: {option}{e.Message.ReplaceLineEndings(" ")}{hint}");
            if (e.Display is { } display)
                error.WriteLine(display);
            return BadInput;
        }
        catch (Exception e) when (OutOfMemory(e))
        {
            error.WriteLine("gpuest: out of memory: the data and the fit need more memory than this process may use " +
                "(README, \"Big data\", says which files and models are fitted without holding the data in memory)");
            if (Environment.GetEnvironmentVariable("GPUEST_DEBUG") is "1")
                error.WriteLine(e);
            return Failure;
        }
        catch (Exception e)
        {
            // A kernel's failure says itself which backend, kernel and model; anything else is named by its type.
            var what = e is KernelException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            bool debug = Environment.GetEnvironmentVariable("GPUEST_DEBUG") is "1";
            error.WriteLine($"gpuest: internal error: {what.ReplaceLineEndings(" ")}{(debug ? "" : " (GPUEST_DEBUG=1 prints the whole exception chain)")}");
            // For a bug report: the whole exception, inner exceptions included, where asked for.
            if (debug)
                error.WriteLine(e);
            return Failure;
        }
    }

    // A trace listener on the error stream while a command runs.
    private sealed class DebugTrace : IDisposable
    {
        private readonly System.Diagnostics.TextWriterTraceListener _listener;

        public DebugTrace(TextWriter error)
        {
            _listener = new System.Diagnostics.TextWriterTraceListener(error);
            System.Diagnostics.Trace.Listeners.Add(_listener);
        }

        public void Dispose()
        {
            System.Diagnostics.Trace.Listeners.Remove(_listener);
            _listener.Flush();
        }
    }

    /// <summary>Every command, with generated help and <c>--version</c>.</summary>
    public static RootCommand CreateRoot() => new("gpuest: maximum-likelihood and MAP estimation on the GPU (CUDA, OpenCL) or on all CPU cores (native).\n" +
        "Exit codes: 0 ok, 2 bad input, 3 the fit did not converge, 1 internal error.")
    {
        new FitCommand(),
        new EvalCommand(),
        new PredictCommand(),
        new SweepCommand(),
        new PlotCommand(),
        new DemoCommand(),
        new DevicesCommand(),
        new ModelsCommand(),
    };

    // Out of memory, also where a parallel loop or a reflected call wraps it.
    private static bool OutOfMemory(Exception? e) => e switch
    {
        null => false,
        OutOfMemoryException => true,
        AggregateException all => all.InnerExceptions.Any(OutOfMemory),
        _ => OutOfMemory(e.InnerException),
    };

    // No arguments shows the help (exit 2: no command was given); "gpuest help [COMMAND]" is "gpuest [COMMAND] --help".
    private static string[] Normalize(string[] args) => args switch
    {
        [] => ["--help"],
        ["help", .. var rest] => [.. rest, "--help"],
        _ => args,
    };
}
