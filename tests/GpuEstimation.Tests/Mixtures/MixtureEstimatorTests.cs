using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Engine;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Estimation;
using GpuEstimation.Mixtures;
using MathNet.Numerics.Distributions;
using Xunit;

namespace GpuEstimation.Tests.Mixtures;

/// <summary>
/// Mixtures of catalogue families: simulated mixtures recovered within 4 standard errors, the log-likelihood at least as
/// high as an independent host EM's (written here, run to a tight tolerance from the true values), a label order that
/// no seed changes, and the degenerate cases stated in the README.
/// </summary>
public sealed class MixtureEstimatorTests
{
    private static Dataset Data(double[] x) => Dataset.FromColumns(("x", x));

    private static MixtureFit Fit(double[] x, string[] families, int starts = 3, int seed = 1, Backend backend = Backend.Native)
    {
        var spec = MixtureSpec.Create(Data(x), "x", families);
        using var device = ComputeDevice.Open(backend);
        return MixtureEstimator.Fit(spec, device, new MixtureOptions { Starts = starts, Seed = seed });
    }

    // 200 standard normal rows and two at 9 and 9.001: a second normal component fits the two (σ 0.0005), a maximum
    // resting on fewer rows (2) than its estimates need (3: one more than μ and σ). The fit says so in a note and as Spurious, which
    // a component-count table does not choose; the same data without the pair have no such component.
    [Fact]
    public void AComponentOnFewerRowsThanItsParametersIsSaid()
    {
        var random = new Random(5);
        var bulk = Enumerable.Range(0, 200).Select(_ => Normal.Sample(random, 0, 1)).ToArray();
        var fit = Fit([.. bulk, 9.0, 9.001], ["normal", "normal"]);
        Assert.Equal(2 / 202.0, fit.Components[1].Weight, 1e-6);
        Assert.Equal("component 2 (normal) holds 2 of the 202 rows, fewer than the 3 its estimates need (one more than its 2 parameters): a spurious maximum, a component fitted to a few points", fit.Spurious);
        Assert.Contains(fit.Result.Diagnostics.Notes, n => n.StartsWith(fit.Spurious!, StringComparison.Ordinal));

        var clean = Fit([.. bulk, .. bulk.Select(v => 6 + v)], ["normal", "normal"]);
        Assert.Null(clean.Spurious);
        // Three far rows are a cluster the component needs (3 rows).
        var three = Fit([.. bulk, 9.0, 9.3, 9.6], ["normal", "normal"]);
        Assert.Equal(3, three.Components[1].Weight * 203, 1e-6);
        Assert.Null(three.Spurious);
        Assert.DoesNotContain(clean.Result.Diagnostics.Notes, n => n.Contains("spurious", StringComparison.Ordinal));
    }

    private static void AssertWithin4Se(MixtureFit fit, IReadOnlyDictionary<string, double> truth)
    {
        foreach (var (name, value) in truth.Where(t => t.Key != $"w{fit.Components.Count}"))
        {
            var estimate = fit.Result.Get(name);
            Assert.True(estimate.StdError is > 0, $"{name}: no standard error");
            double z = (estimate.Estimate - value) / estimate.StdError!.Value;
            Assert.True(Math.Abs(z) < 4, $"{name}: estimate {estimate.Estimate}, truth {value}, se {estimate.StdError}, z {z}");
        }
        // The last weight (1 − the others) too, with its delta-method standard error.
        var last = fit.Components[^1];
        if (truth.TryGetValue($"w{fit.Components.Count}", out double w))
            Assert.True(Math.Abs(last.Weight - w) < 4 * last.WeightStdError!.Value);
    }

    internal static double[] ThreeNormals(int n, int seed)
    {
        var random = new Random(seed);
        var x = new double[n];
        for (int i = 0; i < n; i++)
        {
            double u = random.NextDouble();
            x[i] = u < 0.3 ? Normal.Sample(random, -3, 1) : u < 0.8 ? Normal.Sample(random, 0.5, 0.7) : Normal.Sample(random, 4, 1.5);
        }
        return x;
    }

    [Fact]
    public void ThreeNormalsAreRecoveredAndBeatAnIndependentEm()
    {
        var x = ThreeNormals(3000, 11);
        var fit = Fit(x, ["normal", "normal", "normal"]);
        Assert.True(fit.Result.Converged, fit.Result.Reason);
        AssertWithin4Se(fit, new Dictionary<string, double>
        {
            ["w1"] = 0.3, ["w2"] = 0.5, ["w3"] = 0.2, ["mu1"] = -3, ["sigma1"] = 1, ["mu2"] = 0.5, ["sigma2"] = 0.7, ["mu3"] = 4, ["sigma3"] = 1.5,
        });
        double reference = ReferenceNormalEm(x, [0.3, 0.5, 0.2], [-3, 0.5, 4], [1, 0.7, 1.5]);
        Assert.True(fit.LogLikelihood >= reference - 1e-7 * Math.Abs(reference), $"ours {fit.LogLikelihood}, reference EM {reference}");
        Assert.True(fit.Result.Diagnostics.GradientNorm < 1e-3, $"gradient norm {fit.Result.Diagnostics.GradientNorm}");
        Assert.True(fit.Result["mu1"] < fit.Result["mu2"] && fit.Result["mu2"] < fit.Result["mu3"]);
    }

