using GpuEstimation.Engine;
using GpuEstimation.Kernels.Models;
using Xunit;

namespace GpuEstimation.Tests.Engine;

/// <summary>
/// The native Hessian pass's dot products at 512 bits (used where the hardware has them) against the 256-bit ones,
/// bit for bit: each 512-bit accumulator holds a pair of the 256-bit ones as its halves, so every lane sums the same
/// products in the same order. Lengths with every tail (0 to 15 rows past the vectors), magnitudes spread over
/// 10⁻⁸ to 10⁸ so that an order change would show.
/// </summary>
public class NativeDotProductTests
{
    [Fact]
    public unsafe void WideDotProductsAreTheNarrowOnesBitForBit()
    {
        var random = new Random(17);
        double Draw() => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-8, 9));
        for (int n = 0; n <= 531; n += n < 40 ? 1 : 37)
        {
            var columns = Enumerable.Range(0, 5).Select(_ => Enumerable.Range(0, n).Select(_ => Draw()).ToArray()).ToArray();
            fixed (double* x = columns[0], y0 = columns[1], y1 = columns[2], y2 = columns[3], y3 = columns[4])
            {
                var wide = NativeLinearSums<GlmModel>.Dot4Wide(x, y0, y1, y2, y3, n);
                var narrow = NativeLinearSums<GlmModel>.Dot4Narrow(x, y0, y1, y2, y3, n);
                Assert.True(wide.Equals(narrow), $"n = {n}: {wide} vs {narrow}");
                double one = NativeLinearSums<GlmModel>.DotWide(x, y0, n), other = NativeLinearSums<GlmModel>.DotNarrow(x, y0, n);
                Assert.True(BitConverter.DoubleToInt64Bits(one) == BitConverter.DoubleToInt64Bits(other), $"n = {n}: {one:R} vs {other:R}");
            }
        }
    }
}
