using GpuEstimation.Backends;
using GpuEstimation.Kernels;
using GpuEstimation.Tests.Support;
using ILGPU;
using ILGPU.Runtime;
using MathNet.Numerics;
using Xunit;
using Xunit.Abstractions;

namespace GpuEstimation.Tests.Kernels;

/// <summary>
/// DeviceMath against System.Math (log, exp) and references exact enough to judge ulps (log1p, expm1), and against
/// MathNet (log-gamma, digamma): 10⁶ random arguments per function over its whole domain plus the edge cases, on
/// the host and through a kernel on each ILGPU backend present.
/// </summary>
[Collection(DeviceCollection.Name)]
public class DeviceMathTests(DeviceFixture devices, ITestOutputHelper output)
{
    private const int Samples = 1_000_000;

    public enum Function { Log, Log1p, Exp, Expm1, LogGamma, Digamma }

    public static IEnumerable<object[]> Cases =>
        from backend in new[] { "host" }.Concat(DeviceFixture.Present.Where(b => b != Backend.Native).Select(b => b.ToString()))
        from function in Enum.GetValues<Function>()
        select new object[] { backend, function };

    [Theory]
    [Trait("Category", Categories.Slow)]
    [MemberData(nameof(Cases))]
    public void RandomArgumentsAreWithinTolerance(string backend, Function function)
    {
        var (arguments, references) = Reference(function, new Random(1000 + (int)function));
        var values = backend == "host" ? arguments.Select(a => Apply(function, a)).ToArray() : OnDevice(Enum.Parse<Backend>(backend), function, arguments);

        double worst = 0;
        int worstIndex = 0;
        for (int i = 0; i < arguments.Length; i++)
        {
            double error = Error(function, values[i], references[i]);
            if (!IsUlp(function) && arguments[i] < 0)
            {
                // Reflection: the value is a difference of terms as large as log Γ(1 − x) (or ψ(1 − x)), and the
                // reference can be no better than MathNet's error on that term (~1e-14 of it: at x = −4.106 MathNet is
                // 3e-14 from glibc's lgamma, this code 1e-15). Judge relative to that scale; within 0.1 of a pole
                // allow 1e-12 of it.
                double scale = Math.Max(Math.Max(1, Math.Abs(references[i])),
                    Math.Abs(function == Function.LogGamma ? SpecialFunctions.GammaLn(1 - arguments[i]) : SpecialFunctions.DiGamma(1 - arguments[i])));
                error = Math.Abs(values[i] - references[i]) / scale;
            }
            if (!IsUlp(function) && NearPole(arguments[i]))
                error = Math.Abs(values[i] - references[i]) / Math.Max(1, Math.Abs(references[i])) / 1e-12 * 1e-14;
            if (error > worst)
            {
                worst = error;
                worstIndex = i;
            }
        }
        output.WriteLine($"{function} on {backend}: worst {(IsUlp(function) ? "ulp" : "error")} {worst:G3} at x = {arguments[worstIndex]:R} ({values[worstIndex]:R} vs {references[worstIndex]:R})");
        Assert.True(worst <= Tolerance(function), $"{function} on {backend}: {worst:G3} at x = {arguments[worstIndex]:R}: {values[worstIndex]:R} vs {references[worstIndex]:R}");
    }

    // The native backend's exp and log1p (the host's libm, Goldberg's log1p) meet the same bound on the same sweep.
    [Theory]
    [InlineData(Function.Exp)]
    [InlineData(Function.Log1p)]
    public void HostRowsMathIsWithinTwoUlps(Function function)
    {
        var (arguments, references) = Reference(function, new Random(1000 + (int)function));
        double worst = 0;
        for (int i = 0; i < arguments.Length; i++)
        {
            double value = function == Function.Exp ? HostRows.Exp(arguments[i]) : HostRows.Log1p(arguments[i]);
            worst = Math.Max(worst, Error(function, value, references[i]));
        }
        output.WriteLine($"HostRows {function}: worst ulp {worst}");
        Assert.True(worst <= 2, $"HostRows {function}: {worst} ulp");
        Assert.True(double.IsNegative(HostRows.Log1p(-0.0)));
        Assert.Equal(double.NegativeInfinity, HostRows.Log1p(-1.0));
        Assert.True(double.IsNaN(HostRows.Log1p(-2.0)));
        Assert.Equal(double.PositiveInfinity, HostRows.Log1p(double.PositiveInfinity));
    }

