using BenchmarkDotNet.Running;
using GpuEstimation.Bench;

// dotnet run -c Release --project bench/GpuEstimation.Bench -- --filter '*'
// dotnet run -c Release --project bench/GpuEstimation.Bench -- accuracy   (DeviceMath and XMath against System.Math)
if (args is ["accuracy"])
    DeviceMathAccuracy.Print();
else
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