    // A trial: three normals over data around 10¹² (spread 10³) were refused, every start collapsing, where the same
    // data less 10¹² fit: the locations' optimizer steps were a tenth of the start (10¹¹), now a tenth of the spread.
    [Fact]
    public void DataFarFromZeroFitAsTheDataShifted()
    {
        var random = new Random(12);
        var z = Enumerable.Range(0, 600).Select(i => (i < 300 ? 0.0 : 1e4) + Normal.Sample(random, 0, 1e3)).ToArray();
        var near = Fit(z, ["normal", "normal", "normal"], starts: 10);
        var far = Fit([.. z.Select(v => v + 1e12)], ["normal", "normal", "normal"], starts: 10);
        Assert.True(near.Result.Converged && far.Result.Converged, $"{near.Result.Reason}; {far.Result.Reason}");
        Assert.Equal(near.LogLikelihood, far.LogLikelihood, 1e-6);
        foreach (var name in new[] { "w1", "w2", "sigma1", "sigma2", "sigma3" })
            Assert.Equal(near.Result[name], far.Result[name], 1e-5 * Math.Abs(near.Result[name]));
        foreach (var name in new[] { "mu1", "mu2", "mu3" })
            Assert.Equal(near.Result[name], far.Result[name] - 1e12, 1e-2);
    }

    // A trial: two normals over 10¹² + z (spread 1, so that a location moves in steps of 10⁻⁴ of it) ran 1,000–2,000
    // L-BFGS iterations, some ending "not converged" at the maximum. Mixtures of families with a location are fitted over
    // the data less their mean (exact differences) and the locations shifted back: the fit of z, in a few iterations;
    // the profile interval and the Wald interval shifted with it.
    [Fact]
    public void DataFarFromZeroAgainstTheirSpreadAreFittedShifted()
    {
        var random = new Random(5);
        var z = Enumerable.Range(0, 500).Select(i => i < 300 ? Normal.Sample(random, 0, 1) : Normal.Sample(random, 3, 0.5)).ToArray();
        var far = z.Select(v => v + 1e12).ToArray();
        foreach (var families in new[] { new[] { "normal", "normal" }, ["normal", "logistic"] })
        {
            var near = Fit([.. far.Select(v => v - 1e12)], families);
            var spec = MixtureSpec.Create(Data(far), "x", families);
            using var device = ComputeDevice.Open(Backend.Native);
            var fit = MixtureEstimator.Fit(spec, device, new MixtureOptions { Starts = 3, Fit = new FitOptions { Profile = ["w1"] } });
            Assert.True(fit.Result.Converged, fit.Result.Reason);
            Assert.True(fit.Result.Diagnostics.Iterations < 100, $"{fit.Result.Diagnostics.Iterations} iterations");
            Assert.Equal(near.LogLikelihood, fit.LogLikelihood, 1e-6 * Math.Abs(near.LogLikelihood));
            foreach (var p in near.Result.Parameters)
            {
                var q = fit.Result.Get(p.Name);
                bool location = p.Name.StartsWith("mu", StringComparison.Ordinal) || p.Name.StartsWith("location", StringComparison.Ordinal);
                Assert.Equal(p.Estimate + (location ? 1e12 : 0), q.Estimate, location ? 1e-3 : 1e-6 * Math.Max(1, Math.Abs(p.Estimate)));
                Assert.Equal(p.StdError!.Value, q.StdError!.Value, 1e-4 * p.StdError.Value);
                if (location)
                    Assert.True(q.Wald!.Lower < q.Estimate && q.Estimate < q.Wald.Upper && q.Wald.Lower > 1e12 - 10, $"{q.Wald}");
            }
            Assert.True(fit.Result.Get("w1").Profile is { Lower: > 0 and < 1, Upper: > 0 and < 1 });
            // The result is the far data's own: its data and components describe them.
            Assert.Same(spec, fit.Spec);
        }
    }

    // A shifted fit that fails quotes the shifted data's values, and says so with the shift (a review): here the point
    // mass at 10¹² + 3 that a component collapses onto.
    [Fact]
    public void AShiftedFitsFailureSaysItsValuesAreShifted()
    {
        var random = new Random(6);
        var x = Enumerable.Range(0, 700).Select(i => 1e12 + (i < 500 ? Normal.Sample(random, 0, 1) : 3.0)).ToArray();
        var e = Assert.Throws<MixtureFitException>(() => Fit(x, ["normal", "normal"]));
        Assert.Contains("collapsed onto", e.Message);
        Assert.Contains("(values of the data less ", e.Message);
    }

