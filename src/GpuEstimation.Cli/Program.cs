return GpuEstimation.Cli.JitHandoff.Run(args) ?? GpuEstimation.Cli.GpuestApp.RunProcess(args);
