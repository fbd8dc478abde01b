using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Models;
using GpuEstimation.Tests.Support;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuEstimation.Tests.Inference;

/// <summary>
/// The sandwich H⁻¹ (Σ sᵢ sᵢᵀ) H⁻¹ of a fit against host computations from scores and Hessians written out by hand
/// (normal, Poisson), and the linear model's coefficient block against the textbook (X'X)⁻¹ X' diag(e²) X (X'X)⁻¹.
/// The bread of the fit is the observed information by differences of the device gradient; every comparison agrees
/// within 1e-10 relative (measured), and is asserted to 1e-8.
/// </summary>
[Collection(DeviceCollection.Name)]
public class RobustCovarianceTests(DeviceFixture devices)
{
    private const double Tolerance = 1e-8;

    [Theory]
    [MemberData(nameof(DeviceFixture.Backends), MemberType = typeof(DeviceFixture))]
    public void NormalSandwichEqualsHostComputation(Backend backend)
    {
        var x = Skewed(60, seed: 5);
        using var session = new EstimationSession(ModelCatalog.Normal(Dataset.FromColumns(("x", x)), "x"), devices[backend]);

        var fit = session.Fit(new FitOptions { Covariance = CovarianceType.HC0 });

        double mu = fit["mu"], sigma = fit["sigma"];
        int n = x.Length;
        // Scores (∂/∂μ, ∂/∂σ) = (e/σ², (e² − σ²)/σ³); Hessian entries −n/σ², −2Σe/σ³, n/σ² − 3Σe²/σ⁴.
        var scores = x.Select(v => new[] { (v - mu) / (sigma * sigma), ((v - mu) * (v - mu) - sigma * sigma) / (sigma * sigma * sigma) }).ToArray();
        double se = Numerics.Sum(x.Select(v => v - mu)), see = Numerics.Sum(x.Select(v => (v - mu) * (v - mu)));
        var hessian = Matrix<double>.Build.DenseOfArray(new[,]
        {
            { -n / (sigma * sigma), -2 * se / (sigma * sigma * sigma) },
            { -2 * se / (sigma * sigma * sigma), n / (sigma * sigma) - 3 * see / Math.Pow(sigma, 4) },
        });
        var expected = Sandwich(hessian, scores);

        Assert.Equal("HC0", fit.CovType);
        AssertCovariance(expected, fit.Covariance!, [0, 1]);
        Assert.Equal(Math.Sqrt(expected[0, 0]), fit.Get("mu").StdError!.Value, Tolerance * Math.Sqrt(expected[0, 0]));
    }

    [Theory]
    [MemberData(nameof(DeviceFixture.Backends), MemberType = typeof(DeviceFixture))]
    public void PoissonSandwichAndClustersEqualHostComputation(Backend backend)
    {
        var x = Enumerable.Range(0, 90).Select(i => (double)((i * i * 7 + 3 * i) % 13)).ToArray();
        var clusters = Enumerable.Range(0, 90).Select(i => i % 9 < 4 ? i % 4 : 4 + i % 3).ToArray();
        using var session = new EstimationSession(ModelCatalog.Distribution<GpuEstimation.Kernels.Models.PoissonModel>(Dataset.FromColumns(("k", x)), "k"), devices[backend]);

        var hc0 = session.Fit(new FitOptions { Covariance = CovarianceType.HC0 });
        var cluster = session.Fit(new FitOptions { Covariance = CovarianceType.Cluster(clusters, "g") });

        double rate = hc0["rate"];
        int n = x.Length, g = clusters.Distinct().Count();
        // Score x/λ − 1, Hessian −Σx/λ².
        var scores = x.Select(v => new[] { v / rate - 1 }).ToArray();
        var hessian = Matrix<double>.Build.Dense(1, 1, -Numerics.Sum(x) / (rate * rate));
        var sums = Enumerable.Range(0, 7).Select(c => new[] { Numerics.Sum(scores.Where((_, i) => clusters[i] == c).Select(s => s[0])) }).ToArray();
        double hc0Expected = Sandwich(hessian, scores)[0, 0];
        double clusterExpected = Sandwich(hessian, sums)[0, 0] * g / (g - 1.0) * ((n - 1.0) / (n - 1.0));

        Assert.True(Numerics.Relative(hc0.Covariance![0, 0], hc0Expected) <= Tolerance, $"HC0 {hc0.Covariance[0, 0]:R} vs {hc0Expected:R}");
        Assert.True(Numerics.Relative(cluster.Covariance![0, 0], clusterExpected) <= Tolerance, $"cluster {cluster.Covariance[0, 0]:R} vs {clusterExpected:R}");
        Assert.Equal("cluster", cluster.CovType);
        // The closed form of HC0 for the Poisson rate: Σ (x − x̄)² / n².
        double closed = Numerics.Sum(x.Select(v => (v - rate) * (v - rate))) / ((double)n * n);
        Assert.True(Numerics.Relative(hc0.Covariance[0, 0], closed) <= Tolerance);
    }

