using System.Globalization;
using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Models;
using GpuEstimation.Priors;
using GpuEstimation.Results;
using GpuEstimation.Surfaces;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Surfaces;

[Collection(DeviceCollection.Name)]
public class SweepTests(DeviceFixture devices)
{
    private static readonly double[] X = NormalSamples.Draw(50_001, 111, 3.1, 1.9);

    // Every sweep value equals a single evaluation at the same parameters to 1e-12, on each backend (several data
    // chunks per point: 50,001 rows).
    [Theory]
    [MemberData(nameof(DeviceFixture.Backends), MemberType = typeof(DeviceFixture))]
    public void SweepValuesEqualSingleEvaluations(Backend backend)
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X)), "x");
        using var session = new EstimationSession(spec, devices[backend]);
        var sweep = Sweeper.Sweep(session, new SweepOptions
        {
            Axes = [new GridAxis("mu", 2.5, 3.5, 7), new GridAxis("sigma", 1.5, 2.5, 19)],
        });

        // 133 points: three native blocks of up to 64 points, the last group of four points padded in the kernel.
        Assert.Equal(133, sweep.Points.Count);
        Assert.Equal([2.5, 1.5], sweep.Points[0]);
        Assert.Equal(2.5, sweep.Points[1][0]);
        Assert.Equal(1.5 + 1.0 / 18, sweep.Points[1][1], 1e-15);
        for (int i = 0; i < sweep.Points.Count; i++)
        {
            double single = session.Evaluate(sweep.Points[i]).LogLikelihood;
            Assert.True(Numerics.Relative(sweep.LogLikelihood[i], single) <= 1e-12, $"point {i}: {sweep.LogLikelihood[i]:R} vs {single:R}");
        }
    }

    // A sweep printed as one line that says what it is (a library trial's Console.WriteLine printed type names).
    [Fact]
    public void ASweepPrintsAsOneLineNamingItsAxesAndBestPoint()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X)), "x");
        using var session = new EstimationSession(spec, devices.Native);
        var sweep = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("mu", 2.5, 3.5, 5)], At = new Dictionary<string, double> { ["sigma"] = 2 } });
        int best = Array.IndexOf(sweep.LogLikelihood, sweep.LogLikelihood.Max());
        Assert.Equal(3.0, sweep.Points[best][0]);
        Assert.Equal($"normal (n = 50001): sweep of the log-likelihood (the others held) over mu (5 values, 2.5 to 3.5): 5 points; largest {sweep.LogLikelihood[best].ToString("G12", CultureInfo.InvariantCulture)} at mu = 3, sigma = 2",
            sweep.ToString());
    }

    [Fact]
    public void OffGridParametersSitAtTheMleUnlessGiven()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X)), "x");
        using var session = new EstimationSession(spec, devices.Native);
        var atMle = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("mu", 3, 3.2, 3)] });
        var given = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("mu", 3, 3.2, 3)], At = new Dictionary<string, double> { ["sigma"] = 2.5 } });
        double mle = Math.Sqrt(X.Select(v => (v - X.Average()) * (v - X.Average())).Average());
        Assert.All(atMle.Points, p => Assert.True(Numerics.Relative(p[1], mle) <= 1e-10));
        Assert.All(given.Points, p => Assert.Equal(2.5, p[1]));
        Assert.NotNull(atMle.Base);
        Assert.Null(given.Base);
    }

    // A profile sweep's maximum equals the full MLE's log-likelihood, at the MLE's value (the grid's middle point).
    [Fact]
    public void ProfileMaximumIsTheMle()
    {
        var x = NormalSamples.Draw(2_000, 112, -1, 0.7);
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", x)), "x");
        using var session = new EstimationSession(spec, devices.Native);
        var mle = session.Fit(new FitOptions());
        double mu = mle["mu"];

        var sweep = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("mu", mu - 0.1, mu + 0.1, 21)], Profile = true });

        int best = Array.IndexOf(sweep.LogLikelihood, sweep.LogLikelihood.Max());
        Assert.Equal(10, best);
        Assert.True(Numerics.Relative(sweep.Points[best][0], mu) <= 1e-12);
        Assert.True(Numerics.Relative(sweep.LogLikelihood[best], mle.LogLikelihood) <= 1e-9, $"{sweep.LogLikelihood[best]:R} vs {mle.LogLikelihood:R}");
        // Each profile point re-optimizes sigma: sigma²(mu) = mean((x − mu)²).
        for (int i = 0; i < sweep.Points.Count; i++)
        {
            double m = sweep.Points[i][0];
            double expected = Math.Sqrt(x.Select(v => (v - m) * (v - m)).Average());
            Assert.True(Numerics.Relative(sweep.Points[i][1], expected) <= 1e-9);
        }
        Assert.Equal(0, sweep.NotConverged);
    }

    // A plain MAP sweep under the coefficients' prior ('*=laplace(0, b)'): its log-posterior is the log-likelihood plus
    // every coefficient's log prior (a trial: it was the log-likelihood alone, above the MAP's own), and the MLE and
    // MAP it marks are found (asking for them refused the prior as "not for the MLE").
    [Fact]
    public void APlainMapSweepAddsTheCoefficientsPrior()
    {
        var x0 = NormalSamples.Draw(200, 141, 0, 1);
        var x1 = NormalSamples.Draw(200, 142, 0, 1);
        var noise = NormalSamples.Draw(200, 143, 0, 1);
        var y = x0.Select((v, i) => 1 + 2 * v + noise[i]).ToArray();
        using var session = new EstimationSession(ModelCatalog.Linear(Dataset.FromColumns(("y", y), ("x0", x0), ("x1", x1)), "y", ["x0", "x1"]), devices.Native);
        var laplace = new LaplacePrior(0, 0.05);
        var sweep = Sweeper.Sweep(session, new SweepOptions
        {
            Axes = [new GridAxis("x1", -0.1, 0.1, 3)],
            Fit = new FitOptions { Map = true, CoefficientPrior = laplace },
            Estimates = true,
        });
        for (int i = 0; i < sweep.Points.Count; i++)
        {
            double prior = laplace.LogDensity(sweep.Points[i][1]) + laplace.LogDensity(sweep.Points[i][2]);
            Assert.True(Math.Abs(sweep.LogPosterior![i] - (sweep.LogLikelihood[i] + prior)) <= 1e-9 * Math.Abs(sweep.LogLikelihood[i]), $"point {i}");
        }
        var map = sweep.Estimates.Single(e => e.Label == "MAP");
        Assert.True(sweep.LogPosterior!.Max() <= map.Value + 1e-9 * Math.Abs(map.Value), $"grid {sweep.LogPosterior!.Max():R} above the MAP {map.Value:R}");
        Assert.Contains(sweep.Estimates, e => e.Label == "MLE");
    }

    // A profile sweep whose fit over every parameter has no maximum (a logit separated by x): the profile over x is
    // finite at every x held, and rises towards the separation; the searches start from the model's own values (it was
    // refused: "give their values instead", and --at is no option for a profile).
    [Fact]
    public void AProfileSweepWithoutAMaximumOverEveryParameter()
    {
        var x = NormalSamples.Draw(300, 151, 0, 1);
        var z = NormalSamples.Draw(300, 152, 0, 1);
        var y = x.Select(v => v > 0 ? 1.0 : 0.0).ToArray();
        using var session = new EstimationSession(ModelCatalog.Create("logit", Dataset.FromColumns(("y", y), ("x", x), ("z", z)), new ModelColumns(Y: "y", X: ["x", "z"])), devices.Native);
        var sweep = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("x", 0, 50, 6)], Profile = true });

        Assert.Null(sweep.Base);
        Assert.Equal(0, sweep.NotConverged);
        Assert.All(sweep.LogLikelihood, v => Assert.True(double.IsFinite(v)));
        for (int i = 1; i < sweep.LogLikelihood.Length; i++)
            Assert.True(sweep.LogLikelihood[i] > sweep.LogLikelihood[i - 1], $"x = {sweep.Points[i][1]}: {sweep.LogLikelihood[i]:R} after {sweep.LogLikelihood[i - 1]:R}");
    }

    // An NB2 GLM on under-dispersed counts has its MLE at alpha = 0, the Poisson limit. A profile sweep started every
    // search there and was refused ("starting value alpha = 0"); it now equals the Poisson GLM's profile. A plain sweep
    // cannot hold alpha at 0 (the model is not evaluated at its limit): it says so and what to give, not "value of
    // alpha = 0: alpha must be positive", a value nobody gave.
    [Fact]
    public void AnOffGridEstimateAtTheEdgeOfItsDomain()
    {
        var x = NormalSamples.Draw(600, 131, 0, 1);
        var y = Enumerable.Range(0, x.Length).Select(i => 2.0 + i % 3).ToArray();
        var data = Dataset.FromColumns(("y", y), ("x", x));
        using var negative = new EstimationSession(ModelCatalog.Create("glm", data, new ModelColumns(Y: "y", X: ["x"]) { Family = "negbinomial" }), devices.Native);
        using var poisson = new EstimationSession(ModelCatalog.Create("glm", data, new ModelColumns(Y: "y", X: ["x"]) { Family = "poisson" }), devices.Native);
        var axis = new GridAxis("intercept", 1.0, 1.2, 5);

        var profile = Sweeper.Sweep(negative, new SweepOptions { Axes = [axis], Profile = true });
        var reference = Sweeper.Sweep(poisson, new SweepOptions { Axes = [axis], Profile = true });
        Assert.Equal(0, profile.NotConverged);
        for (int i = 0; i < reference.LogLikelihood.Length; i++)
            Assert.True(Numerics.Relative(profile.LogLikelihood[i], reference.LogLikelihood[i]) <= 1e-9, $"point {i}: {profile.LogLikelihood[i]:R} vs {reference.LogLikelihood[i]:R}");

        var plain = Assert.Throws<InputException>(() => Sweeper.Sweep(negative, new SweepOptions { Axes = [axis] }));
        Assert.Equal("alpha", plain.ParamName);
        Assert.Contains("give alpha a value inside the domain, or sweep the profile", plain.Message);
        var held = Sweeper.Sweep(negative, new SweepOptions { Axes = [axis], At = new Dictionary<string, double> { ["alpha"] = 1e-3 } });
        Assert.All(held.LogLikelihood, v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void MapSweepAddsTheLogPrior()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X)), "x");
        using var session = new EstimationSession(spec, devices.Native);
        var prior = new NormalPrior(0, 5);
        var sweep = Sweeper.Sweep(session, new SweepOptions
        {
            Axes = [new GridAxis("mu", 2, 4, 3)],
            At = new Dictionary<string, double> { ["sigma"] = 2 },
            Fit = new FitOptions { Map = true, Priors = new Dictionary<string, Prior> { ["mu"] = prior } },
        });
        for (int i = 0; i < 3; i++)
            Assert.Equal(sweep.LogLikelihood[i] + prior.LogDensity(sweep.Points[i][0]), sweep.LogPosterior![i], 9);
    }

    // An axis wider than the largest double (a trial's mu=-1.7e308:1.7e308:3 was "mu = NaN") gives its ends and the
    // midpoint; an ordinary axis keeps Low + (High − Low)·i/(Count − 1), bit for bit.
    [Fact]
    public void AnAxisWiderThanTheLargestDoubleHasFiniteValues()
    {
        var wide = new GridAxis("mu", -1.7e308, 1.7e308, 3);
        Assert.Equal([-1.7e308, 0, 1.7e308], Enumerable.Range(0, 3).Select(i => wide[i]));
        var axis = new GridAxis("mu", 0.1, 0.7, 7);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => 0.1 + (0.7 - 0.1) * i / 6), Enumerable.Range(0, 7).Select(i => axis[i]));
    }

    [Fact]
    public void CsvHasGridColumnsThenValuesThenProfiledParameters()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X[..500])), "x");
        using var session = new EstimationSession(spec, devices.Native);
        var sweep = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("mu", 2.5, 3.5, 3)], Profile = true });
        var lines = SurfaceReport.Csv(sweep).TrimEnd().Split('\n');
        Assert.Equal("mu,logLikelihood,sigma", lines[0]);
        Assert.Equal(4, lines.Length);
        var first = lines[1].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(2.5, first[0]);
        Assert.Equal(sweep.LogLikelihood[0], first[1]);
    }

    [Theory]
    [InlineData(1.0, 2.0, 0, "the count 0 must be at least 1")]
    [InlineData(2.0, 1.0, 4, "must be a finite number above the low end 2")]
    [InlineData(double.NaN, 1.0, 4, "the low end NaN is not a finite number")]
    public void BadAxisIsNamed(double low, double high, int count, string expected)
    {
        var e = Assert.Throws<InputException>(() => new GridAxis("mu", low, high, count));
        Assert.StartsWith("grid axis mu: ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Equal("mu", e.ParamName);
    }

    [Fact]
    public void AxisOutsideTheDomainOrUnknownIsAnError()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X[..100])), "x");
        using var session = new EstimationSession(spec, devices.Native);
        Assert.Contains("leaves the domain of sigma", Assert.Throws<InputException>(() =>
            Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("sigma", -1, 1, 3)] })).Message);
        Assert.Contains("no parameter 'tau'", Assert.Throws<InputException>(() =>
            Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("tau", 0, 1, 3)] })).Message);
    }

    // With the maximum off the grid, Δ must be measured from the fitted maximum, not from the grid's best point (which
    // would draw a 95% interval and regions the data do not support); a picture of such a grid must still draw.
    // A 10⁸-point grid ran (6.7 GB, two minutes); one of 2·10⁹ would have run out of memory. A grid whose surface
    // needs more than half the memory available is refused before any work: here 46340² ≈ 2.1·10⁹ points of a MAP
    // profile sweep, 56 bytes each (log L and log posterior, and the point's own array of mu and sigma), 120 GB.
    [SkippableFact]
    public void GridTooLargeForMemoryIsRefused()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X[..100])), "x");
        using var session = new EstimationSession(spec, devices.Native);
        var options = new SweepOptions
        {
            Axes = [new GridAxis("mu", 0, 1, 46340), new GridAxis("sigma", 0.5, 2, 46340)],
            Profile = true,
            Fit = new FitOptions { Map = true },
        };
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        Skip.If(available > 240_000_000_000L, "this machine could hold the surface");

        var e = Assert.Throws<InputException>(() => Sweeper.Sweep(session, options));

        Assert.StartsWith("the grid has 2,147,395,600 points (46340 x 46340): its surface needs about 120 GB", e.Message);
        Assert.EndsWith("use fewer points", e.Message);
    }

    // A sweep gave different bits from run to run at 5-18 scattered points of a Student-t grid over 10⁵ rows (a trial
    // found it), even on one thread: the tiles follow the measured speed, and the native backend sums points four at a
    // time with a sum of its own for a call's leftovers, so a point's bits depended on where a tile ended. Tiles are now
    // multiples of four: each point is grouped with the same others whatever the timing. The two halves of that:
    // evaluating a grid in pieces that start at multiples of four gives the whole grid's bits, and every tile is one.
    [Fact]
    public void TilesKeepTheNativeBackendsGroupsOfFourAndTheBits()
    {
        var spec = ModelCatalog.Create("studentt", Dataset.FromColumns(("x", X)), new ModelColumns("x"));
        using var session = new EstimationSession(spec, devices.Native);
        var points = Enumerable.Range(0, 23).Select(i => new[] { 0.9 + 0.01 * i, 1.1, 3.0 + i }).ToArray();
        var whole = session.LogLikelihoods(points);

        var pieces = session.LogLikelihoods(points[..8]).Concat(session.LogLikelihoods(points[8..20])).Concat(session.LogLikelihoods(points[20..])).ToArray();

        Assert.Equal(whole, pieces);
        foreach (long tile in new long[] { 0, 1, 3, 4, 5, 63, 1001, 1L << 40 })
        {
            int aligned = Sweeper.Aligned(tile);
            Assert.True(aligned % 4 == 0 && aligned >= 4 && aligned >= Math.Min(tile, 1 << 22) && aligned <= 1 << 22, $"{tile} → {aligned}");
        }
    }

    [Fact]
    public void PeakIsTheFittedMaximumWhereTheGridMissesIt()
    {
        var spec = ModelCatalog.Normal(Dataset.FromColumns(("x", X[..2000])), "x");
        using var session = new EstimationSession(spec, devices.Native);
        var fit = session.Fit(new FitOptions());
        double se = fit.Get("mu").StdError!.Value;
        var profile = Sweeper.Sweep(session, new SweepOptions { Axes = [new GridAxis("mu", fit["mu"] + 3 * se, fit["mu"] + 6 * se, 7)], Profile = true, Estimates = true });
        Assert.Equal(fit.LogLikelihood, profile.Peak);
        Assert.True(profile.LogLikelihood.Max() < profile.Peak - 4, "the grid's best point is 3 standard errors out");

        var grid = Sweeper.Sweep(session, new SweepOptions
        {
            Axes = [new GridAxis("mu", fit["mu"] + 4 * se, fit["mu"] + 6 * se, 5), new GridAxis("sigma", 0.9 * fit["sigma"], 1.1 * fit["sigma"], 5)],
            Estimates = true,
        });
        Assert.True(Numerics.Relative(grid.Peak, fit.LogLikelihood) <= 1e-12, $"{grid.Peak:R} vs {fit.LogLikelihood:R}");
        var path = Path.Combine(Path.GetTempPath(), $"gpuest-offgrid-{Guid.NewGuid():N}.png");
        try
        {
            GpuEstimation.Plots.SurfacePlots.Heatmap(grid, path);
            GpuEstimation.Plots.SurfacePlots.Curve(profile, path);
            Assert.True(new FileInfo(path).Length > 0);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
