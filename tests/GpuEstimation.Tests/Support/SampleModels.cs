using GpuEstimation.Data;
using GpuEstimation.Kernels;
using GpuEstimation.Models;
using GpuEstimation.Tests.Models;
using MathNet.Numerics.Random;

namespace GpuEstimation.Tests.Support;

/// <summary>
/// Every model the project has, each with data of its own, for tests that compare backends on the same data: the linear
/// model, a user-defined model (<see cref="MyExponentialModel"/>) and each catalogue family on a sample from its truth.
/// </summary>
internal static class SampleModels
{
    /// <summary>Rows of the linear and user models: several 32k-row native chunks and a ragged tail.</summary>
    public const int Rows = 100_003;

    /// <summary>Rows of each family's sample.</summary>
    public const int FamilyRows = 20_000;

    /// <summary>The model names: linear, my-exponential, then the families.</summary>
    public static IReadOnlyList<string> Names { get; } = new[] { "linear", "my-exponential" }.Concat(FamilyCases.All.Keys).ToList();

    /// <summary>For [Theory, MemberData(nameof(SampleModels.All), MemberType = typeof(SampleModels))].</summary>
    public static IEnumerable<object[]> All => Names.Select(m => new object[] { m });

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
            default:
                var c = FamilyCases.All[model];
                var random = new Xoshiro256StarStar(5);
                var sample = Enumerable.Range(0, FamilyRows).Select(_ => c.Sample(c.Truth, random)).ToArray();
                var columns = model == "binomial" ? new ModelColumns("x", Trials: FamilyCases.BinomialTrials) : new ModelColumns("x");
                return ModelCatalog.Create(model, Dataset.FromColumns(("x", sample)), columns);
        }
    }
}
