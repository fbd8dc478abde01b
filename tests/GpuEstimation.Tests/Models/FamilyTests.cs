using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Engine;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Models;
using GpuEstimation.Tests.Support;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;
using Xunit;
using Xunit.Abstractions;

namespace GpuEstimation.Tests.Models;

/// <summary>The distribution catalogue: densities against MathNet, gradients against finite differences, recovery of
/// simulated parameters, closed-form MLEs, support checks.</summary>
[Collection(DeviceCollection.Name)]
public class FamilyTests(DeviceFixture devices, ITestOutputHelper output)
{
    /// <summary>One family: a grid of parameters and data, MathNet's log-density, a sampler, the truth for recovery.</summary>
    public sealed record Case(
        string Name,
        double[][] ParameterGrid,
        double[] DataGrid,
        Func<double[], double, double> Reference,
        Func<double[], System.Random, double> Sample,
        double[] Truth);

    private const double Trials = 20;

    public static readonly Dictionary<string, Case> Cases = new Case[]
    {
        new("normal", [[0, 1], [-3.5, 0.2], [100, 30]], [-5, -0.3, 0, 1.7, 42, 150], (p, x) => Normal.PDFLn(p[0], p[1], x),
            (p, r) => Normal.Sample(r, p[0], p[1]), [1.5, 2.5]),
        new("lognormal", [[0, 1], [-1.5, 0.3], [2, 1.7]], [1e-3, 0.2, 1, 3.3, 80], (p, x) => LogNormal.PDFLn(p[0], p[1], x),
            (p, r) => LogNormal.Sample(r, p[0], p[1]), [0.7, 0.4]),
        new("exponential", [[1], [0.05], [17]], [0, 0.01, 1, 12.5, 300], (p, x) => Exponential.PDFLn(p[0], x),
            (p, r) => Exponential.Sample(r, p[0]), [2.5]),
        new("gamma", [[1, 1], [0.4, 2.5], [7.5, 0.3]], [1e-3, 0.5, 2, 9, 60], (p, x) => Gamma.PDFLn(p[0], p[1], x),
            (p, r) => Gamma.Sample(r, p[0], p[1]), [2.5, 1.5]),
        new("beta", [[1, 1], [0.5, 3], [8, 2.5]], [1e-4, 0.1, 0.5, 0.77, 0.999], (p, x) => Beta.PDFLn(p[0], p[1], x),
            (p, r) => Beta.Sample(r, p[0], p[1]), [2.0, 5.0]),
        new("weibull", [[1, 1], [0.6, 2], [3.5, 10]], [1e-3, 0.4, 1, 7, 25], (p, x) => Weibull.PDFLn(p[0], p[1], x),
            (p, r) => Weibull.Sample(r, p[0], p[1]), [1.8, 3.0]),
        new("studentt", [[0, 1, 1], [2, 0.5, 4.5], [-10, 3, 60]], [-40, -2, 0, 0.7, 15], (p, x) => StudentT.PDFLn(p[0], p[1], p[2], x),
            (p, r) => StudentT.Sample(r, p[0], p[1], p[2]), [1.0, 2.0, 5.0]),
        new("cauchy", [[0, 1], [3, 0.1], [-20, 15]], [-100, -1, 0, 2.9, 50], (p, x) => Cauchy.PDFLn(p[0], p[1], x),
            (p, r) => Cauchy.Sample(r, p[0], p[1]), [-1.0, 0.5]),
        new("laplace", [[0, 1], [5, 0.3], [-2, 8]], [-30, -1, 0.5, 5, 21], (p, x) => Laplace.PDFLn(p[0], p[1], x),
            (p, r) => Laplace.Sample(r, p[0], p[1]), [0.8, 1.2]),
        new("logistic", [[0, 1], [4, 0.25], [-9, 6]], [-60, -2, 0, 3.9, 40], (p, x) => LogisticLogDensity(p[0], p[1], x),
            (p, r) => { double u = r.NextDouble(); return p[0] + p[1] * Math.Log(u / (1 - u)); }, [2.0, 0.7]),
        new("poisson", [[1], [0.02], [45]], [0, 1, 3, 40, 120], (p, k) => Poisson.PMFLn(p[0], (int)k),
            (p, r) => Poisson.Sample(r, p[0]), [3.5]),
        new("bernoulli", [[0.5], [0.03], [0.9]], [0, 1], (p, k) => Bernoulli.PMFLn(p[0], (int)k),
            (p, r) => Bernoulli.Sample(r, p[0]), [0.3]),
        new("binomial", [[0.5], [0.07], [0.95]], [0, 1, 7, 19, 20], (p, k) => Binomial.PMFLn(p[0], (int)Trials, (int)k),
            (p, r) => Binomial.Sample(r, p[0], (int)Trials), [0.35]),
        new("negbinomial", [[1, 0.5], [3.5, 0.2], [40, 0.9]], [0, 1, 5, 30, 200], (p, k) => NegativeBinomial.PMFLn(p[0], p[1], (int)k),
            // MathNet 5.0's NegativeBinomial.Sample disagrees with its own PMF and Mean (sample mean 10.0 for r = 4,
            // p = 0.4, whose mean is 6), so sample as the Gamma-Poisson mixture: λ ~ Gamma(r, p/(1 − p)), k ~ Poisson(λ).
            (p, r) => Poisson.Sample(r, Gamma.Sample(r, p[0], p[1] / (1 - p[1]))), [4.0, 0.4]),
        new("geometric", [[0.5], [0.02], [0.97]], [1, 2, 5, 60, 400], (p, k) => Geometric.PMFLn(p[0], (int)k),
            (p, r) => Geometric.Sample(r, p[0]), [0.25]),
    }.ToDictionary(c => c.Name);

