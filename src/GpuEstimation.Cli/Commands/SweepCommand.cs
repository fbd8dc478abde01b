using System.CommandLine;
using GpuEstimation.Cli.Options;
using GpuEstimation.Cli.Output;
using GpuEstimation.Cli.Parsing;
using GpuEstimation.Estimation;
using GpuEstimation.Plots;
using GpuEstimation.Results;
using GpuEstimation.Surfaces;

namespace GpuEstimation.Cli.Commands;

/// <summary><c>gpuest sweep</c>: the log-likelihood (log-posterior for MAP) over a grid of parameter values.</summary>
internal sealed class SweepCommand : Command
{
    private readonly DataOptions _data = new("sweep");
    private readonly EstimationOptions _estimation = new(mixtures: false);
    private readonly DeviceOptions _device = new();

    private readonly Option<IReadOnlyList<GridAxis>> _grid = CliOption.Repeatable<IReadOnlyList<GridAxis>>("--grid", "NAME=LOW:HIGH:COUNT",
        "one axis of the grid: COUNT evenly spaced values from LOW to HIGH; repeat for more axes",
        (flag, values) => values.Select(v => GridAxisText.Parse(flag, v)).ToArray());

    private readonly Option<IReadOnlyDictionary<string, double>> _at = EstimationOptions.NumberList("--at",
        "values of parameters off the grid [default: the fit's estimate]; repeatable");

    private readonly Option<bool> _profile = CliOption.Flag("--profile", "re-optimize the off-grid parameters at every grid point (a profile likelihood)");
    private readonly Option<string?> _out = CliOption.Text("--out", "FILE", "write the surface as CSV");
    private readonly Option<string?> _json = SharedOptions.Json("the surface");
    private readonly Option<string?> _png = CliOption.Text("--png", "FILE",
        "draw the surface to FILE (PNG): a heatmap of a 2-axis grid, a curve of a 1-axis one; the MLE (and MAP) marked");
    private readonly Option<int?> _repeat = SharedOptions.Repeat("sweeps", "sweepMs");

    public SweepCommand() : base("sweep", "The log-likelihood (log-posterior with --map) over a grid of parameter values.")
    {
        _data.AddTo(this);
        _grid.Required = true;
        Add(_grid);
        Add(_at);
        Add(_profile);
        _estimation.AddTo(this);
        _device.AddTo(this);
        foreach (var option in new Option[] { _out, _json, _png, _repeat })
            Add(option);
        SetAction(Run);
    }

    private int Run(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        var (csv, json, png) = (parse.GetValue(_out), parse.GetValue(_json), parse.GetValue(_png));
        var axes = parse.GetValue(_grid)!;
        CheckOutputs(parse, axes, csv, json, png);
        var fit = _estimation.Read(parse);
        // Only a profile sweep is sure to maximize (one with every other parameter given by --at never does).
        if (parse.GetValue(_profile))
            ParameterChecks.Optimizer(parse.GetValue(_data.Model), fit.Optimizer.Kind);
        var model = _data.Load(parse, _device.SpreadsRows(parse), fit.Resolves);
        var options = new SweepOptions
        {
            Axes = axes,
            At = parse.GetValue(_at)!,
            Profile = parse.GetValue(_profile),
            Fit = fit,
            Estimates = png is not null,
        };
        ParameterChecks.Sweep(model, options, _data.ColumnNames);
        CheckJsonSize(options, model.Parameters.Count, json);
        int? repeat = parse.GetValue(_repeat);

        using var device = _device.Open(parse);
        using var session = new EstimationSession(model, device);
        SweepResult sweep;
        using (var progress = new SweepProgress(output))
            sweep = Sweeper.Sweep(session, options, progress);
        // Warm timing: the same sweep again with the data on the device and the kernels compiled.
        double? sweepMs = repeat is { } count ? WarmTiming.MedianMs(count, () => sweep = Sweeper.Sweep(session, options)) : null;
        SweepSummary.Write(output, sweep, sweepMs, repeat);
        DroppedRows.Write(output, _data.DroppedRows, model.Rows);
        Save(output, parse.InvocationConfiguration.Error, sweep, sweepMs, _data.DroppedRows, csv, json, png);
        return sweep.NotConverged == 0 ? GpuestApp.Ok : GpuestApp.NotConverged;
    }

    private void CheckOutputs(ParseResult parse, IReadOnlyList<GridAxis> axes, string? csv, string? json, string? png)
    {
        var input = _data.DataPath(parse);
        foreach (var (option, path) in new[] { ("--out", csv), ("--json", json), ("--png", png) })
            if (path is not null)
                OutputFile.Check(option, path, input);
        OutputFile.CheckDistinct(("--out", csv), ("--json", json), ("--png", png));
        if (png is not null && axes.Count is not (1 or 2))
            throw new InputException($"--png: pictures are drawn for one- or two-axis grids, this one has {axes.Count}");
        // An axis of one value is a held value: a heatmap spread it over a made-up range as if log L did not depend on it
        // (a trial), and a curve of one point is no curve.
        if (png is not null && axes.FirstOrDefault(a => a.Count == 1) is { } single)
        {
            var others = axes.Where(a => a != single).Select(a => a.Name).ToList();
            throw new InputException(others.Count == 1 && axes.All(a => a == single || a.Count > 1)
                ? $"--png: the grid's axis {single.Name} has one value ({single.Low:R}): a picture needs two or more on each axis; for a curve over {others[0]}, sweep {others[0]} alone with --at {single.Name}={single.Low:R}"
                : $"--png: the grid's axis {single.Name} has one value ({single.Low:R}): a picture needs two or more values on each axis");
        }
    }

    /// <summary>
    /// A JSON surface is one document that readers load whole: refused before computing where it would pass
    /// <see cref="MaxJsonBytes"/> (CSV streams row by row, whatever the size).
    /// </summary>
    private static void CheckJsonSize(SweepOptions options, int parameters, string? json)
    {
        if (json is null)
            return;
        long bytes = SurfaceReport.EstimateJsonBytes(options, parameters);
        if (bytes > MaxJsonBytes)
            throw new InputException($"--json {json}: a grid of {options.PointCount()?.ToString("N0") ?? "more than 2,147,483,647"} points would make about " +
                $"{bytes / (1024.0 * 1024 * 1024):0.#} GiB of JSON (the limit is {MaxJsonBytes / (1024 * 1024 * 1024)} GiB); write it with --out as CSV, which streams");
    }

    private const long MaxJsonBytes = 1L << 30;

    private static void Save(TextWriter output, TextWriter error, SweepResult sweep, double? sweepMs, int? droppedRows, string? csv, string? json, string? png)
    {
        if (csv is not null)
            OutputFile.Write("--out", csv, path =>
            {
                using var writer = new StreamWriter(path);
                SurfaceReport.WriteCsv(sweep, writer);
            });
        if (png is not null)
        {
            OutputFile.Write("--png", png, path =>
            {
                if (sweep.Axes.Count == 2)
                    SurfacePlots.Heatmap(sweep, path);
                else
                    SurfacePlots.Curve(sweep, path);
            });
            output.WriteLine($"picture: {png}");
            PictureNote.Write(error);
        }
        if (json is not null)
            OutputFile.Write("--json", json, path =>
            {
                using var stream = File.Create(path);
                SurfaceReport.WriteJson(sweep, stream, sweepMs, droppedRows);
                stream.Write(System.Text.Encoding.UTF8.GetBytes(Environment.NewLine));
            });
    }
}
