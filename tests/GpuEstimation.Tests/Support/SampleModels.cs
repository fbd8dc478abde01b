using GpuEstimation.Data;
using GpuEstimation.Kernels;
using GpuEstimation.Models;
using GpuEstimation.Tests.Models;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;

namespace GpuEstimation.Tests.Support;

/// <summary>
/// Every model the project has, each with data of its own, for tests that compare backends on the same data: the linear
/// model, a user-defined model (<see cref="MyExponentialModel"/>), each catalogue family on a sample from its truth, and
/// generalized linear models (logit with an offset and weights, probit with trials, NB2, gamma with the log link).
/// </summary>
internal static class SampleModels
{
    /// <summary>Rows of the linear and user models: several 32k-row native chunks and a ragged tail.</summary>
    public const int Rows = 100_003;

    /// <summary>Rows of each family's sample.</summary>
    public const int FamilyRows = 20_000;

    /// <summary>Rows of each generalized linear model's sample: fewer, as a GLM row costs more (probit's erfcx, NB2's
    /// log-gammas), and the OpenCL sweep test evaluates every grid point on the native backend too.</summary>
    public const int GlmRows = 5_003;

    /// <summary>The generalized linear models among <see cref="Names"/>.</summary>
    public static IReadOnlyList<string> GlmNames { get; } = ["glm-logit", "glm-probit", "glm-negbinomial", "glm-gamma"];

    /// <summary>The model names: linear, my-exponential, the families, then the generalized linear models.</summary>
    public static IReadOnlyList<string> Names { get; } = new[] { "linear", "my-exponential" }.Concat(FamilyCases.All.Keys).Concat(GlmNames).ToList();

    /// <summary>For [Theory, MemberData(nameof(SampleModels.All), MemberType = typeof(SampleModels))].</summary>
    public static IEnumerable<object[]> All => Names.Select(m => new object[] { m });

    /// <summary>
    /// The models whose sweep kernels the OpenCL tests compile: <see cref="All"/> less two of the GLMs (probit, gamma:
    /// the sweep kernel of every GLM is one generic kernel whose family and link are data, so logit and NB2 cover it)
    /// and the negative binomial (its rows' arithmetic is the fit's and evaluation's, which the OpenCL tests compile;
    /// the sweep's own code is the other models'). A compiler such as PoCL takes 20-30 s over each of these kernels.
    /// </summary>
    public static IEnumerable<object[]> SweptOnOpenCl => Names.Where(m => m is not ("glm-probit" or "glm-gamma" or "negbinomial")).Select(m => new object[] { m });

    /// <summary>The model with its data (the same data on every call).</summary>
    public static IModelSpec Spec(string model)
    {
        var x = NormalSamples.Draw(Rows, 101, 2, 1.5);
        switch (model)
        {
            case "linear":
                var noise = NormalSamples.Draw(Rows, 102, 0, 0.4);
                var y = x.Select((v, i) => 0.7 - 1.3 * v + noise[i]).ToArray();
                return ModelCatalog.Linear(Dataset.FromColumns(("y", y), ("x", x)), "y", ["x"]);
            case "my-exponential":
                var t = x.Select(Math.Abs).ToArray();
                return new ModelSpec<MyExponentialModel>("exponential", new MyExponentialModel(), [t], [new ParameterInfo("rate", ParameterDomain.Positive)], [1.0]);
            case "glm-logit" or "glm-probit" or "glm-negbinomial" or "glm-gamma":
                return Glm(model, x);
            default:
                var c = FamilyCases.All[model];
                var random = new Xoshiro256StarStar(5);
                var sample = Enumerable.Range(0, FamilyRows).Select(_ => c.Sample(c.Truth, random)).ToArray();
                var columns = model == "binomial" ? new ModelColumns("x", Trials: FamilyCases.BinomialTrials) : new ModelColumns("x");
                return ModelCatalog.Create(model, Dataset.FromColumns(("x", sample)), columns);
        }
    }

    // η = 0.3 + 0.5 (x − 2) + offset over the shared x (mean 2, sd 1.5); responses drawn from the model at that η.
    private static IModelSpec Glm(string model, double[] x)
    {
        var random = new Xoshiro256StarStar(6);
        int n = GlmRows;
        var feature = x[..n];
        var offset = Enumerable.Range(0, n).Select(i => 0.1 * Math.Sin(i)).ToArray();
        var eta = feature.Select((v, i) => 0.3 + 0.5 * (v - 2) + offset[i]).ToArray();
        var weights = Enumerable.Range(0, n).Select(i => (double)(i % 3)).ToArray();
        var trials = Enumerable.Range(0, n).Select(i => (double)(1 + i % 5)).ToArray();
        double[] y = model switch
        {
            "glm-logit" => eta.Select(e => random.NextDouble() < 1 / (1 + Math.Exp(-e)) ? 1.0 : 0.0).ToArray(),
            "glm-probit" => eta.Select((e, i) => (double)Binomial.Sample(random, Normal.CDF(0, 1, e), (int)trials[i])).ToArray(),
            // The Gamma-Poisson mixture (MathNet 5.0's NegativeBinomial.Sample has the wrong mean; see FamilyCases).
            "glm-negbinomial" => eta.Select(e => (double)Poisson.Sample(random, Gamma.Sample(random, 1 / 0.4, 1 / (0.4 * Math.Exp(e))))).ToArray(),
            _ => eta.Select(e => Gamma.Sample(random, 2.5, 2.5 / Math.Exp(e))).ToArray(),
        };
        var data = Dataset.FromColumns(("y", y), ("x", feature), ("off", offset), ("w", weights), ("n", trials));
        var columns = model switch
        {
            "glm-logit" => new ModelColumns(Y: "y", X: ["x"]) { Offset = "off", Weights = "w" },
            "glm-probit" => new ModelColumns(Y: "y", X: ["x"], TrialsColumn: "n"),
            "glm-negbinomial" => new ModelColumns(Y: "y", X: ["x"]) { Family = "negbinomial", Offset = "off" },
            _ => new ModelColumns(Y: "y", X: ["x"]) { Family = "gamma", Link = "log" },
        };
        return ModelCatalog.Create(model switch { "glm-logit" => "logit", "glm-probit" => "probit", _ => "glm" }, data, columns);
    }
}
