using GpuEstimation.Plots;

namespace GpuEstimation.Cli.Output;

/// <summary>What a user should know of the pictures just written: on a machine without fonts they have no text.</summary>
internal static class PictureNote
{
    /// <summary>Writes the note to <paramref name="error"/> where the pictures have no text (exit code unchanged).</summary>
    public static void Write(TextWriter error)
    {
        if (SurfacePlots.TextProblem is { } problem)
            error.WriteLine($"gpuest: note: {problem}");
    }
}