    public static IEnumerable<object[]> Names => Cases.Keys.Select(n => new object[] { n });

    public static IEnumerable<object[]> NamesOnBackends =>
        from backend in new[] { Backend.Native, Backend.Cpu }
        from name in Cases.Keys
        select new object[] { backend, name };

    // Every log-density equals MathNet's (or the formula) to 1e-13 relative over the grid, on the host (native) and
    // on the CPU accelerator (the kernel's per-point path). Relative to max(1, |value|): where a log-density is near
    // 0 its normalizing constant is a difference of log-gammas of ~10, known to ~1e-14 of those (MathNet gives
    // −0.7609700468940213 for Beta(8, 2.5) at 0.5; scipy −0.760970046894105, this code −0.7609700468941047).
    [Theory]
    [MemberData(nameof(NamesOnBackends))]
    public void LogDensityMatchesMathNet(Backend backend, string name)
    {
        var c = Cases[name];
        var spec = Spec(name, c.DataGrid);
        foreach (var parameters in c.ParameterGrid)
        {
            var densities = LogDensities(spec, devices[backend], parameters);
            for (int i = 0; i < c.DataGrid.Length; i++)
            {
                double expected = c.Reference(parameters, c.DataGrid[i]);
                Assert.True(Math.Abs(densities[i] - expected) <= 1e-13 * Math.Max(1, Math.Abs(expected)),
                    $"{name}({string.Join(", ", parameters)}) at {c.DataGrid[i]}: {densities[i]:R} vs MathNet {expected:R}");
            }
        }
    }

    // The analytic gradient equals central finite differences of the log-likelihood to 1e-6 relative.
    [Theory]
    [MemberData(nameof(Names))]
    public void GradientMatchesFiniteDifferences(string name)
    {
        var c = Cases[name];
        var random = new Xoshiro256StarStar(7);
        var x = Enumerable.Range(0, 300).Select(_ => c.Sample(c.Truth, random)).ToArray();
        var spec = Spec(name, x);
        using var session = new EstimationSession(spec, devices.Native);
        foreach (var parameters in c.ParameterGrid.Append(c.Truth))
        {
            var at = session.Evaluate(parameters);
            for (int k = 0; k < parameters.Length; k++)
            {
                double h = 1e-5 * Math.Max(Math.Abs(parameters[k]), 1e-2);
                if (spec.Parameters[k].Domain == ParameterDomain.UnitInterval)
                    h = Math.Min(h, 0.5 * Math.Min(parameters[k], 1 - parameters[k]));
                var plus = parameters.ToArray();
                var minus = parameters.ToArray();
                plus[k] += h;
                minus[k] -= h;
                double numeric = (session.Evaluate(plus).LogLikelihood - session.Evaluate(minus).LogLikelihood) / (2 * h);
                double scale = Math.Max(Math.Abs(numeric), 1e-3 * x.Length);
                Assert.True(Math.Abs(at.Gradient[k] - numeric) <= 1e-6 * scale,
                    $"{name}({string.Join(", ", parameters)}) d/d{spec.Parameters[k].Name}: {at.Gradient[k]:R} vs {numeric:R}");
            }
        }
    }

    // 10⁵ points simulated with a fixed seed: every true parameter within 4 standard errors of its estimate.
    [Theory]
    [MemberData(nameof(Names))]
    public void RecoversSimulatedParameters(string name)
    {
        var c = Cases[name];
        var random = new Xoshiro256StarStar(2026);
        var x = Enumerable.Range(0, 100_000).Select(_ => c.Sample(c.Truth, random)).ToArray();
        using var session = new EstimationSession(Spec(name, x), devices.Native);

        var fit = session.Fit(new FitOptions());

        Assert.True(fit.Converged, fit.Reason);
        for (int k = 0; k < c.Truth.Length; k++)
        {
            var p = fit.Parameters[k];
            double distance = Math.Abs(p.Estimate - c.Truth[k]) / p.StdError!.Value;
            output.WriteLine($"{name} {p.Name}: {p.Estimate:G8} ± {p.StdError:G3} (truth {c.Truth[k]}, {distance:F2} SE)");
            Assert.True(distance <= 4, $"{name} {p.Name}: {p.Estimate} ± {p.StdError} is {distance:F1} standard errors from {c.Truth[k]}");
        }
    }

