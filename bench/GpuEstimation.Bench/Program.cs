using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/GpuEstimation.Bench -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
