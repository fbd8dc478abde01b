using CsCheck;
using GpuEstimation.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace GpuEstimation.Tests.Properties;

/// <summary>
/// Property tests (CsCheck) over every family and the linear model: random true parameters, data sizes 1 to 10⁴,
/// starts over sixteen orders of magnitude, random fixed parameters. Seeded and bounded so that the suite takes well
/// under a minute on two cores; a failure prints the case as C# for <see cref="FitRegressionTests"/>.
/// </summary>
[Collection(DeviceCollection.Name)]
public class FitPropertyTests(DeviceFixture devices, ITestOutputHelper output)
{
    private static readonly Gen<FitCase> Cases =
        from family in Gen.Int[0, FitProperty.Families.Length - 1]
        from n in Gen.Int[1, 10_000]
        from seed in Gen.Int[0, 1_000_000]
        from truth in Gen.Double[-1, 1].Array[5]
        from starts in Gen.Double[-8, 8].Array[5]
        from useStart in Gen.Bool.Array[5]
        from fix in Gen.Int[0, 5].Array[5]
        from ascent in Gen.Int[0, 3]
        select new FitCase(FitProperty.Families[family], n, seed, truth, starts, useStart, [.. fix.Select(f => f == 0)], ascent == 0);

    // The cases are one array drawn from the seed: CsCheck's Sample fixes only its first iteration's seed and draws the
    // others at random, which made this suite differ from run to run (and fail in CI on a case the fixed seed never
    // draws). A failing case is printed as C# for FitRegressionTests.
    [Fact]
    public void ConvergedFitsAreTheMle()
    {
        var gen = Cases.Array[Iterations];
        var cases = Seed is { } seed ? gen.Single(_ => true, seed) : gen.Single();
        var outcomes = new Dictionary<string, int>();
        foreach (var c in cases)
        {
            string outcome;
            try
            {
                outcome = FitProperty.Check(c, devices.Native);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"{c}: {e.Message}", e);
            }
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        foreach (var (outcome, count) in outcomes.OrderBy(o => o.Key))
            output.WriteLine($"{count,5} {outcome}");
    }

    /// <summary>A fixed seed, so the suite is deterministic; GPUEST_PROPERTY_SEED sets another ("random" for none).</summary>
    private static string? Seed => Environment.GetEnvironmentVariable("GPUEST_PROPERTY_SEED") switch
    {
        null => "0000000000001",
        "random" => null,
        var seed => seed,
    };

    private static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("GPUEST_PROPERTY_ITERATIONS"), out var n) ? n : 120;
}