    // At the MLE the normal equations give Σ e xⱼ = 0 for every column, so the observed cross term ∂²/∂b∂σ = −2 Σ e x/σ³
    // vanishes, the bread is block-diagonal, and the coefficient block of the full sandwich is exactly the textbook HC0.
    [Theory]
    [MemberData(nameof(DeviceFixture.Backends), MemberType = typeof(DeviceFixture))]
    public void LinearCoefficientsAreTheTextbookHc0AndHc1(Backend backend)
    {
        const int n = 400;
        var x1 = NormalSamples.Draw(n, 41, 3, 2);
        var x2 = NormalSamples.Draw(n, 42, -1, 0.5);
        var noise = NormalSamples.Draw(n, 43, 0, 1);
        var y = Enumerable.Range(0, n).Select(i => 2 - 0.5 * x1[i] + 1.5 * x2[i] + noise[i] * (0.2 + Math.Abs(x1[i] - 3))).ToArray();
        using var session = new EstimationSession(ModelCatalog.Linear(Dataset.FromColumns(("y", y), ("a", x1), ("b", x2)), "y", ["a", "b"]), devices[backend]);

        var hc0 = session.Fit(new FitOptions { Covariance = CovarianceType.HC0 });
        var hc1 = session.Fit(new FitOptions { Covariance = CovarianceType.HC1 });

        var design = Matrix<double>.Build.Dense(n, 3, (i, j) => j == 0 ? 1 : j == 1 ? x1[i] : x2[i]);
        var b = Vector<double>.Build.Dense([hc0["intercept"], hc0["a"], hc0["b"]]);
        var e = Vector<double>.Build.DenseOfArray(y) - design * b;
        for (int j = 0; j < 3; j++)
        {
            double scale = Numerics.Sum(Enumerable.Range(0, n).Select(i => Math.Abs(e[i] * design[i, j])));
            Assert.True(Math.Abs(e.DotProduct(design.Column(j))) <= 1e-9 * scale, $"Σ e x{j} = {e.DotProduct(design.Column(j)):R}");
        }
        var bread = (design.TransposeThisAndMultiply(design)).Inverse();
        var meat = design.TransposeThisAndMultiply(Matrix<double>.Build.DiagonalOfDiagonalVector(e.PointwiseMultiply(e)) * design);
        var textbook = bread * meat * bread;
        AssertCovariance(textbook.ToArray(), hc0.Covariance!, [0, 1, 2]);
        // HC1: n/(n − k) with k = 3 coefficients (sigma is not counted, as statsmodels' OLS has no sigma parameter).
        AssertCovariance((textbook * (n / (n - 3.0))).ToArray(), hc1.Covariance!, [0, 1, 2]);
        Assert.Equal("HC1", hc1.CovType);

        // HC2 and HC3 (statsmodels' OLS, R's vcovHC): each row's e² over 1 − h and (1 − h)², h the hat matrix's diagonal.
        var hat = design * bread * design.Transpose();
        foreach (var (type, power) in new[] { (CovarianceType.HC2, 1), (CovarianceType.HC3, 2) })
        {
            var fit = session.Fit(new FitOptions { Covariance = type });
            var weighted = Vector<double>.Build.Dense(n, i => e[i] * e[i] / Math.Pow(1 - hat[i, i], power));
            var expected = bread * design.TransposeThisAndMultiply(Matrix<double>.Build.DiagonalOfDiagonalVector(weighted) * design) * bread;
            AssertCovariance(expected.ToArray(), fit.Covariance!, [0, 1, 2]);
            Assert.Equal(type.Name, fit.CovType);
        }
    }