    public static IEnumerable<object[]> ClosedForms =>
    [
        ["normal", new Func<double[], double[]>(x => [x.Average(), Math.Sqrt(x.Select(v => (v - x.Average()) * (v - x.Average())).Average())])],
        ["lognormal", new Func<double[], double[]>(x => { var l = x.Select(v => Math.Log(v)).ToArray(); return [l.Average(), Math.Sqrt(l.Select(v => (v - l.Average()) * (v - l.Average())).Average())]; })],
        ["exponential", new Func<double[], double[]>(x => [1 / x.Average()])],
        ["poisson", new Func<double[], double[]>(x => [x.Average()])],
        ["bernoulli", new Func<double[], double[]>(x => [x.Average()])],
        ["geometric", new Func<double[], double[]>(x => [1 / x.Average()])],
    ];

    // Families with a closed-form MLE reach it to 1e-10 from a start away from it.
    [Theory]
    [MemberData(nameof(ClosedForms))]
    public void ClosedFormMle(string name, Func<double[], double[]> closedForm)
    {
        var c = Cases[name];
        var random = new Xoshiro256StarStar(99);
        var x = Enumerable.Range(0, 20_000).Select(_ => c.Sample(c.Truth, random)).ToArray();
        var spec = Spec(name, x);
        var start = spec.Parameters.Select((p, k) => (p.Name, Value: p.Domain == ParameterDomain.UnitInterval ? 0.5 * (c.Truth[k] + 0.5) : c.Truth[k] * 1.7 + 0.3))
            .ToDictionary(p => p.Name, p => p.Value);
        using var session = new EstimationSession(spec, devices.Native);

        var fit = session.Fit(new FitOptions { Start = start });

        var expected = closedForm(x);
        Assert.True(fit.Converged, fit.Reason);
        for (int k = 0; k < expected.Length; k++)
            Assert.True(Numerics.Relative(fit.Parameters[k].Estimate, expected[k]) <= 1e-10, $"{name} {fit.Parameters[k].Name}: {fit.Parameters[k].Estimate:R} vs {expected[k]:R}");
    }

    [Theory]
    [InlineData("gamma", 0.0, "row 3, column 'x': 0 is outside the support of gamma (x > 0)")]
    [InlineData("beta", 1.0, "outside the support of beta (0 < x < 1)")]
    [InlineData("poisson", 2.5, "row 3, column 'x': 2.5 is outside the support of poisson")]
    [InlineData("geometric", 0.0, "outside the support of geometric (integers k >= 1)")]
    [InlineData("bernoulli", 2.0, "outside the support of bernoulli")]
    public void ValueOutsideTheSupportIsNamed(string name, double bad, string expected)
    {
        var data = Dataset.FromColumns(("x", [0.5, 0.25, bad, 0.75]));
        var x = name is "poisson" or "geometric" or "bernoulli" ? new[] { 1.0, 1, bad, 1 } : data.Column("x");
        var e = Assert.Throws<InputException>(() => ModelCatalog.Create(name, Dataset.FromColumns(("x", x)), new ModelColumns("x")));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void BinomialNeedsTrialsAndChecksThem()
    {
        var data = Dataset.FromColumns(("k", [1, 5, 3]), ("n", [4, 4, 4]));
        Assert.Contains("needs the number of trials", Assert.Throws<InputException>(() => ModelCatalog.Create("binomial", data, new ModelColumns("k"))).Message);
        Assert.Contains("row 2, column 'k': 5 with 4 trials", Assert.Throws<InputException>(() => ModelCatalog.Create("binomial", data, new ModelColumns("k", TrialsColumn: "n"))).Message);
        Assert.Contains("applies to model 'binomial', not 'poisson'", Assert.Throws<InputException>(() => ModelCatalog.Create("poisson", data, new ModelColumns("k", Trials: 4))).Message);
        var fit = Estimator.Fit(ModelCatalog.Create("binomial", data, new ModelColumns("k", Trials: 6)), backend: Backend.Native);
        Assert.True(Numerics.Relative(fit["p"], 9.0 / 18) <= 1e-10);
    }

    private static double LogisticLogDensity(double mu, double s, double x)
    {
        double z = (x - mu) / s;
        return -z - Math.Log(s) - 2 * Math.Log(1 + Math.Exp(-z));
    }

    private static IModelSpec Spec(string name, double[] x)
    {
        var columns = name == "binomial" ? new ModelColumns("x", Trials: Trials) : new ModelColumns("x");
        return ModelCatalog.Create(name, Dataset.FromColumns(("x", x)), columns);
    }

    private static double[] LogDensities(IModelSpec spec, ComputeDevice device, double[] parameters)
    {
        using var session = new EstimationSession(spec, device);
        return session.LogDensities(parameters);
    }
}