    // A trial: 4 rows fitted as two normals (5 parameters) with standard errors; now refused by name.
    [Fact]
    public void NoMoreRowsThanParametersIsRefused()
    {
        var e = Assert.Throws<InputException>(() => Fit([1.0, 2, 5, 7], ["normal", "normal"]));
        Assert.EndsWith("column 'x' has 4 rows for the 5 parameters of a 2-component mixture: it needs more rows than parameters", e.Message);
    }

    // Normal components over values spanning 10⁻²⁰⁰ (or 10²⁰⁰): their variances, formed from squares, underflowed (or
    // overflowed) and every start failed with "the log-likelihood is not finite"; refused before fitting, with the
    // factor that rescales the column. Laplace components, whose scale is no square, still fit there.
    [Fact]
    public void NormalComponentsBeyondTheSquaresOfDoublesAreRefusedWithTheFactor()
    {
        var x = ThreeNormals(600, 4);
        var tiny = Assert.Throws<InputException>(() => Fit([.. x.Select(v => v * 1e-200)], ["normal", "normal"]));
        Assert.Contains("whose square underflows a double", tiny.Message);
        Assert.Contains("multiply the column by 1e+", tiny.Message);
        var huge = Assert.Throws<InputException>(() => Fit([.. x.Select(v => v * 1e200)], ["normal", "laplace"]));
        Assert.Contains("whose square overflows a double", huge.Message);
        Assert.Contains("multiply the column by 1e-", huge.Message);
        var laplace = Fit([.. x.Select(v => v * 1e-200)], ["laplace", "laplace"]);
        Assert.All(laplace.Components, c => Assert.True(c.Weight > 0.05, $"weight {c.Weight}"));
    }

    // Counts near 10⁹ in two components five of their standard deviations apart (rates 1.6·10⁻⁴ of themselves apart),
    // and near 10¹⁰ and 2·10¹⁰: each a two-component fit with the weights drawn (within 4 standard errors) and a log-
    // likelihood above the one Poisson's; both were refused, as "coincide" (rates compared relative to themselves) and
    // as "a point mass (rate1 → ∞)" (a cap of 10¹⁰ on a parameter without the data's units; a hunt). So is a gamma pair
    // of shape ~10¹⁰ (1000 ± 0.01 and 2000 ± 0.02): narrow, not collapsed.
    [Fact]
    public void LargeCountsAndLargeShapesAreComponentsNotPointMasses()
    {
        var random = new Random(17);
        double Count(double rate) => Math.Round(rate + Math.Sqrt(rate) * Normal.Sample(random, 0, 1));
        foreach (var (low, high) in new[] { (1e9, 1e9 * (1 + 5 / Math.Sqrt(1e9))), (1e10, 2e10) })
        {
            var x = Enumerable.Range(0, 1000).Select(i => Count(i < 600 ? low : high)).ToArray();
            var fit = Fit(x, ["poisson", "poisson"]).Result;
            Assert.True(fit.Converged, fit.Reason);
            Assert.True(Math.Abs(fit["w1"] - 0.6) <= 4 * fit.Get("w1").StdError!.Value, $"w1 {fit["w1"]} ± {fit.Get("w1").StdError}");
            Assert.True(Math.Abs(fit["rate1"] / low - 1) <= 1e-4 && Math.Abs(fit["rate2"] / high - 1) <= 1e-4, $"rates {fit["rate1"]}, {fit["rate2"]}");
            var one = Fit(x, ["poisson"]).Result;
            Assert.True(fit.LogLikelihood > one.LogLikelihood + 100, $"{fit.LogLikelihood} vs one Poisson's {one.LogLikelihood}");
        }
        var y = Enumerable.Range(0, 400).Select(i => (i < 240 ? 1000 : 2000) * (1 + 1e-5 * Normal.Sample(random, 0, 1))).ToArray();
        var gamma = Fit(y, ["gamma", "gamma"], starts: 1).Result;
        Assert.True(gamma.Converged, gamma.Reason);
        Assert.True(gamma["shape1"] > 1e9 && gamma["shape2"] > 1e9, $"shapes {gamma["shape1"]}, {gamma["shape2"]}");
        // Narrow beside a wide spread (1000 ± 0.01 and 10⁵ ± 1: its SD 10⁻⁶ of the data's) but of distinct values: a
        // component, as two normals fit it (a review: "collapsed onto x = 1000").
        var z = Enumerable.Range(0, 400).Select(i => i < 240 ? 1000 + 0.01 * Normal.Sample(random, 0, 1) : 1e5 + Normal.Sample(random, 0, 1)).ToArray();
        var narrow = Fit(z, ["gamma", "gamma"], starts: 1).Result;
        Assert.DoesNotContain("collapsed", narrow.Reason);
        Assert.True(narrow.Converged, narrow.Reason);
    }

