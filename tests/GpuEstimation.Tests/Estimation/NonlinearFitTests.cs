using System.Text.Json;
using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels;
using GpuEstimation.Models;
using GpuEstimation.Optimization;
using GpuEstimation.Results;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Estimation;

/// <summary>
/// Nonlinear regression through the ordinary pipeline: the Levenberg–Marquardt search on the device's normal equations,
/// σ the MLE, NIST's standard errors and residual standard deviation beside the MLE's, held parameters, profiles, the
/// JSON fields, and fits that must say they did not converge.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class NonlinearFitTests(DeviceFixture devices)
{
    [Theory]
    [InlineData(Backend.Cpu)]
    [InlineData(Backend.Native)]
    public void Misra1aMatchesNistAndReportsBothStandardErrors(Backend backend)
    {
        var nist = NistNonlinear.Load("Misra1a");
        var spec = NistMeans.Factories["Misra1a"](nist, nist.Y, nist.Starts[0]);
        using var session = new EstimationSession(spec, devices[backend]);
        var fit = session.Fit(new FitOptions());

        Assert.True(fit.Converged, fit.Reason);
        Assert.Equal(LevenbergMarquardtName, fit.Optimizer);
        for (int k = 0; k < 2; k++)
        {
            Assert.True(NistNonlinear.Lre(fit[nist.Names[k]], nist.Estimates[k]) >= 6, $"b{k + 1} = {fit[nist.Names[k]]}");
            Assert.True(NistNonlinear.Lre(fit.Nonlinear!.StdErrorNist[nist.Names[k]], nist.StandardDeviations[k]) >= 5);
            // The MLE's standard error (observed information, divisor n) against NIST's (Gauss–Newton, n − p): the
            // ratio is about √((n − p)/n), the residual-curvature term small on Misra1a.
            double ratio = fit.Get(nist.Names[k]).StdError!.Value / nist.StandardDeviations[k];
            Assert.Equal(Math.Sqrt((nist.Y.Length - 2.0) / nist.Y.Length), ratio, 0.02);
        }
        int n = nist.Y.Length;
        Assert.Equal(Math.Sqrt(nist.Rss / n), fit["sigma"], 1e-9 * fit["sigma"]);
        Assert.Equal(nist.Rss, fit.Nonlinear!.ResidualSumOfSquares, 1e-8 * nist.Rss);
        Assert.Equal(n - 2, fit.Nonlinear.DegreesOfFreedom);
        Assert.True(NistNonlinear.Lre(fit.Nonlinear.ResidualStdError, nist.ResidualSd) >= 6);
        // The MLE's log-likelihood at σ̂: −n/2 (log 2π σ̂² + 1).
        Assert.Equal(-n / 2.0 * (Math.Log(2 * Math.PI * nist.Rss / n) + 1), fit.LogLikelihood, 1e-9 * Math.Abs(fit.LogLikelihood));

        using var json = JsonDocument.Parse(JsonReport.Fit(fit));
        var root = json.RootElement;
        Assert.Equal(fit.Nonlinear.ResidualStdError, root.GetProperty("residualStdError").GetDouble());
        var parameters = root.GetProperty("parameters");
        Assert.Equal(fit.Nonlinear.StdErrorNist["b1"], parameters[0].GetProperty("stdErrorNist").GetDouble());
        Assert.False(parameters[2].TryGetProperty("stdErrorNist", out _)); // sigma has none
    }

    [Fact]
    public void HeldMeanParameterLeavesTheOthersAndCountsDegreesOfFreedom()
    {
        var nist = NistNonlinear.Load("Misra1a");
        var spec = NistMeans.Factories["Misra1a"](nist, nist.Y, nist.Starts[1]);
        using var session = new EstimationSession(spec, devices.Native);
        var fit = session.Fit(new FitOptions { Fixed = new Dictionary<string, double> { ["b1"] = nist.Estimates[0] } });

        Assert.True(fit.Converged, fit.Reason);
        Assert.True(NistNonlinear.Lre(fit["b2"], nist.Estimates[1]) >= 6, $"b2 = {fit["b2"]}");
        Assert.Equal(nist.Y.Length - 1, fit.Nonlinear!.DegreesOfFreedom);
        Assert.Equal(["b2"], fit.Nonlinear.StdErrorNist.Keys);
        // With b1 held, b2's standard error is 1/√(Σ J²) · s: smaller than with b1 free (they are correlated).
        Assert.True(fit.Nonlinear.StdErrorNist["b2"] < nist.StandardDeviations[1]);
    }

    [Fact]
    public void ProfileIntervalsRunTheLeastSquaresSearchAtEveryPoint()
    {
        var nist = NistNonlinear.Load("Misra1a");
        var spec = NistMeans.Factories["Misra1a"](nist, nist.Y, nist.Starts[0]);
        using var session = new EstimationSession(spec, devices.Native);
        var fit = session.Fit(new FitOptions { Profile = ["b2"] });

        var b2 = fit.Get("b2");
        Assert.True(fit.Converged, fit.Reason);
        double lower = b2.Profile!.Lower!.Value, upper = b2.Profile.Upper!.Value;
        double waldLower = b2.Wald!.Lower!.Value, waldUpper = b2.Wald.Upper!.Value;
        Assert.InRange(b2.Estimate, lower, upper);
        // Nearly linear in b2 near the optimum: the profile interval within 10% of the Wald one's half-widths.
        Assert.Equal(waldUpper - b2.Estimate, upper - b2.Estimate, 0.1 * (waldUpper - b2.Estimate));
        Assert.Equal(b2.Estimate - waldLower, b2.Estimate - lower, 0.1 * (b2.Estimate - waldLower));
    }

    // BoxBOD from NIST's first start: the search drives b2 to ~115, where exp(−b2·x) vanishes and no step gains: the
    // relative offset there is 1, so it is no least-squares point, and the fit says so (no estimates passed as right).
    [Fact]
    public void StallFarFromTheLeastSquaresPointIsNotConverged()
    {
        var nist = NistNonlinear.Load("BoxBOD");
        var spec = NistMeans.Factories["BoxBOD"](nist, nist.Y, nist.Starts[0]);
        using var session = new EstimationSession(spec, devices.Native);
        var fit = session.Fit(new FitOptions());

        Assert.False(fit.Converged);
        Assert.Contains("relative offset", fit.Reason);
        // The RSS where it stopped (9771.5, eight times the certified 1168.09), without standard errors.
        Assert.True(fit.Nonlinear!.ResidualSumOfSquares > 5 * nist.Rss, $"RSS {fit.Nonlinear.ResidualSumOfSquares}");
        Assert.Empty(fit.Nonlinear.StdErrorNist);
        Assert.All(fit.Parameters, p => Assert.Null(p.StdError));
        Assert.Contains(fit.Diagnostics.Notes, n => n.Contains("did not converge"));
    }

    // μ = b1·b2·x: only the product is identified, JᵀJ is singular everywhere. A search that stops there must not call
    // it converged (the classic false convergence of a step-size test).
    [Fact]
    public void SingularJacobianIsNotConverged()
    {
        var x = Enumerable.Range(1, 20).Select(i => (double)i).ToArray();
        var y = x.Select((v, i) => 3 * v + (i % 3 - 1) * 0.1).ToArray();
        var spec = NonlinearRegression.Create(new Product(), ["b1", "b2"], y, [x], [1.0, 2.0]);
        using var session = new EstimationSession(spec, devices.Native);
        var fit = session.Fit(new FitOptions());

        Assert.False(fit.Converged);
        Assert.Contains("singular", fit.Reason);
    }

    // L-BFGS asked for on Rat42 from NIST's first start ran far out where the logistic curve turns exponential
    // (b1 5.6e11, b2 24), the likelihood flat along b1 e^−b2: its gradient vanished there and it "converged" with a
    // residual sum of squares 48 times the certified one and a singular Hessian. Not converged, as Levenberg–Marquardt
    // reports a singular JᵀJ.
    [Fact]
    public void OtherSearchEndingWhereTheHessianIsSingularIsNotConverged()
    {
        var (nist, fit) = FitNist("Rat42", 0, new FitOptions { Optimizer = new OptimizerSettings { Kind = OptimizerKind.Lbfgs } });

        Assert.False(fit.Converged, $"b1 = {fit["b1"]:G6}");
        Assert.Contains("not determined", fit.Reason);
        Assert.True(fit.Nonlinear!.ResidualSumOfSquares > 10 * nist.Rss, $"RSS {fit.Nonlinear.ResidualSumOfSquares}");
        Assert.Empty(fit.Nonlinear.StdErrorNist);
        Assert.All(fit.Parameters, p => Assert.Null(p.StdError));
    }

    // Levenberg–Marquardt asked for a MAP fit with a prior: refused, where it had quietly run L-BFGS (a trial).
    [Fact]
    public void LevenbergMarquardtAskedForWithAPriorIsRefused()
    {
        var error = Assert.Throws<InputException>(() => FitNist("Misra1a", 1, new FitOptions
        {
            Map = true,
            Priors = new Dictionary<string, GpuEstimation.Priors.Prior> { ["b1"] = new GpuEstimation.Priors.NormalPrior(240, 10) },
            Optimizer = new OptimizerSettings { Kind = OptimizerKind.LevenbergMarquardt },
        }));
        Assert.StartsWith("optimizer lm: ", error.Message);
        Assert.Contains("prior", error.Message);
    }

    // Another search's converged fit of a nonlinear regression carries NIST's statistics too (one pass for RSS and
    // JᵀJ at its end), which L-BFGS's had dropped without a word.
    [Fact]
    public void OtherSearchesReportTheLeastSquaresStatistics()
    {
        var (nist, fit) = FitNist("Misra1a", 1, new FitOptions { Optimizer = new OptimizerSettings { Kind = OptimizerKind.Lbfgs } });

        Assert.True(fit.Converged, fit.Reason);
        Assert.NotEqual(LevenbergMarquardtName, fit.Optimizer);
        Assert.True(NistNonlinear.Lre(fit.Nonlinear!.ResidualSumOfSquares, nist.Rss) >= 6, $"RSS {fit.Nonlinear.ResidualSumOfSquares:R}");
        for (int k = 0; k < 2; k++)
            Assert.True(NistNonlinear.Lre(fit.Nonlinear.StdErrorNist[nist.Names[k]], nist.StandardDeviations[k]) >= 4, $"se b{k + 1}");
        Assert.Equal(nist.Y.Length - 2, fit.Nonlinear.DegreesOfFreedom);
    }

    // y = 3·exp(−x/2) to the last digit: the residuals are rounding, whose relative offset is of any size (0.93 in a
    // user's trial, which ended "not a least-squares point", exit 3, at a = 3 and k = 0.5 exactly). The residuals are
    // within 1e-12 of the response: converged there, σ free or held, and with a parameter whose value is 0 (c: a
    // first version compared the Gauss–Newton step with each parameter's size, which 0 never passes).
    [Theory]
    [InlineData("a*exp(-k*x)", false)]
    [InlineData("a*exp(-k*x)", true)]
    [InlineData("a*exp(-k*x) + c", false)]
    [InlineData("a*exp(-k*x) + c*x", true)]
    public void ResponseExactToRoundingConverges(string mean, bool holdSigma)
    {
        var x = Enumerable.Range(0, 20).Select(i => 4.0 * i / 19).ToArray();
        // One ulp up on every third row, down on the next: written out and read back, such data are rarely exact.
        var y = x.Select((v, i) => (i % 3) switch { 0 => Math.BitIncrement(3 * Math.Exp(-0.5 * v)), 1 => Math.BitDecrement(3 * Math.Exp(-0.5 * v)), _ => 3 * Math.Exp(-0.5 * v) }).ToArray();
        var data = GpuEstimation.Data.Dataset.FromColumns(("x", x), ("y", y));
        var start = new Dictionary<string, double> { ["a"] = 1, ["k"] = 0.1 };
        if (mean.Contains('c'))
            start["c"] = 0.1;
        var spec = NonlinearRegression.FromExpression(mean, data, "y", start);
        using var session = new EstimationSession(spec, devices.Native);
        var fit = session.Fit(new FitOptions { Fixed = holdSigma ? new Dictionary<string, double> { ["sigma"] = 1 } : new Dictionary<string, double>() });

        Assert.True(fit.Converged, fit.Reason);
        Assert.True(Math.Abs(fit["a"] - 3) <= 1e-12 && Math.Abs(fit["k"] - 0.5) <= 1e-12, $"a = {fit["a"]:R}, k = {fit["k"]:R}");
        if (mean.Contains('c'))
            Assert.True(Math.Abs(fit["c"]) <= 1e-12, $"c = {fit["c"]:R}");
        Assert.True(fit.Nonlinear!.ResidualSumOfSquares <= 1e-29, $"RSS {fit.Nonlinear.ResidualSumOfSquares}");
    }

    // A library trial: y = 2x exactly, a·x fitted, came back "not converged" with σ = 5e-324 and a NaN log-likelihood.
    // Residuals all zero leave σ no positive estimate: refused, naming σ and the exact fit, as the linear model's exact
    // fit is; with σ held the fit converges on a = 2.
    [Fact]
    public void AFitWithEveryResidualZeroIsRefusedUnlessSigmaIsHeld()
    {
        var data = GpuEstimation.Data.Dataset.FromColumns(("x", [1.0, 2, 3]), ("y", [2.0, 4, 6]));
        var spec = NonlinearRegression.FromExpression("a*x", data, "y", new Dictionary<string, double> { ["a"] = 1 });
        using var session = new EstimationSession(spec, devices.Native);
        var refused = Assert.Throws<InputException>(() => session.Fit(new FitOptions()));
        Assert.Equal("sigma", refused.ParamName);
        Assert.StartsWith("the mean fits the response exactly (every residual is zero, at a = 2), so sigma has no positive maximum-likelihood estimate", refused.Message);
        var held = session.Fit(new FitOptions { Fixed = new Dictionary<string, double> { ["sigma"] = 1 } });
        Assert.True(held.Converged, held.Reason);
        Assert.Equal(2.0, held["a"]);
    }

    // A fuzzing trial: k₁·exp(k₂·x) over 200 rows of one x and one y fits exactly anywhere on a curve of (k₁, k₂), yet was
    // "converged" (exit 0) at an arbitrary point: the scaled JᵀJ, rank 1 in exact arithmetic, kept a pivot of ~1e-15
    // from the sums' rounding, above the bar for a singular one. At an exact fit the bar is 1e-12: not converged, the
    // parameters named not identified, at 20 and 200 rows alike; the identified exact fit above still converges.
    [Theory]
    [InlineData(20)]
    [InlineData(200)]
    public void AnExactFitThatDoesNotIdentifyTheParametersIsNotConverged(int rows)
    {
        var data = GpuEstimation.Data.Dataset.FromColumns(("x", Enumerable.Repeat(0.345584192064786, rows).ToArray()), ("y", Enumerable.Repeat(0.1609020152853054, rows).ToArray()));
        var spec = NonlinearRegression.FromExpression("k1*exp(k2*x)", data, "y", new Dictionary<string, double> { ["k1"] = 1, ["k2"] = 0.1 });
        using var session = new EstimationSession(spec, devices.Native);
        var fit = session.Fit(new FitOptions());
        Assert.False(fit.Converged, $"converged at k1 = {fit["k1"]:R}, k2 = {fit["k2"]:R}: {fit.Reason}");
        Assert.Contains("not identified", fit.Reason);
    }

    // A review: an identified exact fit of an ill-conditioned design (a quartic over x in [10, 11]: its scaled JᵀJ's
    // smallest pivot ~1e-13) was refused as not identified under a first bar of 1e-12. It converges, its coefficients
    // those of the response to 1e-6.
    [Fact]
    public void AnIdentifiedExactFitOfAnIllConditionedDesignConverges()
    {
        var x = Enumerable.Range(0, 50).Select(i => 10 + i / 49.0).ToArray();
        var y = x.Select(v => 1 + v - 0.5 * v * v + 0.1 * v * v * v - 0.01 * v * v * v * v).ToArray();
        var data = GpuEstimation.Data.Dataset.FromColumns(("x", x), ("y", y));
        var spec = NonlinearRegression.FromExpression("a + b*x + c*x^2 + d*x^3 + e*x^4", data, "y",
            new Dictionary<string, double> { ["a"] = 0, ["b"] = 0, ["c"] = 0, ["d"] = 0, ["e"] = 0 });
        using var session = new EstimationSession(spec, devices.Native);
        var fit = session.Fit(new FitOptions());
        Assert.True(fit.Converged, fit.Reason);
        Assert.True(Math.Abs(fit["e"] + 0.01) <= 1e-6 * 0.01 && Math.Abs(fit["c"] + 0.5) <= 1e-6 * 0.5, $"c = {fit["c"]:R}, e = {fit["e"]:R}");
    }

    // A start where y − mean is ~10²¹⁷ (k = −100 over x up to 5): the squares overflow the passes' sum. Named as the
    // start's fault, not as "sigma = Infinity", a start the user never gave.
    [Fact]
    public void StartWhoseResidualSquaresOverflowIsNamed()
    {
        var x = Enumerable.Range(0, 60).Select(i => 5.0 * i / 59).ToArray();
        var data = GpuEstimation.Data.Dataset.FromColumns(("x", x), ("y", x.Select(v => 3 * Math.Exp(-0.5 * v)).ToArray()));
        var error = Assert.Throws<InputException>(() =>
            NonlinearRegression.FromExpression("a*exp(-k*x)", data, "y", new Dictionary<string, double> { ["a"] = 1, ["k"] = -100 }));
        Assert.StartsWith("at the starting values (a = 1, k = -100) the residual sum of squares is beyond the range of a double", error.Message);
        // A start for a data column says it is one (a trial: "not a parameter of the mean", no more).
        var column = Assert.Throws<InputException>(() =>
            NonlinearRegression.FromExpression("a*exp(-k*x)", data, "y", new Dictionary<string, double> { ["a"] = 1, ["k"] = 0.5, ["x"] = 2 }));
        Assert.Contains("'x' is a data column, read by the mean", column.Message);
    }

    [Fact]
    public void RowWhereTheMeanIsNotFiniteAtTheStartIsNamed()
    {
        var nist = NistNonlinear.Load("Bennett5");
        // b2 + x < 0 on the first row: the log of a negative number.
        var error = Assert.Throws<InputException>(() => NistMeans.Factories["Bennett5"](nist, nist.Y, [-2000, -10, 1]));
        Assert.StartsWith("row 1: at the starting values (b1 = -2000, b2 = -10, b3 = 1) the mean is NaN", error.Message);
    }

    // A power law a·x^b over data with x = 0: the derivative in b there is x^b log x → 0, not 0 · (−∞) = NaN (a trial's
    // "row 1: … its derivative in b is NaN"). The same fit as over the rows without x = 0, whose mean is 0 there for
    // b > 0 (the MLE σ counts that row's residual): the closed-form check is the least-squares point's stationarity.
    [Fact]
    public void PowerLawFitsDataWithXZero()
    {
        var x = Enumerable.Range(0, 20).Select(i => (double)i).ToArray();
        var y = x.Select((v, i) => 2 * Math.Pow(v, 0.7) + (i % 3 - 1) * 0.05).ToArray();
        var data = Dataset.FromColumns(("y", y), ("x", x));
        var spec = NonlinearRegression.FromExpression("a*x^b", data, "y", new Dictionary<string, double> { ["a"] = 1, ["b"] = 0.5 });
        using var session = new EstimationSession(spec, devices.Native);
        var fit = session.Fit(new FitOptions());

        Assert.True(fit.Converged, fit.Reason);
        // ∂RSS/∂a = −2 Σ r x^b and ∂RSS/∂b = −2 Σ r a x^b log x (the x = 0 row contributing 0) vanish, to 1e-8 of Σ y².
        double a = fit["a"], b = fit["b"], da = 0, db = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double power = Math.Pow(x[i], b), r = y[i] - a * power;
            da += r * power;
            db += x[i] > 0 ? r * a * power * Math.Log(x[i]) : 0;
        }
        double scale = y.Sum(v => v * v);
        Assert.True(Math.Abs(da) <= 1e-8 * scale && Math.Abs(db) <= 1e-8 * scale, $"a {a}, b {b}: {da:G3}, {db:G3}");
        Assert.Equal(0.7, b, 0.01);
        Assert.NotNull(fit.Get("b").StdError);

        // The base a parameter's product with x, 0 at x = 0 with its derivative (c x)^b: the same curve, c^b = a.
        var scaled = NonlinearRegression.FromExpression("(c*x)^b", data, "y", new Dictionary<string, double> { ["c"] = 2, ["b"] = 0.5 });
        using var second = new EstimationSession(scaled, devices.Native);
        var other = second.Fit(new FitOptions());
        Assert.True(other.Converged, other.Reason);
        Assert.Equal(b, other["b"], 1e-6);
        Assert.Equal(a, Math.Pow(other["c"], other["b"]), 1e-6 * a);
    }

    [Fact]
    public void SigmaIsNotAMeanParameterName()
    {
        var error = Assert.Throws<InputException>(() => NonlinearRegression.Create(new Product(), ["b1", "sigma"], [1.0, 2.0], [[1.0, 2.0]], [1.0, 1.0]));
        Assert.Contains("taken by the noise standard deviation", error.Message);
    }

    private const string LevenbergMarquardtName = GpuEstimation.Optimization.LevenbergMarquardt.Name;

    // NIST problem `name` from its start `start` (0 or 1), fitted on the native backend with `options`.
    private (NistNonlinear Nist, FitResult Fit) FitNist(string name, int start, FitOptions options)
    {
        var nist = NistNonlinear.Load(name);
        using var session = new EstimationSession(NistMeans.Factories[name](nist, nist.Y, nist.Starts[start]), devices.Native);
        return (nist, session.Fit(options));
    }

    private readonly struct Product : IMeanFunction<Product>
    {
        public int ParameterCount => 2;

        public int ColumnCount => 1;

        public static double Evaluate<TVec, TRows>(in Product mean, in TVec b, in TRows data, int firstColumn, long row, ref TVec gradient)
            where TVec : unmanaged, ITermVector<TVec>
            where TRows : struct, IDataRows
        {
            double x = data[firstColumn, row];
            gradient.Set(0, b.Get(1) * x);
            gradient.Set(1, b.Get(0) * x);
            return b.Get(0) * b.Get(1) * x;
        }
    }
}
