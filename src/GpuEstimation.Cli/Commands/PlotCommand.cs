using System.CommandLine;
using GpuEstimation.Cli.Options;
using GpuEstimation.Cli.Output;
using GpuEstimation.Cli.Parsing;
using GpuEstimation.Data;
using GpuEstimation.Demo;
using GpuEstimation.Plots;

namespace GpuEstimation.Cli.Commands;

/// <summary><c>gpuest plot</c>: the learning example as a picture.</summary>
internal sealed class PlotCommand : Command
{
    /// <summary>Where the picture goes unless <c>--png</c> says otherwise.</summary>
    public const string DefaultPicture = "learning-example.png";

    private readonly DeviceOptions _device = new();
    private readonly Option<int> _points = SharedOptions.Points(LearningExample.PlotPoints, 3);
    private readonly Option<double> _priorSd = CliOption.Single("--prior-sd", "A", "sd of the MAP's Normal(0, A) prior on the slope",
        NumberText.Positive, () => LearningExample.PlotSlopePriorSd);
    private readonly Option<string> _png = CliOption.Single("--png", "FILE", "where the picture (PNG) is written; the path is printed",
        CliOption.PathText, () => DefaultPicture);

    public PlotCommand() : base("plot",
        $"The learning example as a picture, written to --png (default {DefaultPicture} in the current directory): the data, " +
        "the MLE and MAP lines, and for 40 points or fewer each point labelled with its log-likelihood.")
    {
        Add(_points);
        Add(_priorSd);
        Add(_png);
        _device.AddTo(this);
        SetAction(Run);
    }

    private int Run(ParseResult parse)
    {
        var png = parse.GetValue(_png)!;
        OutputFile.Check("--png", png);
        int points = parse.GetValue(_points);
        double priorSd = parse.GetValue(_priorSd);

        using var device = _device.Open(parse);
        var example = LearningExample.Fit(device, points, priorSd);
        OutputFile.Write("--png", png, path =>
            SurfacePlots.LearningExample(example.Data.Column("x").AsArray(), example.Data.Column("y").AsArray(), example.Mle, example.Map, example.LogDensities, path, slopePriorSd: example.SlopePriorSd));
        parse.InvocationConfiguration.Output.WriteLine($"picture: {png} ({points:N0} points, MLE and MAP (slope prior Normal(0, {priorSd})) lines" +
            $"{(points <= 40 ? ", each point labelled with its log-likelihood" : "")})");
        PictureNote.Write(parse.InvocationConfiguration.Error);
        foreach (var (what, fit) in new[] { ("MLE", example.Mle), ("MAP", example.Map) }.Where(f => !f.Item2.Converged))
            parse.InvocationConfiguration.Output.WriteLine($"NOT CONVERGED: the {what} fit ({fit.Reason}); its line is where the search ended");
        return example.Converged ? GpuestApp.Ok : GpuestApp.NotConverged;
    }
}
