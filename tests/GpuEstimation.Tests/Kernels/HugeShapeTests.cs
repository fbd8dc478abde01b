using System.Globalization;
using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Estimation;
using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Models;
using GpuEstimation.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace GpuEstimation.Tests.Kernels;

/// <summary>
/// The negative binomial and Student's t keep their digits at huge shape parameters (r, ν = 1e6 ... 1e15) and at
/// ordinary ones: log f and its gradient against 80-digit mpmath values (Data/reference/huge_shape.csv, made by
/// make_reference.py there), on the host (native backend) and through the kernels (CPU accelerator, and CUDA or
/// OpenCL where present).
/// </summary>
[Collection(DeviceCollection.Name)]
public class HugeShapeTests(DeviceFixture devices, ITestOutputHelper output)
{
    // log f within 1e-13 of max(1, |log f|); each derivative within 1e-13 of the sum of the magnitudes of its parts
    // (near a maximum a derivative is a difference of parts far larger than itself, which no double sum resolves).
    private const double Tolerance = 1e-13;

    // Below the switch the kernels keep their previous formulas (see BelowTheSwitchResultsAreUnchangedToTheBit), whose
    // Student-t ν-derivative subtracts ψ(ν/2) from ψ((ν + 1)/2) (~log ν each) for a result ~1/(4ν²): measured 6e-13
    // of its scale at ν = 60, 7e-12 at 99.75. Their log f and the negative binomial's gradient meet Tolerance there.
    private const double PreviousGradientTolerance = 1e-11;

    private static readonly IReadOnlyList<ReferenceRow> Rows = ReferenceRow.Read(
        Path.Combine(AppContext.BaseDirectory, "Data", "reference", "huge_shape.csv"));

    public static IEnumerable<object[]> Cases =>
        from backend in DeviceFixture.Present
        from family in new[] { "negbinomial", "studentt" }
        select new object[] { backend, family };

