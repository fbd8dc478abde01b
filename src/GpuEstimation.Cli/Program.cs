return GpuEstimation.Cli.GpuestApp.Run(args, Console.Out, Console.Error);
