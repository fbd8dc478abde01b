using GpuEstimation.Backends;
using GpuEstimation.Data;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Models;
using GpuEstimation.Tests.Support;
using MathNet.Numerics;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;
using Xunit;

namespace GpuEstimation.Tests.Engine;

/// <summary>
/// The GLM kernel's log-likelihood and gradient against a plain host loop written from the textbook formulas (MathNet's
/// densities and mean functions, no centring, no per-row constants, no tail care), for every family and link it
/// supports, with trials, an offset, frequency weights (some 0) and a feature of mean 100, on each backend present.
/// </summary>
[Collection(DeviceCollection.Name)]
public class GlmEngineTests(DeviceFixture devices)
{
    private const int Rows = 2049;

    public static IEnumerable<object[]> Combinations =>
        from backend in DeviceFixture.Present
        from family in Enum.GetValues<GlmFamily>()
        from link in Enum.GetValues<GlmLink>()
        where GlmModel.Supports(family, link)
        select new object[] { backend, family, link };

    [Theory]
    [MemberData(nameof(Combinations))]
    public void KernelMatchesHostLoop(Backend backend, GlmFamily family, GlmLink link)
    {
        var (data, columns, parameters) = Problem(family, link, intercept: true, seed: 10 * (int)family + (int)link);
        AssertMatches(backend, family, link, data, columns, parameters);
    }

    [Theory]
    [MemberData(nameof(DeviceFixture.Backends), MemberType = typeof(DeviceFixture))]
    public void KernelMatchesHostLoopWithoutIntercept(Backend backend)
    {
        var (data, columns, parameters) = Problem(GlmFamily.NegativeBinomial, GlmLink.Log, intercept: false, seed: 99);
        AssertMatches(backend, GlmFamily.NegativeBinomial, GlmLink.Log, data, columns, parameters);
    }

    private void AssertMatches(Backend backend, GlmFamily family, GlmLink link, Dataset data, ModelColumns columns, double[] parameters)
    {
        var spec = ModelCatalog.Create("glm", data, columns);
        using var engine = spec.CreateEngine(devices[backend]);
        var gradient = new double[parameters.Length];

        double value = engine.Evaluate(parameters, gradient);

        var (expected, expectedGradient, scales) = HostLoop(family, link, data, columns, parameters);
        Assert.True(Numerics.Relative(value, expected) <= 1e-12, $"{family}/{link} on {backend}: log-likelihood {value:R} vs {expected:R}");
        for (int k = 0; k < parameters.Length; k++)
        {
            // Sums of terms of both signs: judged against the sum of their magnitudes.
            Assert.True(Math.Abs(gradient[k] - expectedGradient[k]) <= 1e-11 * scales[k],
                $"{family}/{link} on {backend}: gradient[{spec.Parameters[k].Name}] {gradient[k]:R} vs {expectedGradient[k]:R} (scale {scales[k]:G3})");
        }
    }

    // η in a range the link maps into the family's means: centre c and half-width h of η.
    private static (double Centre, double Half) Range(GlmFamily family, GlmLink link) => (family, link) switch
    {
        (GlmFamily.Binomial, GlmLink.Log) => (-1.5, 1.0),
        (GlmFamily.Binomial, GlmLink.Identity) => (0.5, 0.3),
        (GlmFamily.Binomial, _) => (0.0, 2.5),
        (_, GlmLink.Log) => (0.5, 1.0),
        (_, GlmLink.Identity) => (2.0, 1.0),
        _ => (0.65, 0.35),
    };

    internal static (Dataset, ModelColumns, double[]) Problem(GlmFamily family, GlmLink link, bool intercept, int seed)
    {
        var random = new Xoshiro256StarStar(seed);
        var (c, h) = Range(family, link);
        var x1 = Enumerable.Range(0, Rows).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var x2 = Enumerable.Range(0, Rows).Select(_ => 100 + 2 * random.NextDouble() - 1).ToArray();
        var offset = Enumerable.Range(0, Rows).Select(_ => 0.1 * h * (2 * random.NextDouble() - 1)).ToArray();
        var weights = Enumerable.Range(0, Rows).Select(i => (double)(i % 4)).ToArray();
        var trials = Enumerable.Range(0, Rows).Select(_ => (double)random.Next(1, 6)).ToArray();
        var y = Enumerable.Range(0, Rows).Select(i => family switch
        {
            GlmFamily.Binomial => (double)random.Next(0, (int)trials[i] + 1),
            GlmFamily.Poisson or GlmFamily.NegativeBinomial => random.Next(0, 11),
            GlmFamily.Gamma => 0.1 + 5 * random.NextDouble(),
            _ => -2 + 7 * random.NextDouble(),
        }).ToArray();
        double b1 = 0.4 * h, b2 = 0.4 * h;
        // Without an intercept, x2's coefficient carries the centre: η = b1 x1 + (c/100) x2 + ....
        var coefficients = intercept ? new[] { c - 100 * b2, b1, b2 } : [b1, c / 100];
        var extra = family switch
        {
            GlmFamily.NegativeBinomial => new[] { 0.6 },
            GlmFamily.Gamma => [2.3],
            GlmFamily.Normal => [1.7],
            _ => [],
        };
        var data = Dataset.FromColumns(("y", y), ("x1", x1), ("x2", x2), ("off", offset), ("w", weights), ("n", trials));
        var columns = new ModelColumns(Y: "y", X: ["x1", "x2"], TrialsColumn: family == GlmFamily.Binomial ? "n" : null)
        {
            Family = GlmNames.Name(family),
            Link = GlmNames.Name(link),
            Offset = "off",
            Weights = "w",
            Intercept = intercept,
        };
        return (data, columns, [.. coefficients, .. extra]);
    }

