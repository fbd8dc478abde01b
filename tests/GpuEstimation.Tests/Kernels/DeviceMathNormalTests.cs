using System.Globalization;
using GpuEstimation.Backends;
using GpuEstimation.Kernels;
using GpuEstimation.Tests.Support;
using ILGPU;
using ILGPU.Runtime;
using MathNet.Numerics.Distributions;
using Xunit;
using Xunit.Abstractions;

namespace GpuEstimation.Tests.Kernels;

/// <summary>
/// DeviceMath's functions for the GLM links (erfcx, log Φ, φ/Φ, log(1 + eˣ), log(1 − eˣ)) against 60-digit mpmath
/// values (Data/reference/normal.csv, written by make_normal_reference.py) over both tails, on the host and through
/// a kernel on each ILGPU backend present; and against MathNet's normal CDF where that is exact enough to judge.
/// </summary>
[Collection(DeviceCollection.Name)]
public class DeviceMathNormalTests(DeviceFixture devices, ITestOutputHelper output)
{
    public enum Function { Erfcx, LogNormalCdf, NormalCdfRatio, LogOnePlusExp, LogOneMinusExp }

    public static IEnumerable<object[]> Cases =>
        from backend in new[] { "host" }.Concat(DeviceFixture.Present.Where(b => b != Backend.Native).Select(b => b.ToString()))
        from function in Enum.GetValues<Function>()
        select new object[] { backend, function };

