using System.Globalization;
using GpuEstimation.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace GpuEstimation.Tests.Kernels;

/// <summary>
/// DeviceMath's increments of log Γ and ψ, and log(1 + x) − x, against 700-digit mpmath values
/// (Data/reference/increments.csv) on both sides of their switch to asymptotic forms. The kernels' use of them is
/// checked on each backend by <see cref="HugeShapeTests"/>.
/// </summary>
public class DeviceMathIncrementTests(ITestOutputHelper output)
{
    // Relative to the sum of the magnitudes of the parts each value is computed from: from x = 50 on those are the
    // Stirling parts, all as small as the result (so this is nearly relative to the result); below 50, the
    // log-gammas or digammas whose difference is taken, as before.
    private const double Tolerance = 1e-14;

    public static IEnumerable<object[]> Functions =>
        new[] { "Log1pMinusX", "LogGammaIncrement", "DigammaIncrement", "DigammaIncrementMinusLinear" }.Select(f => new object[] { f });

    [Theory]
    [MemberData(nameof(Functions))]
    public void MatchesTheReference(string function)
    {
        var rows = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Data", "reference", "increments.csv"))
            .Skip(1).Select(l => l.Split(',')).Where(f => f[0] == function).ToArray();
        Assert.NotEmpty(rows);
        double worst = 0;
        string where = "nowhere";
        foreach (var fields in rows)
        {
            double x = Number(fields[1]), a = fields[2].Length == 0 ? 0 : Number(fields[2]);
            double expected = Number(fields[3]), scale = Number(fields[4]);
            double value = Apply(function, x, a);
            double error = scale == 0 ? (value == 0 ? 0 : double.PositiveInfinity) : Math.Abs(value - expected) / scale;
            if (!(error <= worst))
            {
                worst = double.IsNaN(error) ? double.PositiveInfinity : error;
                where = $"x = {x:R}, a = {a:R}: {value:R} vs {expected:R}";
            }
        }
        output.WriteLine($"{function}: worst error {worst:G3} of the parts' scale, at {where}");
        Assert.True(worst <= Tolerance, $"{function}: {worst:G3} at {where}");
    }

    [Fact]
    public void EdgeCases()
    {
        Assert.Equal(0.0, DeviceMath.Log1pMinusX(0.0));
        Assert.Equal(double.NegativeInfinity, DeviceMath.Log1pMinusX(-1.0));
        Assert.True(double.IsNaN(DeviceMath.Log1pMinusX(-2.0)));
        Assert.True(double.IsNaN(DeviceMath.Log1pMinusX(double.NaN)));
        foreach (double x in new[] { 3.0, 50.0, 1e15 })
        {
            // A zero increment is exactly zero on both sides of the switch.
            Assert.Equal(0.0, DeviceMath.LogGammaIncrement(x, 0));
            Assert.Equal(0.0, DeviceMath.DigammaIncrement(x, 0));
            Assert.Equal(0.0, DeviceMath.DigammaIncrementMinusLinear(x, 0));
        }
        Assert.True(double.IsNaN(DeviceMath.LogGammaIncrement(double.NaN, 1)));
        Assert.True(double.IsNaN(DeviceMath.DigammaIncrement(1e8, double.NaN)));
    }

    private static double Apply(string function, double x, double a) => function switch
    {
        "Log1pMinusX" => DeviceMath.Log1pMinusX(x),
        "LogGammaIncrement" => DeviceMath.LogGammaIncrement(x, a),
        "DigammaIncrement" => DeviceMath.DigammaIncrement(x, a),
        _ => DeviceMath.DigammaIncrementMinusLinear(x, a),
    };

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
