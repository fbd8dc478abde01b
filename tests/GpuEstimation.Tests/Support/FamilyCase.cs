namespace GpuEstimation.Tests.Support;

/// <summary>One family: a grid of parameters and data, MathNet's log-density, a sampler, the truth for recovery.</summary>
internal sealed record FamilyCase(
    string Name,
    double[][] ParameterGrid,
    double[] DataGrid,
    Func<double[], double, double> Reference,
    Func<double[], System.Random, double> Sample,
    double[] Truth);
