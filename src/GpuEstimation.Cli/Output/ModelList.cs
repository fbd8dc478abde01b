using GpuEstimation.Models;

namespace GpuEstimation.Cli.Output;

/// <summary>The models and their parameters, one line each (what <c>gpuest models</c> prints).</summary>
internal static class ModelList
{
    /// <summary>Every built-in model.</summary>
    public static void Write(TextWriter output)
    {
        foreach (var line in ModelCatalog.Describe())
            output.WriteLine(line);
    }
}
