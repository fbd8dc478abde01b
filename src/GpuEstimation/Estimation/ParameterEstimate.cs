namespace GpuEstimation.Estimation;

/// <summary>
/// One parameter's estimate (natural scale), with its standard error (observed information, delta method; null where
/// the Hessian is unsound or the parameter fixed), Wald interval, and profile interval where asked for.
/// </summary>
/// <param name="Name">The parameter's name.</param>
/// <param name="Estimate">The estimate (or the fixed value).</param>
/// <param name="Fixed">Whether the parameter was held at a given value.</param>
/// <param name="StdError">The standard error, where the Hessian allows one.</param>
/// <param name="Wald">The Wald interval at the fit's level.</param>
/// <param name="Profile">The profile-likelihood interval, where asked for.</param>
public sealed record ParameterEstimate(string Name, double Estimate, bool Fixed, double? StdError = null, Interval? Wald = null, Interval? Profile = null)
{
    /// <summary>Estimate / standard error.</summary>
    public double? Z => StdError is { } se && se > 0 ? Estimate / se : null;

    /// <summary>Two-sided p-value of z against the standard normal.</summary>
    public double? PValue => Z is { } z ? 2 * MathNet.Numerics.Distributions.Normal.CDF(0, 1, -Math.Abs(z)) : null;
}
