using GpuEstimation.Kernels;
using GpuEstimation.Kernels.Models;
using MathNet.Numerics.Distributions;

namespace GpuEstimation.Models;

/// <summary>
/// Starting values for a <see cref="GlmModel"/>, R's <c>glm</c>'s first IRLS iterate: each y moved inside the family's
/// mean range (binomial (y + ½)/(n + 1), counts y + 0.1) as μ₀, and its working response g(μ₀) + g'(μ₀)(y − μ₀)
/// regressed on the features with weights 1/(V(μ₀) g'(μ₀)²) (one host pass, QR in parallel); where that puts some row's mean
/// outside the link's range, the
/// intercept alone at g(mean y) and slopes 0. The family's own parameter by moments at those means.
/// </summary>
internal static class GlmStart
{
    /// <summary>Starting values (natural scale, the model's parameter order) and scales for the optimizer.</summary>
    public static (double[] Start, double[] Scales) Values(GlmFamily family, GlmLink link, double[] y, double[]? trials,
        double[]? offset, double[]? weights, ReadOnlyMemory<double>[] centred, double[] means, bool intercept)
    {
        int n = y.Length, k = centred.Length, first = intercept ? 1 : 0, p = k + first;
        double W(int i) => weights?[i] ?? 1.0;
        double Offset(int i) => offset?[i] ?? 0.0;
        double N(int i) => trials?[i] ?? 1.0;

        double totalWeight = 0, meanY = 0, meanOffset = 0;
        for (int i = 0; i < n; i++)
        {
            totalWeight += W(i);
            meanY += W(i) * (family == GlmFamily.Binomial ? y[i] / N(i) : y[i]);
            meanOffset += W(i) * Offset(i);
        }
        meanY /= totalWeight;
        meanOffset /= totalWeight;

        // Centred coefficients: η = c + Σ bⱼ x̃ⱼ + offset (c the centred intercept; 0 without an intercept).
        var coefficients = LeastSquares(family, link, y, trials, offset, weights, centred, intercept, meanY)
            ?? Flat(p, intercept, LinkOf(link, InsideMean(family, meanY)) - meanOffset);
        if (!AllInside(family, link, coefficients, centred, offset, weights, intercept, n))
            coefficients = Flat(p, intercept, LinkOf(link, InsideMean(family, meanY)) - meanOffset);

        var start = new double[p + (GlmModel.HasExtraParameter(family) ? 1 : 0)];
        var scales = new double[start.Length];
        double root = Math.Sqrt(totalWeight);
        for (int j = 0; j < k; j++)
        {
            start[first + j] = coefficients[first + j];
            double sd = Moments.StandardDeviation(centred[j].Span);
            scales[first + j] = sd > 0 ? 1 / (sd * root) : 1.0;
        }
        if (intercept)
        {
            double raw = coefficients[0];
            scales[0] = 1 / root;
            for (int j = 0; j < k; j++)
            {
                raw -= coefficients[1 + j] * means[j];
                scales[0] += Math.Abs(means[j]) * scales[1 + j];
            }
            start[0] = raw;
        }
        if (GlmModel.HasExtraParameter(family))
        {
            start[p] = ExtraByMoments(family, link, y, coefficients, centred, offset, weights, intercept);
            scales[p] = 0.1;
        }
        return (start, scales);
    }

    private static double[] Flat(int p, bool intercept, double c)
    {
        var coefficients = new double[p];
        if (intercept && double.IsFinite(c))
            coefficients[0] = c;
        return coefficients;
    }

