using GpuEstimation.Models;

namespace GpuEstimation.Cli.Output;

/// <summary>The models and their parameters, one line each (what <c>gpuest models</c> prints).</summary>
internal static class ModelList
{
    /// <summary>Every built-in model: name, parameters, the options that give its columns, support.</summary>
    public static void Write(TextWriter output)
    {
        // The catalogue's, then the models the command line builds itself (from --x, from an expression).
        (string Name, string Parameters, string Columns, string Support)[] rows =
        [
            .. ModelCatalog.Models.Select(m => (m.Name, m.Parameters, Columns(m.Inputs), m.Support)),
            (Commands.GaussianMixtureFit.ModelName, "w1..wK (wK = 1 − the others, not estimated), each component's mean and covariance", "--x X1[,X2...] --components K[:K2] [--covariance full|diagonal|spherical|tied]", "any point"),
            (NonlinearRegression.Name, "the --mean expression's names that are not columns, sigma", "--y Y --mean 'EXPR' --start NAME=V,...", "any y"),
        ];
        int name = rows.Max(r => r.Name.Length);
        int parameters = rows.Max(r => r.Parameters.Length);
        foreach (var row in rows)
            output.WriteLine($"{row.Name.PadRight(name)}  parameters: {row.Parameters.PadRight(parameters)}  {row.Columns}; support: {row.Support}");
        output.WriteLine("(no --model: --logpdf 'EXPR' --param NAME[:DOMAIN],... fits a log-density of your own)");
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
