using GpuEstimation.Data;
using GpuEstimation.Expressions;
using GpuEstimation.Kernels;
using GpuEstimation.Tests.Support;
using MathNet.Numerics;
using MathNet.Numerics.Distributions;
using Xunit;

namespace GpuEstimation.Tests.Expressions;

/// <summary>
/// Every function of the expression language, compiled and run by the engine (native backend): its value against an
/// independent one (System.Math, MathNet), and the compiled exact gradient against central differences of the
/// compiled value.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class ExpressionFunctionTests(DeviceFixture devices)
{
    private static readonly double[] X = [0.35, 0.8, 1.3, 2.2];
    private static readonly ParameterInfo[] AB = [new("a", ParameterDomain.Positive), new("b")];
    private static readonly double[] Point = [0.7, 0.4];

    // u = a·x + b at the point: 0.645, 0.96, 1.31, 1.94.
    private static double U(double x) => Point[0] * x + Point[1];

    public static TheoryData<string> Functions() =>
        new(Cases.Keys);

    private static readonly Dictionary<string, (string Expression, Func<double, double> Reference)> Cases = new()
    {
        ["log"] = ("log(a*x + b)", x => Math.Log(U(x))),
        ["exp"] = ("exp(a*x + b)", x => Math.Exp(U(x))),
        ["log1p"] = ("log1p(a*x + b)", x => Math.Log(1 + U(x))),
        ["expm1"] = ("expm1(a*x + b)", x => Math.Exp(U(x)) - 1),
        ["sqrt"] = ("sqrt(a*x + b)", x => Math.Sqrt(U(x))),
        ["abs"] = ("abs(1 - a*x - b)", x => Math.Abs(1 - U(x))),
        ["pow"] = ("pow(a*x + b, b)", x => Math.Pow(U(x), Point[1])),
        ["caret"] = ("(a*x + b)^3 - 2^-a", x => Math.Pow(U(x), 3) - Math.Pow(2, -Point[0])),
        ["sin"] = ("sin(a*x + b)", x => Math.Sin(U(x))),
        ["cos"] = ("cos(a*x + b)", x => Math.Cos(U(x))),
        ["tan"] = ("tan(a*x + b)", x => Math.Tan(U(x))),
        ["atan"] = ("atan(3*(a*x - b))", x => Math.Atan(3 * (Point[0] * x - Point[1]))),
        ["lgamma"] = ("lgamma(a*x + b)", x => SpecialFunctions.GammaLn(U(x))),
        ["digamma"] = ("digamma(a*x + b)", x => SpecialFunctions.DiGamma(U(x))),
        ["lbeta"] = ("lbeta(a*x + b, a)", x => SpecialFunctions.BetaLn(U(x), Point[0])),
        ["erf"] = ("erf(a*x - b)", x => SpecialFunctions.Erf(Point[0] * x - Point[1])),
        ["erfc"] = ("erfc(a*x - b)", x => SpecialFunctions.Erfc(Point[0] * x - Point[1])),
        ["log_sigmoid"] = ("log_sigmoid(a*x - b)", x => -Math.Log(1 + Math.Exp(-(Point[0] * x - Point[1])))),
        ["min"] = ("min(a*x, b + 0.3)", x => Math.Min(Point[0] * x, Point[1] + 0.3)),
        ["max"] = ("max(a*x, b + 0.3)", x => Math.Max(Point[0] * x, Point[1] + 0.3)),
        ["logsumexp"] = ("logsumexp(a*x, b, -x)", x => Math.Log(Math.Exp(Point[0] * x) + Math.Exp(Point[1]) + Math.Exp(-x))),
        ["pi"] = ("a*pi*x + b", x => Point[0] * Math.PI * x + Point[1]),
        ["normal_lpdf"] = ("normal_lpdf(x, b, a)", x => Normal.PDFLn(Point[1], Point[0], x)),
        ["lognormal_lpdf"] = ("lognormal_lpdf(x, b, a)", x => LogNormal.PDFLn(Point[1], Point[0], x)),
        ["exponential_lpdf"] = ("exponential_lpdf(x, a)", x => Exponential.PDFLn(Point[0], x)),
        ["gamma_lpdf"] = ("gamma_lpdf(x, a + 1, a)", x => Gamma.PDFLn(Point[0] + 1, Point[0], x)),
        ["student_t_lpdf"] = ("student_t_lpdf(x, a + 2, b, a)", x => StudentT.PDFLn(Point[1], Point[0], Point[0] + 2, x)),
        ["cauchy_lpdf"] = ("cauchy_lpdf(x, b, a)", x => Cauchy.PDFLn(Point[1], Point[0], x)),
        ["logistic_lpdf"] = ("logistic_lpdf(x, b, a)", x => { double z = (x - Point[1]) / Point[0]; return -z - Math.Log(Point[0]) - 2 * Math.Log(1 + Math.Exp(-z)); }),
        ["double_exponential_lpdf"] = ("double_exponential_lpdf(x, b, a)", x => Laplace.PDFLn(Point[1], Point[0], x)),
        ["weibull_lpdf"] = ("weibull_lpdf(x, a + 1, a)", x => Weibull.PDFLn(Point[0] + 1, Point[0], x)),
        ["beta_lpdf"] = ("beta_lpdf(x / 3, a + 1, a)", x => Beta.PDFLn(Point[0] + 1, Point[0], x / 3)),
        ["poisson_lpmf"] = ("poisson_lpmf(floor3, a)", x => Poisson.PMFLn(Point[0], Floor3(x))),
        ["neg_binomial_2_lpmf"] = ("neg_binomial_2_lpmf(floor3, a, a + 1)", x => NegativeBinomial.PMFLn(Point[0] + 1, (Point[0] + 1) / (2 * Point[0] + 1), Floor3(x))),
        ["neg_binomial_lpmf"] = ("neg_binomial_lpmf(floor3, a + 1, a)", x => NegativeBinomial.PMFLn(Point[0] + 1, Point[0] / (1 + Point[0]), Floor3(x))),
        ["binomial_lpmf"] = ("binomial_lpmf(floor3, 9, a)", x => Binomial.PMFLn(Point[0], 9, Floor3(x))),
        ["bernoulli_lpmf"] = ("bernoulli_lpmf(floor3 - 2*floor(floor3 / 2), a)", x => Bernoulli.PMFLn(Point[0], Floor3(x) % 2)),
    };

    // A count column: floor(3x) = 1, 2, 3, 6.
    private static int Floor3(double x) => (int)Math.Floor(3 * x);

    [Theory]
    [MemberData(nameof(Functions))]
    public void ValueMatchesAReferenceAndGradientMatchesCentralDifferences(string function)
    {
        var (text, reference) = Cases[function];
        // floor() is no function of the language: the count column is data, and bernoulli's 0/1 is computed from it
        // by a test-only column.
        text = text.Replace("floor3 - 2*floor(floor3 / 2)", "parity");
        var data = Dataset.FromColumns(("x", X), ("floor3", X.Select(v => (double)Floor3(v)).ToArray()),
            ("parity", X.Select(v => (double)(Floor3(v) % 2)).ToArray()));
        bool Names(string name) => System.Text.RegularExpressions.Regex.IsMatch(text, $@"\b{name}\b");
        var model = ExpressionModel.Create(text, AB.Where(p => Names(p.Name)).ToArray(), data,
            new Dictionary<string, double> { ["a"] = Point[0], ["b"] = Point[1] }.Where(kv => Names(kv.Key)).ToDictionary());
        using var engine = model.CreateEngine(devices.Native);
        var point = model.Parameters.Select(p => p.Name == "a" ? Point[0] : Point[1]).ToArray();
        var gradient = new double[point.Length];
        double value = engine.Evaluate(point, gradient);

        double expected = Numerics.Sum(X.Select(reference));
        Assert.True(Math.Abs(value - expected) <= 1e-13 * Math.Max(1, Math.Abs(expected)) * X.Length, $"{function}: {value:R} vs {expected:R}");
        for (int k = 0; k < point.Length; k++)
        {
            double h = 1e-5 * Math.Max(1, Math.Abs(point[k]));
            var up = (double[])point.Clone();
            var down = (double[])point.Clone();
            up[k] += h;
            down[k] -= h;
            double central = (engine.Evaluate(up, new double[point.Length]) - engine.Evaluate(down, new double[point.Length])) / (2 * h);
            Assert.True(Math.Abs(gradient[k] - central) <= 1e-7 * (1 + Math.Abs(gradient[k])),
                $"{function}, ∂/∂{model.Parameters[k].Name}: {gradient[k]:R} vs central difference {central:R}");
        }
    }
    // Outside its support a log-density is −∞, as scipy's logpdf and Stan's lpdf give. The formulas gave finite values
    // there (exponential_lpdf(−0.8, 0.7) = log 0.7 + 0.56; bernoulli_lpmf(2, p) = 2 log p − log(1 − p), so a fit of
    // "bernoulli" to 0/1/2/3 data converged with exit 0) or NaN. A row outside is refused at the start, named, as −∞.
    [Theory]
    [InlineData("exponential_lpdf(x, a)", -0.8)]
    [InlineData("gamma_lpdf(x, a + 1, a)", 0.0)]
    [InlineData("gamma_lpdf(x, a + 1, a)", -1.0)]
    [InlineData("lognormal_lpdf(x, b, a)", 0.0)]
    [InlineData("weibull_lpdf(x, a + 1, a)", -2.0)]
    [InlineData("beta_lpdf(x, a + 1, a)", 1.0)]
    [InlineData("beta_lpdf(x, a + 1, a)", -0.25)]
    [InlineData("poisson_lpmf(x, a)", 2.5)]
    [InlineData("poisson_lpmf(x, a)", -1.0)]
    [InlineData("neg_binomial_2_lpmf(x, a, a + 1)", 0.5)]
    [InlineData("neg_binomial_lpmf(x, a + 1, a)", -3.0)]
    [InlineData("binomial_lpmf(x, 9, a)", 10.0)]
    [InlineData("binomial_lpmf(x, 9, a)", 1.5)]
    [InlineData("bernoulli_lpmf(x, a)", 2.0)]
    [InlineData("bernoulli_lpmf(x, a)", 0.5)]
    public void OutsideTheSupportTheLogDensityIsMinusInfinity(string text, double x)
    {
        var data = Dataset.FromColumns(("x", [x]));
        bool Names(string name) => System.Text.RegularExpressions.Regex.IsMatch(text, $@"\b{name}\b");
        var start = new Dictionary<string, double> { ["a"] = Point[0], ["b"] = Point[1] }.Where(kv => Names(kv.Key)).ToDictionary();

        var e = Assert.Throws<InputException>(() => ExpressionModel.Create(text, AB.Where(p => Names(p.Name)).ToArray(), data, start));

        Assert.StartsWith("data: row 1 (x = ", e.Message);
        Assert.Contains("the log-density is -Infinity", e.Message);
        Assert.Contains("outside the support", e.Message);
    }

    // Inside, at the support's closed ends, the value is the formula's: exponential at 0, the counts at 0, binomial at N.
    [Theory]
    [InlineData("exponential_lpdf(x, a)", 0.0, -0.35667494393873245)]
    [InlineData("poisson_lpmf(x, a)", 0.0, -0.7)]
    [InlineData("bernoulli_lpmf(x, a)", 1.0, -0.35667494393873245)]
    [InlineData("binomial_lpmf(x, 9, a)", 9.0, -3.2100744954485921)]
    // Every double beyond 2⁵³ is a whole number: a count of 10¹⁶ is in the support (n log a − a − log Γ(n + 1)).
    [InlineData("poisson_lpmf(x, a)", 1e16, -3.6198036431843465E+17)]
    public void AtTheEndsOfTheSupportTheLogDensityIsFinite(string text, double x, double expected)
    {
        var data = Dataset.FromColumns(("x", [x]));
        var model = ExpressionModel.Create(text, [AB[0]], data, new Dictionary<string, double> { ["a"] = Point[0] });
        using var engine = model.CreateEngine(devices.Native);

        double value = engine.Evaluate([Point[0]], new double[1]);

        Assert.True(Math.Abs(value - expected) <= 1e-14 * Math.Abs(expected), $"{text} at {x}: {value:R} vs {expected:R}");
    }
}