    [Fact]
    public void TheReferenceCoversHugeAndOrdinaryShapes()
    {
        foreach (var family in new[] { "negbinomial", "studentt" })
        {
            var shapes = Rows.Where(r => r.Family == family).Select(r => r.Shape).ToHashSet();
            for (int e = 6; e <= 15; e++)
                Assert.Contains(Math.Pow(10, e), shapes);
            Assert.Contains(shapes, s => s < 100);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LogDensityKeepsItsDigits(Backend backend, string family)
    {
        var worst = new Worst(Tolerance);
        foreach (var group in Rows.Where(r => r.Family == family).GroupBy(r => string.Join(",", r.Parameters)))
        {
            var rows = group.ToArray();
            using var session = new EstimationSession(Spec(family, rows.Select(r => r.X).ToArray()), devices[backend]);
            var densities = session.LogDensities(rows[0].Parameters);
            for (int i = 0; i < rows.Length; i++)
                worst.Add(rows[i], "log f", densities[i], rows[i].LogDensity, Math.Max(1, Math.Abs(rows[i].LogDensity)));
        }
        worst.Report(output, $"{family} log f on {backend}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientKeepsItsDigits(Backend backend, string family)
    {
        double shapeSwitch = family == "studentt" ? StudentTModel.AsymptoticShape : NegativeBinomialModel.AsymptoticShape;
        Worst asymptotic = new(Tolerance), previous = new(PreviousGradientTolerance);
        foreach (var row in Rows.Where(r => r.Family == family))
        {
            using var session = new EstimationSession(Spec(family, [row.X]), devices[backend]);
            var gradient = session.Evaluate(row.Parameters).Gradient;
            var worst = row.Shape >= shapeSwitch ? asymptotic : previous;
            for (int j = 0; j < gradient.Length; j++)
                worst.Add(row, $"d/d{session.Parameters.Names.ElementAt(j)}", gradient[j], row.Gradient[j], Math.Max(row.Scale[j], double.Epsilon));
        }
        previous.Report(output, $"{family} gradient on {backend} below the switch (previous formulas)");
        asymptotic.Report(output, $"{family} gradient on {backend} from the switch ({shapeSwitch:G}) on");
    }

    // Below the switch to the increments the kernels compute what they computed before, operation for operation: the
    // families' results at ordinary shapes are unchanged to the bit (the formulas as they were, with the host's log1p).
    [Fact]
    public void BelowTheSwitchResultsAreUnchangedToTheBit()
    {
        Assert.True(NegativeBinomialModel.AsymptoticShape > 99.75 && StudentTModel.AsymptoticShape > 99.75);
        double[] counts = [0, 1, 5, 30, 200];
        foreach (double r in new[] { 1, 3.5, 40, 99.75 })
            foreach (double p in new[] { 0.5, 0.2, 0.9 })
                AssertUnchanged("negbinomial", counts, [r, p], k => PreviousNegativeBinomial(k, r, p));
        double[] xs = [-40, -2, 0, 0.7, 15];
        foreach (double nu in new[] { 1, 4.5, 60, 99.75 })
            foreach (var (mu, sigma) in new[] { (0.0, 1.0), (2.0, 0.5), (-10.0, 3.0) })
                AssertUnchanged("studentt", xs, [mu, sigma, nu], x => PreviousStudentT(x, mu, sigma, nu));
    }

    private void AssertUnchanged(string family, double[] xs, double[] parameters, Func<double, double[]> previous)
    {
        using var all = new EstimationSession(Spec(family, xs), devices.Native);
        var densities = all.LogDensities(parameters);
        for (int i = 0; i < xs.Length; i++)
        {
            using var one = new EstimationSession(Spec(family, [xs[i]]), devices.Native);
            var expected = previous(xs[i]);
            Assert.Equal(expected[0], densities[i]);
            Assert.Equal(expected[1..], one.Evaluate(parameters).Gradient);
        }
    }

    // log f, ∂/∂r, ∂/∂p as NegativeBinomialModel computed them before the increments.
    private static double[] PreviousNegativeBinomial(double k, double r, double p)
    {
        double logP = DeviceMath.Log(p), log1mP = DeviceMath.Log1p(-p), logFactorial = DeviceMath.LogGamma(k + 1);
        return [DeviceMath.LogGamma(k + r) + -DeviceMath.LogGamma(r) - logFactorial + r * logP + k * log1mP,
            DeviceMath.Digamma(k + r) + (logP - DeviceMath.Digamma(r)),
            r / p - k * (1.0 / (1.0 - p))];
    }

    // log f, ∂/∂μ, ∂/∂σ, ∂/∂ν as StudentTModel computed them before the increments (on the host).
    private static double[] PreviousStudentT(double x, double mu, double sigma, double nu)
    {
        double constant = DeviceMath.LogGamma(0.5 * (nu + 1)) - DeviceMath.LogGamma(0.5 * nu) - 0.5 * DeviceMath.Log(nu * KernelConstants.Pi) - DeviceMath.Log(sigma);
        double nuConstant = 0.5 * (DeviceMath.Digamma(0.5 * (nu + 1)) - DeviceMath.Digamma(0.5 * nu) - 1.0 / nu);
        double inverseSigma = 1.0 / sigma, nuPlusOne = nu + 1.0;
        double z = (x - mu) * inverseSigma, zz = z * z, t = zz * (1.0 / nu);
        double log1p = HostRows.Log1p(t), weight = nuPlusOne / (nu + zz);
        return [constant - 0.5 * nuPlusOne * log1p, weight * z * inverseSigma, (weight * zz - 1.0) * inverseSigma,
            nuConstant + 0.5 * (weight * t - log1p)];
    }

    private static IModelSpec Spec(string family, double[] x) =>
        ModelCatalog.Create(family, Dataset.FromColumns(("x", x)), new ModelColumns("x"));

    // The largest error relative to its scale over a test, with where it occurred, and per shape parameter.
    private sealed class Worst(double tolerance)
    {
        private readonly SortedDictionary<double, double> _byShape = new();
        private double _error;
        private string _where = "nowhere";

        public void Add(ReferenceRow row, string what, double value, double expected, double scale)
        {
            double error = Math.Abs(value - expected) / scale;
            _byShape[row.Shape] = Math.Max(_byShape.GetValueOrDefault(row.Shape), double.IsNaN(error) ? double.PositiveInfinity : error);
            if (!(error <= _error))
            {
                _error = double.IsNaN(error) ? double.PositiveInfinity : error;
                _where = $"{what} at x = {row.X:R}, ({string.Join(", ", row.Parameters.Select(p => p.ToString("R", CultureInfo.InvariantCulture)))}): {value:R} vs {expected:R}";
            }
        }

        public void Report(ITestOutputHelper output, string title)
        {
            output.WriteLine($"{title}: worst relative error {_error:G3}, {_where}");
            output.WriteLine("by shape: " + string.Join("; ", _byShape.Select(p => $"{p.Key:G3}: {p.Value:G2}")));
            Assert.True(_error <= tolerance, $"{title}: {_error:G3} > {tolerance:G3}, {_where}");
        }
    }

    // One line of huge_shape.csv: family, x, parameters (model order), log f, then (derivative, scale) per parameter.
    private sealed record ReferenceRow(string Family, double X, double[] Parameters, double LogDensity, double[] Gradient, double[] Scale)
    {
        public double Shape => Family == "studentt" ? Parameters[2] : Parameters[0];

        public static IReadOnlyList<ReferenceRow> Read(string path) =>
            File.ReadLines(path).Skip(1).Select(Parse).ToArray();

        private static ReferenceRow Parse(string line)
        {
            var fields = line.Split(',');
            int count = fields[0] == "studentt" ? 3 : 2;
            return new ReferenceRow(
                fields[0],
                Number(fields[1]),
                fields[2..(2 + count)].Select(Number).ToArray(),
                Number(fields[5]),
                Enumerable.Range(0, count).Select(j => Number(fields[6 + 2 * j])).ToArray(),
                Enumerable.Range(0, count).Select(j => Number(fields[7 + 2 * j])).ToArray());
        }

        private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
    }
}
