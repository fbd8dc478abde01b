using GpuEstimation.Models;

namespace GpuEstimation.Cli.Output;

/// <summary>The models and their parameters, one line each (what <c>gpuest models</c> prints).</summary>
internal static class ModelList
{
    /// <summary>Every built-in model: name, parameters, the options that give its columns, support.</summary>
    public static void Write(TextWriter output)
    {
        int name = ModelCatalog.Models.Max(m => m.Name.Length);
        int parameters = ModelCatalog.Models.Max(m => m.Parameters.Length);
        foreach (var model in ModelCatalog.Models)
            output.WriteLine($"{model.Name.PadRight(name)}  parameters: {model.Parameters.PadRight(parameters)}  {Columns(model.Inputs)}; support: {model.Support}");
    }

    private static string Columns(ModelInputs inputs) => inputs switch
    {
        ModelInputs.ColumnWithTrials => "--column K (--trials N | --trials-column C)",
        ModelInputs.ResponseAndFeatures => "--y Y --x X1[,X2...]",
        ModelInputs.FamilyResponseAndFeatures => "--family F [--link L] --y Y --x X1[,X2...] [--offset C] [--weights C] [--no-intercept] [--trials-column C]",
        ModelInputs.BinomialResponseAndFeatures => "--y Y --x X1[,X2...] [--offset C] [--weights C] [--no-intercept] [--trials-column C]",
        _ => "--column X",
    };
}