    // HC2 and HC3 need a hat matrix: any model but the linear one refuses them, naming why.
    [Fact]
    public void Hc2AndHc3NeedALinearModel()
    {
        var x = NormalSamples.Draw(200, 44, 1, 2);
        using var session = new EstimationSession(ModelCatalog.Create("normal", Dataset.FromColumns(("x", x)), new ModelColumns("x")), devices.Native);
        var e = Assert.Throws<InputException>(() => session.Fit(new FitOptions { Covariance = CovarianceType.HC3 }));
        Assert.Contains("HC3 covariance: it divides each row's score products by its leverage, which only a linear model's hat matrix gives", e.Message);

        // With a coefficient held the hat matrix would be another design's (a review: through the origin HC3 came out
        // 0.46687 against statsmodels' 0.44913): refused, naming it.
        var y = x.Select((v, i) => 1 + 2 * v + Math.Sin(i)).ToArray();
        using var linear = new EstimationSession(ModelCatalog.Linear(Dataset.FromColumns(("y", y), ("x", x)), "y", ["x"]), devices.Native);
        var held = Assert.Throws<InputException>(() => linear.Fit(new FitOptions { Covariance = CovarianceType.HC2, Fixed = new Dictionary<string, double> { ["intercept"] = 0 } }));
        Assert.Contains("HC2 covariance: with intercept held", held.Message);
    }

    // A row of leverage 1 (a dummy column only it has) has a residual of 0, so e²/(1 − h)² is 0/0: its products are left
    // out, and the other coefficients' HC3 is the textbook's over the other rows (a review found the rounding's 1 − h of
    // ~1e-16 weighting that row by ~1e32: an intercept SE of 141 against 7.06).
    [Fact]
    public void ARowOfLeverageOneIsLeftOutOfHc3()
    {
        const int n = 60;
        var x = NormalSamples.Draw(n, 45, 0, 1);
        var only = Enumerable.Range(0, n).Select(i => i == 17 ? 1.0 : 0.0).ToArray();
        var y = x.Select((v, i) => 1 + 2 * v + 0.5 * Math.Sin(3 * i) * (1 + Math.Abs(v))).ToArray();
        using var session = new EstimationSession(ModelCatalog.Linear(Dataset.FromColumns(("y", y), ("x", x), ("d", only)), "y", ["x", "d"]), devices.Native);
        var fit = session.Fit(new FitOptions { Covariance = CovarianceType.HC3 });
        var design = Matrix<double>.Build.Dense(n, 3, (i, j) => j == 0 ? 1 : j == 1 ? x[i] : only[i]);
        var b = Vector<double>.Build.Dense([fit["intercept"], fit["x"], fit["d"]]);
        var e = Vector<double>.Build.DenseOfArray(y) - design * b;
        var bread = design.TransposeThisAndMultiply(design).Inverse();
        var hat = design * bread * design.Transpose();
        var weighted = Vector<double>.Build.Dense(n, i => i == 17 ? 0 : e[i] * e[i] / Math.Pow(1 - hat[i, i], 2));
        var expected = bread * design.TransposeThisAndMultiply(Matrix<double>.Build.DiagonalOfDiagonalVector(weighted) * design) * bread;
        AssertCovariance(expected.ToArray(), fit.Covariance!, [0, 1]);
        // A trial: nothing said that row 18 was left out and d's standard error was no robust one; a note says both.
        Assert.Contains(fit.Diagnostics.Notes, note => note.StartsWith("HC3: 1 row of leverage 1 (row 18 of those fitted", StringComparison.Ordinal));
        Assert.DoesNotContain(session.Fit(new FitOptions { Covariance = CovarianceType.HC0 }).Diagnostics.Notes, note => note.Contains("leverage 1", StringComparison.Ordinal));
    }

