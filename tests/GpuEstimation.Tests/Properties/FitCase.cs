using System.Globalization;

namespace GpuEstimation.Tests.Properties;

/// <summary>
/// One generated fit: a family (or "linear"), a data size and seed, multipliers that move the family's true parameters,
/// starting values over many orders of magnitude, and which parameters are fixed (at the truth). Arrays hold one entry
/// per parameter slot; a family uses the first of them. The search is L-BFGS, or gradient ascent where asked.
/// </summary>
public sealed record FitCase(string Family, int N, int DataSeed, double[] Truth, double[] Starts, bool[] UseStart, bool[] Fixed, bool GradientAscent = false)
{
    /// <summary>The case as C# that rebuilds it, for turning a shrunk counter-example into a regression test.</summary>
    public override string ToString() =>
        $"new FitCase(\"{Family}\", {N}, {DataSeed}, {Array(Truth)}, {Array(Starts)}, {Array(UseStart)}, {Array(Fixed)}, {(GradientAscent ? "true" : "false")})";

    private static string Array(double[] values) => $"[{string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}]";

    private static string Array(bool[] values) => $"[{string.Join(", ", values.Select(v => v ? "true" : "false"))}]";
}
