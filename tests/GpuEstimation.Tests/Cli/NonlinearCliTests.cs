using System.Text.Json;
using GpuEstimation.Cli;
using GpuEstimation.Tests.Support;
using Xunit;
using static GpuEstimation.Tests.Cli.Gpuest;

namespace GpuEstimation.Tests.Cli;

/// <summary><c>gpuest fit --model nonlinear --y Y --mean 'EXPR' --start ...</c>: NIST's certified values through the CLI, the NIST standard errors, bad input.</summary>
public sealed class NonlinearCliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gpuest-nls").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // Exponential decay on twelve rows (curve_fit's reference in ExponentialDecayMatchesCurveFit).
    private static readonly double[] DecayX = [0.0, 0.75, 1.5, 2.25, 3.0, 3.75, 4.5, 5.25, 6.0, 6.75, 7.5, 8.25];
    private static readonly double[] DecayY = [5.204, 3.449, 2.786, 1.976, 1.461, 1.094, 0.624, 0.589, 0.367, 0.668, 0.272, 0.149];

    private string Write(NistNonlinear problem) =>
        WriteCsv(_directory, problem.Name + ".csv", ("y", problem.Y), ("x", problem.Predictors[0]));

    // Misra1a from start 1 with NIST's formula as written (exp[...]): estimates, NIST standard errors and the residual
    // standard error to 8 digits of the certified values (measured: 10-11); --se nist puts NIST's errors in the table.
    [Fact]
    public void MisraFitsToTheCertifiedValues()
    {
        var problem = NistNonlinear.Load("Misra1a");
        var data = Write(problem);
        var json = Path.Combine(_directory, "misra.json");
        var (code, output, error) = Run("fit", "--model", "nonlinear", "--data", data, "--y", "y", "--mean", problem.Formula,
            "--start", "b1=500,b2=1e-4", "--device", "native", "--json", json, "--se", "nist");
        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("residual standard error", output);
        Assert.Contains("NIST's (RSS/(n - p), from J'J)", output);
        using var fit = JsonDocument.Parse(File.ReadAllText(json));
        var root = fit.RootElement;
        Assert.True(NistNonlinear.Lre(root.GetProperty("residualStdError").GetDouble(), problem.ResidualSd) >= 8);
        var parameters = root.GetProperty("parameters").EnumerateArray().ToArray();
        for (int k = 0; k < 2; k++)
        {
            Assert.Equal($"b{k + 1}", parameters[k].GetProperty("name").GetString());
            Assert.True(NistNonlinear.Lre(parameters[k].GetProperty("estimate").GetDouble(), problem.Estimates[k]) >= 8, $"b{k + 1}");
            double se = parameters[k].GetProperty("stdErrorNist").GetDouble();
            Assert.True(NistNonlinear.Lre(se, problem.StandardDeviations[k]) >= 8, $"se b{k + 1}");
            Assert.Contains(Numbers(se), output);
        }
        // t on n − 2 = 12 degrees of freedom, as R's summary.nls: b1's 95% interval 238.94213 ± 2.1788 · 2.7070.
        Assert.Contains("P>|t|", output);
        double t = MathNet.Numerics.Distributions.StudentT.InvCDF(0, 1, 12, 0.975);
        double b1 = parameters[0].GetProperty("estimate").GetDouble(), seB1 = parameters[0].GetProperty("stdErrorNist").GetDouble();
        var row = output.Split('\n').Single(line => line.StartsWith("b1 ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(b1 - t * seB1, double.Parse(row[5], System.Globalization.CultureInfo.InvariantCulture), 1e-3);
        Assert.Equal(b1 + t * seB1, double.Parse(row[6], System.Globalization.CultureInfo.InvariantCulture), 1e-3);
    }

    // BoxBOD from start 1 stalls where exp(-b2 x) has vanished: exit 3, reported as not converged.
    [Fact]
    public void AStalledSearchExitsThree()
    {
        var problem = NistNonlinear.Load("BoxBOD");
        var (code, output, _) = Run("fit", "--model", "nonlinear", "--data", Write(problem), "--y", "y", "--mean", problem.Formula,
            "--start", "b1=1,b2=1", "--device", "native");
        Assert.Equal(GpuestApp.NotConverged, code);
        Assert.Contains("NOT CONVERGED", output);
    }

    // A MAP fit's table holds posterior standard deviations: its footer says so (a hunt: it said "the MLE's").
    [Fact]
    public void MapFooterNamesThePosteriorDeviations()
    {
        var problem = NistNonlinear.Load("Misra1a");
        var (code, output, error) = Run("fit", "--model", "nonlinear", "--data", Write(problem), "--y", "y", "--mean", problem.Formula,
            "--start", "b1=500,b2=1e-4", "--map", "--prior", "b1=normal(240,10)", "--device", "native");
        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("standard errors: the posterior standard deviations (Laplace approximation)", output);
        Assert.DoesNotContain("the MLE's", output);
    }

    [Fact]
    public void BadInputIsNamed()
    {
        var data = Write(NistNonlinear.Load("Misra1a"));
        AssertBadInput(["fit", "--model", "nonlinear", "--data", data, "--y", "y", "--mean", "b1*(1-exp(-b2*x))", "--start", "b1=500"],
            "no starting value for b2");
        AssertBadInput(["fit", "--model", "nonlinear", "--data", data, "--y", "y", "--mean", "b1*(1-exp(-b2*z))", "--start", "b1=500,b2=1e-4"],
            "no starting value for z", "columns of Misra1a.csv: y, x");
        // A start for a column the mean reads says so (it said only "no parameter 'x'").
        AssertBadInput(["fit", "--model", "nonlinear", "--data", data, "--y", "y", "--mean", "b1*(1-exp(-b2*x))", "--start", "b1=500,b2=1e-4,x=2"],
            "--start x: model 'nonlinear' has no parameter 'x': 'x' is a data column, which the model reads");
        AssertBadInput(["fit", "--model", "nonlinear", "--data", data, "--mean", "b1*x", "--start", "b1=1"], "needs --y");
        AssertBadInput(["fit", "--model", "nonlinear", "--data", data, "--y", "y", "--start", "b1=1"], "needs --mean");
        // A parameter that cancels out (a trial's '+ 0*d' stalled "at a singular point", d unnamed), as --logpdf says it.
        AssertBadInput(["fit", "--model", "nonlinear", "--data", data, "--y", "y", "--mean", "b1*(1-exp(-b2*x)) + 0*d", "--start", "b1=500,b2=1e-4,d=1"],
            "parameter 'd' cancels out of the mean");
        AssertBadInput(["fit", "--model", "nonlinear", "--data", data, "--y", "y", "--mean", "b1*(1-exp(-b2*x)) + d - d", "--start", "b1=500,b2=1e-4,d=1"],
            "parameter 'd' cancels out of the mean");
        // NIST's errors ignore a prior (a review found them twice the posterior's): refused under --map.
        AssertBadInput(["fit", "--model", "nonlinear", "--data", data, "--y", "y", "--mean", "b1*(1-exp(-b2*x))", "--start", "b1=500,b2=1e-4",
            "--map", "--prior", "b1=normal(240,10)", "--se", "nist"], "--se nist with --map");
        AssertBadInput(["fit", "--model", "nonlinear", "--data", data, "--y", "y", "--mean", "b1*y", "--start", "b1=1"], "names the response column 'y'");
        AssertBadInput(["fit", "--model", "normal", "--data", data, "--column", "y", "--mean", "b1*x"], "--mean is the mean of --model nonlinear");
        AssertBadInput(["fit", "--model", "nonlinear", "--data", data, "--y", "y", "--x", "x", "--mean", "b1*x", "--start", "b1=1"], "--x does not apply to --model nonlinear");
        AssertBadInput(["fit", "--model", "normal", "--data", data, "--column", "y", "--se", "nist"], "--se nist", "not of model 'normal'", "--model linear or nonlinear");
        AssertBadInput(["fit", "--model", "linear", "--data", data, "--y", "y", "--x", "x", "--se", "nist", "--cov", "hc1"], "--se nist with --cov hc1", "a robust covariance");
        AssertBadInput(["fit", "--model", "nonlinear", "--data", data, "--y", "y", "--mean", "b1*x", "--start", "b1=1", "--se", "r"], "--se: 'r' is not mle, nist or none");
        AssertBadInput(["fit", "--model", "mixture", "--components", "2xnormal", "--data", data, "--column", "y", "--se", "nist"], "--se: not for mixtures");
    }

    // The linear model with --se nist: R lm's and statsmodels OLS's standard errors, t on n − p degrees of freedom, and
    // the residual standard error; Norris (NIST StRD) against its certified standard deviations to 10 digits.
    [Fact]
    public void LinearWithNistStandardErrorsIsRsLm()
    {
        var nist = NistLinear.Load("Norris");
        var data = WriteCsv(_directory, "norris.csv", ("y", nist.Y), ("x", nist.Features[0]));
        var json = Path.Combine(_directory, "norris.json");

        var (code, output, error) = Run("fit", "--model", "linear", "--data", data, "--y", "y", "--x", "x", "--se", "nist", "--device", "native", "--json", json);

        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("P>|t|", output);
        Assert.Contains("standard errors: ordinary least squares' (RSS/(n - p)), as R lm, statsmodels OLS and NIST", output);
        using var fit = JsonDocument.Parse(File.ReadAllText(json));
        var root = fit.RootElement;
        Assert.True(NistNonlinear.Lre(root.GetProperty("residualStdError").GetDouble(), nist.ResidualSd) >= 10);
        var parameters = root.GetProperty("parameters").EnumerateArray().ToArray();
        for (int k = 0; k < 2; k++)
        {
            double se = parameters[k].GetProperty("stdErrorNist").GetDouble();
            Assert.True(NistNonlinear.Lre(se, nist.StandardDeviations[k]) >= 10, $"{parameters[k].GetProperty("name")}: {se:R} vs {nist.StandardDeviations[k]:R}");
            Assert.Contains(Numbers(se), output);
        }
        Assert.False(parameters[2].TryGetProperty("stdErrorNist", out _));
        // Without --se nist the table keeps the MLE's and says which they are.
        (code, output, _) = Run("fit", "--model", "linear", "--data", data, "--y", "y", "--x", "x", "--device", "native");
        Assert.Equal(GpuestApp.Ok, code);
        Assert.Contains("P>|z|", output);
        Assert.Contains("standard errors: the MLE's (sigma^2 = RSS/n; --se nist for R lm's and statsmodels OLS's)", output);
        Assert.Contains("(R summary.lm; about the mean)", output);
        // A trial read the F test under --cov hc1 as a robust one (statsmodels' robust fvalue is a Wald F): it says it is not.
        (code, output, _) = Run("fit", "--model", "linear", "--data", data, "--y", "y", "--x", "x", "--cov", "hc1", "--device", "native");
        Assert.Equal(GpuestApp.Ok, code);
        Assert.Contains("(R summary.lm; about the mean; the F test model-based, not HC1)", output);
    }

    // Exponential decay a·exp(−b·x) on twelve rows against scipy 1.10's curve_fit (p0 = (1, 1), the analytic Jacobian,
    // xtol = ftol = gtol = 1e-15): its popt, √diag(pcov) (R nls's standard errors: s² (JᵀJ)⁻¹, s² = RSS/(n − p)), the
    // residual sum of squares and √(RSS/(n − p)). The JSON carries the RSS and n − p beside the residual standard error.
    [Fact]
    public void ExponentialDecayMatchesCurveFit()
    {
        double[] x = DecayX, y = DecayY;
        var data = WriteCsv(_directory, "decay.csv", ("x", x), ("y", y));
        var json = Path.Combine(_directory, "decay.json");
        var (code, _, error) = Run("fit", "--model", "nonlinear", "--data", data, "--y", "y", "--mean", "a*exp(-b*x)",
            "--start", "a=1,b=1", "--device", "native", "--json", json);
        Assert.True(code == GpuestApp.Ok, error);
        using var fit = JsonDocument.Parse(File.ReadAllText(json));
        var root = fit.RootElement;
        var parameters = root.GetProperty("parameters").EnumerateArray().ToArray();
        double[] estimates = [5.065680437363258, 0.4171997811116703];
        double[] nlsErrors = [0.1349596431230433, 0.018468197645047948];
        for (int k = 0; k < 2; k++)
        {
            Assert.Equal(estimates[k], parameters[k].GetProperty("estimate").GetDouble(), estimates[k] * 1e-8);
            Assert.Equal(nlsErrors[k], parameters[k].GetProperty("stdErrorNist").GetDouble(), nlsErrors[k] * 1e-7);
        }
        const double rss = 0.253105070121191;
        Assert.Equal(rss, root.GetProperty("residualSumOfSquares").GetDouble(), rss * 1e-10);
        Assert.Equal(10, root.GetProperty("dfResid").GetDouble());
        Assert.Equal(0.15909276228703523, root.GetProperty("residualStdError").GetDouble(), 0.159 * 1e-10);
        Assert.Equal(Math.Sqrt(rss / 12), parameters[2].GetProperty("estimate").GetDouble(), 0.145 * 1e-10);

        // Predicted far out (x = −900: a mean of 10¹⁶⁵), the standard error is computed with the gradient scaled, not ∞
        // beside a finite mean (a trial), and the observation interval too: σ_mean = a e^{−bx} √(V_aa/a² + 2x V_ab/a + x² V_bb),
        // here x² V_bb's share, so σ_mean/mean ≈ 900 · se(b) to 1e-2.
        var far = WriteCsv(_directory, "far.csv", ("x", [-900.0]));
        var predictions = Path.Combine(_directory, "far-predictions.csv");
        (code, _, error) = Run("predict", "--model-json", json, "--data", far, "--out", predictions);
        Assert.True(code == GpuestApp.Ok, error);
        var cells = File.ReadAllLines(predictions)[1].Split(',').Select(c => double.Parse(c, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        double mean = cells[1], seMean = cells[3];
        Assert.True(double.IsFinite(mean) && mean > 1e160, $"mean {mean}");
        double seB = parameters[1].GetProperty("stdError").GetDouble();
        Assert.True(Math.Abs(seMean / mean / (900 * seB) - 1) <= 1e-2, $"se {seMean:R} for a mean of {mean:R}, se(b) {seB:R}");
        Assert.All(cells, c => Assert.True(double.IsFinite(c), string.Join(", ", cells)));
    }

    // eval at a point, and a fit with a mean parameter held, work as for any model (the README says so). eval took --at
    // as starting values and refused sigma as "not a parameter of the mean"; --fix b asked for a start for b, and
    // --start b beside it was refused. The log-likelihood is the normal one at the mean a·exp(−b·x); the held fit is
    // least squares in a with b at 0.4, whose closed form (a = Σ y e^{−0.4x} / Σ e^{−0.8x}) it must reach.
    [Fact]
    public void EvalAndHeldMeanParametersWork()
    {
        double[] x = DecayX, y = DecayY;
        var data = WriteCsv(_directory, "decay-eval.csv", ("x", x), ("y", y));
        var json = Path.Combine(_directory, "decay-eval.json");
        var (code, _, error) = Run("eval", "--model", "nonlinear", "--data", data, "--y", "y", "--mean", "a*exp(-b*x)",
            "--at", "a=5,b=0.4,sigma=0.2", "--device", "native", "--json", json);
        Assert.True(code == GpuestApp.Ok, error);
        using (var evaluated = JsonDocument.Parse(File.ReadAllText(json)))
        {
            double expected = x.Select((v, i) => MathNet.Numerics.Distributions.Normal.PDFLn(5 * Math.Exp(-0.4 * v), 0.2, y[i])).Sum();
            double logLikelihood = evaluated.RootElement.GetProperty("logLikelihood").GetDouble();
            Assert.True(Math.Abs(logLikelihood - expected) <= 1e-12 * Math.Abs(expected), $"{logLikelihood:R} vs {expected:R}");
        }

        (code, _, error) = Run("fit", "--model", "nonlinear", "--data", data, "--y", "y", "--mean", "a*exp(-b*x)",
            "--start", "a=1", "--fix", "b=0.4", "--device", "native", "--json", json);
        Assert.True(code == GpuestApp.Ok, error);
        using var fit = JsonDocument.Parse(File.ReadAllText(json));
        var parameters = fit.RootElement.GetProperty("parameters").EnumerateArray().ToArray();
        double a = x.Select((v, i) => y[i] * Math.Exp(-0.4 * v)).Sum() / x.Sum(v => Math.Exp(-0.8 * v));
        Assert.Equal(a, parameters[0].GetProperty("estimate").GetDouble(), a * 1e-9);
        Assert.True(parameters[1].GetProperty("fixed").GetBoolean());
        Assert.Equal(0.4, parameters[1].GetProperty("estimate").GetDouble());
    }

    // An exact fit (y = 2x + 1) has no maximum-likelihood standard errors (σ at the rounding floor, no negative
    // definite Hessian) but NIST's from J'J: with --se nist the table shows those, and its note says which are missing
    // (it said "no standard errors" under a table of them: a trial).
    [Fact]
    public void AnExactFitsNistErrorsAreNotContradicted()
    {
        var data = WriteCsv(_directory, "exact.csv", ("x", [1.0, 2, 3, 4, 5]), ("y", [3.0, 5, 7, 9, 11]));
        var (code, output, error) = Run("fit", "--model", "nonlinear", "--data", data, "--y", "y", "--mean", "a*x+b", "--start", "a=1,b=0",
            "--device", "native", "--se", "nist");
        Assert.True(code == GpuestApp.Ok, error);
        var a = output.Split('\n').Single(l => l.StartsWith("a ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(double.Parse(a[2], System.Globalization.CultureInfo.InvariantCulture) > 0, output);
        Assert.DoesNotContain("note: no standard errors", output);
        Assert.Contains("note: no maximum-likelihood standard errors (the Hessian at the optimum is not negative definite); the table's are NIST's, from J'J", output);

        (code, output, error) = Run("fit", "--model", "nonlinear", "--data", data, "--y", "y", "--mean", "a*x+b", "--start", "a=1,b=0", "--device", "native");
        Assert.True(code == GpuestApp.Ok, error);
        Assert.Contains("note: no standard errors: the Hessian at the optimum is not negative definite", output);
    }

    // A mean that is NaN on a row at the start names the row and its predictor by the column's name; fewer rows than
    // the model can fit (no more rows than mean parameters) is refused before any iteration, not a NOT CONVERGED.
    [Fact]
    public void UnfittableModelsAreRefusedByName()
    {
        var data = WriteCsv(_directory, "few.csv", ("dose", [0.0, 1.0, 2.0]), ("y", [1.0, 2.0, 3.5]));
        AssertBadInput(["fit", "--model", "nonlinear", "--data", data, "--y", "y", "--mean", "a*log(dose-b)", "--start", "a=1,b=0.5"],
            "few.csv: line 2: at the starting values (a = 1, b = 0.5) the mean is NaN (dose = 0)", "or, where no values of the parameters give this row a finite mean");
        AssertBadInput(["fit", "--model", "nonlinear", "--data", data, "--y", "y", "--mean", "a+b*dose+c*dose^2", "--start", "a=0,b=0,c=0"],
            "3 rows for 3 mean parameters", "needs more rows than mean parameters");
    }

    private static string Numbers(double value) => GpuEstimation.Cli.Output.Numbers.Significant(value, 5, "-");
}
