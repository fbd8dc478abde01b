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

    /// <summary>1/√π (MathNet: <c>Constants.InvSqrtPi</c>).</summary>
    public const double InverseSqrtPi = 0.5641895835477563;

    /// <summary>1/√(2π) (MathNet: <c>Constants.InvSqrt2Pi</c>), the standard normal density at 0.</summary>
    public const double InverseSqrtTwoPi = 0.3989422804014327;

    /// <summary>√(2/π) = 2/√(2π), the ratio φ/Φ at 0 (MathNet has no such constant; the tests check it against 2·InvSqrt2Pi).</summary>
    public const double SqrtTwoOverPi = 0.7978845608028654;

    /// <summary>1/√2 (MathNet: <c>Constants.Sqrt1Over2</c>).</summary>
    public const double InverseSqrt2 = 0.7071067811865476;

    /// <summary>The smallest positive normal double, 2⁻¹⁰²²: below it a value has lost digits (subnormal).</summary>
    public const double SmallestNormal = 2.2250738585072014e-308;

    /// <summary>The Euler–Mascheroni constant γ (MathNet: <c>Constants.EulerMascheroni</c>).</summary>
    public const double EulerGamma = 0.5772156649015329;
}
