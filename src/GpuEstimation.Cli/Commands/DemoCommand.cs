using System.CommandLine;
using GpuEstimation.Cli.Options;
using GpuEstimation.Cli.Output;
using GpuEstimation.Data;
using GpuEstimation.Demo;
using GpuEstimation.Plots;
using GpuEstimation.Surfaces;
using GpuEstimation.Estimation;

namespace GpuEstimation.Cli.Commands;

/// <summary><c>gpuest demo</c>: the learning example fitted by MLE and MAP beside the closed forms, with two pictures.</summary>
internal sealed class DemoCommand : Command
{
    /// <summary>The pictures' file names inside <c>--pictures</c>.</summary>
    public const string FitPicture = "gpuest-demo-fit.png";
    public const string SurfacePicture = "gpuest-demo-surface.png";

    private readonly DeviceOptions _device = new();
    private readonly Option<int> _points = SharedOptions.Points(LearningExample.DefaultPoints, 10);
    private readonly Option<string> _pictures = CliOption.Single("--pictures", "DIR",
        $"the directory the pictures {FitPicture} and {SurfacePicture} are written to (created if missing); the paths are printed",
        CliOption.PathText, () => ".");

    public DemoCommand() : base("demo",
        $"The learning example: y = {LearningExample.Slope}·x + {LearningExample.Intercept} + noise, fitted by MLE and MAP beside the closed forms; " +
        $"draws {FitPicture} and {SurfacePicture} into --pictures (default: the current directory).")
    {
        Add(_points);
        Add(_pictures);
        _device.AddTo(this);
        SetAction(Run);
    }

    private int Run(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        var pictures = parse.GetValue(_pictures)!;
        CreateDirectory(pictures);
        using var device = _device.Open(parse);
        var data = LearningExample.Generate(parse.GetValue(_points));
        // One session for the fits and the surface: the data goes to the device once.
        using var session = new EstimationSession(LearningExample.Model(data), device);
        var example = LearningExample.Fit(session, data, LearningExample.DemoSlopePriorSd);
        DemoReport.Write(output, example);

        var linePicture = Path.Combine(pictures, FitPicture);
        var surfacePicture = Path.Combine(pictures, SurfacePicture);
        OutputFile.Write("--pictures", linePicture, path => SurfacePlots.LearningExample(
            example.Data.Column("x").AsArray(), example.Data.Column("y").AsArray(), example.Mle, example.Map, example.LogDensities, path, slopePriorSd: example.SlopePriorSd));
        var surface = Surface(example, session);
        OutputFile.Write("--pictures", surfacePicture, path => SurfacePlots.Heatmap(surface, path));
        output.WriteLine();
        output.WriteLine($"pictures: {linePicture}, {surfacePicture}");
        PictureNote.Write(parse.InvocationConfiguration.Error);
        return example.Converged ? GpuestApp.Ok : GpuestApp.NotConverged;
    }

    // Before any computation, so that a directory that cannot be made costs nothing; by rank 0 alone under MPI, which
    // alone writes the pictures (other ranks left an empty folder in their working directories).
    private static void CreateDirectory(string pictures)
    {
        if (!GpuEstimation.Backends.RowCollective.Current.IsRoot)
            return;
        if (File.Exists(pictures))
            throw new InputException($"--pictures {pictures}: is a file, expected a directory");
        try
        {
            Directory.CreateDirectory(pictures);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"--pictures {pictures}: cannot create the directory ({OutputFile.Reason(e)})");
        }
        // A directory that is there but takes no new file (read-only) is said now too, not after the fit.
        OutputFile.Check("--pictures", Path.Combine(pictures, FitPicture));
    }

    // The (intercept, slope) surface around the MLE at the MLE's sigma, with the MLE and the MAP (ridge) marked:
    // the ridge solution sits off the likelihood's peak, towards the prior's centre.
    private static SweepResult Surface(LearningFit example, EstimationSession session)
    {
        var mle = example.Mle;
        var se = (mle.Get("intercept").StdError ?? 0.01, mle.Get("x").StdError ?? 0.01);
        var surface = Sweeper.Sweep(session, new SweepOptions
        {
            Axes =
            [
                new GridAxis("intercept", mle["intercept"] - 4 * se.Item1, mle["intercept"] + 4 * se.Item1, 48),
                new GridAxis("x", mle["x"] - 4 * se.Item2, mle["x"] + 4 * se.Item2, 48),
            ],
            At = new Dictionary<string, double> { ["sigma"] = mle["sigma"] },
        });
        // Held at the MLE's sigma: the MLE is the base fit, so its mark is the MLE's, not a maximum "given" that sigma.
        return surface with
        {
            Base = mle,
            Estimates =
            [
                new("MLE", mle.Parameters.Select(p => p.Estimate).ToArray(), mle.LogLikelihood),
                new("MAP", example.Map.Parameters.Select(p => p.Estimate).ToArray(), example.Map.LogPosterior ?? double.NaN),
            ],
        };
    }
}
