using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Models;
using GpuEstimation.Optimization;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Estimation;

[Collection(DeviceCollection.Name)]
public class NormalFitTests(DeviceFixture devices)
{
    private static readonly double[] X = NormalSamples.Draw(200_000, 11, 3.1, 1.9);

    private static (double Mean, double Sd) ClosedForm()
    {
        double mean = Numerics.Sum(X) / X.Length;
        return (mean, Math.Sqrt(Numerics.Sum(X.Select(v => (v - mean) * (v - mean))) / X.Length));
    }

    public static IEnumerable<object[]> Starts =>
        from backend in DeviceFixture.Present
        from optimizer in new[] { OptimizerKind.Lbfgs, OptimizerKind.GradientAscent }
        from start in new[] { "data", "far" }
        select new object[] { backend, optimizer, start };

    // From the moment start (already the answer) and from far away, both optimizers land on the closed form.
    [Theory]
    [MemberData(nameof(Starts))]
    public void MleEqualsClosedForm(Backend backend, OptimizerKind optimizer, string start)
    {
        var options = new FitOptions
        {
            Optimizer = new OptimizerSettings { Kind = optimizer },
            Start = start == "far" ? new Dictionary<string, double> { ["mu"] = -20, ["sigma"] = 15 } : new Dictionary<string, double>(),
        };
        using var session = new EstimationSession(Spec(), devices[backend]);

        var fit = session.Fit(options);

        var (mean, sd) = ClosedForm();
        Assert.True(fit.Converged, fit.Reason);
        Assert.True(Numerics.Relative(fit["mu"], mean) <= 1e-10, $"mu {fit["mu"]:R} vs {mean:R}");
        Assert.True(Numerics.Relative(fit["sigma"], sd) <= 1e-10, $"sigma {fit["sigma"]:R} vs {sd:R}");
        Assert.Equal("mle", fit.Method);
        Assert.Equal(X.Length, fit.N);
        Assert.Equal(devices[backend].Description, fit.Device);
    }

    [Fact]
    public void LbfgsNeedsFewerEvaluationsThanGradientAscent()
    {
        var far = new Dictionary<string, double> { ["mu"] = -20, ["sigma"] = 15 };
        using var session = new EstimationSession(Spec(), devices.Cpu);
        var lbfgs = session.Fit(new FitOptions { Start = far });
        var ascent = session.Fit(new FitOptions { Start = far, Optimizer = new OptimizerSettings { Kind = OptimizerKind.GradientAscent } });
        Assert.True(lbfgs.Converged && ascent.Converged);
        Assert.True(lbfgs.Evaluations < ascent.Evaluations, $"lbfgs {lbfgs.Evaluations} vs gradient ascent {ascent.Evaluations}");
    }

    [Theory]
    [MemberData(nameof(DeviceFixture.Backends), MemberType = typeof(DeviceFixture))]
    public void RepeatedFitsAreBitIdentical(Backend backend)
    {
        var options = new FitOptions { Start = new Dictionary<string, double> { ["mu"] = 0, ["sigma"] = 5 } };
        using var session = new EstimationSession(Spec(), devices[backend]);
        var first = session.Fit(options);
        var second = session.Fit(options);
        Assert.Equal(first.Parameters.Select(p => BitConverter.DoubleToInt64Bits(p.Estimate)), second.Parameters.Select(p => BitConverter.DoubleToInt64Bits(p.Estimate)));
        Assert.Equal(BitConverter.DoubleToInt64Bits(first.LogLikelihood), BitConverter.DoubleToInt64Bits(second.LogLikelihood));
        Assert.Equal(first.Evaluations, second.Evaluations);
    }

    [Fact]
    public void FixedMuGivesTheRootMeanSquareAboutIt()
    {
        using var session = new EstimationSession(Spec(), devices.Cpu);
        var fit = session.Fit(new FitOptions { Fixed = new Dictionary<string, double> { ["mu"] = 2.5 } });
        double expected = Math.Sqrt(Numerics.Sum(X.Select(v => (v - 2.5) * (v - 2.5))) / X.Length);
        Assert.True(fit.Converged, fit.Reason);
        Assert.Equal(2.5, fit["mu"]);
        Assert.True(fit.Parameters[0].Fixed);
        Assert.True(Numerics.Relative(fit["sigma"], expected) <= 1e-10, $"{fit["sigma"]:R} vs {expected:R}");
    }

