using System.CommandLine;
using GpuEstimation.Cli.Output;

namespace GpuEstimation.Cli.Commands;

/// <summary><c>gpuest models</c>: the models, their parameters, support and the columns they read.</summary>
internal sealed class ModelsCommand : Command
{
    public ModelsCommand() : base("models", "The models, their parameters and support, and the columns each reads.") =>
        SetAction(parse =>
        {
            ModelList.Write(parse.InvocationConfiguration.Output);
            return GpuestApp.Ok;
        });
}
