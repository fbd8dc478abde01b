return GpuEstimation.Cli.GpuestApp.RunProcess(args);
