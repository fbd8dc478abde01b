using GpuEstimation.Kernels;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace GpuEstimation.Bench;

/// <summary>
/// Accuracy of DeviceMath and XMath log and exp against System.Math, in ulps, over 10⁶ random arguments per range, on
/// the host, through a kernel on ILGPU's CPU accelerator, and (for XMath) the code it compiles for CUDA run on the host
/// (<see cref="XMathGpuPath"/>; <c>dotnet run -c Release -- accuracy</c>).
/// </summary>
internal static class DeviceMathAccuracy
{
    private const int N = 1_000_000;

    /// <summary>Writes one line per function, range, implementation and place: worst and mean ulp, share identical.</summary>
    public static void Print()
    {
        using var context = Context.Create(builder => builder.CPU().EnableAlgorithms());
        using var accelerator = context.CreateCPUAccelerator(0);
        var ranges = new (string Name, double[] X, Func<double, double> Reference, Func<double, double> Ours, Func<double, double> XMathF, Func<double, double> XMathGpu, Action<Index1D, ArrayView<double>, ArrayView<double>> OursKernel, Action<Index1D, ArrayView<double>, ArrayView<double>> XMathKernel)[]
        {
            ("log 1e-6..1e6", DeviceMathArguments.Log(N, 11), Math.Log, DeviceMath.Log, XMath.Log, XMathGpuPath.Log, DeviceMathLogKernel, XMathLogKernel),
            ("log whole range", DeviceMathArguments.LogWholeRange(N, 12), Math.Log, DeviceMath.Log, XMath.Log, XMathGpuPath.Log, DeviceMathLogKernel, XMathLogKernel),
            ("exp -40..40", DeviceMathArguments.Exp(N, 13), Math.Exp, DeviceMath.Exp, XMath.Exp, XMathGpuPath.Exp, DeviceMathExpKernel, XMathExpKernel),
            ("exp whole range", DeviceMathArguments.ExpWholeRange(N, 14), Math.Exp, DeviceMath.Exp, XMath.Exp, XMathGpuPath.Exp, DeviceMathExpKernel, XMathExpKernel),
        };
        foreach (var r in ranges)
        {
            var reference = Array.ConvertAll(r.X, v => r.Reference(v));
            Report(r.Name, "DeviceMath", "host", Array.ConvertAll(r.X, v => r.Ours(v)), reference);
            Report(r.Name, "XMath", "host", Array.ConvertAll(r.X, v => r.XMathF(v)), reference);
            Report(r.Name, "XMath", "CUDA code", Array.ConvertAll(r.X, v => r.XMathGpu(v)), reference);
            Report(r.Name, "DeviceMath", "CPU accelerator", OnAccelerator(accelerator, r.OursKernel, r.X), reference);
            Report(r.Name, "XMath", "CPU accelerator", OnAccelerator(accelerator, r.XMathKernel, r.X), reference);
        }
    }

    private static void Report(string range, string implementation, string place, double[] values, double[] reference)
    {
        double worst = 0, total = 0;
        int identical = 0;
        for (int i = 0; i < values.Length; i++)
        {
            double ulps = Ulps(values[i], reference[i]);
            worst = Math.Max(worst, ulps);
            total += ulps;
            identical += ulps == 0 ? 1 : 0;
        }
        Console.WriteLine($"{range,-16} {implementation,-10} {place,-15} worst {worst,4:G3} ulp  mean {total / values.Length:F4} ulp  identical to System.Math {100.0 * identical / values.Length:F2}%");
    }

    private static double[] OnAccelerator(Accelerator accelerator, Action<Index1D, ArrayView<double>, ArrayView<double>> body, double[] x)
    {
        var kernel = accelerator.LoadAutoGroupedStreamKernel(body);
        using var input = accelerator.Allocate1D(x);
        using var output = accelerator.Allocate1D<double>(x.Length);
        kernel(x.Length, input.View, output.View);
        return output.GetAsArray1D();
    }

    // Distance in representable doubles (both finite and of one sign here).
    private static double Ulps(double a, double b) =>
        a.Equals(b) ? 0 : double.IsFinite(a) ? Math.Abs((double)(BitConverter.DoubleToInt64Bits(a) - BitConverter.DoubleToInt64Bits(b))) : double.PositiveInfinity;

    private static void DeviceMathLogKernel(Index1D i, ArrayView<double> x, ArrayView<double> y) => y[i] = DeviceMath.Log(x[i]);

    private static void XMathLogKernel(Index1D i, ArrayView<double> x, ArrayView<double> y) => y[i] = XMath.Log(x[i]);

    private static void DeviceMathExpKernel(Index1D i, ArrayView<double> x, ArrayView<double> y) => y[i] = DeviceMath.Exp(x[i]);

    private static void XMathExpKernel(Index1D i, ArrayView<double> x, ArrayView<double> y) => y[i] = XMath.Exp(x[i]);
}
