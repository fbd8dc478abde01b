using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Models;
using GpuEstimation.Priors;
using GpuEstimation.Tests.Engine;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Estimation;

[Collection(DeviceCollection.Name)]
public class MapProfileTests(DeviceFixture devices)
{
    // A Normal mean with σ known and a Normal(m₀, s₀) prior has a Normal posterior: its log is exactly quadratic, so the
    // profile interval of the log-posterior is the posterior's central interval, mean ± z·sd, and the Laplace standard
    // error is sd. The profile must count the prior at each held value of mu (it once dropped it, widening the interval).
    [Fact]
    public void ProfileOfTheLogPosteriorCountsThePriorOfTheProfiledParameter()
    {
        const double sigma = 2.0, m0 = 1.0, s0 = 0.05;
        var x = NormalSamples.Draw(400, 17, 1.3, sigma);
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", x)), "x");
        using var session = new EstimationSession(spec, devices.Native);
        var fit = session.Fit(new FitOptions
        {
            Map = true,
            Priors = new Dictionary<string, Prior> { ["mu"] = new NormalPrior(m0, s0) },
            Fixed = new Dictionary<string, double> { ["sigma"] = sigma },
            Profile = ["mu"],
        });

        double precision = x.Length / (sigma * sigma) + 1 / (s0 * s0);
        double mean = (Numerics.Sum(x) / (sigma * sigma) + m0 / (s0 * s0)) / precision;
        double sd = 1 / Math.Sqrt(precision);
        double z = MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 0.975);
        var mu = fit.Get("mu");
        Assert.True(fit.Converged, fit.Reason);
        Assert.True(Numerics.Relative(mu.Estimate, mean) <= 1e-10, $"MAP {mu.Estimate:R} vs {mean:R}");
        Assert.True(Numerics.Relative(mu.StdError!.Value, sd) <= 1e-6, $"sd {mu.StdError:R} vs {sd:R}");
        Assert.True(Math.Abs(mu.Profile!.Lower!.Value - (mean - z * sd)) <= 1e-8 * sd, $"lower {mu.Profile.Lower:R} vs {mean - z * sd:R}");
        Assert.True(Math.Abs(mu.Profile.Upper!.Value - (mean + z * sd)) <= 1e-8 * sd, $"upper {mu.Profile.Upper:R} vs {mean + z * sd:R}");
    }

    [Fact]
    public void PriorOnAFixedParameterIsRefused()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", [1.0, 2.0, 4.0])), "x");
        using var session = new EstimationSession(spec, devices.Native);
        var e = Assert.Throws<InputException>(() => session.Fit(new FitOptions
        {
            Map = true,
            Priors = new Dictionary<string, Prior> { ["sigma"] = new HalfNormalPrior(1) },
            Fixed = new Dictionary<string, double> { ["sigma"] = 1 },
        }));
        Assert.Equal("prior on sigma: sigma is fixed, so a prior on it has no effect", e.Message);
        Assert.Equal("sigma", e.ParamName);
    }

    [Fact]
    public void PositiveOnlyPriorOnARealParameterNamesThePriorAsWritten()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", [1.0, 2.0, 4.0])), "x");
        using var session = new EstimationSession(spec, devices.Native);
        var e = Assert.Throws<InputException>(() => session.Fit(new FitOptions
        {
            Map = true,
            Priors = new Dictionary<string, Prior> { ["mu"] = new HalfNormalPrior(1) },
        }));
        Assert.Equal("prior on mu: halfnormal(1) is defined only for positive values, but mu is real-valued", e.Message);
    }
}
