using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Design;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Models;
using GpuEstimation.Priors;
using GpuEstimation.Results;

namespace GpuEstimation.Tests.Examples;

/// <summary>
/// The README's library examples, compiled and run by <see cref="ReadmeExampleTests"/>: the README quotes the text
/// between each "README:" marker and the next "README end", so what it shows is what builds.
/// </summary>
public static class LibraryExample
{
    /// <summary>The README's first example: a linear regression read from a CSV file, fitted by MLE.</summary>
    public static FitResult FitSales(string path, Backend backend, TextWriter output)
    {
        // README: library
        var data = DataFile.Read(path, ["sales", "price"]);   // CSV by name; a .npy file by column index
        var model = ModelCatalog.Linear(data, "sales", ["price"]);
        using var device = ComputeDevice.Open(backend);
        using var session = new EstimationSession(model, device);   // data uploaded, kernels loaded, once
        FitResult mle = session.Fit(new FitOptions());
        output.WriteLine($"{mle["price"]} on {mle.Device}, converged: {mle.Converged} ({mle.Reason})");
        // README end
        return mle;
    }

    /// <summary>The README's MAP example: a Normal prior on the slope, the noise sd held.</summary>
    public static FitResult FitSalesMap(IModelSpec model, Backend backend)
    {
        // README: map
        var options = new FitOptions
        {
            Map = true,
            Priors = new Dictionary<string, Prior> { ["price"] = new NormalPrior(0, 0.5) },
            Fixed = new Dictionary<string, double> { ["sigma"] = 2.0 },
            Profile = ["price"],
        };
        FitResult map = Estimator.Fit(model, options, backend);   // opens the device, fits, cleans up
        // README end
        return map;
    }

    /// <summary>
    /// The README's GLM example: a logistic regression given by a formula with a factor, its report's statistics, and
    /// predictions for new rows.
    /// </summary>
    public static (FitResult Fit, Prediction Prediction) FitAndPredict(string path, string newRows, Backend backend, TextWriter output)
    {
        // README: glm
        var data = DataFile.Read(path, ["bought", "price"], factors: ["region"]);
        var design = DesignMatrix.Build(data, Formula.Parse("bought ~ price + C(region)"));
        var model = ModelCatalog.Create("logit", design.Data, design.Columns);
        using var device = ComputeDevice.Open(backend);
        using var session = new EstimationSession(model, device);
        // The deviance, pseudo-R² and the design that predictions need, beside the estimates:
        var fit = RegressionReport.Complete(session.Fit(new FitOptions()), model, device, FittedDesign.Of(design));
        output.WriteLine($"deviance {fit.Glm!.Deviance}, pseudo-R² {fit.Glm.PseudoR2}");
        var prediction = FittedRegression.Of(fit).Predict(DataFile.Read(newRows, ["price"], factors: ["region"]));
        output.WriteLine($"P(bought) in the first new row: {prediction.Mean[0]} (standard error {prediction.SeMean[0]})");
        // README end
        return (fit, prediction);
    }

    /// <summary>The README's family example: a Student-t by its type, and the estimates' covariance read by name.</summary>
    public static FitResult FitReturns(string path, Backend backend, TextWriter output)
    {
        // README: family
        var returns = DataFile.Read(path, ["r"]);
        var model = ModelCatalog.Distribution<StudentTModel>(returns, "r");   // as ModelCatalog.Create("studentt", ...)
        FitResult fit = Estimator.Fit(model, new FitOptions(), backend);
        output.WriteLine($"nu = {fit["nu"]}, cov(mu, sigma) = {fit.CovarianceOf("mu", "sigma")}");
        // README end
        return fit;
    }
}