    [Theory]
    [InlineData(0.0, double.NegativeInfinity)]
    [InlineData(-1.0, double.NaN)]
    [InlineData(double.NaN, double.NaN)]
    [InlineData(double.PositiveInfinity, double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity, double.NaN)]
    [InlineData(1.0, 0.0)]
    [InlineData(double.Epsilon, -744.4400719213812)]
    [InlineData(2.2250738585072014E-308, -708.3964185322641)]
    [InlineData(double.MaxValue, 709.782712893384)]
    public void LogEdgeCases(double x, double expected) => AssertSame(expected, DeviceMath.Log(x));

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(-1.0, double.NegativeInfinity)]
    [InlineData(-2.0, double.NaN)]
    [InlineData(double.NaN, double.NaN)]
    [InlineData(double.PositiveInfinity, double.PositiveInfinity)]
    [InlineData(double.Epsilon, double.Epsilon)]
    [InlineData(-double.Epsilon, -double.Epsilon)]
    [InlineData(1e-300, 1e-300)]
    public void Log1pEdgeCases(double x, double expected) => AssertSame(expected, DeviceMath.Log1p(x));

    // x · log y with 0 · log 0 = 0 (the limit), as scipy.special.xlogy; otherwise the plain product, NaN kept.
    [Theory]
    [InlineData(0.0, double.NegativeInfinity, 0.0)]
    [InlineData(0.0, double.NaN, double.NaN)]
    [InlineData(3.0, double.NegativeInfinity, double.NegativeInfinity)]
    [InlineData(2.5, -0.75, -1.875)]
    [InlineData(double.NaN, -1.0, double.NaN)]
    public void XLogYIsZeroWhereXIsZero(double x, double logY, double expected) => AssertSame(expected, DeviceMath.XLogY(x, logY));

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(double.NaN, double.NaN)]
    [InlineData(double.PositiveInfinity, double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity, 0.0)]
    [InlineData(710.0, double.PositiveInfinity)]
    [InlineData(-746.0, 0.0)]
    [InlineData(-745.0, 4.9406564584124654E-324)]
    [InlineData(709.78, 1.7928227943945155E+308)]
    [InlineData(double.Epsilon, 1.0)]
    public void ExpEdgeCases(double x, double expected) => AssertSame(expected, DeviceMath.Exp(x));

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(double.NaN, double.NaN)]
    [InlineData(double.PositiveInfinity, double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity, -1.0)]
    [InlineData(-40.0, -1.0)]
    [InlineData(double.Epsilon, double.Epsilon)]
    [InlineData(-double.Epsilon, -double.Epsilon)]
    public void Expm1EdgeCases(double x, double expected) => AssertSame(expected, DeviceMath.Expm1(x));

    [Fact]
    public void SignedZeroIsKeptByLog1pAndExpm1()
    {
        Assert.True(double.IsNegative(DeviceMath.Log1p(-0.0)));
        Assert.True(double.IsNegative(DeviceMath.Expm1(-0.0)));
        Assert.False(double.IsNegative(DeviceMath.Log1p(0.0)));
        Assert.Equal(double.NegativeInfinity, DeviceMath.Log(-0.0));
        Assert.Equal(1.0, DeviceMath.Exp(-0.0));
    }

    // Values of glibc's lgamma (Python's math.lgamma), an implementation independent of MathNet and of this code.
    [Theory]
    [InlineData(0.1, 2.2527126517342055)]
    [InlineData(0.5, 0.5723649429247004)]
    [InlineData(1.5, -0.12078223763524543)]
    [InlineData(2.5, 0.2846828704729196)]
    [InlineData(3.097946923385443, 0.7854017970965161)]
    [InlineData(7.3, 7.147892523022248)]
    [InlineData(12.5, 18.73434751193645)]
    [InlineData(123.456, 469.60554712992956)]
    [InlineData(100000.0, 1051287.7089736566)]
    [InlineData(-0.5, 1.265512123484645)]
    [InlineData(-2.5, -0.05624371649767457)]
    [InlineData(-4.106329499793392, -1.0795602916285145)]
    public void LogGammaMatchesAnIndependentLibrary(double x, double expected) =>
        Assert.True(Math.Abs(DeviceMath.LogGamma(x) - expected) <= 4e-15 * Math.Max(1, Math.Abs(expected)),
            $"LogGamma({x:R}) = {DeviceMath.LogGamma(x):R}, glibc {expected:R}");

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(-2.0)]
    [InlineData(-100.0)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void LogGammaPolesAndInfinities(double x) => Assert.Equal(double.PositiveInfinity, DeviceMath.LogGamma(x));

    [Fact]
    public void LogGammaAndDigammaSpecialValues()
    {
        Assert.Equal(0.0, DeviceMath.LogGamma(1.0));
        Assert.Equal(0.0, DeviceMath.LogGamma(2.0));
        Assert.Equal(Math.Log(3628800), DeviceMath.LogGamma(11.0), 1e-15);
        Assert.Equal(0.5 * Math.Log(Math.PI), DeviceMath.LogGamma(0.5), 1e-14);
        Assert.Equal(-Constants.EulerMascheroni, DeviceMath.Digamma(1.0), 1e-15);
        Assert.True(double.IsNaN(DeviceMath.Digamma(0.0)));
        Assert.True(double.IsNaN(DeviceMath.Digamma(-3.0)));
        Assert.True(double.IsNaN(DeviceMath.LogGamma(double.NaN)));
        Assert.Equal(double.PositiveInfinity, DeviceMath.Digamma(double.PositiveInfinity));
    }

    // Near the poles (non-positive integers) the values are large: within 1e-12 of max(1, |value|).
    [Fact]
    public void NearPolesAbsoluteErrorIsSmall()
    {
        foreach (double pole in new[] { 0.0, -1.0, -2.0, -5.0, -20.0 })
        {
            foreach (double offset in new[] { 1e-3, -1e-3, 1e-6, -1e-6, 1e-9, -1e-9 })
            {
                double x = pole + offset;
                if (x == 0)
                    continue;
                double logGamma = LogGammaReference(x);
                Assert.True(Math.Abs(DeviceMath.LogGamma(x) - logGamma) <= 1e-12 * Math.Max(1, Math.Abs(logGamma)),
                    $"LogGamma({x:R}) = {DeviceMath.LogGamma(x):R} vs {logGamma:R}");
                double digamma = DigammaReference(x);
                Assert.True(Math.Abs(DeviceMath.Digamma(x) - digamma) <= 1e-12 * Math.Max(1, Math.Abs(digamma)),
                    $"Digamma({x:R}) = {DeviceMath.Digamma(x):R} vs {digamma:R}");
            }
        }
    }

    // MathNet for x > 0. For x < 0, MathNet's own reflection takes sin(π·x) of a rounded π·x, which loses digits near
    // the poles (at x ≈ −109 + 5e-6, 9 of them); the reference reflects with .NET's exact-reduction SinPi/CosPi
    // and MathNet for the positive part.
    private static double LogGammaReference(double x) =>
        x > 0 ? SpecialFunctions.GammaLn(x) : Math.Log(Math.PI) - Math.Log(Math.Abs(double.SinPi(x))) - SpecialFunctions.GammaLn(1 - x);

    private static double DigammaReference(double x) =>
        x > 0 ? SpecialFunctions.DiGamma(x) : SpecialFunctions.DiGamma(1 - x) - Math.PI * double.CosPi(x) / double.SinPi(x);

    private static double Apply(Function function, double x) => function switch
    {
        Function.Log => DeviceMath.Log(x),
        Function.Log1p => DeviceMath.Log1p(x),
        Function.Exp => DeviceMath.Exp(x),
        Function.Expm1 => DeviceMath.Expm1(x),
        Function.LogGamma => DeviceMath.LogGamma(x),
        _ => DeviceMath.Digamma(x),
    };

    private static bool NearPole(double x) => x < 0.1 && Math.Abs(x - Math.Round(x)) < 0.1;

    private static bool IsUlp(Function function) => function is Function.Log or Function.Log1p or Function.Exp or Function.Expm1;

    // 2 ulp for the elementary functions. Log-gamma and digamma: 1e-14 relative to MathNet where the value is away
    // from 0; at their zeros (log Γ at 1 and 2, ψ near 1.4616) a relative error is undefined, so there the bound is
    // 1e-14 absolute (MathNet's own values are only that accurate); within 0.1 of a pole, 1e-12 of max(1, |value|).
    // MathNet's GammaLn is itself off by up to ~1.5e-14 relative (at x = 3.0979 it is 1.2e-14 from glibc's lgamma,
    // where this code is 2.6e-15 from it; see LogGammaMatchesAnIndependentLibrary), so log-gamma is held to 2e-14 of
    // MathNet and to 4e-15 of the independent values below.
    private static double Tolerance(Function function) => function switch
    {
        Function.LogGamma => 2e-14,
        Function.Digamma => 1e-14,
        _ => 2,
    };

    private static double Error(Function function, double value, double reference)
    {
        if (double.IsNaN(reference) || double.IsInfinity(reference))
            return value.Equals(reference) ? 0 : double.PositiveInfinity;
        if (IsUlp(function))
            return Ulps(value, reference);
        return Math.Abs(value - reference) / Math.Max(1, Math.Abs(reference));
    }

    internal static double Ulps(double a, double b)
    {
        if (a == b)
            return 0;
        if (double.IsNaN(a) || double.IsInfinity(a))
            return double.PositiveInfinity;
        return (double)Math.Abs((decimal)Ordered(a) - Ordered(b));
    }

    private static long Ordered(double x)
    {
        long bits = BitConverter.DoubleToInt64Bits(x);
        return bits < 0 ? long.MinValue - bits : bits;
    }

    private static void AssertSame(double expected, double actual) =>
        Assert.True(expected.Equals(actual) || (expected == 0 && actual == 0 && double.IsNegative(expected) == double.IsNegative(actual)),
            $"expected {expected:R}, got {actual:R}");

    /// <summary>Arguments spread over each function's whole domain, with references exact enough to count ulps.</summary>
    internal static (double[] Arguments, double[] References) Reference(Function function, Random random)
    {
        var x = new double[Samples];
        var reference = new double[Samples];
        for (int i = 0; i < Samples; i++)
        {
            switch (function)
            {
                case Function.Log:
                    // Every exponent equally often, subnormals included.
                    x[i] = i % 10 == 0 ? random.NextDouble() * 4 : BitConverter.Int64BitsToDouble(random.NextInt64(1, 0x7FEFFFFFFFFFFFFF));
                    reference[i] = Math.Log(x[i]);
                    break;
                case Function.Log1p:
                    // u = 1 + x exactly, so log1p(x) = log(u); tiny x against the series x − x²/2 + x³/3.
                    if (i % 4 == 0)
                    {
                        x[i] = (random.NextDouble() - 0.5) * Math.Pow(2, -30 - random.Next(990));
                        reference[i] = x[i] - x[i] * x[i] / 2 + x[i] * x[i] * x[i] / 3;
                    }
                    else
                    {
                        double u = i % 4 == 1 ? 0.5 + 1.5 * random.NextDouble() : Math.Exp(random.NextDouble() * 1400 - 700);
                        double candidate = u - 1;
                        if (candidate + 1 != u || candidate <= -1)
                        {
                            candidate = random.NextDouble();
                            u = 1 + candidate;
                            candidate = u - 1;
                        }
                        x[i] = candidate;
                        reference[i] = Math.Log(u);
                    }
                    break;
                case Function.Exp:
                    x[i] = i % 10 == 0 ? (random.NextDouble() - 0.5) * 1e-6 : random.NextDouble() * (709.78 + 745.13) - 745.13;
                    reference[i] = Math.Exp(x[i]);
                    break;
                case Function.Expm1:
                    if (i % 2 == 0)
                    {
                        x[i] = (random.NextDouble() * 2 - 1) * Math.Pow(2, -random.Next(60));
                        reference[i] = DoubleDouble.Expm1(x[i]);
                    }
                    else
                    {
                        x[i] = random.NextDouble() < 0.5 ? 1 + random.NextDouble() * 708 : -1 - random.NextDouble() * 40;
                        reference[i] = Math.Exp(x[i]) - 1;
                    }
                    break;
                case Function.LogGamma:
                    x[i] = i % 5 == 0 ? -150 * random.NextDouble() : Math.Exp(random.NextDouble() * 40 - 20);
                    if (x[i] == Math.Floor(x[i]) && x[i] <= 0)
                        x[i] -= 0.5;
                    reference[i] = LogGammaReference(x[i]);
                    break;
                default:
                    x[i] = i % 5 == 0 ? -150 * random.NextDouble() : Math.Exp(random.NextDouble() * 40 - 20);
                    if (x[i] == Math.Floor(x[i]) && x[i] <= 0)
                        x[i] -= 0.5;
                    reference[i] = DigammaReference(x[i]);
                    break;
            }
        }
        return (x, reference);
    }

    private double[] OnDevice(Backend backend, Function function, double[] arguments)
    {
        var accelerator = devices[backend].Accelerator;
        var kernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, int>(MathKernel);
        using var input = accelerator.Allocate1D(arguments);
        using var result = accelerator.Allocate1D<double>(arguments.Length);
        kernel(arguments.Length, input.View, result.View, (int)function);
        return result.GetAsArray1D();
    }

    private static void MathKernel(Index1D i, ArrayView<double> input, ArrayView<double> result, int function)
    {
        double x = input[i];
        result[i] = function switch
        {
            0 => DeviceMath.Log(x),
            1 => DeviceMath.Log1p(x),
            2 => DeviceMath.Exp(x),
            3 => DeviceMath.Expm1(x),
            4 => DeviceMath.LogGamma(x),
            _ => DeviceMath.Digamma(x),
        };
    }
}