    // The normal family's mu is OLS on a constant, whose sigma statsmodels does not count in k: HC1 is HC0 · n/(n − 1)
    // and cluster's factor G/(G − 1) · (n − 1)/(n − 1), with the scores e = x − x̄ (a newcomer's trial found k = 2 here,
    // 0.15250 against statsmodels' 0.152247).
    [Fact]
    public void NormalFamilysMeanCountsAsOlsOnAConstant()
    {
        const int n = 120, groups = 7;
        var x = Skewed(n, seed: 13);
        using var session = new EstimationSession(ModelCatalog.Normal(Dataset.FromColumns(("x", x)), "x"), devices.Native);

        var hc1 = session.Fit(new FitOptions { Covariance = CovarianceType.HC1 });
        var cluster = session.Fit(new FitOptions { Covariance = CovarianceType.Cluster(Enumerable.Range(0, n).Select(i => i % groups).ToArray(), "g") });

        double mean = x.Average();
        double hc0 = Numerics.Sum(x.Select(v => (v - mean) * (v - mean))) / ((double)n * n);
        Assert.True(Numerics.Relative(hc1.Covariance![0, 0], hc0 * n / (n - 1.0)) <= Tolerance, $"HC1 {hc1.Covariance[0, 0]:R} vs {hc0 * n / (n - 1.0):R}");
        double meat = Enumerable.Range(0, groups).Sum(c => Math.Pow(Enumerable.Range(0, n).Where(i => i % groups == c).Sum(i => x[i] - mean), 2));
        double expected = meat / ((double)n * n) * groups / (groups - 1.0);
        Assert.True(Numerics.Relative(cluster.Covariance![0, 0], expected) <= Tolerance, $"cluster {cluster.Covariance[0, 0]:R} vs {expected:R}");
    }

    // A held parameter keeps zero rows; the sandwich is over the others, whose bread is then σ²/n with σ fixed.
    [Fact]
    public void HeldParameterIsLeftOut()
    {
        var x = Skewed(50, seed: 9);
        using var session = new EstimationSession(ModelCatalog.Normal(Dataset.FromColumns(("x", x)), "x"), devices.Native);

        var fit = session.Fit(new FitOptions { Covariance = CovarianceType.HC0, Fixed = new Dictionary<string, double> { ["sigma"] = 2.5 } });

        double mu = fit["mu"];
        double expected = Numerics.Sum(x.Select(v => (v - mu) * (v - mu))) / (50.0 * 50.0);
        Assert.True(Numerics.Relative(fit.Covariance![0, 0], expected) <= Tolerance, $"{fit.Covariance[0, 0]:R} vs {expected:R}");
        Assert.Equal(0.0, fit.Covariance[1, 1]);
        Assert.Null(fit.Get("sigma").StdError);
    }

    [Fact]
    public void MapIsRefused()
    {
        using var session = new EstimationSession(ModelCatalog.Normal(Dataset.FromColumns(("x", Skewed(20, 1))), "x"), devices.Native);
        var e = Assert.Throws<InputException>(() => session.Fit(new FitOptions { Map = true, Covariance = CovarianceType.HC0 }));
        Assert.Contains("MLE", e.Message);
    }

    // Two clusters for the normal's two parameters: the middle Σ_g S_g S_gᵀ has rank G − 1 = 1 at most, so the
    // covariance is singular, and the note says so; with seven clusters it does not.
    [Fact]
    public void FewerClustersThanParametersAreNoted()
    {
        var x = Skewed(40, seed: 3);
        using var session = new EstimationSession(ModelCatalog.Normal(Dataset.FromColumns(("x", x)), "x"), devices.Native);

        var two = session.Fit(new FitOptions { Covariance = CovarianceType.Cluster(Enumerable.Range(0, 40).Select(i => i % 2).ToArray(), "g") });
        var seven = session.Fit(new FitOptions { Covariance = CovarianceType.Cluster(Enumerable.Range(0, 40).Select(i => i % 7).ToArray(), "g") });

        Assert.Contains(two.Diagnostics.Notes, n => n.Contains("rank is at most G − 1 = 1, below the 2 estimated parameters", StringComparison.Ordinal));
        Assert.DoesNotContain(seven.Diagnostics.Notes, n => n.Contains("rank is at most", StringComparison.Ordinal));
        var covariance = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(two.Covariance!);
        Assert.True(Math.Abs(covariance.Determinant()) <= 1e-12 * covariance[0, 0] * covariance[1, 1], $"determinant {covariance.Determinant():R}");
    }

