using System.Runtime.Intrinsics;
using GpuEstimation.Kernels;
using Xunit;
using Xunit.Abstractions;
using Function = GpuEstimation.Tests.Kernels.DeviceMathTests.Function;

namespace GpuEstimation.Tests.Kernels;

/// <summary>
/// VectorMath's exp, log and log1p, four lanes at a time, on DeviceMathTests' 10⁶ arguments per function (the whole
/// domain, subnormals included) against the same references, held to DeviceMath's 2-ulp bound; the special values
/// lane by lane, mixed with ordinary ones in one vector. Log-gamma and digamma likewise, to DeviceMath's bounds.
/// </summary>
public class VectorMathTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(Function.Exp)]
    [InlineData(Function.Log)]
    [InlineData(Function.Log1p)]
    public void RandomArgumentsAreWithinTwoUlps(Function function)
    {
        var (arguments, references) = DeviceMathTests.Reference(function, new Random(2000 + (int)function));
        double worst = 0;
        int worstIndex = 0;
        for (int i = 0; i + 3 < arguments.Length; i += 4)
        {
            var values = Apply(function, Vector256.Create(arguments[i], arguments[i + 1], arguments[i + 2], arguments[i + 3]));
            for (int lane = 0; lane < 4; lane++)
            {
                double reference = references[i + lane], value = values.GetElement(lane);
                double error = double.IsFinite(reference) ? DeviceMathTests.Ulps(value, reference) : value.Equals(reference) ? 0 : double.PositiveInfinity;
                if (error > worst)
                    (worst, worstIndex) = (error, i + lane);
            }
        }
        output.WriteLine($"VectorMath {function}: worst {worst} ulp at x = {arguments[worstIndex]:R}");
        Assert.True(worst <= 2, $"VectorMath {function}: {worst} ulp at x = {arguments[worstIndex]:R}");
    }

    [Theory]
    [InlineData(Function.Exp, 0.0, 1.0)]
    [InlineData(Function.Exp, double.NaN, double.NaN)]
    [InlineData(Function.Exp, double.PositiveInfinity, double.PositiveInfinity)]
    [InlineData(Function.Exp, double.NegativeInfinity, 0.0)]
    [InlineData(Function.Exp, 709.78, 1.7928227943945155e308)]
    [InlineData(Function.Exp, 709.79, double.PositiveInfinity)]
    [InlineData(Function.Exp, -745.13, 4.9406564584124654e-324)]
    [InlineData(Function.Exp, -745.14, 0.0)]
    [InlineData(Function.Exp, -708.5, 2.006132305331306e-308)]
    [InlineData(Function.Exp, -720.0, 2.0322308024e-313)]
    [InlineData(Function.Log, 0.0, double.NegativeInfinity)]
    [InlineData(Function.Log, -1.0, double.NaN)]
    [InlineData(Function.Log, double.NaN, double.NaN)]
    [InlineData(Function.Log, double.PositiveInfinity, double.PositiveInfinity)]
    [InlineData(Function.Log, double.NegativeInfinity, double.NaN)]
    [InlineData(Function.Log, 1.0, 0.0)]
    [InlineData(Function.Log, double.Epsilon, -744.4400719213812)]
    [InlineData(Function.Log, 2.2250738585072014E-308, -708.3964185322641)]
    [InlineData(Function.Log, double.MaxValue, 709.782712893384)]
    [InlineData(Function.Log1p, 0.0, 0.0)]
    [InlineData(Function.Log1p, -1.0, double.NegativeInfinity)]
    [InlineData(Function.Log1p, -2.0, double.NaN)]
    [InlineData(Function.Log1p, double.NaN, double.NaN)]
    [InlineData(Function.Log1p, double.PositiveInfinity, double.PositiveInfinity)]
    [InlineData(Function.Log1p, double.Epsilon, double.Epsilon)]
    [InlineData(Function.Log1p, 1e-300, 1e-300)]
    public void SpecialValuesInEveryLane(Function function, double x, double expected)
    {
        // The value in each lane in turn, the other lanes ordinary arguments (the selection is per lane).
        for (int lane = 0; lane < 4; lane++)
        {
            var lanes = new[] { 0.5, 0.25, 2.0, 0.75 };
            lanes[lane] = x;
            var result = Apply(function, Vector256.Create(lanes));
            double actual = result.GetElement(lane);
            Assert.True(expected.Equals(actual) && double.IsNegative(expected) == double.IsNegative(actual) || Math.Abs(actual - expected) <= Math.Abs(expected) * 4.5e-16,
                $"{function}({x:R}) in lane {lane}: expected {expected:R}, got {actual:R}");
            for (int other = 0; other < 4; other++)
            {
                if (other != lane)
                    Assert.Equal(Scalar(function, lanes[other]), result.GetElement(other), 15);
            }
        }
    }

    [Fact]
    public void Log1pKeepsTheSignOfZero()
    {
        var result = VectorMath.Log1p(Vector256.Create(-0.0, 0.0, -0.0, 0.0));
        Assert.True(double.IsNegative(result.GetElement(0)) && double.IsNegative(result.GetElement(2)));
        Assert.False(double.IsNegative(result.GetElement(1)) || double.IsNegative(result.GetElement(3)));
        Assert.Equal(0.0, result.GetElement(0));
    }

    // log(1 + x) − x against DeviceMath's: the same bits inside the series' range [−0.3, 0.5] (the same terms in the
    // same order), within 4 ulps of log1p(x) outside it, over 10⁶ arguments in (−1, 4] (a quarter tiny); block form too.
    [Fact]
    public void Log1pMinusXFollowsDeviceMath()
    {
        var random = new Random(4000);
        var x = new double[1 << 20];
        for (int i = 0; i < x.Length; i++)
            x[i] = i % 4 == 0 ? (random.NextDouble() - 0.5) * Math.Pow(2, -random.Next(60)) : -1 + 5 * random.NextDouble();
        x[0] = -1;
        for (int i = 0; i + 15 < x.Length; i += 16)
        {
            var block = VectorMath.Log1pMinusX(Lanes16.Load(x.AsSpan(i)));
            for (int lane = 0; lane < 16; lane++)
            {
                double v = x[i + lane], expected = DeviceMath.Log1pMinusX(v), actual = Element(block, lane);
                if (v >= -0.3 && v <= 0.5)
                    Assert.True(expected.Equals(actual), $"Log1pMinusX({v:R}): {actual:R}, DeviceMath {expected:R}");
                else
                {
                    double log1p = Math.Abs(Math.Log(1 + v)), ulp = Math.BitIncrement(log1p) - log1p;
                    Assert.True(expected.Equals(actual) || Math.Abs(actual - expected) <= 4 * ulp, $"Log1pMinusX({v:R}): {actual:R}, DeviceMath {expected:R}");
                }
            }
        }
    }

    // The block forms (on this machine at 512 bits where the hardware has them) give the 256-bit functions' bits, vector
    // by vector, over each function's 10⁶ arguments (special values and subnormals among them, so blocks with a lane
    // outside the common path go the other way).
    [Theory]
    [InlineData(Function.Exp)]
    [InlineData(Function.Log)]
    public void BlockFormsGiveTheVectorFunctionsBits(Function function)
    {
        var (arguments, _) = DeviceMathTests.Reference(function, new Random(5000 + (int)function));
        arguments[0] = double.NaN;
        arguments[21] = double.PositiveInfinity;
        for (int i = 0; i + 15 < arguments.Length; i += 16)
        {
            var x = Lanes16.Load(arguments.AsSpan(i));
            var block = function == Function.Exp ? VectorMath.Exp(x) : VectorMath.Log(x);
            for (int v = 0; v < 4; v++)
            {
                var lanes = v switch { 0 => x.A, 1 => x.B, 2 => x.C, _ => x.D };
                var expected = function == Function.Exp ? VectorMath.Exp(lanes) : VectorMath.Log(lanes);
                for (int lane = 0; lane < 4; lane++)
                {
                    double actual = Element(block, 4 * v + lane);
                    Assert.True(BitConverter.DoubleToInt64Bits(expected.GetElement(lane)) == BitConverter.DoubleToInt64Bits(actual),
                        $"{function}({lanes.GetElement(lane):R}): block {actual:R}, vector {expected.GetElement(lane):R}");
                }
            }
        }
    }

    private static double Element(Lanes16 x, int lane) =>
        ((lane / 4) switch { 0 => x.A, 1 => x.B, 2 => x.C, _ => x.D }).GetElement(lane % 4);

    // Log-gamma and digamma on DeviceMathTests' arguments, the positive ones four to a vector (the vector path), against
    // the same references and DeviceMath's bounds: 2e-14 and 1e-14 of max(1, |value|).
    [Theory]
    [InlineData(Function.LogGamma, 2e-14)]
    [InlineData(Function.Digamma, 1e-14)]
    public void LogGammaAndDigammaMeetDeviceMathsBounds(Function function, double bound)
    {
        var (arguments, references) = DeviceMathTests.Reference(function, new Random(2000 + (int)function));
        var positive = Enumerable.Range(0, arguments.Length).Where(i => arguments[i] > 0).ToArray();
        Assert.True(positive.Length > 700_000);
        double worst = 0;
        int worstIndex = 0;
        for (int j = 0; j + 3 < positive.Length; j += 4)
        {
            var x = Vector256.Create(arguments[positive[j]], arguments[positive[j + 1]], arguments[positive[j + 2]], arguments[positive[j + 3]]);
            var (logGamma, digamma) = VectorMath.LogGammaAndDigamma(x);
            var values = function == Function.LogGamma ? logGamma : digamma;
            Assert.Equal(values, function == Function.LogGamma ? VectorMath.LogGamma(x) : VectorMath.Digamma(x));
            for (int lane = 0; lane < 4; lane++)
            {
                int i = positive[j + lane];
                double error = Math.Abs(values.GetElement(lane) - references[i]) / Math.Max(1, Math.Abs(references[i]));
                if (!(error <= worst))
                    (worst, worstIndex) = (error, i);
            }
        }
        output.WriteLine($"VectorMath {function}: worst {worst:G3} at x = {arguments[worstIndex]:R}");
        Assert.True(worst <= bound, $"VectorMath {function}: {worst:G3} at x = {arguments[worstIndex]:R}");
    }

    // Whole arguments up to 23 give DeviceMath's log of the exact factorial (0 at 1 and 2), mixed with other lanes;
    // a vector with a lane outside the positive normal doubles is DeviceMath's, lane by lane, to the bit.
    [Fact]
    public void LogGammaOfWholeNumbersAndSpecialLanes()
    {
        for (int n = 1; n <= 24; n++)
        {
            var (logGamma, _) = VectorMath.LogGammaAndDigamma(Vector256.Create(n, 2.5, n + 0.5, 31.0));
            Assert.Equal(DeviceMath.LogGamma(n), logGamma.GetElement(0), n <= 23 ? 0 : 1e-13);
            Assert.True(Math.Abs(logGamma.GetElement(1) - DeviceMath.LogGamma(2.5)) <= 1e-15);
        }
        Assert.Equal(0.0, VectorMath.LogGamma(Vector256.Create(1.0, 2.0, 1.0, 2.0)).GetElement(1));
        foreach (double special in new[] { 0.0, -0.0, -1.0, -2.5, 1e-310, double.PositiveInfinity, double.NegativeInfinity, double.NaN })
        {
            var x = Vector256.Create(3.25, special, 0.75, 40.0);
            var (logGamma, digamma) = VectorMath.LogGammaAndDigamma(x);
            for (int lane = 0; lane < 4; lane++)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(DeviceMath.LogGamma(x.GetElement(lane))), BitConverter.DoubleToInt64Bits(logGamma.GetElement(lane)));
                Assert.Equal(BitConverter.DoubleToInt64Bits(DeviceMath.Digamma(x.GetElement(lane))), BitConverter.DoubleToInt64Bits(digamma.GetElement(lane)));
            }
        }
    }

    // SumOfLog1p (VectorMath's lanes and DeviceMath's four values): each the sum of four log1p, within 8 ulps of the sum (all terms positive; DeviceMath's log1p,
    // itself within 2 ulps, as the reference, summed compensated) over 10⁶ blocks of values from 1e-300 to 1e100 (q
    // that overflows, so the lane-by-lane path too), values below 1e-8 (where a product of the 1 + x would lose them),
    // zeros, and lanes holding +∞ and NaN.
    [Fact]
    public void SumOfLog1pIsTheSumOfTheFourLog1p()
    {
        var random = new Random(2017);
        double worst = 0;
        var values = new double[16];
        for (int block = 0; block < 1_000_000; block++)
        {
            for (int i = 0; i < 16; i++)
            {
                values[i] = (block % 4) switch
                {
                    0 => Math.Pow(10, 400 * random.NextDouble() - 300),
                    1 => 1e-8 * random.NextDouble(),
                    2 => random.Next(8) == 0 ? 0.0 : random.NextDouble(),
                    _ => Math.Pow(10, 20 * random.NextDouble() - 10),
                };
            }
            var sums = VectorMath.SumOfLog1p(Lanes16.Load(values));
            for (int lane = 0; lane < 4; lane++)
            {
                double reference = 0, compensation = 0;
                for (int v = 0; v < 4; v++)
                {
                    double term = DeviceMath.Log1p(values[v * 4 + lane]) - compensation;
                    double next = reference + term;
                    compensation = (next - reference) - term;
                    reference = next;
                }
                // The vector form and DeviceMath's scalar one (a GPU's four rows, its products not fused here).
                double scalar = DeviceMath.SumOfLog1p(values[lane], values[4 + lane], values[8 + lane], values[12 + lane]);
                foreach (double sum in new[] { sums.GetElement(lane), scalar })
                {
                    double error = reference == 0 ? Math.Abs(sum) : Math.Abs(sum - reference) / (8 * Math.BitIncrement(reference) - 8 * reference);
                    worst = Math.Max(worst, reference == 0 ? (error == 0 ? 0 : double.PositiveInfinity) : error);
                }
            }
        }
        output.WriteLine($"SumOfLog1p: worst error {worst:F3} of 8 ulps");
        Assert.True(worst <= 1, $"SumOfLog1p: {worst} of 8 ulps");
        foreach (var (special, expected) in new[] { (double.PositiveInfinity, double.PositiveInfinity), (double.NaN, double.NaN) })
        {
            Array.Fill(values, 0.5);
            values[9] = special;
            var sums = VectorMath.SumOfLog1p(Lanes16.Load(values));
            Assert.Equal(expected, sums.GetElement(1));
            Assert.Equal(4 * Math.Log(1.5), sums.GetElement(0), 1e-15);
            Assert.Equal(expected, DeviceMath.SumOfLog1p(0.5, 0.5, special, 0.5));
        }
    }

    // TermLanes.MultiplyLog1p over a chunk's worth of blocks (2,048): Log1pTotal is each lane's sum of log1p, within
    // 1e-13 of it (the running product's roundings, one per block, all on positive values), for values below 1e-8, of
    // order 1, and up to 1e40 (so that the product is flushed, with one block of values beyond 1e100 whose own
    // product overflows); +∞ and NaN propagate.
    [Theory]
    [InlineData(1e-8)]
    [InlineData(1.0)]
    [InlineData(1e40)]
    public void RunningLog1pProductIsTheSumOfTheLog1p(double scale)
    {
        var random = new Random(17);
        var lanes = default(TermLanes);
        var values = new double[16];
        var reference = new double[4];
        var compensation = new double[4];
        for (int block = 0; block < 2048; block++)
        {
            for (int i = 0; i < 16; i++)
                values[i] = block == 1000 && scale > 1 ? 1e150 * random.NextDouble() : scale * random.NextDouble();
            lanes.MultiplyLog1p(Lanes16.Load(values));
            for (int i = 0; i < 16; i++)
            {
                int lane = i % 4;
                double term = DeviceMath.Log1p(values[i]) - compensation[lane];
                double next = reference[lane] + term;
                compensation[lane] = (next - reference[lane]) - term;
                reference[lane] = next;
            }
        }
        var total = lanes.Log1pTotal();
        for (int lane = 0; lane < 4; lane++)
            Assert.True(Math.Abs(total.GetElement(lane) - reference[lane]) <= 1e-13 * reference[lane], $"lane {lane}: {total.GetElement(lane):R} vs {reference[lane]:R}");
        foreach (double special in new[] { double.PositiveInfinity, double.NaN })
        {
            var more = lanes;
            Array.Fill(values, 0.5);
            values[6] = special;
            more.MultiplyLog1p(Lanes16.Load(values));
            more.MultiplyLog1p(Lanes16.Create(0.25));
            Assert.Equal(special, more.Log1pTotal().GetElement(2));
            Assert.True(double.IsFinite(more.Log1pTotal().GetElement(1)));
        }
    }

    private static Vector256<double> Apply(Function function, Vector256<double> x) => function switch
    {
        Function.Exp => VectorMath.Exp(x),
        Function.Log => VectorMath.Log(x),
        _ => VectorMath.Log1p(x),
    };

    private static double Scalar(Function function, double x) => function switch
    {
        Function.Exp => Math.Exp(x),
        Function.Log => Math.Log(x),
        _ => Math.Log(1 + x),
    };
}
