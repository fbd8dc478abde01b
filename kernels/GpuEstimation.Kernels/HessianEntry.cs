using System.Runtime.CompilerServices;

namespace GpuEstimation.Kernels;

/// <summary>
/// One sum of the Hessian pass, packed in an int: which derivative of the row (<see cref="RowCurvature"/>) it
/// multiplies, and the two design values it is multiplied by (index D, one past the design, stands for the constant 1).
/// Sum = Σ rows derivative · z_a · z_b. The host lists the entries once (value, gradient, then the Hessian's upper
/// triangle); on a device <see cref="LikelihoodKernels.TileProductsKernel"/> sums them in tiles of 4 × 8 design pairs
/// (a design of one value: <see cref="LikelihoodKernels.HessianKernel"/>, all in one launch).
/// </summary>
public static class HessianEntry
{
    /// <summary>log f.</summary>
    public const int Value = 0;

    /// <summary>∂/∂η.</summary>
    public const int Eta = 1;

    /// <summary>∂/∂α.</summary>
    public const int Extra = 2;

    /// <summary>∂²/∂η².</summary>
    public const int EtaEta = 3;

    /// <summary>∂²/∂η∂α.</summary>
    public const int EtaExtra = 4;

    /// <summary>∂²/∂α².</summary>
    public const int ExtraExtra = 5;

    /// <summary>The entry for derivative <paramref name="kind"/> times design values <paramref name="a"/> and <paramref name="b"/> (each below 256).</summary>
    public static int Pack(int kind, int a, int b) => kind | (a << 8) | (b << 16);

    /// <summary>The derivative an entry multiplies.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Kind(int entry) => entry & 0xff;

    /// <summary>The first design value an entry multiplies.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int A(int entry) => (entry >> 8) & 0xff;

    /// <summary>The second design value an entry multiplies.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int B(int entry) => entry >> 16;

    /// <summary>The derivative of <paramref name="row"/> that entry kind <paramref name="kind"/> multiplies.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Derivative(int kind, in RowCurvature row) => kind switch
    {
        Value => row.Value,
        Eta => row.Eta,
        Extra => row.Extra,
        EtaEta => row.EtaEta,
        EtaExtra => row.EtaExtra,
        _ => row.ExtraExtra,
    };
}
