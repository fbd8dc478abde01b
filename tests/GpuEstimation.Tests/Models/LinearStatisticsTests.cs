using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Models;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Models;

/// <summary>
/// The linear model's R², adjusted R² and F test against statsmodels' OLSResults on a small dataset: with an intercept
/// (R² about the mean) and with it held at 0 (about zero, as statsmodels and R's summary.lm do without one).
/// </summary>
[Collection(DeviceCollection.Name)]
public class LinearStatisticsTests(DeviceFixture devices)
{
    internal static readonly double[] X1 = [0.5, 1.2, 2.3, 2.9, 4.1, 5.0, 5.8, 7.2, 8.1, 9.4, 10.3, 11.0];
    internal static readonly double[] X2 = [3.1, 2.2, 4.5, 1.0, 0.3, 2.8, 5.1, 4.4, 0.9, 2.0, 3.7, 1.5];
    internal static readonly double[] Y = [1.9, 2.8, 4.6, 4.1, 5.3, 6.9, 8.4, 9.1, 8.8, 11.2, 12.9, 12.1];

    // Relative: the fit's coefficients agree with least squares to ~1e-12, and each statistic is stationary in them
    // or a smooth function of the RSS; the p-value, a tail probability, to 1e-8 of itself.
    private const double Tolerance = 1e-9;

    // statsmodels 0.13.5: m = sm.OLS(y, sm.add_constant(np.c_[x1, x2])).fit(); m.rsquared, m.rsquared_adj, m.fvalue,
    // m.f_pvalue, m.ssr, m.centered_tss (the held-intercept case: sm.OLS(y, np.c_[x1, x2]), m.uncentered_tss).
    [Theory]
    [InlineData(false, 0.9929119679974662, 0.9913368497746808, 630.3729800304726, 2.1250321931371548e-10, 1.0446991301601232, 147.38916666666665, 2, 9)]
    [InlineData(true, 0.9975768676742618, 0.9970922412091141, 2058.4448836700203, 8.353830452496893e-14, 1.9244274617780492, 794.1899999999999, 2, 10)]
    public void StatisticsMatchStatsmodels(bool interceptHeld, double r2, double adjusted, double f, double p, double rss, double tss, int dfModel, int dfResid)
    {
        var spec = ModelCatalog.Linear(Dataset.FromColumns(("y", Y), ("x1", X1), ("x2", X2)), "y", ["x1", "x2"]);
        using var session = new EstimationSession(spec, devices.Native);
        var fit = session.Fit(new FitOptions { Fixed = interceptHeld ? new Dictionary<string, double> { ["intercept"] = 0 } : new Dictionary<string, double>() });
        Assert.True(fit.Converged, fit.Reason);

        var statistics = LinearStatistics.Of(spec, fit)!;
        AssertClose(rss, statistics.ResidualSumOfSquares, "RSS");
        AssertClose(tss, statistics.TotalSumOfSquares, "TSS");
        AssertClose(r2, statistics.RSquared, "R²");
        AssertClose(adjusted, statistics.AdjustedRSquared, "adjusted R²");
        AssertClose(f, statistics.FStatistic, "F");
        Assert.True(Math.Abs(statistics.FPValue - p) <= 1e-8 * p, $"p: {statistics.FPValue:R} vs {p:R}");
        Assert.Equal(dfModel, statistics.DfModel);
        Assert.Equal(dfResid, statistics.DfResid);
    }