    // A trial: data 1 + z·10⁻¹² (598 distinct values) were refused as "components 1 and 2 coincide" (locations compared
    // relative to themselves, ~1, and a floor of 10⁻¹² in absolute terms); now the mixture of z itself, rescaled. (The
    // exact-likelihood search's verdict there is left open: the data keep ~4,500 ulps across their spread, and on these
    // it stops with its gradient test unmet, so only the estimates are compared.)
    [Fact]
    public void TinySpreadsAroundAnOffsetFitAsTheDataRescaled()
    {
        var random = new Random(3);
        var z = Enumerable.Range(0, 600).Select(i => (i < 300 ? 0.0 : 5.0) + Normal.Sample(random, 0, 1)).ToArray();
        var plain = Fit(z, ["normal", "normal"]);
        var tiny = Fit([.. z.Select(v => 1 + v * 1e-12)], ["normal", "normal"]);
        Assert.DoesNotContain("coincide", tiny.Result.Reason);
        Assert.Equal(plain.Result["w1"], tiny.Result["w1"], 1e-4);
        Assert.Equal(plain.Result["sigma1"] * 1e-12, tiny.Result["sigma1"], 1e-4 * 1e-12);
        Assert.Equal(plain.Result["mu2"] - plain.Result["mu1"], (tiny.Result["mu2"] - tiny.Result["mu1"]) * 1e12, 1e-3);
    }

    // A trial: every mixture with a Laplace component ended "not converged" (exit 3) at its maximum, where each location
    // sits on a data point (a kink no gradient test passes). Now it settles there as a Laplace fit does: converged, the
    // locations data values with no standard error, the log-likelihood lower a hair either way, the rest within 4 SE.
    [Fact]
    public void ALaplaceMixtureConvergesWithItsLocationsAtDataPoints()
    {
        var random = new Random(77);
        var x = Enumerable.Range(0, 600).Select(i => (i < 300 ? 0.0 : 8.0) + Laplace.Sample(random, 0, 1)).ToArray();
        var fit = Fit(x, ["laplace", "laplace"]);
        Assert.True(fit.Result.Converged, fit.Result.Reason);
        Assert.Contains("kink", fit.Result.Reason);
        foreach (var name in new[] { "location1", "location2" })
        {
            double location = fit.Result[name];
            double nearest = x.MinBy(v => Math.Abs(v - location));
            Assert.True(Math.Abs(location - nearest) <= 1e-9, $"{name} = {location:R}, the nearest data value {nearest:R}");
            Assert.Null(fit.Result.Get(name).StdError);
        }
        AssertWithin4Se(fit, new Dictionary<string, double> { ["w1"] = 0.5, ["scale1"] = 1, ["scale2"] = 1 });
        var spec = MixtureSpec.Create(Data(x), "x", ["laplace", "laplace"]);
        using var device = ComputeDevice.Open(Backend.Native);
        using var session = new EstimationSession(spec.ToModelSpec(fit.Result.Parameters.Select(p => p.Estimate).ToArray()), device);
        var at = fit.Result.Parameters.Select(p => p.Estimate).ToArray();
        double value = session.Evaluate(at).LogLikelihood;
        foreach (int k in new[] { 1, 3 })
        {
            foreach (double step in new[] { -1e-6, 1e-6 })
            {
                var moved = at.ToArray();
                moved[k] += step;
                Assert.True(session.Evaluate(moved).LogLikelihood < value, $"parameter {k} moved by {step}: not lower");
            }
        }
    }

    // An all-normal mixture's EM runs on the native backend through the Gaussian mixture's vectorized pass (in one
    // dimension), elsewhere through the generic model: the same EM path from the same start to the same optimum.
    [Fact]
    public void NormalMixtureEmOnNativeMatchesTheGenericPass()
    {
        var x = ThreeNormals(2003, 17);
        var native = Fit(x, ["normal", "normal", "normal"], starts: 2);
        var cpu = Fit(x, ["normal", "normal", "normal"], starts: 2, backend: Backend.Cpu);
        Assert.True(native.Result.Converged && cpu.Result.Converged);
        Assert.Equal(cpu.LogLikelihood, native.LogLikelihood, 1e-10 * Math.Abs(cpu.LogLikelihood));
        for (int j = 0; j < cpu.Result.Parameters.Count; j++)
            Assert.Equal(cpu.Result.Parameters[j].Estimate, native.Result.Parameters[j].Estimate, 1e-6);
        for (int s = 0; s < 2; s++)
            Assert.Equal(cpu.Starts[s].EmIterations, native.Starts[s].EmIterations);

        // The exact model's engine on native (value and gradient from the statistics pass) against the generic one.
        var spec = MixtureSpec.Create(Data(x), "x", ["normal", "normal", "normal"]);
        var point = MixtureEstimator.InitialPoint(spec, 3, 0);
        using var device = ComputeDevice.Open(Backend.Native);
        using var own = spec.ToModelSpec(point).CreateEngine(device);
        using var generic = new LikelihoodEngine<MixtureModel>(device, spec.Model, spec.Columns);
        var a = new double[point.Length];
        var b = new double[point.Length];
        double va = own.Evaluate(point, a), vb = generic.Evaluate(point, b);
        Assert.IsNotType<LikelihoodEngine<MixtureModel>>(own);
        Assert.Equal(vb, va, 1e-12 * Math.Abs(vb));
        for (int j = 0; j < point.Length; j++)
            Assert.True(Math.Abs(a[j] - b[j]) <= 1e-9 * (1 + Math.Abs(b[j])), $"{spec.Parameters[j].Name}: {a[j]:R} vs {b[j]:R}");
    }