    // The textbook log-likelihood and its gradient, row by row: log f from MathNet, ∂/∂η = (∂ log f/∂μ)(dμ/dη).
    private static (double Value, double[] Gradient, double[] Scales) HostLoop(GlmFamily family, GlmLink link, Dataset data, ModelColumns columns, double[] p)
    {
        double[] y = data.Column("y").ToArray(), x1 = data.Column("x1").ToArray(), x2 = data.Column("x2").ToArray(), off = data.Column("off").ToArray(), w = data.Column("w").ToArray(), n = data.Column("n").ToArray();
        int first = columns.Intercept ? 1 : 0, coefficients = first + 2;
        var values = new List<double>();
        var gradientTerms = Enumerable.Range(0, p.Length).Select(_ => new List<double>()).ToArray();
        for (int i = 0; i < y.Length; i++)
        {
            if (w[i] == 0)
                continue;
            double eta = (columns.Intercept ? p[0] : 0) + p[first] * x1[i] + p[first + 1] * x2[i] + off[i];
            var (mu, dmu) = Mean(link, eta);
            double logf, dlogfDmu, dExtra = 0;
            switch (family)
            {
                case GlmFamily.Binomial:
                    logf = Binomial.PMFLn(mu, (int)n[i], (int)y[i]);
                    dlogfDmu = y[i] / mu - (n[i] - y[i]) / (1 - mu);
                    break;
                case GlmFamily.Poisson:
                    logf = Poisson.PMFLn(mu, (int)y[i]);
                    dlogfDmu = y[i] / mu - 1;
                    break;
                case GlmFamily.NegativeBinomial:
                {
                    double alpha = p[coefficients], r = 1 / alpha;
                    logf = NegativeBinomial.PMFLn(r, r / (r + mu), (int)y[i]);
                    dlogfDmu = y[i] / mu - (r + y[i]) / (r + mu);
                    double dr = SpecialFunctions.DiGamma(y[i] + r) - SpecialFunctions.DiGamma(r) + Math.Log(r / (r + mu)) + (mu - y[i]) / (r + mu);
                    dExtra = -r * r * dr;
                    break;
                }
                case GlmFamily.Gamma:
                {
                    double k = p[coefficients];
                    logf = Gamma.PDFLn(k, k / mu, y[i]);
                    dlogfDmu = k * (y[i] - mu) / (mu * mu);
                    dExtra = Math.Log(k) + 1 - SpecialFunctions.DiGamma(k) + Math.Log(y[i]) - Math.Log(mu) - y[i] / mu;
                    break;
                }
                default:
                {
                    double sigma = p[coefficients], z = (y[i] - mu) / sigma;
                    logf = Normal.PDFLn(mu, sigma, y[i]);
                    dlogfDmu = z / sigma;
                    dExtra = (z * z - 1) / sigma;
                    break;
                }
            }
            double score = dlogfDmu * dmu;
            values.Add(w[i] * logf);
            if (columns.Intercept)
                gradientTerms[0].Add(w[i] * score);
            gradientTerms[first].Add(w[i] * score * x1[i]);
            gradientTerms[first + 1].Add(w[i] * score * x2[i]);
            if (p.Length > coefficients)
                gradientTerms[coefficients].Add(w[i] * dExtra);
        }
        return (Numerics.Sum(values), gradientTerms.Select(Numerics.Sum).ToArray(), gradientTerms.Select(t => Numerics.Sum(t.Select(Math.Abs))).ToArray());
    }

    private static (double Mu, double Dmu) Mean(GlmLink link, double eta) => link switch
    {
        GlmLink.Logit => (1 / (1 + Math.Exp(-eta)), Math.Exp(-eta) / ((1 + Math.Exp(-eta)) * (1 + Math.Exp(-eta)))),
        GlmLink.Probit => (Normal.CDF(0, 1, eta), Normal.PDF(0, 1, eta)),
        GlmLink.CLogLog => (1 - Math.Exp(-Math.Exp(eta)), Math.Exp(eta - Math.Exp(eta))),
        GlmLink.Log => (Math.Exp(eta), Math.Exp(eta)),
        GlmLink.Identity => (eta, 1),
        _ => (1 / eta, -1 / (eta * eta)),
    };
}