    // A held coefficient is an offset, as in R's lm(y ~ x1 + offset(b·x2)): the statistics are those of y − b·x2 on x1
    // alone. They took the held term as part of the model and the null model without it: with x2 held at 5, R² −7.08
    // and F −173.5 (p NaN); at 0.5 nothing looked odd, but R² was 0.37 against 0.45.
    [Theory]
    [InlineData(0.5)]
    [InlineData(5.0)]
    public void HeldCoefficientsAreAnOffset(double held)
    {
        var data = Dataset.FromColumns(("y", Y), ("x1", X1), ("x2", X2));
        var spec = ModelCatalog.Linear(data, "y", ["x1", "x2"]);
        using var session = new EstimationSession(spec, devices.Native);
        var fit = session.Fit(new FitOptions { Fixed = new Dictionary<string, double> { ["x2"] = held } });
        var z = Y.Select((v, i) => v - held * X2[i]).ToArray();
        var offsetSpec = ModelCatalog.Linear(Dataset.FromColumns(("z", z), ("x1", X1)), "z", ["x1"]);
        using var offsetSession = new EstimationSession(offsetSpec, devices.Native);
        var offsetFit = offsetSession.Fit(new FitOptions());

        var statistics = LinearStatistics.Of(spec, fit)!;
        var expected = LinearStatistics.Of(offsetSpec, offsetFit)!;
        AssertClose(expected.TotalSumOfSquares, statistics.TotalSumOfSquares, "TSS");
        AssertClose(expected.RSquared, statistics.RSquared, "R²");
        AssertClose(expected.AdjustedRSquared, statistics.AdjustedRSquared, "adjusted R²");
        AssertClose(expected.FStatistic, statistics.FStatistic, "F");
        Assert.True(Math.Abs(statistics.FPValue - expected.FPValue) <= 1e-8 * expected.FPValue, $"p: {statistics.FPValue:R} vs {expected.FPValue:R}");
        Assert.Equal(1, statistics.DfModel);
        Assert.Equal(Y.Length - 2, statistics.DfResid);
    }

    [Fact]
    public void OtherModelsHaveNone()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("y", Y)), "y");
        using var session = new EstimationSession(spec, devices.Native);
        Assert.Null(LinearStatistics.Of(spec, session.Fit(new FitOptions())));
    }

    // Responses of 10⁻¹⁶² and 10¹⁵⁵ (their squared residuals below and above the doubles' range): R², F and the residual
    // standard error (over the scale) are those of the unscaled data, to the tolerance (a trial: R² 0.91 for 0.83, and
    // a residual standard error of 0 or ∞, before the sums were scaled). A normal GLM starts σ at the residuals' scale
    // there (it started at 1, where the log-likelihood was not finite), and a deviance past the doubles is no exact fit.
    [Theory]
    [InlineData(1e-162)]
    [InlineData(1e155)]
    [InlineData(1e200)]
    public void StatisticsDoNotDependOnTheResponsesScale(double scale)
    {
        LinearStatistics Statistics(double factor)
        {
            var spec = ModelCatalog.Linear(Dataset.FromColumns(("y", Y.Select(v => v * factor).ToArray()), ("x1", X1), ("x2", X2)), "y", ["x1", "x2"]);
            using var session = new EstimationSession(spec, devices.Native);
            var fit = session.Fit(new FitOptions());
            return LinearStatistics.Of(spec, fit)!;
        }
        var plain = Statistics(1);
        var scaled = Statistics(scale);
        AssertClose(plain.RSquared, scaled.RSquared, "R²");
        AssertClose(plain.FStatistic, scaled.FStatistic, "F");
        AssertClose(plain.ResidualStdError, scaled.ResidualStdError / scale, "residual standard error / scale");

        var glm = ModelCatalog.Create("glm", Dataset.FromColumns(("y", Y.Select(v => v * scale).ToArray()), ("x1", X1), ("x2", X2)),
            new ModelColumns(Y: "y", X: ["x1", "x2"]) { Family = "normal" });
        AssertClose(plain.ResidualStdError * Math.Sqrt(plain.DfResid / Y.Length), glm.Start[^1] / scale, "the normal GLM's σ start / scale");
        using var glmSession = new EstimationSession(glm, devices.Native);
        var glmFit = GpuEstimation.Results.RegressionReport.Complete(glmSession.Fit(new FitOptions()), glm, devices.Native);
        Assert.DoesNotContain(glmFit.Diagnostics.Notes, n => n.Contains("fits every response exactly"));
    }

    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(actual - expected) <= Tolerance * Math.Abs(expected), $"{what}: {actual:R} vs {expected:R}");
}
