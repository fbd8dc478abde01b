using System.Reflection;
using ILGPU.Algorithms;

namespace GpuEstimation.Bench;

/// <summary>
/// The code ILGPU.Algorithms compiles for double XMath.Log and XMath.Exp on CUDA: its internal <c>PTXMath</c>, which
/// calls XMath's CORDIC routines. On the host and the CPU accelerator XMath calls System.Math instead, so these
/// delegates (reached by reflection) are the only way to measure, here, what a kernel on the GPU would compute.
/// </summary>
internal static class XMathGpuPath
{
    private static readonly Type PtxMath = typeof(XMath).Assembly.GetType("ILGPU.Algorithms.PTX.PTXMath")
        ?? throw new InvalidOperationException("ILGPU.Algorithms has no PTXMath type (another version than 1.5.3?)");

    /// <summary>The CUDA implementation of XMath.Log(double).</summary>
    public static Func<double, double> Log { get; } = Find("Log");

    /// <summary>The CUDA implementation of XMath.Exp(double).</summary>
    public static Func<double, double> Exp { get; } = Find("Exp");

    private static Func<double, double> Find(string name) =>
        (PtxMath.GetMethod(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, [typeof(double)])
            ?? throw new InvalidOperationException($"PTXMath has no {name}(double)")).CreateDelegate<Func<double, double>>();
}
