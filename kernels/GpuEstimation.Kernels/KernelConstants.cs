namespace GpuEstimation.Kernels;

/// <summary>
/// Mathematical constants for models and device math, each the double nearest the true value (as MathNet's
/// <c>Constants</c>), written once so that no family types its own literal. Constants fold into the kernels' code.
/// </summary>
public static class KernelConstants
{
    /// <summary>π.</summary>
    public const double Pi = 3.141592653589793;

    /// <summary>log π (MathNet: <c>Constants.LnPi</c>).</summary>
    public const double LogPi = 1.1447298858494002;

    /// <summary>½ log 2π = log √(2π) (MathNet: <c>Constants.LogSqrt2Pi</c>), the normal density's constant.</summary>
    public const double HalfLogTwoPi = 0.9189385332046728;

    /// <summary>log 2 (MathNet: <c>Constants.Ln2</c>).</summary>
    public const double Log2 = 0.6931471805599453;

    /// <summary>1 / log 2 (MathNet: <c>Constants.Log2E</c>).</summary>
    public const double InverseLog2 = 1.4426950408889634;

    /// <summary>√2 (MathNet: <c>Constants.Sqrt2</c>).</summary>
    public const double Sqrt2 = 1.4142135623730951;

    /// <summary>The Euler–Mascheroni constant γ (MathNet: <c>Constants.EulerMascheroni</c>).</summary>
    public const double EulerGamma = 0.5772156649015329;
}
