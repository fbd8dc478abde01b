using System.Text.Json;
using GpuEstimation.Data;
using GpuEstimation.Design;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Models;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Inference;

/// <summary>
/// Robust standard errors against statsmodels on the same file: reference output written by
/// bench/compare/robust_reference.py and committed beside this test (OLS HC0, HC1, cluster; Poisson HC0, cluster).
/// </summary>
[Collection(DeviceCollection.Name)]
public class RobustReferenceTests(DeviceFixture devices)
{
    // statsmodels inverts its analytic Hessian; ours is the observed information by differences. The issue asks for
    // 1e-5; every value agrees within 1e-9 (measured), so 1e-7 leaves room and still catches a wrong factor.
    private const double Tolerance = 1e-7;

    [Theory]
    [InlineData("HC0")]
    [InlineData("HC1")]
    [InlineData("cluster")]
    public void LinearModelMatchesStatsmodelsOls(string cov)
    {
        var reference = Reference().GetProperty("ols").GetProperty(cov);
        var data = DataFile.Read(Path.Combine(Directory(), "robust.csv"), ["y", "x1", "x2"], ["g"]);
        using var session = new EstimationSession(ModelCatalog.Linear(data, "y", ["x1", "x2"]), devices.Native);

        var fit = session.Fit(new FitOptions { Covariance = Covariance(cov, data) });

        Assert.Equal(cov, fit.CovType);
        foreach (var (ours, theirs) in new[] { ("intercept", "intercept"), ("x1", "x1"), ("x2", "x2") })
        {
            double estimate = reference.GetProperty("estimates").GetProperty(theirs).GetDouble();
            double se = reference.GetProperty("stdErrors").GetProperty(theirs).GetDouble();
            Assert.True(Numerics.Relative(fit[ours], estimate) <= 1e-8, $"{ours}: {fit[ours]:R} vs {estimate:R}");
            Assert.True(Numerics.Relative(fit.Get(ours).StdError!.Value, se) <= Tolerance, $"{cov} {ours}: se {fit.Get(ours).StdError:R} vs {se:R}");
        }
    }

    // statsmodels estimates log λ; the sandwich carries over by the delta method exactly for one parameter: SE(λ) = λ SE(log λ).
    [Theory]
    [InlineData("HC0")]
    [InlineData("cluster")]
    public void PoissonRateMatchesStatsmodelsPoisson(string cov)
    {
        var reference = Reference().GetProperty("poissonConstant").GetProperty(cov);
        var data = DataFile.Read(Path.Combine(Directory(), "robust.csv"), ["c"], ["g"]);
        using var session = new EstimationSession(ModelCatalog.Distribution<PoissonModel>(data, "c"), devices.Native);

        var fit = session.Fit(new FitOptions { Covariance = Covariance(cov, data) });

        double logRate = reference.GetProperty("estimates").GetProperty("logRate").GetDouble();
        double se = reference.GetProperty("stdErrors").GetProperty("logRate").GetDouble();
        Assert.True(Numerics.Relative(Math.Log(fit["rate"]), logRate) <= 1e-10);
        Assert.True(Numerics.Relative(fit.Get("rate").StdError!.Value, fit["rate"] * se) <= Tolerance,
            $"{cov}: se {fit.Get("rate").StdError:R} vs {fit["rate"] * se:R}");
    }

    private static CovarianceType Covariance(string cov, Dataset data) => cov switch
    {
        "HC0" => CovarianceType.HC0,
        "HC1" => CovarianceType.HC1,
        _ => CovarianceType.Cluster(FactorLevels.Of(data, "g").Codes, "g"),
    };

    private static string Directory() => Path.Combine(Repository.Root(), "tests", "GpuEstimation.Tests", "Inference", "reference");

    private static JsonElement Reference() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory(), "robust-statsmodels.json"))).RootElement;
}