    // A normal mixture's statistics kernel (components' loops unrolled: 4, 8 and 16 iterations, the ones past K skipped)
    // against the general Gaussian-mixture kernel in one dimension on ILGPU's CPU accelerator (the same E-step, the
    // statistics summed in another order: within 1e-13), for K below, at and above each unroll; and against the native
    // pass to 1e-12. 3001 rows: not a multiple of a group.
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(16)]
    public void NormalStatisticsKernelAgreesWithTheGeneralKernel(int components)
    {
        var random = new Random(components);
        var x = Enumerable.Range(0, 3001).Select(_ => Normal.Sample(random, 0, 3)).ToArray();
        // Packed as the pass takes them: (constant, mean, 1/σ) per component.
        var packed = new double[3 * components];
        for (int c = 0; c < components; c++)
        {
            double sigma = 0.5 + 0.2 * c;
            packed[3 * c] = Math.Log(1.0 / components) - Math.Log(sigma) - 0.5 * Math.Log(2 * Math.PI);
            packed[3 * c + 1] = -4 + 8.0 * c / components;
            packed[3 * c + 2] = 1 / sigma;
        }
        var codes = MixturePass.NormalCodes(components);
        (double Value, double[] Sums) Run(MixturePass pass)
        {
            var sums = new double[codes.Length];
            double value = pass.Run(packed, codes, sums);
            return (value, sums);
        }
        using var cpu = ComputeDevice.Open(Backend.Cpu);
        using var native = ComputeDevice.Open(Backend.Native);
        using var unrolled = MixturePass.OpenNormal(cpu, x, components);
        using var general = MixturePass.Open(cpu, [x], components, diagonal: true);
        using var host = MixturePass.OpenNormal(native, x, components);
        var (a, b, h) = (Run(unrolled), Run(general), Run(host));
        Assert.Equal(b.Value, a.Value, 1e-13 * Math.Abs(b.Value));
        for (int e = 0; e < codes.Length; e++)
            Assert.True(Math.Abs(b.Sums[e] - a.Sums[e]) <= 1e-13 * (1 + Math.Abs(b.Sums[e])), $"statistic {e}: {a.Sums[e]:R} vs general {b.Sums[e]:R}");
        Assert.Equal(h.Value, a.Value, 1e-12 * Math.Abs(h.Value));
        for (int e = 0; e < codes.Length; e++)
            Assert.True(Math.Abs(h.Sums[e] - a.Sums[e]) <= 1e-12 * (1 + Math.Abs(h.Sums[e])), $"statistic {e}: {a.Sums[e]:R} vs native {h.Sums[e]:R}");
        Assert.Equal(x.Length, a.Sums.Where((_, e) => e % 3 == 0).Sum(), 1e-9);
        // It sums only its own statistics.
        Assert.Throws<ArgumentException>(() => unrolled.Run(packed, [.. codes.Reverse()], new double[codes.Length]));
    }

    // An EM written independently of the engine: plain loops, log-sum-exp, 20 000 iterations or a change below 1e-13.
    private static double ReferenceNormalEm(double[] x, double[] w, double[] mu, double[] sigma)
    {
        int k = w.Length, n = x.Length;
        double previous = double.NegativeInfinity, ll = 0;
        var r = new double[n, k];
        for (int iteration = 0; iteration < 20_000; iteration++)
        {
            ll = 0;
            for (int i = 0; i < n; i++)
            {
                var l = new double[k];
                for (int c = 0; c < k; c++)
                    l[c] = Math.Log(w[c]) - Math.Log(sigma[c]) - 0.5 * Math.Log(2 * Math.PI) - 0.5 * Math.Pow((x[i] - mu[c]) / sigma[c], 2);
                double m = l.Max(), s = l.Sum(v => Math.Exp(v - m));
                double lse = m + Math.Log(s);
                ll += lse;
                for (int c = 0; c < k; c++)
                    r[i, c] = Math.Exp(l[c] - lse);
            }
            for (int c = 0; c < k; c++)
            {
                double rs = 0, rx = 0, rxx = 0;
                for (int i = 0; i < n; i++)
                {
                    rs += r[i, c];
                    rx += r[i, c] * x[i];
                }
                mu[c] = rx / rs;
                for (int i = 0; i < n; i++)
                    rxx += r[i, c] * (x[i] - mu[c]) * (x[i] - mu[c]);
                sigma[c] = Math.Sqrt(rxx / rs);
                w[c] = rs / n;
            }
            if (ll - previous < 1e-13 * Math.Abs(ll))
                break;
            previous = ll;
        }
        return ll;
    }

    [Fact]
    public void NormalAndGammaAreRecovered()
    {
        var random = new Random(5);
        var x = Enumerable.Range(0, 4000).Select(_ => random.NextDouble() < 0.4 ? Normal.Sample(random, -2, 1) : Gamma.Sample(random, 4, 2)).ToArray();
        var fit = Fit(x, ["normal", "gamma"]);
        Assert.True(fit.Result.Converged, fit.Result.Reason);
        AssertWithin4Se(fit, new Dictionary<string, double> { ["w1"] = 0.4, ["w2"] = 0.6, ["mu1"] = -2, ["sigma1"] = 1, ["shape2"] = 4, ["rate2"] = 2 });
    }

    // Units do not matter: two gammas of x in units 10¹² smaller (bytes for terabytes) or larger give the same weights
    // and shapes, and rates scaled by 10∓¹², to 1e-6 (measured ≤ 2e-9). A rate of 10⁻¹² was taken for a point mass
    // (rate → 0) against an absolute floor of 1e-10, and every start failed; it is now measured in x's spread.
    [Fact]
    public void AGammaMixtureDoesNotDependOnTheUnitsOfX()
    {
        var random = new Random(12);
        var x = Enumerable.Range(0, 4000).Select(i => Gamma.Sample(random, i % 2 == 0 ? 3 : 30, 1)).ToArray();
        var unit = Fit(x, ["gamma", "gamma"]);
        foreach (double scale in new[] { 1e12, 1e-12 })
        {
            var fit = Fit([.. x.Select(v => v * scale)], ["gamma", "gamma"]);
            Assert.True(fit.Result.Converged, fit.Result.Reason);
            foreach (var name in new[] { "w1", "shape1", "shape2", "rate1", "rate2" })
            {
                double expected = unit.Result[name] / (name.StartsWith("rate", StringComparison.Ordinal) ? scale : 1);
                Assert.True(Math.Abs(fit.Result[name] / expected - 1) <= 1e-6, $"x × {scale:G}: {name} {fit.Result[name]:R} against {expected:R}");
            }
        }
    }

    // MAP, fixed values and robust covariances are not for mixtures (the EM ignores them): the library refuses them as the
    // command line does (a library trial's fixed value was dropped without a word).
    [Fact]
    public void MixtureOptionsRefuseWhatTheEmIgnores()
    {
        var spec = MixtureSpec.Create(Data([.. Enumerable.Range(0, 200).Select(i => (double)(i % 17) + (i % 2) * 30)]), "x", ["normal", "normal"]);
        using var device = ComputeDevice.Open(Backend.Native);
        foreach (var fit in new[]
        {
            new FitOptions { Map = true },
            new FitOptions { Fixed = new Dictionary<string, double> { ["mu1"] = 0 } },
            new FitOptions { Covariance = CovarianceType.HC0 },
        })
        {
            var e = Assert.Throws<InputException>(() => MixtureEstimator.Fit(spec, device, new MixtureOptions { Fit = fit }));
            Assert.Contains("MAP, priors, fixed values and robust covariances are not supported", e.Message);
        }
    }

    [Fact]
    public void TwoPoissonsAreRecovered()
    {
        var random = new Random(8);
        var x = Enumerable.Range(0, 4000).Select(_ => (double)Poisson.Sample(random, random.NextDouble() < 0.45 ? 2 : 9)).ToArray();
        var fit = Fit(x, ["poisson", "poisson"]);
        Assert.True(fit.Result.Converged, fit.Result.Reason);
        AssertWithin4Se(fit, new Dictionary<string, double> { ["w1"] = 0.45, ["w2"] = 0.55, ["rate1"] = 2, ["rate2"] = 9 });
    }

    // Zero-inflated counts as two Poissons (a trial's case: refused as "a point mass; fit fewer components", and the
    // range then chose one component, 876 log-likelihood units worse): one rate runs to 0, where the likelihood is bounded
    // and has its supremum, so it is held at the edge with a note, and the fit is the zero-inflated Poisson's MLE, here
    // from its own EM (π, λ) to 1e-7.
    [Fact]
    public void ZeroInflatedCountsHoldAPoissonRateAtItsEdge()
    {
        // 700 zeros, then Poisson(4)'s expected counts of 1 … 15 in 1,300 draws with a tenth fewer ones: fewer ones than
        // any Poisson part would give, so that a small positive rate1 (which would explain ones) cannot do better than
        // the edge (with random draws the optimum can be interior: rate1 ≈ 0.006).
        var x = Enumerable.Range(1, 15).SelectMany(k => Enumerable.Repeat((double)k,
            (int)Math.Round((k == 1 ? 0.9 : 1) * 1300 * Math.Exp(-4 + k * Math.Log(4) - MathNet.Numerics.SpecialFunctions.GammaLn(k + 1)))))
            .Concat(Enumerable.Repeat(0.0, 700)).ToArray();
        var fit = Fit(x, ["poisson", "poisson"]);
        Assert.True(fit.Result.Converged, fit.Result.Reason);
        Assert.True(fit.Result.Diagnostics.Notes.Any(n => n.Contains("component 1 (poisson) is a point mass at 0 (rate1 → 0", StringComparison.Ordinal)), string.Join(" / ", fit.Result.Parameters.Select(p => $"{p.Name}={p.Estimate:R}")) + " notes: " + string.Join(" / ", fit.Result.Diagnostics.Notes));
        Assert.True(fit.Result.Parameters.Single(p => p.Name == "rate1").Fixed);

        double pi = 0.5, lambda = 1, zeros = x.Count(v => v == 0), sum = x.Sum();
        for (int i = 0; i < 10_000; i++)
        {
            double z = pi / (pi + (1 - pi) * Math.Exp(-lambda));
            (pi, lambda) = (z * zeros / x.Length, sum / (x.Length - z * zeros));
        }
        double log = zeros * Math.Log(pi + (1 - pi) * Math.Exp(-lambda))
            + x.Where(v => v > 0).Sum(v => Math.Log(1 - pi) - lambda + v * Math.Log(lambda) - MathNet.Numerics.SpecialFunctions.GammaLn(v + 1));
        Assert.True(Math.Abs(fit.Result["w1"] - pi) <= 1e-7, $"w1 {fit.Result["w1"]:R} vs π {pi:R}");
        Assert.True(Math.Abs(fit.Result["rate2"] / lambda - 1) <= 1e-7, $"rate2 {fit.Result["rate2"]:R} vs λ {lambda:R}");
        Assert.True(Math.Abs(fit.LogLikelihood - log) <= 1e-7 * Math.Abs(log), $"log L {fit.LogLikelihood:R} vs {log:R}");

        // Profile intervals for every estimated parameter keep the edge held (it had been freed, and "every parameter"
        // asked an interval of the held one), and the note.
        using var device = ComputeDevice.Open(Backend.Native);
        var profiled = MixtureEstimator.Fit(MixtureSpec.Create(Data(x), "x", ["poisson", "poisson"]), device, new MixtureOptions { Starts = 3, Seed = 1, ProfileEvery = true });
        Assert.True(profiled.Result.Parameters.Single(p => p.Name == "rate1").Fixed);
        Assert.NotNull(profiled.Result.Parameters.Single(p => p.Name == "rate2").Profile);
        Assert.Contains(profiled.Result.Diagnostics.Notes, n => n.Contains("is a point mass at 0", StringComparison.Ordinal));
    }

    // Three Poissons on zero-inflated counts: the starts lose a component's weight as (or before) a rate reaches its edge;
    // each such start is discarded with the reason, not ended as bad input ("starting value w2 = 0", a trial).
    [Fact]
    public void AStartThatLosesAWeightAtAnEdgeIsDiscarded()
    {
        var random = new Random(4);
        var x = Enumerable.Range(0, 1000).Select(_ => random.NextDouble() < 0.3 ? 0.0 : Poisson.Sample(random, 2.5)).ToArray();
        try
        {
            var fit = Fit(x, ["poisson", "poisson", "poisson"], starts: 5);
            Assert.True(fit.Starts.All(s => s.LogLikelihood is not null || s.Failure is not null));
        }
        catch (MixtureFitException e)
        {
            Assert.Contains("lost its weight", e.Message);
        }
    }

    [Fact]
    public void TheLabelOrderDoesNotDependOnTheSeed()
    {
        var x = ThreeNormals(2000, 3);
        var a = Fit(x, ["normal", "normal", "normal"], starts: 4, seed: 1);
        var b = Fit(x, ["normal", "normal", "normal"], starts: 4, seed: 12345);
        Assert.Equal(a.Result.Parameters.Select(p => p.Name), b.Result.Parameters.Select(p => p.Name));
        for (int j = 0; j < a.Point.Length; j++)
            Assert.True(Math.Abs(a.Point[j] - b.Point[j]) < 1e-5 * (1 + Math.Abs(a.Point[j])), $"{a.Result.Parameters[j].Name}: {a.Point[j]} vs {b.Point[j]}");
        Assert.True(a.Point[2] < a.Point[4] && a.Point[4] < a.Point[6], "mu1 < mu2 < mu3");
    }

    [Fact]
    public void ComponentsCollapsingOntoPointsEndInAnErrorNamingTheComponent()
    {
        // Three values, each repeated: every start sends a normal component onto one of them (sigma → 0).
        var x = Enumerable.Range(0, 300).Select(i => (double)(i % 3)).ToArray();
        var error = Assert.Throws<MixtureFitException>(() => Fit(x, ["normal", "normal", "normal"]));
        Assert.Matches("component [123] \\(normal\\) collapsed onto x = [012] \\(sigma", error.Message);
    }

    [Fact]
    public void MoreComponentsThanDistinctValuesIsBadInput()
    {
        var x = Enumerable.Range(0, 100).Select(i => (double)(i % 2)).ToArray();
        var error = Assert.Throws<InputException>(() => Fit(x, ["poisson", "poisson", "poisson"]));
        Assert.Contains("2 distinct values, fewer than the 3 components", error.Message);
    }

    // Σ wₖ Bernoulli(pₖ) is one Bernoulli: two Bernoulli components are not identified, refused naming why.
    [Fact]
    public void SeveralBernoulliComponentsAreRefused()
    {
        var error = Assert.Throws<InputException>(() => MixtureSpec.Create(Data([0, 1, 1, 0, 1]), "x", ["bernoulli", "bernoulli"]));
        Assert.Contains("2 Bernoulli components: a mixture of Bernoullis is itself a Bernoulli", error.Message);
        MixtureSpec.Create(Data([0, 1, 1, 0, 1]), "x", ["bernoulli", "poisson"]);
    }

    [Fact]
    public void ARowOutsideEveryComponentsSupportIsBadInput()
    {
        var error = Assert.Throws<InputException>(() => MixtureSpec.Create(Data([1, 2, -1, 3]), "x", ["gamma", "exponential"]));
        Assert.Contains("row 3", error.Message);
        Assert.Contains("outside the support of every component", error.Message);
    }

    [Fact]
    public void UnknownAndTrialFamiliesAreBadInput()
    {
        Assert.Contains("binomial needs a number of trials", Assert.Throws<InputException>(() => MixtureSpec.Create(Data([1, 2]), "x", ["binomial"])).Message);
        Assert.Contains("available: normal", Assert.Throws<InputException>(() => MixtureSpec.Create(Data([1, 2]), "x", ["nromal"])).Message);
        Assert.Contains("1 to 16 components", Assert.Throws<InputException>(() => MixtureSpec.Create(Data([1, 2]), "x", [.. Enumerable.Repeat("normal", 17)])).Message);
    }

    // The EM statistics pass gives the same sums on the native backend and ILGPU's CPU accelerator (the kernel), and the
    // exact mode's gradient matches central differences of its value.
    [Fact]
    public void StatisticsAgreeAcrossBackendsAndTheGradientMatchesDifferences()
    {
        var random = new Random(2);
        var x = Enumerable.Range(0, 5000).Select(_ => random.NextDouble() < 0.5 ? Normal.Sample(random, -1, 1) : Gamma.Sample(random, 3, 1)).ToArray();
        var spec = MixtureSpec.Create(Data(x), "x", ["normal", "gamma", "studentt"]);
        var point = MixtureEstimator.InitialPoint(spec, 1, 0);
        double[] Sums(Backend backend)
        {
            using var device = ComputeDevice.Open(backend);
            var model = spec.Model.WithStatistics(true);
            using var engine = new LikelihoodEngine<MixtureModel>(device, model, spec.Columns);
            var padded = new double[engine.ParameterCount];
            point.CopyTo(padded, 0);
            var sums = new double[engine.ParameterCount];
            double value = engine.Evaluate(padded, sums);
            return [value, .. sums];
        }
        var native = Sums(Backend.Native);
        var cpu = Sums(Backend.Cpu);
        for (int j = 0; j < native.Length; j++)
            Assert.True(Math.Abs(native[j] - cpu[j]) <= 1e-10 * (1 + Math.Abs(native[j])), $"term {j}: {native[j]} vs {cpu[j]}");
        Assert.Equal(x.Length, native[1] + native[4] + native[7], 8);

        using var host = ComputeDevice.Open(Backend.Native);
        using var exact = new LikelihoodEngine<MixtureModel>(host, spec.Model, spec.Columns);
        var gradient = new double[point.Length];
        exact.Evaluate(point, gradient);
        var scratch = new double[point.Length];
        for (int j = 0; j < point.Length; j++)
        {
            double h = 1e-6 * Math.Max(1, Math.Abs(point[j]));
            var up = (double[])point.Clone();
            var down = (double[])point.Clone();
            up[j] += h;
            down[j] -= h;
            double difference = (exact.Evaluate(up, scratch) - exact.Evaluate(down, scratch)) / (2 * h);
            Assert.True(Math.Abs(difference - gradient[j]) <= 1e-5 * (1 + Math.Abs(gradient[j])), $"{spec.Parameters[j].Name}: {gradient[j]} vs {difference}");
        }
    }
}
