namespace GpuEstimation.Priors;

/// <summary>
/// Where a prior's log-density has a kink: log p(x) + <paramref name="Weight"/>·|x − <paramref name="Location"/>| is
/// smooth there. The Laplace prior's kink is its location, with weight 1/b: the L1 (lasso) penalty |x − loc|/b.
/// </summary>
/// <param name="Location">The kink (the prior's mode).</param>
/// <param name="Weight">The jump of the log-density's slope across the kink, halved: w in −w·|x − loc|.</param>
public sealed record PriorKink(double Location, double Weight);
