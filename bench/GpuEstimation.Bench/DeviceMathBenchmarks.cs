using BenchmarkDotNet.Attributes;
using GpuEstimation.Kernels;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace GpuEstimation.Bench;

/// <summary>
/// Double log and exp over 10⁶ arguments: System.Math, DeviceMath and ILGPU.Algorithms' XMath, on the host (a plain
/// loop) and in a kernel on ILGPU's CPU accelerator (algorithms enabled, as a GPU context would have them), and the code
/// XMath compiles for CUDA (<see cref="XMathGpuPath"/>) run on the host. Accuracy
/// is reported separately (<c>-- accuracy</c>, <see cref="DeviceMathAccuracy"/>).
/// </summary>
[Config(typeof(ShortInProcessConfig))]
public class DeviceMathBenchmarks
{
    private const int N = 1_000_000;

    private double[] _log = [];
    private double[] _exp = [];
    private Context? _context;
    private Accelerator? _accelerator;
    private MemoryBuffer1D<double, Stride1D.Dense>? _logInput, _expInput, _output;
    private Action<Index1D, ArrayView<double>, ArrayView<double>>? _deviceMathLog, _xMathLog, _deviceMathExp, _xMathExp;

    [GlobalSetup]
    public void Setup()
    {
        _log = DeviceMathArguments.Log(N, 1);
        _exp = DeviceMathArguments.Exp(N, 2);
        _context = Context.Create(builder => builder.CPU().EnableAlgorithms());
        _accelerator = _context.CreateCPUAccelerator(0);
        _logInput = _accelerator.Allocate1D(_log);
        _expInput = _accelerator.Allocate1D(_exp);
        _output = _accelerator.Allocate1D<double>(N);
        _deviceMathLog = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>>(DeviceMathLogKernel);
        _xMathLog = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>>(XMathLogKernel);
        _deviceMathExp = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>>(DeviceMathExpKernel);
        _xMathExp = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>>(XMathExpKernel);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _output?.Dispose();
        _expInput?.Dispose();
        _logInput?.Dispose();
        _accelerator?.Dispose();
        _context?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "host log: System.Math")]
    public double HostMathLog() => Sum(_log, Math.Log);

    [Benchmark(Description = "host log: DeviceMath")]
    public double HostDeviceMathLog() => Sum(_log, DeviceMath.Log);

    [Benchmark(Description = "host log: XMath")]
    public double HostXMathLog() => Sum(_log, XMath.Log);

    [Benchmark(Description = "host log: XMath's CUDA code")]
    public double HostXMathGpuLog() => Sum(_log, XMathGpuPath.Log);

    [Benchmark(Description = "host exp: System.Math")]
    public double HostMathExp() => Sum(_exp, Math.Exp);

    [Benchmark(Description = "host exp: DeviceMath")]
    public double HostDeviceMathExp() => Sum(_exp, DeviceMath.Exp);

    [Benchmark(Description = "host exp: XMath")]
    public double HostXMathExp() => Sum(_exp, XMath.Exp);

    [Benchmark(Description = "host exp: XMath's CUDA code")]
    public double HostXMathGpuExp() => Sum(_exp, XMathGpuPath.Exp);

    [Benchmark(Description = "CPU accelerator log: DeviceMath")]
    public void AcceleratorDeviceMathLog() => Launch(_deviceMathLog!, _logInput!);

    [Benchmark(Description = "CPU accelerator log: XMath")]
    public void AcceleratorXMathLog() => Launch(_xMathLog!, _logInput!);

    [Benchmark(Description = "CPU accelerator exp: DeviceMath")]
    public void AcceleratorDeviceMathExp() => Launch(_deviceMathExp!, _expInput!);

    [Benchmark(Description = "CPU accelerator exp: XMath")]
    public void AcceleratorXMathExp() => Launch(_xMathExp!, _expInput!);

    // A sum keeps the calls from being removed; the delegate costs the same for every implementation.
    private static double Sum(double[] x, Func<double, double> f)
    {
        double sum = 0;
        foreach (var v in x)
            sum += f(v);
        return sum;
    }

    private void Launch(Action<Index1D, ArrayView<double>, ArrayView<double>> kernel, MemoryBuffer1D<double, Stride1D.Dense> input)
    {
        kernel(N, input.View, _output!.View);
        _accelerator!.Synchronize();
    }

    private static void DeviceMathLogKernel(Index1D i, ArrayView<double> x, ArrayView<double> y) => y[i] = DeviceMath.Log(x[i]);

    private static void XMathLogKernel(Index1D i, ArrayView<double> x, ArrayView<double> y) => y[i] = XMath.Log(x[i]);

    private static void DeviceMathExpKernel(Index1D i, ArrayView<double> x, ArrayView<double> y) => y[i] = DeviceMath.Exp(x[i]);

    private static void XMathExpKernel(Index1D i, ArrayView<double> x, ArrayView<double> y) => y[i] = XMath.Exp(x[i]);
}
