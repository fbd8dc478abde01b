using GpuEstimation.Cli;
using Xunit;

namespace GpuEstimation.Tests.Cli;

/// <summary>
/// Which command lines the fast-start (native AOT) build hands to its JIT build: those that need code generated at run
/// time (ILGPU's devices, compiled expressions), MPI runs and the devices command; the native backend's it runs itself.
/// The tests run under the JIT, where nothing is handed on (<see cref="JitHandoff.Run"/> returns null).
/// </summary>
public class JitHandoffTests
{
    private static readonly Func<bool> NoGpu = () => false;
    private static readonly Func<bool> Gpu = () => true;

    [Theory]
    [InlineData("fit --model normal --data x.csv --column x")]
    [InlineData("fit --model normal --data x.csv --column x --device native")]
    [InlineData("fit --model normal --data x.csv --column x --device native:2")]
    [InlineData("fit --model normal --data x.csv --column x --device=native")]
    [InlineData("fit --model normal --data x.csv --column x --device auto")]
    [InlineData("fit --model glm --family poisson --data x.csv --formula y~x")]
    [InlineData("sweep --model normal --data x.csv --column x --grid mu=0:1:5")]
    [InlineData("demo")]
    [InlineData("plot --prior-sd 1")]
    [InlineData("--help")]
    public void NativeWorkStaysWithoutAGpuDriver(string line)
    {
        Assert.Null(JitHandoff.Reason(line.Split(' '), NoGpu, mpi: false));
    }

    [Theory]
    [InlineData("fit --data x.csv --logpdf normal_lpdf(x,m,s) --param m,s:positive", "--logpdf")]
    [InlineData("fit --model nonlinear --data x.csv --y y --mean a*x --start a=1", "--mean")]
    [InlineData("fit --model normal --data x.csv --column x --device cuda", "--device cuda")]
    [InlineData("fit --model normal --data x.csv --column x --device=opencl", "--device opencl")]
    [InlineData("fit --model normal --data x.csv --column x --device:cpu", "--device cpu")]
    [InlineData("fit --data x.csv --logpdf:normal_lpdf(x,m,s) --param m,s:positive", "--logpdf")]
    [InlineData("eval --model normal --data x.csv --column x --at mu=0,sigma=1 --device cpu", "--device cpu")]
    [InlineData("fit --model normal --data x.csv --column x --device cuda:all", "--device cuda:all")]
    [InlineData("devices", "the devices command")]
    public void GeneratedCodeGoesToTheJitBuild(string line, string reason)
    {
        Assert.StartsWith(reason, JitHandoff.Reason(line.Split(' '), NoGpu, mpi: false));
    }

    // With a CUDA or OpenCL driver on the machine, auto could pick the GPU: handed on; native stays.
    [Fact]
    public void AutoOnAMachineWithAGpuDriverGoesToTheJitBuild()
    {
        Assert.Equal("--device auto on a machine with a GPU driver", JitHandoff.Reason(["fit", "--model", "normal", "--data", "x.csv", "--column", "x"], Gpu, mpi: false));
        Assert.Null(JitHandoff.Reason(["fit", "--model", "normal", "--data", "x.csv", "--column", "x", "--device", "native"], Gpu, mpi: false));
        Assert.Equal("a run under MPI", JitHandoff.Reason(["fit", "--model", "normal", "--device", "native"], NoGpu, mpi: true));
    }

    [Fact]
    public void AJitProcessRunsEverythingItself()
    {
        Assert.Null(JitHandoff.Run(["devices"]));
    }
}