    // Weighted least squares of g(μ₀) − offset on [1 X̃] (Householder QR of the rows times √weight, in parallel); null
    // where the design is singular or gives no finite answer.
    private static double[]? LeastSquares(GlmFamily family, GlmLink link, double[] y, double[]? trials, double[]? offset,
        double[]? weights, ReadOnlyMemory<double>[] centred, bool intercept, double meanY)
    {
        int n = y.Length;
        var z = new double[n];
        var scale = new double[n];
        double fallback = LinkOf(link, InsideMean(family, meanY));
        // A normal y may lie anywhere, so g(y) under a log or inverse link is no guide (y near 0 gives 1/y without
        // bound): there the working response of IRLS's first step from μ = ȳ, g(ȳ) + g'(ȳ)(y − ȳ), is regressed.
        bool working = family == GlmFamily.Normal && link != GlmLink.Identity;
        double slope = link == GlmLink.Log ? 1 / meanY : -1 / (meanY * meanY);
        for (int i = 0; i < n; i++)
        {
            double w = weights?[i] ?? 1.0;
            if (w == 0)
                continue;
            double zi;
            if (working)
                zi = fallback + slope * (y[i] - meanY);
            else
            {
                // IRLS's first step from μ₀ = the row moved inside the range (R's glm): the working response
                // g(μ₀) + g'(μ₀)(y − μ₀) with weight 1/(V(μ₀) g'(μ₀)²), so that the start is R's first iterate (the
                // link of μ₀ alone, regressed unweighted, starts a logistic fit ~100 standard errors away).
                double rowTrials = trials?[i] ?? 1.0;
                double mu = InsideRow(family, y[i], rowTrials, meanY);
                double observed = family == GlmFamily.Binomial ? y[i] / rowTrials : y[i];
                double derivative = LinkDerivative(link, mu);
                double weight = (family == GlmFamily.Binomial ? rowTrials : 1.0) / (Variance(family, mu) * derivative * derivative);
                zi = LinkOf(link, mu) + derivative * (observed - mu);
                if (double.IsFinite(weight) && weight > 0)
                    w *= weight;
            }
            if (!double.IsFinite(zi))
                zi = fallback;
            z[i] = zi - (offset?[i] ?? 0.0);
            scale[i] = Math.Sqrt(w);
        }
        var (solution, singular) = Design.Householder.LeastSquares(z, centred, intercept, scale);
        return !singular && solution.All(double.IsFinite) ? solution : null;
    }

    // The mean a row starts at, inside the family's range: binomial (y + ½)/(n + 1), counts y + 0.1 (as R's glm), or
    // y + 0.1 ȳ where the mean ȳ is below 1: a Poisson quasi-likelihood of responses near 10⁻¹⁵ started at log 0.1,
    // 31 log units from its maximum, where the stopping rule (in the model-based errors, ~10⁶ there) ended it 1.5% off
    // in a slope, and at 10⁻¹⁸ the search ran off (a trial).
    private static double InsideRow(GlmFamily family, double y, double trials, double meanY) => family switch
    {
        GlmFamily.Binomial => (y + 0.5) / (trials + 1.0),
        GlmFamily.Poisson or GlmFamily.NegativeBinomial => y + 0.1 * (meanY > 0 ? Math.Min(1, meanY) : 1),
        _ => y,
    };

    // The overall mean (a proportion for the binomial), inside the family's range (counts: 0.1 where every one is 0).
    private static double InsideMean(GlmFamily family, double mean) => family switch
    {
        GlmFamily.Binomial => Math.Clamp(mean, 1e-6, 1 - 1e-6),
        GlmFamily.Poisson or GlmFamily.NegativeBinomial => mean > 0 ? mean : 0.1,
        _ => mean,
    };

    // dη/dμ at μ.
    private static double LinkDerivative(GlmLink link, double mu) => link switch
    {
        GlmLink.Logit => 1 / (mu * (1 - mu)),
        GlmLink.Probit => 1 / Normal.PDF(0, 1, Normal.InvCDF(0, 1, mu)),
        GlmLink.CLogLog => 1 / ((1 - mu) * -Math.Log(1 - mu)),
        GlmLink.Log => 1 / mu,
        GlmLink.Identity => 1,
        _ => -1 / (mu * mu),
    };

    // The family's variance function V(μ) (the binomial's per trial; NB2 as the Poisson, α being unknown at the start,
    // as MASS's glm.nb starts from a Poisson fit).
    private static double Variance(GlmFamily family, double mu) => family switch
    {
        GlmFamily.Binomial => mu * (1 - mu),
        GlmFamily.Poisson or GlmFamily.NegativeBinomial => mu,
        GlmFamily.Gamma => mu * mu,
        _ => 1,
    };

