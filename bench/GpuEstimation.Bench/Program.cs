using BenchmarkDotNet.Running;
using GpuEstimation.Bench;

// dotnet run -c Release --project bench/GpuEstimation.Bench -- --filter '*'
// dotnet run -c Release --project bench/GpuEstimation.Bench -- accuracy   (DeviceMath and XMath against System.Math)
// dotnet run -c Release --project bench/GpuEstimation.Bench -- read-rate [ROWS [ROUNDS]]   (.npy against Parquet, issue 16)
// dotnet run -c Release --project bench/GpuEstimation.Bench -- family-rates [ROUNDS]   (families against the Normal, issue 17)
// dotnet run -c Release --project bench/GpuEstimation.Bench -- csv-memory [ROWS]   (CSV reading's peak memory against the doubles, issue 16)
if (args is ["accuracy"])
    DeviceMathAccuracy.Print();
else if (args is ["read-rate", ..])
    ReadRate.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000_000,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 7);
else if (args is ["family-rates", ..])
    FamilyRates.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 60);
else if (args is ["csv-memory", ..])
    CsvMemory.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000_000);
else
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
