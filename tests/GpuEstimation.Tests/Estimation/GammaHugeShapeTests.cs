using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Models;
using GpuEstimation.Tests.Engine;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Estimation;

/// <summary>
/// Gamma data with a small spread about a huge mean (shape 10¹⁰ and 10¹⁸): the log-density's terms ~α log α cancelled
/// to nothing (a newcomer's 10⁹ ± 1 gave a log-likelihood of −114,432 for −66.2, "converged", with a standard error
/// 10⁵ times too small). Beyond GammaModel.StableShape the log-density and the shape's derivative are taken in the
/// cancellation-free form. References: mpmath at 60 digits (the profile equation log α − ψ(α) = −mean log(x/x̄), the
/// log-likelihood summed at that MLE, the inverse Fisher information), for x = c + ((7919 i) mod 101 − 50)/29, i < 50.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class GammaHugeShapeTests(DeviceFixture devices)
{
    public static IEnumerable<object[]> Backends => DeviceFixture.Present.Select(b => new object[] { b });

    private static double[] Data(double centre) => [.. Enumerable.Range(0, 50).Select(i => centre + ((i * 7919) % 101 - 50) / 29.0)];

    // Centre 10⁵: shape 9.6e9. Estimates to 1e-8, the log-likelihood to 1e-12, standard errors to 1e-6 (all relative).
    [Theory]
    [MemberData(nameof(Backends))]
    public void ShapeTenToTheTenKeepsItsDigits(Backend backend)
    {
        using var session = new EstimationSession(ModelCatalog.Create("gamma", Dataset.FromColumns(("x", Data(1e5))), new ModelColumns("x")), devices[backend]);

        var fit = session.Fit(new FitOptions());

        Assert.True(fit.Converged, fit.Reason);
        Assert.True(Numerics.Relative(fit["shape"], 9625520022.6088141) <= 1e-8, $"shape {fit["shape"]:R}");
        Assert.True(Numerics.Relative(fit["rate"], 96255.232089889109) <= 1e-8, $"rate {fit["rate"]:R}");
        Assert.True(Numerics.Relative(fit.LogLikelihood, -71.901089755692285) <= 1e-12, $"log L {fit.LogLikelihood:R}");
        Assert.True(Numerics.Relative(fit.Get("shape").StdError!.Value, 1925104004.4884295) <= 1e-6, $"se(shape) {fit.Get("shape").StdError:R}");
        Assert.True(Numerics.Relative(fit.Get("rate").StdError!.Value, 19251.046418144488) <= 1e-6, $"se(rate) {fit.Get("rate").StdError:R}");
    }

    // Centre 10⁹: shape 9.6e17, where 1 − ρ² of shape and rate (about 1/(2α)) is below a double's resolution. The
    // estimates and the log-likelihood are still right (1e-6, 1e-12); standard errors, where given, to 1e-3.
    [Fact]
    public void ShapeTenToTheEighteenHasTheRightLikelihood()
    {
        using var session = new EstimationSession(ModelCatalog.Create("gamma", Dataset.FromColumns(("x", Data(1e9))), new ModelColumns("x")), devices.Native);

        var fit = session.Fit(new FitOptions());

        Assert.True(Numerics.Relative(fit.LogLikelihood, -71.901088471084819) <= 1e-12, $"log L {fit.LogLikelihood:R}");
        Assert.True(Numerics.Relative(fit["shape"], 9.625526890000389e+17) <= 1e-6, $"shape {fit["shape"]:R}");
        if (fit.Get("shape").StdError is { } se)
            Assert.True(Numerics.Relative(se, 1.9251053780000778e+17) <= 1e-3, $"se(shape) {se:R}");
        else
            Assert.Contains(fit.Diagnostics.Notes, n => n.StartsWith("no standard errors", StringComparison.Ordinal));
    }

    // A point far below the mean at a shape beyond StableShape (x = 1e-12, mean 10⁵): d = x/m − 1 rounds to −1 and
    // log1p(d) to −∞ (found by a review); below d = −½ the ratio's log is log x − log m. Against MathNet's gamma
    // log-density (its terms add there), to 1e-13.
    [Fact]
    public void APointFarBelowTheMeanStaysFinite()
    {
        using var session = new EstimationSession(ModelCatalog.Create("gamma", Dataset.FromColumns(("x", [1e-12, 1e5])), new ModelColumns("x")), devices.Native);

        double value = session.Evaluate([1e5, 1.0]).LogLikelihood;

        var gamma = new MathNet.Numerics.Distributions.Gamma(1e5, 1.0);
        double expected = gamma.DensityLn(1e-12) + gamma.DensityLn(1e5);
        Assert.True(Numerics.Relative(value, expected) <= 1e-13, $"{value:R} vs {expected:R}");
    }
}