    private static double LinkOf(GlmLink link, double mu) => link switch
    {
        GlmLink.Logit => Math.Log(mu / (1 - mu)),
        GlmLink.Probit => Normal.InvCDF(0, 1, mu),
        GlmLink.CLogLog => Math.Log(-Math.Log(1 - mu)),
        GlmLink.Log => Math.Log(mu),
        GlmLink.Identity => mu,
        _ => 1 / mu,
    };

    // The rows' linear predictors η in blocks, a column at a time (each row's terms added in the same order as row by
    // row: the centred intercept, the features in order, the offset), handed to visit with the block's first row.
    private static void Etas(double[] coefficients, ReadOnlyMemory<double>[] centred, double[]? offset, bool intercept, int n, Func<int, ReadOnlySpan<double>, bool> visit)
    {
        const int Block = 4096;
        var slopes = coefficients[(intercept ? 1 : 0)..];
        var eta = new double[Math.Min(Block, n)];
        for (int begin = 0; begin < n; begin += Block)
        {
            var block = eta.AsSpan(0, Math.Min(Block, n - begin));
            block.Fill(intercept ? coefficients[0] : 0.0);
            Data.ColumnArrays.AddTerms(block, begin, centred, slopes);
            if (offset is not null)
            {
                for (int i = 0; i < block.Length; i++)
                    block[i] += offset[begin + i];
            }
            if (!visit(begin, block))
                return;
        }
    }

    // Every row of positive weight has a mean the family allows (a start outside makes the objective NaN there).
    private static bool AllInside(GlmFamily family, GlmLink link, double[] coefficients, ReadOnlyMemory<double>[] centred, double[]? offset, double[]? weights, bool intercept, int n)
    {
        bool all = true;
        int side = 1;
        Etas(coefficients, centred, offset, intercept, n, (begin, eta) =>
        {
            if (begin == 0)
                side = Math.Sign(eta[0]);
            for (int i = 0; i < eta.Length && all; i++)
            {
                if (weights is not null && weights[begin + i] == 0)
                    continue;
                double mu = GlmMean.Of(link, eta[i]);
                bool inside = family switch
                {
                    GlmFamily.Binomial => mu > 0 && mu < 1,
                    // Under the inverse link, η of one sign: a start across μ's pole at η = 0 is no start.
                    GlmFamily.Normal => double.IsFinite(mu) && (link != GlmLink.Inverse || Math.Sign(eta[i]) == side),
                    _ => mu > 0 && double.IsFinite(mu),
                };
                all = inside && double.IsFinite(eta[i]);
            }
            return all;
        });
        return all;
    }

    // NB2: α from Var = μ + αμ²; gamma: 1/k from Var = μ²/k; normal: σ from the residuals; each at the starting means.
    private static double ExtraByMoments(GlmFamily family, GlmLink link, double[] y, double[] coefficients, ReadOnlyMemory<double>[] centred,
        double[]? offset, double[]? weights, bool intercept)
    {
        double numerator = 0, denominator = 0;
        // The normal family's Σ w r² scaled: residuals of 10²⁰⁰ would overflow it, and σ start at 1, where the
        // log-likelihood is not finite (a trial: exit 3 on data the linear model fits).
        var squares = new ScaledSquares();
        Etas(coefficients, centred, offset, intercept, y.Length, (begin, eta) =>
        {
            for (int k = 0; k < eta.Length; k++)
            {
                int i = begin + k;
                double w = weights?[i] ?? 1.0;
                double mu = GlmMean.Of(link, eta[k]);
                double r = y[i] - mu;
                switch (family)
                {
                    case GlmFamily.NegativeBinomial:
                        numerator += w * (r * r - mu);
                        denominator += w * mu * mu;
                        break;
                    case GlmFamily.Gamma:
                        numerator += w;
                        denominator += w * (r / mu) * (r / mu);
                        break;
                    default:
                        squares.Add(Math.Sqrt(w) * r);
                        denominator += w;
                        break;
                }
            }
            return true;
        });
        double value = numerator / denominator;
        return family switch
        {
            GlmFamily.NegativeBinomial => double.IsFinite(value) ? Math.Clamp(value, 0.01, 100) : 0.1,
            GlmFamily.Gamma => double.IsFinite(value) ? Math.Clamp(value, 1e-3, 1e6) : 1.0,
            _ => Moments.PositiveOr(squares.RootOver(denominator), 1.0),
        };
    }
}
