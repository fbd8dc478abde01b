using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Models;

namespace GpuEstimation.Models;

/// <summary>
/// The inverse links on the host: the mean μ = g⁻¹(η), for the binomial links also 1 − μ computed directly (no
/// cancellation as μ → 1), and the slope dμ/dη for the delta method. The fit statistics and predictions use them; the
/// kernels have their own, in log form (<see cref="GlmModel"/>).
/// </summary>
public static class GlmMean
{
    private const double InverseSqrtTwoPi = 0.398942280401432677939946059934;

    /// <summary>The mean μ = g⁻¹(η) under <paramref name="link"/> (a probability for the binomial links).</summary>
    public static double Of(GlmLink link, double eta) => link switch
    {
        GlmLink.Logit => eta >= 0 ? 1.0 / (1.0 + Math.Exp(-eta)) : Math.Exp(eta) / (1.0 + Math.Exp(eta)),
        GlmLink.Probit => Math.Exp(DeviceMath.LogNormalCdf(eta)),
        GlmLink.CLogLog => -DeviceMath.Expm1(-Math.Exp(eta)),
        GlmLink.Log => Math.Exp(eta),
        GlmLink.Identity => eta,
        _ => 1.0 / eta,
    };

    /// <summary>The link itself, η = g(μ) (for an exact-fit check of the responses: g(y) linear in the features).</summary>
    public static double LinkOf(GlmLink link, double mu) => link switch
    {
        GlmLink.Logit => Math.Log(mu / (1.0 - mu)),
        GlmLink.Probit => MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, mu),
        GlmLink.CLogLog => Math.Log(-Math.Log(1.0 - mu)),
        GlmLink.Log => Math.Log(mu),
        GlmLink.Identity => mu,
        _ => 1.0 / mu,
    };

    /// <summary>1 − μ for a probability μ = g⁻¹(η), each link's directly.</summary>
    public static double Complement(GlmLink link, double eta) => link switch
    {
        GlmLink.Logit => Of(link, -eta),
        GlmLink.Probit => Math.Exp(DeviceMath.LogNormalCdf(-eta)),
        GlmLink.CLogLog => Math.Exp(-Math.Exp(eta)),
        GlmLink.Log => -DeviceMath.Expm1(eta),
        _ => 1.0 - Of(link, eta),
    };

    /// <summary>
    /// log μ for a probability μ = g⁻¹(η), each link's directly: finite where μ itself underflows to 0 (a probit's η of
    /// −40, whose row a statistic of the fit still counts).
    /// </summary>
    public static double LogOf(GlmLink link, double eta) => link switch
    {
        GlmLink.Logit => eta >= 0 ? -DeviceMath.Log1p(Math.Exp(-eta)) : eta - DeviceMath.Log1p(Math.Exp(eta)),
        GlmLink.Probit => DeviceMath.LogNormalCdf(eta),
        GlmLink.CLogLog => DeviceMath.LogOneMinusExp(-Math.Exp(eta)),
        GlmLink.Log => eta,
        _ => Math.Log(Of(link, eta)),
    };

    /// <summary>log(1 − μ) for a probability μ = g⁻¹(η), each link's directly (finite where 1 − μ underflows).</summary>
    public static double LogComplement(GlmLink link, double eta) => link switch
    {
        GlmLink.Logit => LogOf(link, -eta),
        GlmLink.Probit => DeviceMath.LogNormalCdf(-eta),
        GlmLink.CLogLog => -Math.Exp(eta),
        GlmLink.Log => DeviceMath.LogOneMinusExp(eta),
        _ => Math.Log(Complement(link, eta)),
    };

    /// <summary>The slope dμ/dη at <paramref name="eta"/>.</summary>
    public static double Slope(GlmLink link, double eta) => link switch
    {
        GlmLink.Logit => Of(link, eta) * Of(link, -eta),
        GlmLink.Probit => InverseSqrtTwoPi * Math.Exp(-0.5 * eta * eta),
        GlmLink.CLogLog => Math.Exp(eta - Math.Exp(eta)),
        GlmLink.Log => Math.Exp(eta),
        GlmLink.Identity => 1.0,
        _ => -1.0 / (eta * eta),
    };
}