/// <summary>e^x − 1 in double-double arithmetic (Taylor series), for |x| ≤ 1: a reference good to ~2^-100.</summary>
internal static class DoubleDouble
{
    public static double Expm1(double x)
    {
        // Σ_{k≥1} x^k / k!, each term and the running sum kept as a (hi, lo) pair.
        double sumHi = 0, sumLo = 0, termHi = 1, termLo = 0;
        for (int k = 1; k < 40; k++)
        {
            (termHi, termLo) = Multiply(termHi, termLo, x / k, Math.FusedMultiplyAdd(-x / k, k, x) / k);
            (sumHi, sumLo) = Add(sumHi, sumLo, termHi, termLo);
            if (Math.Abs(termHi) < 1e-40 * Math.Max(Math.Abs(sumHi), double.Epsilon))
                break;
        }
        return sumHi + sumLo;
    }

    private static (double, double) Add(double ah, double al, double bh, double bl)
    {
        double s = ah + bh;
        double v = s - ah;
        double e = (ah - (s - v)) + (bh - v);
        e += al + bl;
        double hi = s + e;
        return (hi, e - (hi - s));
    }

    private static (double, double) Multiply(double ah, double al, double bh, double bl)
    {
        double p = ah * bh;
        double e = Math.FusedMultiplyAdd(ah, bh, -p);
        e += ah * bl + al * bh;
        double hi = p + e;
        return (hi, e - (hi - p));
    }
}