    [Fact]
    public void TooFewIterationsIsReportedAsNotConverged()
    {
        // Student-t's data-driven start (median, IQR, nu = 5) is not its MLE, so the restart from there cannot finish
        // in one iteration either.
        var x = NormalSamples.Draw(2000, 5, 3, 2);
        using var session = new EstimationSession(ModelCatalog.Create("studentt", Dataset.FromColumns(("x", x)), new ModelColumns(Column: "x")), devices.Cpu);
        var fit = session.Fit(new FitOptions
        {
            Start = new Dictionary<string, double> { ["mu"] = -20, ["sigma"] = 15 },
            Optimizer = new OptimizerSettings { MaxIterations = 1, Kind = OptimizerKind.GradientAscent },
        });
        Assert.False(fit.Converged);
        // The restart's reason once, not nested in parentheses: "maximum iterations reached (and from …: maximum iterations reached)";
        // the restart's end, the higher, is the one reported.
        Assert.Equal("maximum iterations reached; from the data-driven starting values too; the second search's end, the higher, is reported", fit.Reason);
    }

    [Theory]
    [InlineData("sigma", 0.0)]
    [InlineData("sigma", -1.0)]
    public void NonPositiveFixedSigmaIsAnError(string name, double value)
    {
        using var session = new EstimationSession(Spec(), devices.Cpu);
        var e = Assert.Throws<InputException>(() => session.Fit(new FitOptions { Fixed = new Dictionary<string, double> { [name] = value } }));
        Assert.Contains("sigma must be positive", e.Message);
    }

    [Fact]
    public void UnknownParameterIsNamed()
    {
        using var session = new EstimationSession(Spec(), devices.Cpu);
        var e = Assert.Throws<InputException>(() => session.Fit(new FitOptions { Fixed = new Dictionary<string, double> { ["tau"] = 1 } }));
        Assert.Contains("no parameter 'tau'", e.Message);
        Assert.Contains("mu, sigma", e.Message);
    }

    // The covariance by name: the Normal's closed forms σ̂²/n, σ̂²/(2n) and 0 between them (1e-6, the inverse observed
    // information at the converged point); a held parameter's row is 0; a name not in the model is refused with the list.
    [Fact]
    public void CovarianceIsReadByParameterName()
    {
        using var session = new EstimationSession(Spec(), devices.Native);
        var fit = session.Fit(new FitOptions());
        var (_, sd) = ClosedForm();
        double n = X.Length;
        Assert.True(Numerics.Relative(fit.CovarianceOf("mu", "mu")!.Value, sd * sd / n) <= 1e-6, $"{fit.CovarianceOf("mu", "mu")}");
        Assert.True(Numerics.Relative(fit.CovarianceOf("sigma", "sigma")!.Value, sd * sd / (2 * n)) <= 1e-6);
        Assert.True(Math.Abs(fit.CovarianceOf("mu", "sigma")!.Value) <= 1e-6 * sd * sd / n);
        Assert.True(Math.Abs(fit.CovarianceOf("mu", "sigma")!.Value - fit.CovarianceOf("sigma", "mu")!.Value) <= 1e-12 * sd * sd / n, "symmetric to rounding");
        Assert.Equal(fit.Get("mu").StdError!.Value, Math.Sqrt(fit.CovarianceOf("mu", "mu")!.Value), 15);

        var held = session.Fit(new FitOptions { Fixed = new Dictionary<string, double> { ["sigma"] = 2.0 } });
        Assert.Equal(0.0, held.CovarianceOf("sigma", "mu"));
        var e = Assert.Throws<ArgumentException>(() => fit.CovarianceOf("mu", "tau"));
        Assert.Contains("no parameter 'tau' (parameters: mu, sigma)", e.Message);
        Assert.Equal("b", e.ParamName);
    }

    private static ModelSpec<GpuEstimation.Kernels.Models.NormalModel> Spec() => ModelCatalog.Normal(Dataset.FromColumns(("x", X)), "x");
}
