namespace GpuEstimation.Estimation;

/// <summary>The log-likelihood and its gradient (natural scale) at one point.</summary>
/// <param name="Names">The parameter names, in model order.</param>
/// <param name="At">The parameter values evaluated at.</param>
/// <param name="LogLikelihood">The total log-likelihood there.</param>
/// <param name="Gradient">Its gradient with respect to each parameter.</param>
/// <param name="Device">What evaluated: backend and device name.</param>
/// <param name="N">The number of observations.</param>
public sealed record Evaluation(IReadOnlyList<string> Names, double[] At, double LogLikelihood, double[] Gradient, string Device, int N);
