using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Models;
using GpuEstimation.Tests.Support;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;
using Xunit;
using Xunit.Abstractions;

namespace GpuEstimation.Tests.Estimation;

/// <summary>
/// Recovery: for every family and link, data simulated from a known truth (a feature of mean 50, an offset) are
/// fitted from the model's own starting values; the fit converges and every estimate is within 5 standard errors of
/// the truth. The links whose range is bounded (binomial log and identity, identity and inverse for positive means)
/// show that the start stays inside it.
/// </summary>
[Collection(DeviceCollection.Name)]
public class GlmFitTests(DeviceFixture devices, ITestOutputHelper output)
{
    private const int Rows = 4000;

    public static IEnumerable<object[]> Combinations =>
        from family in Enum.GetValues<GlmFamily>()
        from link in Enum.GetValues<GlmLink>()
        where GlmModel.Supports(family, link)
        select new object[] { family, link };

    [Theory]
    [MemberData(nameof(Combinations))]
    public void SimulatedTruthIsRecoveredFromTheDefaultStart(GlmFamily family, GlmLink link)
    {
        var random = new Xoshiro256StarStar(1000 + 10 * (int)family + (int)link);
        // η = b0 + b1 x1 + b2 x2 + offset within a range the link maps into the family's means.
        var (centre, half) = (family, link) switch
        {
            (GlmFamily.Binomial, GlmLink.Log) => (-1.2, 0.6),
            (GlmFamily.Binomial, GlmLink.Identity) => (0.5, 0.3),
            (GlmFamily.Binomial, _) => (0.0, 1.5),
            (_, GlmLink.Log) => (1.0, 0.8),
            (_, GlmLink.Identity) => (4.0, 2.0),
            _ => (0.6, 0.3),
        };
        double b1 = 0.5 * half, b2 = 0.3 * half;
        double[] truth = [centre - 50 * b2, b1, b2];
        var x1 = Enumerable.Range(0, Rows).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var x2 = Enumerable.Range(0, Rows).Select(_ => 50 + 2 * random.NextDouble() - 1).ToArray();
        var offset = Enumerable.Range(0, Rows).Select(_ => 0.1 * half * (2 * random.NextDouble() - 1)).ToArray();
        var trials = Enumerable.Range(0, Rows).Select(_ => (double)random.Next(1, 6)).ToArray();
        double extra = family switch { GlmFamily.NegativeBinomial => 0.5, GlmFamily.Gamma => 3.0, _ => 0.8 };
        var y = new double[Rows];
        for (int i = 0; i < Rows; i++)
        {
            double eta = truth[0] + b1 * x1[i] + b2 * x2[i] + offset[i];
            double mu = link switch
            {
                GlmLink.Logit => 1 / (1 + Math.Exp(-eta)),
                GlmLink.Probit => Normal.CDF(0, 1, eta),
                GlmLink.CLogLog => 1 - Math.Exp(-Math.Exp(eta)),
                GlmLink.Log => Math.Exp(eta),
                GlmLink.Identity => eta,
                _ => 1 / eta,
            };
            y[i] = family switch
            {
                GlmFamily.Binomial => Binomial.Sample(random, mu, (int)trials[i]),
                GlmFamily.Poisson => Poisson.Sample(random, mu),
                // The Gamma-Poisson mixture: MathNet 5.0's NegativeBinomial.Sample has mean r/p, not r(1 − p)/p.
                GlmFamily.NegativeBinomial => Poisson.Sample(random, Gamma.Sample(random, 1 / extra, 1 / (extra * mu))),
                GlmFamily.Gamma => Gamma.Sample(random, extra, extra / mu),
                _ => Normal.Sample(random, mu, extra),
            };
        }
        var data = Dataset.FromColumns(("y", y), ("x1", x1), ("x2", x2), ("off", offset), ("n", trials));
        var columns = new ModelColumns(Y: "y", X: ["x1", "x2"], TrialsColumn: family == GlmFamily.Binomial ? "n" : null)
        {
            Family = GlmNames.Name(family),
            Link = GlmNames.Name(link),
            Offset = "off",
        };
        var spec = ModelCatalog.Create("glm", data, columns);
        using var session = new EstimationSession(spec, devices.Native);

        var fit = session.Fit(new FitOptions());

        Assert.True(fit.Converged, $"{family}/{link}: {fit.Reason}");
        // Newton's method with the device's exact Hessian, not the generic search it falls back to.
        Assert.Equal("newton", fit.Optimizer);
        double[] expected = GlmModel.HasExtraParameter(family) ? [.. truth, extra] : truth;
        var z = fit.Parameters.Select((p, k) => (p.Estimate - expected[k]) / p.StdError!.Value).ToArray();
        output.WriteLine($"{family}/{link}: {fit.Iterations} iterations; z = {string.Join(", ", z.Select(v => v.ToString("F2")))}");
        for (int k = 0; k < expected.Length; k++)
            Assert.True(Math.Abs(z[k]) <= 5, $"{family}/{link} {fit.Parameters[k].Name}: {fit.Parameters[k].Estimate:R} vs truth {expected[k]} ({z[k]:F1} standard errors)");
    }
}
