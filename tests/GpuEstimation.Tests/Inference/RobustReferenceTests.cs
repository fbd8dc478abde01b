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

    // The Poisson regression (glm, log link) as statsmodels' discrete Poisson with a constant and x1.
    [Theory]
    [InlineData("HC0")]
    [InlineData("cluster")]
    public void PoissonRegressionMatchesStatsmodelsPoisson(string cov)
    {
        var reference = Reference().GetProperty("poissonRegression").GetProperty(cov);
        var data = DataFile.Read(Path.Combine(Directory(), "robust.csv"), ["c", "x1"], ["g"]);
        var spec = ModelCatalog.Create("glm", data, new ModelColumns(Y: "c", X: ["x1"]) { Family = "poisson" });
        using var session = new EstimationSession(spec, devices.Native);

        var fit = session.Fit(new FitOptions { Covariance = Covariance(cov, data) });

        foreach (var name in new[] { "intercept", "x1" })
        {
            double estimate = reference.GetProperty("estimates").GetProperty(name).GetDouble();
            double se = reference.GetProperty("stdErrors").GetProperty(name).GetDouble();
            Assert.True(Numerics.Relative(fit[name], estimate) <= 1e-8, $"{name}: {fit[name]:R} vs {estimate:R}");
            Assert.True(Numerics.Relative(fit.Get(name).StdError!.Value, se) <= Tolerance, $"{cov} {name}: se {fit.Get(name).StdError:R} vs {se:R}");
        }
    }

    // Frequency weights mean repeated rows: a GLM with integer weights has the same HC0 sandwich as the same GLM on the
    // rows written out that many times (w copies of a row add w·s sᵀ to the meat, not (w s)(w s)ᵀ), and the same
    // cluster-robust covariance: n = Σw observations, and a cluster whose rows all weigh 0 is not counted (here one is).
    [Theory]
    [InlineData("HC0")]
    [InlineData("HC1")]
    [InlineData("cluster")]
    public void FrequencyWeightsGiveTheSandwichOfRepeatedRows(string cov)
    {
        var data = DataFile.Read(Path.Combine(Directory(), "robust.csv"), ["c", "x1"], ["g"]);
        var weights = Enumerable.Range(0, data.Rows).Select(i => (double)(i % 4)).ToArray();
        var codes = FactorLevels.Of(data, "g").Codes;
        var repeat = Enumerable.Range(0, data.Rows).SelectMany(i => Enumerable.Repeat(i, (int)weights[i])).ToArray();
        var weighted = Dataset.FromColumns(("c", data.Column("c").ToArray()), ("x1", data.Column("x1").ToArray()), ("w", weights));
        double[] c = data.Column("c").ToArray(), x1 = data.Column("x1").ToArray();
        var repeated = Dataset.FromColumns(("c", repeat.Select(i => c[i]).ToArray()), ("x1", repeat.Select(i => x1[i]).ToArray()));
        CovarianceType Of(int[] rows) => cov switch
        {
            "HC0" => CovarianceType.HC0,
            "HC1" => CovarianceType.HC1,
            _ => CovarianceType.Cluster(rows.Select(i => codes[i]).ToArray(), "g"),
        };

        using var one = new EstimationSession(ModelCatalog.Create("glm", weighted, new ModelColumns(Y: "c", X: ["x1"]) { Family = "poisson", Weights = "w" }), devices.Native);
        using var other = new EstimationSession(ModelCatalog.Create("glm", repeated, new ModelColumns(Y: "c", X: ["x1"]) { Family = "poisson" }), devices.Native);
        var byWeight = one.Fit(new FitOptions { Covariance = Of([.. Enumerable.Range(0, data.Rows)]) });
        var byRows = other.Fit(new FitOptions { Covariance = Of(repeat) });

        // The same observations: the same log-likelihood and BIC (n = Σw).
        Assert.True(Math.Abs(byWeight.Bic - byRows.Bic) <= 1e-9 * Math.Abs(byRows.Bic), $"BIC {byWeight.Bic:R} by weights vs {byRows.Bic:R}");
        foreach (var name in new[] { "intercept", "x1" })
        {
            Assert.True(Numerics.Relative(byWeight[name], byRows[name]) <= 1e-9, $"{name}: {byWeight[name]:R} vs {byRows[name]:R}");
            double a = byWeight.Get(name).StdError!.Value, b = byRows.Get(name).StdError!.Value;
            Assert.True(Numerics.Relative(a, b) <= 1e-7, $"{cov} {name}: se {a:R} by weights vs {b:R} by repeated rows");
        }
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
