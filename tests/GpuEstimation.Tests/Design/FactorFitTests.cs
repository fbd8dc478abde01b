using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Design;
using GpuEstimation.Estimation;
using GpuEstimation.Models;
using GpuEstimation.Tests.Support;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuEstimation.Tests.Design;

public sealed class FactorFitTests
{
    // The linear model over a design with a text factor and a numeric-by-factor interaction, against least squares by
    // MathNet's QR on a design matrix built here by hand (indicators written out, not taken from the design step).
    [Fact]
    public void LinearFitWithAFactorAndAnInteractionEqualsLeastSquares()
    {
        const int n = 6_000;
        string[] levels = ["mid", "low", "high"];   // sorted: high (the reference), low, mid
        var g = Enumerable.Range(0, n).Select(i => levels[i * 7 % 3]).ToArray();
        var x = NormalSamples.Draw(n, 31, 2, 1.5);
        var noise = NormalSamples.Draw(n, 32, 0, 0.8);
        var effect = new Dictionary<string, (double Level, double Slope)> { ["high"] = (0, 0), ["low"] = (-1.5, 0.4), ["mid"] = (0.7, -0.3) };
        var y = Enumerable.Range(0, n).Select(i => 3 + 1.2 * x[i] + effect[g[i]].Level + effect[g[i]].Slope * x[i] + noise[i]).ToArray();
        var data = new Dataset([new("y", y), new("x", x)], [new("g", g)]);

        var design = DesignMatrix.Build(data, Formula.Parse("y ~ x * C(g)"));
        var fit = Estimator.Fit(ModelCatalog.Create(ModelCatalog.LinearName, design.Data, design.Columns), backend: Backend.Native);

        double Is(int i, string level) => g[i] == level ? 1 : 0;
        var columns = new Func<int, double>[] { _ => 1, i => x[i], i => Is(i, "low"), i => Is(i, "mid"), i => x[i] * Is(i, "low"), i => x[i] * Is(i, "mid") };
        var matrix = Matrix<double>.Build.Dense(n, columns.Length, (i, j) => columns[j](i));
        var b = matrix.QR().Solve(Vector<double>.Build.DenseOfArray(y));

        Assert.True(fit.Converged, fit.Reason);
        Assert.Equal(["intercept", "x", "g[low]", "g[mid]", "x:g[low]", "x:g[mid]", "sigma"], fit.Parameters.Select(p => p.Name));
        for (int k = 0; k < b.Count; k++)
            Assert.True(Numerics.Relative(fit.Parameters[k].Estimate, b[k]) <= 1e-8, $"{fit.Parameters[k].Name}: {fit.Parameters[k].Estimate:R} vs {b[k]:R}");
    }
}
