using System.CommandLine;
using GpuEstimation.Cli.Options;
using GpuEstimation.Cli.Output;
using GpuEstimation.Results;
using GpuEstimation.Estimation;

namespace GpuEstimation.Cli.Commands;

/// <summary><c>gpuest eval</c>: the log-likelihood and its gradient at given parameters.</summary>
internal sealed class EvalCommand : Command
{
    private readonly DataOptions _data = new("eval");
    private readonly DeviceOptions _device = new();
    private readonly Option<IReadOnlyDictionary<string, double>> _at = EstimationOptions.NumberList("--at", "the value of every parameter; repeatable");
    private readonly Option<int?> _repeat = SharedOptions.Repeat("evaluations", "evalMs");
    private readonly Option<string?> _json = SharedOptions.Json("the evaluation");

    public EvalCommand() : base("eval", "The log-likelihood and its gradient at given parameters.")
    {
        _data.AddTo(this);
        _at.Required = true;
        Add(_at);
        _device.AddTo(this);
        Add(_repeat);
        Add(_json);
        SetAction(Run);
    }

    private int Run(ParseResult parse)
    {
        var json = parse.GetValue(_json);
        if (json is not null)
            OutputFile.Check("--json", json, _data.DataPath(parse));
        var model = _data.Load(parse, _device.SpreadsRows(parse));
        var point = ParameterChecks.Point(model, parse.GetValue(_at)!, _data.ColumnNames);
        int? repeat = parse.GetValue(_repeat);

        using var device = _device.Open(parse, model.Rows);
        using var session = new EstimationSession(model, device);
        var evaluation = session.Evaluate(point);
        double? evalMs = repeat is { } count ? session.TimeEvaluation(point, count) : null;
        EvaluationTable.Write(parse.InvocationConfiguration.Output, model.Name, evaluation, evalMs, repeat);
        DroppedRows.Write(parse.InvocationConfiguration.Output, _data.DroppedRows, model.Rows);
        if (json is not null)
            OutputFile.WriteText("--json", json, DroppedRows.AddTo(JsonReport.Evaluation(model.Name, evaluation, evalMs), _data.DroppedRows));
        return GpuestApp.Ok;
    }
}
