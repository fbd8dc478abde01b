using GpuEstimation.Data;
using GpuEstimation.Design;
using GpuEstimation.Tests.Support;
using Xunit;

namespace GpuEstimation.Tests.Design;

public sealed class DesignMatrixTests
{
    // 36 rows: text factor g (a, b, c), numeric codes k (2, 3, 10) in every combination with g, text codes t (the same as
    // text: "10", "2", "3"), numbers x and z that vary independently of them.
    private const int N = 36;
    private static readonly string[] G = [.. Enumerable.Range(0, N).Select(i => "bac"[i % 3].ToString())];
    private static readonly double[] K = [.. Enumerable.Range(0, N).Select(i => new[] { 10.0, 2, 3 }[i / 3 % 3])];
    private static readonly string[] T = [.. K.Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    private static readonly double[] X = [.. Enumerable.Range(0, N).Select(i => Math.Sin(1.7 * i) * 3)];
    private static readonly double[] Z = [.. Enumerable.Range(0, N).Select(i => Math.Cos(0.9 * i * i) + i / 10.0)];
    private static readonly double[] Y = [.. Enumerable.Range(0, N).Select(i => Math.Sin(0.3 * i) + i)];

    private static Dataset Data() => new(
        [new("y", Y), new("x", X), new("z", Z), new("k", K)],
        [new("g", G), new("t", T)]);

    private static DesignMatrix Build(string formula) => DesignMatrix.Build(Data(), Formula.Parse(formula));

    [Fact]
    public void TreatmentCodingAgainstTheFirstSortedLevel()
    {
        var design = Build("y ~ x + C(g)");
        Assert.Equal(["x", "g[b]", "g[c]"], design.Names);
        Assert.Equal(G.Select(g => g == "b" ? 1.0 : 0), design.Data.Column("g[b]").ToArray());
        Assert.Equal(G.Select(g => g == "c" ? 1.0 : 0), design.Data.Column("g[c]").ToArray());
        Assert.Equal(X, design.Data.Column("x"));
        Assert.True(design.Intercept);
        Assert.Equal(design.Names, design.Columns.X);
        Assert.Equal("y", design.Columns.Y);
    }

    // C(g, Treatment('c')): contrasted with c, the others in sorted order; in interactions too; a number names a
    // numeric code by value; a level the data lack is refused by name.
    [Fact]
    public void AChosenReferenceLevelIsContrastedWith()
    {
        var design = Build("y ~ x + C(g, Treatment('c')) + x:C(g)");
        Assert.Equal(["x", "g[a]", "g[b]", "x:g[a]", "x:g[b]"], design.Names);
        Assert.Equal(G.Select(g => g == "a" ? 1.0 : 0), design.Data.Column("g[a]").ToArray());
        Assert.Equal(X.Select((x, i) => G[i] == "b" ? x : 0), design.Data.Column("x:g[b]").ToArray());
        Assert.Equal(["k[2]", "k[3]"], Build("y ~ C(k, Treatment(10.0))").Names);
        // Text levels match as written: "1.0" is not "1" (a review: the first level of that value was taken).
        var text = new Dataset([new("y", new[] { 1.0, 2, 3, 4, 5, 6 })], [new("h", new[] { "1", "1.0", "a", "1", "1.0", "a" })]);
        Assert.Equal(["h[1]", "h[a]"], DesignMatrix.Build(text, Formula.Parse("y ~ C(h, Treatment('1.0'))")).Names);
        var e = Assert.Throws<InputException>(() => Build("y ~ C(g, Treatment('z'))"));
        Assert.Contains("factor 'g' has no level 'z' to take as its reference (levels: a, b, c)", e.Message);
        Assert.Equal("g", e.ParamName);
    }

    [Fact]
    public void NumericCodesSortByValueAndTextCodesByCharacters()
    {
        // 2 < 3 < 10 as numbers, "10" < "2" < "3" as text (R and patsy alike).
        Assert.Equal(["k[3]", "k[10]"], Build("y ~ C(k)").Names);
        Assert.Equal(["t[2]", "t[3]"], Build("y ~ C(t)").Names);
        Assert.Equal(K.Select(k => k == 10 ? 1.0 : 0), Build("y ~ C(k)").Data.Column("k[10]").ToArray());
    }

    [Fact]
    public void InteractionsAreProductsWithTheFirstVariableFastest()
    {
        var design = Build("y ~ x*z + C(g) + C(k) + x:C(g) + C(g):C(k)");
        Assert.Equal(["x", "z", "g[b]", "g[c]", "k[3]", "k[10]", "x:z", "x:g[b]", "x:g[c]",
            "g[b]:k[3]", "g[c]:k[3]", "g[b]:k[10]", "g[c]:k[10]"], design.Names);
        Assert.Equal(X.Select((x, i) => x * Z[i]), design.Data.Column("x:z").ToArray());
        Assert.Equal(X.Select((x, i) => G[i] == "c" ? x : 0), design.Data.Column("x:g[c]").ToArray());
        Assert.Equal(G.Select((g, i) => g == "b" && K[i] == 10 ? 1.0 : 0), design.Data.Column("g[b]:k[10]").ToArray());
    }

    [Fact]
    public void AFactorWithoutItsMarginTakesEveryLevel()
    {
        // No intercept: the first factor codes every level (it spans the constant), the next is contrasted.
        var none = Build("y ~ C(g) + C(k) - 1");
        Assert.False(none.Intercept);
        Assert.Equal(["g[a]", "g[b]", "g[c]", "k[3]", "k[10]"], none.Names);
        // x:C(g) without x: one slope per level.
        Assert.Equal(["z", "x:g[a]", "x:g[b]", "x:g[c]"], Build("y ~ z + x:C(g)").Names);
        // With x present the slopes are contrasts.
        Assert.Equal(["x", "x:g[b]", "x:g[c]"], Build("y ~ x + x:C(g)").Names);
    }

    [Fact]
    public void FlagsAndFormulaGiveTheSameColumns()
    {
        var flags = DesignMatrix.Build(Data(), DesignSpec.FromColumns("y", ["x", "z"], ["g", "k"]));
        var formula = Build("y ~ x + z + C(g) + C(k)");
        Assert.Equal(formula.Names, flags.Names);
        foreach (var name in formula.Names)
            Assert.Equal(formula.Data.Column(name), flags.Data.Column(name));
        Assert.Equal(formula.Columns, flags.Columns with { X = formula.Columns.X });
    }

    [Fact]
    public void OffsetIsCarriedNotCoded()
    {
        var design = Build("y ~ x + offset(z)");
        Assert.Equal(["x"], design.Names);
        Assert.Equal("z", design.Columns.Offset);
        Assert.Equal(Z, design.Data.Column("z"));
    }

    [Fact]
    public void AFactorWithOneLevelIsRefused()
    {
        var data = new Dataset([new("y", Y)], [new("g", G.Select(_ => "only").ToArray())]);
        var e = Assert.Throws<InputException>(() => DesignMatrix.Build(data, Formula.Parse("y ~ C(g)")));
        Assert.Contains("factor 'g' has one level ('only') in all 36 rows", e.Message);
    }

    [Fact]
    public void TooManyColumnsAreRefusedBeforeAnyIsMade()
    {
        var ids = Enumerable.Range(0, 100_000).Select(i => $"id{i}").ToArray();
        var data = new Dataset([new("y", new double[ids.Length])], [new("id", ids)]);
        var e = Assert.Throws<InputException>(() => DesignMatrix.Build(data, Formula.Parse("y ~ C(id)"), maxColumns: 61));
        Assert.Contains("99999 columns besides the intercept, more than the model's 61; factor 'id' alone has 100000 levels", e.Message);
    }

    [Fact]
    public void CollinearColumnsAreNamed()
    {
        var data = Dataset.FromColumns(("y", Y), ("x", X), ("w", X.Select(x => 2 * x + 1).ToArray()), ("z", Z));
        var e = Assert.Throws<InputException>(() => DesignMatrix.Build(data, DesignSpec.FromColumns("y", ["x", "z", "w"], [])));
        Assert.Contains("the design's columns are collinear: 'w' is a combination of 'intercept', 'x'", e.Message);
        Assert.DoesNotContain("'z'", e.Message);
        // Without the intercept, w and x are independent.
        DesignMatrix.Build(data, DesignSpec.FromColumns("y", ["x", "z", "w"], [], intercept: false));
    }

    // A feature 10⁹ ± 1 beside an intercept (a trial's Poisson GLM "converged" 4.1 log-likelihood units below the
    // maximum with no standard errors): refused by every GLM family and by the linear model when a fit estimates both
    // the intercept and that slope (with the intercept held, a fit through the origin, the raw column is well
    // conditioned: a review; a trial's logit of timestamps with the intercept held had been refused), naming the column
    // and the shift to subtract; 10⁶ ± 1 (ratio under 10⁷) is fitted, and without an intercept a GLM does not check.
    [Fact]
    public void AFeatureFarFromZeroForItsSpreadIsRefusedBesideAnIntercept()
    {
        var counts = Y.Select(v => Math.Round(Math.Abs(v))).ToArray();
        static void AssertMessage(string message)
        {
            Assert.Contains("column 's': its mean, 10000000", message);
            Assert.Contains("times its standard deviation", message);
            Assert.Contains("subtract a constant from the column first (e.g. 1000000000:", message);
        }
        foreach (var (shift, refused) in new[] { (1e9, true), (1e6, false) })
        {
            var data = Dataset.FromColumns(("y", counts.Select(v => v + 1).ToArray()), ("s", X.Select(x => x + shift).ToArray()));
            foreach (var family in new[] { "poisson", "gamma" })
            {
                var columns = new GpuEstimation.Models.ModelColumns(Y: "y", X: ["s"]) { Family = family };
                if (!refused)
                {
                    GpuEstimation.Models.ModelCatalog.Create("glm", data, columns);
                    continue;
                }
                using var glmDevice = GpuEstimation.Backends.ComputeDevice.Open(GpuEstimation.Backends.Backend.Native);
                using var glm = new GpuEstimation.Estimation.EstimationSession(GpuEstimation.Models.ModelCatalog.Create("glm", data, columns), glmDevice);
                AssertMessage(Assert.Throws<InputException>(() => glm.Fit(new GpuEstimation.Estimation.FitOptions())).Message);
                // The intercept held at 0 is the model without one: the same slope, to 1e-9 relative.
                var held = glm.Fit(new GpuEstimation.Estimation.FitOptions { Fixed = new Dictionary<string, double> { ["intercept"] = 0 } });
                using var without = new GpuEstimation.Estimation.EstimationSession(GpuEstimation.Models.ModelCatalog.Create("glm", data, columns with { Intercept = false }), glmDevice);
                var through = without.Fit(new GpuEstimation.Estimation.FitOptions());
                Assert.True(held.Converged && through.Converged, held.Reason + through.Reason);
                Assert.Equal(through.Parameters[0].Estimate, held.Parameters[1].Estimate, Math.Abs(through.Parameters[0].Estimate) * 1e-9);
                // A prior on the slope does not condition it: still refused (it had "converged" 1.5 log-posterior units
                // short of the MAP, a review).
                AssertMessage(Assert.Throws<InputException>(() => glm.Fit(new GpuEstimation.Estimation.FitOptions { Map = true, CoefficientPrior = new GpuEstimation.Priors.NormalPrior(0, 1) })).Message);
            }
            var linear = GpuEstimation.Models.ModelCatalog.Create("linear", data, new GpuEstimation.Models.ModelColumns(Y: "y", X: ["s"]));
            using var device = GpuEstimation.Backends.ComputeDevice.Open(GpuEstimation.Backends.Backend.Native);
            using var session = new GpuEstimation.Estimation.EstimationSession(linear, device);
            if (refused)
                AssertMessage(Assert.Throws<InputException>(() => session.Fit(new GpuEstimation.Estimation.FitOptions())).Message);
            else
                Assert.True(session.Fit(new GpuEstimation.Estimation.FitOptions()).Converged);
            var origin = session.Fit(new GpuEstimation.Estimation.FitOptions { Fixed = new Dictionary<string, double> { ["intercept"] = 0 } });
            Assert.True(origin.Converged, origin.Reason);
        }
    }

    // Frequency weights: a level all of whose rows weigh 0 has a column of zeros in the weighted fit (its information is
    // singular), refused by name as R's glm drops it; the same data unweighted, or with those rows weighing, are fine.
    [Fact]
    public void ALevelWhoseRowsAllWeighNothingIsNamed()
    {
        var weights = G.Select(g => g == "c" ? 0.0 : 2.0).ToArray();
        var data = new Dataset([new("y", Y), new("x", X), new("w", weights)], [new("g", G)]);
        var e = Assert.Throws<InputException>(() => DesignMatrix.Build(data, Formula.Parse("y ~ x + C(g)"), weights: "w"));
        Assert.Contains("collinear in the rows weighted by 'w' (a row of weight 0 counts for nothing): 'g[c]' is zero in every row of positive weight", e.Message);
        Assert.Equal(["x", "g[b]", "g[c]"], DesignMatrix.Build(data, Formula.Parse("y ~ x + C(g)")).Names);
        var weighing = new Dataset([new("y", Y), new("x", X), new("w", weights.Select(w => w + 1).ToArray())], [new("g", G)]);
        Assert.Equal(["x", "g[b]", "g[c]"], DesignMatrix.Build(weighing, Formula.Parse("y ~ x + C(g)"), weights: "w").Names);
        // Weights the model refuses (a negative one) are left to its check, which names the row: the design is checked unweighted.
        var negative = new Dataset([new("y", Y), new("x", X), new("w", weights.Select(w => w == 0 ? -1.0 : w).ToArray())], [new("g", G)]);
        Assert.Equal(["x", "g[b]", "g[c]"], DesignMatrix.Build(negative, Formula.Parse("y ~ x + C(g)"), weights: "w").Names);
    }

    [Fact]
    public void LevelsThatNeverOccurTogetherAreNamed()
    {
        // g = a never meets k = 3: the product column g[a]:k[3] is zero in every row.
        var k = G.Select((g, i) => g == "a" && K[i] == 3 ? 2 : K[i]).ToArray();
        var data = new Dataset([new("y", Y), new("k", k)], [new("g", G)]);
        var e = Assert.Throws<InputException>(() => DesignMatrix.Build(data, Formula.Parse("y ~ C(g):C(k) - 1")));
        Assert.Contains("'g[a]:k[3]' is zero in every row", e.Message);
        // The full factorial has a column that is the sum of others.
        Assert.Contains("is a combination of", Assert.Throws<InputException>(() => Build("y ~ C(g) + C(t) + C(k)")).Message);
        // An interaction without its main effects beside the intercept (a statsmodels trial: "remove them" could not be
        // followed from the formula): the full-rank formula of the same model is named. Not where a margin is present.
        var cells = Assert.Throws<InputException>(() => DesignMatrix.Build(new Dataset([new("y", Y), new("k", K)], [new("g", G)]), Formula.Parse("y ~ C(g):C(k)")));
        Assert.Contains("'C(g):C(k)' without its main effects codes every combination of levels, which the intercept repeats: 'C(g)*C(k)' is the same model", cells.Message);
        Assert.DoesNotContain("without its main effects", Assert.Throws<InputException>(() => Build("y ~ C(g) + C(t) + C(k)")).Message);
    }

    [Fact]
    public void ATextColumnReadAsANumberNamesItsFirstText()
    {
        var e = Assert.Throws<InputException>(() => DesignMatrix.Build(Data(), Formula.Parse("y ~ g")));
        Assert.Equal("data: row 1, column 'g': 'b' is not a finite number", e.Message);
    }

    [Fact]
    public void IntegerCodesFromANpyTableAreAFactor()
    {
        // Columns 0 (y), 1 (x), 2 (codes 7, 3, 5), row-major float64: the formula names them in backquotes.
        double[][] rows = [.. Enumerable.Range(0, N).Select(i => new[] { Y[i], X[i], new[] { 7.0, 3, 5 }[i % 3] })];
        var path = Path.Combine(Path.GetTempPath(), $"gpuest-design-{Guid.NewGuid():N}.npy");
        NpyFile.Write(path, 1, $"{{'descr': '<f8', 'fortran_order': False, 'shape': ({N}, 3), }}", NpyFile.Bytes([.. rows.SelectMany(r => r)]));
        try
        {
            var spec = Formula.Parse("`0` ~ `1` + C(`2`)");
            var design = DesignMatrix.Build(DataFile.Read(path, spec.NumericColumns, spec.FactorColumns), spec);
            Assert.Equal(["1", "2[5]", "2[7]"], design.Names);
            Assert.Equal(rows.Select(r => r[2] == 7 ? 1.0 : 0), design.Data.Column("2[7]").ToArray());
            Assert.Equal(spec.ToString(), Formula.Parse(spec.ToString()).ToString());
            Assert.Equal("`0` ~ `1` + C(`2`)", spec.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
