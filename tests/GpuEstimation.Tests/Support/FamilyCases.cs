using MathNet.Numerics.Distributions;

namespace GpuEstimation.Tests.Support;

/// <summary>
/// The distribution catalogue's test cases, shared by the family tests and any test that needs a family's reference
/// density, sampler or true parameters.
/// </summary>
internal static class FamilyCases
{
    /// <summary>Trials per observation for the binomial cases.</summary>
    public const double BinomialTrials = 20;

    /// <summary>Every catalogue family, by name.</summary>
    public static IReadOnlyDictionary<string, FamilyCase> All { get; } = new FamilyCase[]
    {
        new("normal", [[0, 1], [-3.5, 0.2], [100, 30]], [-5, -0.3, 0, 1.7, 42, 150], (p, x) => Normal.PDFLn(p[0], p[1], x),
            (p, r) => Normal.Sample(r, p[0], p[1]), [1.5, 2.5]),
        new("lognormal", [[0, 1], [-1.5, 0.3], [2, 1.7]], [1e-3, 0.2, 1, 3.3, 80], (p, x) => LogNormal.PDFLn(p[0], p[1], x),
            (p, r) => LogNormal.Sample(r, p[0], p[1]), [0.7, 0.4]),
        new("exponential", [[1], [0.05], [17]], [0, 0.01, 1, 12.5, 300], (p, x) => Exponential.PDFLn(p[0], x),
            (p, r) => Exponential.Sample(r, p[0]), [2.5]),
        new("gamma", [[1, 1], [0.4, 2.5], [7.5, 0.3]], [1e-3, 0.5, 2, 9, 60], (p, x) => Gamma.PDFLn(p[0], p[1], x),
            (p, r) => Gamma.Sample(r, p[0], p[1]), [2.5, 1.5]),
        new("beta", [[1, 1], [0.5, 3], [8, 2.5]], [1e-4, 0.1, 0.5, 0.77, 0.999], (p, x) => Beta.PDFLn(p[0], p[1], x),
            (p, r) => Beta.Sample(r, p[0], p[1]), [2.0, 5.0]),
        new("weibull", [[1, 1], [0.6, 2], [3.5, 10]], [1e-3, 0.4, 1, 7, 25], (p, x) => Weibull.PDFLn(p[0], p[1], x),
            (p, r) => Weibull.Sample(r, p[0], p[1]), [1.8, 3.0]),
        new("studentt", [[0, 1, 1], [2, 0.5, 4.5], [-10, 3, 60]], [-40, -2, 0, 0.7, 15], (p, x) => StudentT.PDFLn(p[0], p[1], p[2], x),
            (p, r) => StudentT.Sample(r, p[0], p[1], p[2]), [1.0, 2.0, 5.0]),
        new("cauchy", [[0, 1], [3, 0.1], [-20, 15]], [-100, -1, 0, 2.9, 50], (p, x) => Cauchy.PDFLn(p[0], p[1], x),
            (p, r) => Cauchy.Sample(r, p[0], p[1]), [-1.0, 0.5]),
        new("laplace", [[0, 1], [5, 0.3], [-2, 8]], [-30, -1, 0.5, 5, 21], (p, x) => Laplace.PDFLn(p[0], p[1], x),
            (p, r) => Laplace.Sample(r, p[0], p[1]), [0.8, 1.2]),
        new("logistic", [[0, 1], [4, 0.25], [-9, 6]], [-60, -2, 0, 3.9, 40], (p, x) => LogisticLogDensity(p[0], p[1], x),
            (p, r) => { double u = r.NextDouble(); return p[0] + p[1] * Math.Log(u / (1 - u)); }, [2.0, 0.7]),
        new("poisson", [[1], [0.02], [45]], [0, 1, 3, 40, 120], (p, k) => Poisson.PMFLn(p[0], (int)k),
            (p, r) => Poisson.Sample(r, p[0]), [3.5]),
        new("bernoulli", [[0.5], [0.03], [0.9]], [0, 1], (p, k) => Bernoulli.PMFLn(p[0], (int)k),
            (p, r) => Bernoulli.Sample(r, p[0]), [0.3]),
        new("binomial", [[0.5], [0.07], [0.95]], [0, 1, 7, 19, 20], (p, k) => Binomial.PMFLn(p[0], (int)BinomialTrials, (int)k),
            (p, r) => Binomial.Sample(r, p[0], (int)BinomialTrials), [0.35]),
        new("negbinomial", [[1, 0.5], [3.5, 0.2], [40, 0.9]], [0, 1, 5, 30, 200], (p, k) => NegativeBinomial.PMFLn(p[0], p[1], (int)k),
            // MathNet 5.0's NegativeBinomial.Sample disagrees with its own PMF and Mean (sample mean 10.0 for r = 4,
            // p = 0.4, whose mean is 6), so sample as the Gamma-Poisson mixture: λ ~ Gamma(r, p/(1 − p)), k ~ Poisson(λ).
            (p, r) => Poisson.Sample(r, Gamma.Sample(r, p[0], p[1] / (1 - p[1]))), [4.0, 0.4]),
        new("geometric", [[0.5], [0.02], [0.97]], [1, 2, 5, 60, 400], (p, k) => Geometric.PMFLn(p[0], (int)k),
            (p, r) => Geometric.Sample(r, p[0]), [0.25]),
    }.ToDictionary(c => c.Name);

    private static double LogisticLogDensity(double mu, double s, double x)
    {
        double z = (x - mu) / s;
        return -z - Math.Log(s) - 2 * Math.Log(1 + Math.Exp(-z));
    }
}
