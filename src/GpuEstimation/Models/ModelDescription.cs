namespace GpuEstimation.Models;

/// <summary>A built-in model as <see cref="ModelCatalog.Models"/> lists it.</summary>
/// <param name="Name">The name <see cref="ModelCatalog.Create"/> accepts.</param>
/// <param name="Parameters">Its parameters, in words ("mu, sigma").</param>
/// <param name="Inputs">Which data columns it reads.</param>
/// <param name="Support">The values an observation may take, in words.</param>
public sealed record ModelDescription(string Name, string Parameters, ModelInputs Inputs, string Support);
