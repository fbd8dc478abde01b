using System.Diagnostics;
using Spectre.Console;

namespace GpuEstimation.Cli;

/// <summary>
/// The progress of a long sweep: once it has taken a second and is not done, a progress bar (on a terminal; piped or
/// captured output gets none) for the rest.
/// </summary>
internal sealed class SweepProgress : IProgress<double>, IDisposable
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ManualResetEventSlim _done = new();
    private readonly bool _terminal;
    private double _fraction;
    private Task? _bar;

    /// <summary>A reporter for a sweep whose text goes to <paramref name="output"/>.</summary>
    public SweepProgress(TextWriter output) => _terminal = output == Console.Out && !Console.IsOutputRedirected;

    /// <summary>Called on the sweeping thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    public void Report(double value)
    {
        Volatile.Write(ref _fraction, value);
        if (_bar is null && _terminal && value < 1 && _clock.Elapsed.TotalSeconds > 1)
            _bar = Task.Run(Draw);
    }

    /// <summary>Completes the bar and waits for it.</summary>
    public void Dispose()
    {
        _done.Set();
        _bar?.Wait();
        _done.Dispose();
    }

    private void Draw() => AnsiConsole.Progress().Start(context =>
    {
        var task = context.AddTask("sweeping", maxValue: 1);
        while (!_done.IsSet)
        {
            task.Value = Volatile.Read(ref _fraction);
            _done.Wait(100);
        }
        task.Value = 1;
    });
}