    // Relative error bounds, about 3x the worst measured on these arguments (host and CPU accelerator alike): erfcx
    // 4.5e-16, log Φ 5.9e-16, φ/Φ 4.4e-16 (erfcx's error plus a log or a division), log(1 + eˣ) 2.2e-16 and
    // log(1 − eˣ) 2.1e-16 (a few ulps of log1p, log, exp).
    private static double Tolerance(Function function) => function switch
    {
        Function.Erfcx => 2e-15,
        Function.LogNormalCdf => 2e-15,
        Function.NormalCdfRatio => 2e-15,
        _ => 1e-15,
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTheReference(string backend, Function function)
    {
        var rows = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Data", "reference", "normal.csv"))
            .Skip(1).Select(l => l.Split(',')).Where(f => f[0] == function.ToString())
            .Select(f => (X: Number(f[1]), Value: Number(f[2]))).ToArray();
        Assert.True(rows.Length > 100, $"{function}: {rows.Length} reference values");
        var x = rows.Select(r => r.X).ToArray();
        var values = backend == "host" ? x.Select(v => Apply(function, v)).ToArray() : OnDevice(Enum.Parse<Backend>(backend), function, x);

        double worst = 0;
        string where = "nowhere";
        for (int i = 0; i < rows.Length; i++)
        {
            double expected = rows[i].Value;
            // Results below the normal range (log Φ near 0 far in the upper tail, softplus far below 0) may
            // underflow: there the error is absolute, against the smallest normal double.
            double error = Math.Abs(expected) < 2.3e-308
                ? Math.Abs(values[i] - expected) / 2.3e-308 * 1e-16
                : Math.Abs(values[i] - expected) / Math.Abs(expected);
            if (!(error <= worst))
            {
                worst = double.IsNaN(error) ? double.PositiveInfinity : error;
                where = $"x = {rows[i].X:R}: {values[i]:R} vs {expected:R}";
            }
        }
        output.WriteLine($"{function} on {backend}: worst relative error {worst:G3} at {where}");
        Assert.True(worst <= Tolerance(function), $"{function} on {backend}: {worst:G3} at {where}");
    }

    // Where Φ is neither near 0 nor near 1, MathNet's CDF (erfc-based, ~1e-15) is a second, independent reference.
    [Fact]
    public void LogNormalCdfAgreesWithMathNetInTheMiddle()
    {
        for (double x = -8; x <= 5; x += 0.01)
        {
            double expected = Math.Log(Normal.CDF(0, 1, x));
            Assert.True(Math.Abs(DeviceMath.LogNormalCdf(x) - expected) <= 5e-15 * Math.Max(1, Math.Abs(expected)),
                $"x = {x:R}: {DeviceMath.LogNormalCdf(x):R} vs MathNet {expected:R}");
            double ratio = Normal.PDF(0, 1, x) / Normal.CDF(0, 1, x);
            Assert.True(Math.Abs(DeviceMath.NormalCdfRatio(x) - ratio) <= 5e-14 * ratio, $"x = {x:R}: ratio {DeviceMath.NormalCdfRatio(x):R} vs {ratio:R}");
        }
    }

    [Fact]
    public void EdgeCases()
    {
        Assert.Equal(1.0, DeviceMath.Erfcx(0.0));
        Assert.Equal(0.0, DeviceMath.Erfcx(double.PositiveInfinity));
        Assert.Equal(double.PositiveInfinity, DeviceMath.Erfcx(-27.0));
        Assert.True(double.IsNaN(DeviceMath.Erfcx(double.NaN)));
        Assert.Equal(double.NegativeInfinity, DeviceMath.LogNormalCdf(double.NegativeInfinity));
        Assert.Equal(0.0, DeviceMath.LogNormalCdf(double.PositiveInfinity));
        Assert.Equal(-KernelConstants.Log2, DeviceMath.LogNormalCdf(0.0), 1e-16);
        Assert.Equal(double.PositiveInfinity, DeviceMath.NormalCdfRatio(double.NegativeInfinity));
        Assert.Equal(0.0, DeviceMath.NormalCdfRatio(double.PositiveInfinity));
        Assert.Equal(KernelConstants.SqrtTwoOverPi, DeviceMath.NormalCdfRatio(0.0), 1e-16);
        Assert.True(double.IsNaN(DeviceMath.LogNormalCdf(double.NaN)));
        Assert.True(double.IsNaN(DeviceMath.NormalCdfRatio(double.NaN)));
        Assert.Equal(double.PositiveInfinity, DeviceMath.LogOnePlusExp(double.PositiveInfinity));
        Assert.Equal(0.0, DeviceMath.LogOnePlusExp(double.NegativeInfinity));
        Assert.Equal(double.NegativeInfinity, DeviceMath.LogOneMinusExp(0.0));
        Assert.True(double.IsNaN(DeviceMath.LogOneMinusExp(1.0)));
        Assert.Equal(0.0, DeviceMath.LogOneMinusExp(double.NegativeInfinity));
        // log Φ far in the lower tail is ≈ −x²/2 − log(−x√(2π)): finite where Φ itself underflows (below −38.5).
        double far = DeviceMath.LogNormalCdf(-1e5);
        Assert.True(Math.Abs(far - (-5e9 - Math.Log(1e5 * Math.Sqrt(2 * Math.PI)))) <= 1e-15 * 5e9, $"{far:R}");
        // φ/Φ(x) = −x − 1/x + 2/x³ − ... there.
        Assert.Equal(1e5 + 1e-5, DeviceMath.NormalCdfRatio(-1e5), 1e-10);
    }

    [Fact]
    public void NewConstantsAreMathNetsNearestDoubles()
    {
        Assert.Equal(MathNet.Numerics.Constants.InvSqrtPi, KernelConstants.InverseSqrtPi);
        Assert.Equal(MathNet.Numerics.Constants.InvSqrt2Pi, KernelConstants.InverseSqrtTwoPi);
        Assert.Equal(MathNet.Numerics.Constants.Sqrt1Over2, KernelConstants.InverseSqrt2);
        // 2/√(2π) = 2 · InvSqrt2Pi exactly (a power of two times a double).
        Assert.Equal(2 * MathNet.Numerics.Constants.InvSqrt2Pi, KernelConstants.SqrtTwoOverPi);
    }

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static double Apply(Function function, double x) => function switch
    {
        Function.Erfcx => DeviceMath.Erfcx(x),
        Function.LogNormalCdf => DeviceMath.LogNormalCdf(x),
        Function.NormalCdfRatio => DeviceMath.NormalCdfRatio(x),
        Function.LogOnePlusExp => DeviceMath.LogOnePlusExp(x),
        _ => DeviceMath.LogOneMinusExp(x),
    };

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
            0 => DeviceMath.Erfcx(x),
            1 => DeviceMath.LogNormalCdf(x),
            2 => DeviceMath.NormalCdfRatio(x),
            3 => DeviceMath.LogOnePlusExp(x),
            _ => DeviceMath.LogOneMinusExp(x),
        };
    }
}