    // Six clusters of which three weigh 0 in every row: the covariance counts three, and so does its note, with the
    // rank warning for three estimated coefficients (a hunt: the note said 6 clusters and gave no warning).
    [Fact]
    public void ClustersOfWeightZeroAreNotCounted()
    {
        var random = new Random(9);
        int n = 120;
        var x = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
        var z = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
        var y = x.Select(v => (double)MathNet.Numerics.Distributions.Poisson.Sample(random, Math.Exp(0.5 + v))).ToArray();
        var cluster = Enumerable.Range(0, n).Select(i => i % 6).ToArray();
        var w = cluster.Select(c => c < 3 ? 0.0 : 1.0).ToArray();
        var data = Dataset.FromColumns(("y", y), ("x", x), ("z", z), ("w", w));
        using var session = new EstimationSession(ModelCatalog.Create("glm", data, new ModelColumns(Y: "y", X: ["x", "z"]) { Family = "poisson", Weights = "w" }), devices.Native);

        var fit = session.Fit(new FitOptions { Covariance = CovarianceType.Cluster(cluster, "c") });

        Assert.Contains(fit.Diagnostics.Notes, n => n.Contains("(3 clusters)", StringComparison.Ordinal)
            && n.Contains("rank is at most G − 1 = 2, below the 3 estimated parameters", StringComparison.Ordinal));
    }

    [Fact]
    public void OneClusterIsRefused()
    {
        using var session = new EstimationSession(ModelCatalog.Normal(Dataset.FromColumns(("x", Skewed(20, 1))), "x"), devices.Native);
        var e = Assert.Throws<InputException>(() => session.Fit(new FitOptions { Covariance = CovarianceType.Cluster(new int[20], "firm") }));
        Assert.Contains("'firm': one cluster", e.Message);
        var wrong = Assert.Throws<InputException>(() => session.Fit(new FitOptions { Covariance = CovarianceType.Cluster(new int[19], "firm") }));
        Assert.Contains("19 values for 20 observations", wrong.Message);
    }

    [Fact]
    public void NonRobustIsTheDefault()
    {
        using var session = new EstimationSession(ModelCatalog.Normal(Dataset.FromColumns(("x", Skewed(30, 2))), "x"), devices.Native);
        var fit = session.Fit(new FitOptions());
        Assert.Equal("nonrobust", fit.CovType);
        // The inverse information: σ²/n for μ.
        Assert.True(Numerics.Relative(fit.Covariance![0, 0], fit["sigma"] * fit["sigma"] / 30) <= Tolerance);
    }

    private static double[] Skewed(int n, int seed) => NormalSamples.Draw(n, seed, 0, 1).Select(z => Math.Exp(z) + 0.1 * z).ToArray();

    // H⁻¹ (Σ sᵢ sᵢᵀ) H⁻¹.
    private static double[,] Sandwich(Matrix<double> hessian, double[][] scores)
    {
        int p = hessian.RowCount;
        var meat = Matrix<double>.Build.Dense(p, p, (a, b) => Numerics.Sum(scores.Select(s => s[a] * s[b])));
        var inverse = hessian.Inverse();
        return (inverse * meat * inverse).ToArray();
    }

    private static void AssertCovariance(double[,] expected, double[,] actual, int[] indices)
    {
        for (int a = 0; a < indices.Length; a++)
        {
            for (int b = 0; b < indices.Length; b++)
            {
                // Off-diagonal entries against the diagonal's scale: √(Vaa Vbb).
                double scale = Math.Sqrt(expected[a, a] * expected[b, b]);
                Assert.True(Math.Abs(actual[indices[a], indices[b]] - expected[a, b]) <= Tolerance * scale,
                    $"V[{a},{b}] {actual[indices[a], indices[b]]:R} vs {expected[a, b]:R}");
            }
        }
    }
}
