using GpuEstimation.Kernels;

namespace GpuEstimation.Expressions;

/// <summary>
/// The functions an expression may call, by name: the elementary ones, and the catalogue's log-densities in Stan's
/// names and argument order (the first argument the observation), each written out in the form its built-in model
/// uses so that the expression gives the same digits.
/// </summary>
internal static class ExpressionFunctions
{
    /// <summary>A function: its argument names (for messages; null for any number, at least two) and how it is built.</summary>
    public sealed record Definition(string[]? Arguments, Func<NodeTable, Node[], Node> Build);

    private static Definition One(Op op) => new(["x"], (t, a) => t.Function(op, a));

    public static IReadOnlyDictionary<string, Definition> All { get; } = new Dictionary<string, Definition>(StringComparer.Ordinal)
    {
        ["log"] = One(Op.Log),
        ["exp"] = One(Op.Exp),
        ["log1p"] = One(Op.Log1p),
        ["expm1"] = One(Op.Expm1),
        ["sqrt"] = One(Op.Sqrt),
        ["abs"] = One(Op.Abs),
        ["sin"] = One(Op.Sin),
        ["cos"] = One(Op.Cos),
        ["tan"] = One(Op.Tan),
        ["atan"] = One(Op.Atan),
        // NIST StRD's spelling (Roszman1), accepted as written.
        ["arctan"] = One(Op.Atan),
        ["lgamma"] = One(Op.LogGamma),
        ["digamma"] = One(Op.Digamma),
        ["erf"] = One(Op.Erf),
        ["erfc"] = One(Op.Erfc),
        ["log_sigmoid"] = One(Op.LogSigmoid),
        ["pow"] = new(["x", "y"], (t, a) => t.Pow(a[0], a[1])),
        ["lbeta"] = new(["a", "b"], (t, a) => LogBeta(t, a[0], a[1])),
        ["min"] = new(["a", "b"], (t, a) => t.Function(Op.Min, a)),
        ["max"] = new(["a", "b"], (t, a) => t.Function(Op.Max, a)),
        ["logsumexp"] = new(null, (t, a) => t.Function(Op.LogSumExp, a)),
        ["normal_lpdf"] = new(["x", "mu", "sigma"], (t, a) => Normal(t, a[0], a[1], a[2])),
        ["lognormal_lpdf"] = new(["x", "mu", "sigma"], (t, a) => Positive(t, a[0], t.Sub(Normal(t, t.Function(Op.Log, a[0]), a[1], a[2]), t.Function(Op.Log, a[0])))),
        ["exponential_lpdf"] = new(["x", "beta"], (t, a) => AtLeast(t, t.Const(0), a[0], t.Sub(t.Function(Op.Log, a[1]), t.Mul(a[1], a[0])))),
        ["gamma_lpdf"] = new(["x", "alpha", "beta"], (t, a) => Positive(t, a[0], Gamma(t, a[0], a[1], a[2]))),
        ["student_t_lpdf"] = new(["x", "nu", "mu", "sigma"], (t, a) => StudentT(t, a[0], a[1], a[2], a[3])),
        ["cauchy_lpdf"] = new(["x", "mu", "sigma"], (t, a) => Cauchy(t, a[0], a[1], a[2])),
        ["logistic_lpdf"] = new(["x", "mu", "sigma"], (t, a) => Logistic(t, a[0], a[1], a[2])),
        ["double_exponential_lpdf"] = new(["x", "mu", "sigma"], (t, a) => Laplace(t, a[0], a[1], a[2])),
        ["weibull_lpdf"] = new(["x", "alpha", "sigma"], (t, a) => Positive(t, a[0], Weibull(t, a[0], a[1], a[2]))),
        ["beta_lpdf"] = new(["x", "alpha", "beta"], (t, a) => Positive(t, a[0], Positive(t, t.Sub(t.Const(1), a[0]), Beta(t, a[0], a[1], a[2])))),
        ["poisson_lpmf"] = new(["n", "lambda"], (t, a) => Count(t, a[0], Poisson(t, a[0], a[1]))),
        ["neg_binomial_2_lpmf"] = new(["n", "mu", "phi"], (t, a) => Count(t, a[0], NegativeBinomial2(t, a[0], a[1], a[2]))),
        ["neg_binomial_lpmf"] = new(["n", "alpha", "beta"], (t, a) => Count(t, a[0], NegativeBinomial(t, a[0], a[1], a[2]))),
        ["binomial_lpmf"] = new(["n", "N", "theta"], (t, a) => Count(t, a[0], Count(t, t.Sub(a[1], a[0]), Binomial(t, a[0], a[1], a[2])))),
        ["bernoulli_lpmf"] = new(["y", "theta"], (t, a) => Count(t, a[0], AtLeast(t, a[0], t.Const(1), Bernoulli(t, a[0], a[1])))),
    };

    // Outside a density's support its log is −∞, as scipy's logpdf and Stan's lpdf give (gamma and Weibull at x = 0 are
    // −∞ here, as the catalogue's x > 0, where scipy gives a finite value for a shape of 1), not the formula's finite value
    // (exponential_lpdf(−1, 2) = log 2 + 2) or NaN (log of a negative x).
    private static readonly double Outside = double.NegativeInfinity;

    /// <summary><paramref name="value"/> where <paramref name="low"/> ≤ <paramref name="x"/>, else −∞.</summary>
    private static Node AtLeast(NodeTable t, Node low, Node x, Node value) => t.IfLessOrEqual(low, x, value, t.Const(Outside));

    /// <summary><paramref name="value"/> where x &gt; 0, else −∞.</summary>
    private static Node Positive(NodeTable t, Node x, Node value) => t.IfLessOrEqual(x, t.Const(0), t.Const(Outside), value);

    /// <summary><paramref name="value"/> where n is a whole number ≥ 0, else −∞ (the support of a count).</summary>
    private static Node Count(NodeTable t, Node n, Node value) =>
        AtLeast(t, t.Const(1), t.Function(Op.IsWhole, n), AtLeast(t, t.Const(0), n, value));

    private static Node LogBeta(NodeTable t, Node a, Node b) =>
        t.Sub(t.Add(t.Function(Op.LogGamma, a), t.Function(Op.LogGamma, b)), t.Function(Op.LogGamma, t.Add(a, b)));

    // As NormalModel: (−log σ − ½ log 2π) − w², w = (x − μ)·(1/(σ√2)).
    private static Node Normal(NodeTable t, Node x, Node mu, Node sigma)
    {
        var c = t.Sub(t.Neg(t.Function(Op.Log, sigma)), t.Const(KernelConstants.HalfLogTwoPi));
        var w = t.Mul(t.Sub(x, mu), t.Div(t.Const(1), t.Mul(sigma, t.Const(KernelConstants.Sqrt2))));
        return t.Sub(c, t.Mul(w, w));
    }

    // As GammaModel: (α log β − log Γ(α)) + (α − 1) log x − βx.
    private static Node Gamma(NodeTable t, Node x, Node alpha, Node beta) =>
        t.Sub(t.Add(t.Sub(t.Mul(alpha, t.Function(Op.Log, beta)), t.Function(Op.LogGamma, alpha)),
            t.Mul(t.Sub(alpha, t.Const(1)), t.Function(Op.Log, x))), t.Mul(beta, x));

    // As StudentTModel: log Γ((ν+1)/2) − log Γ(ν/2) − ½ log(νπ) − log σ − (ν+1)/2 · log1p(z²/ν).
    private static Node StudentT(NodeTable t, Node x, Node nu, Node mu, Node sigma)
    {
        var half = t.Const(0.5);
        var constant = t.Sub(t.Sub(t.Sub(t.Function(Op.LogGamma, t.Mul(half, t.Add(nu, t.Const(1)))), t.Function(Op.LogGamma, t.Mul(half, nu))),
            t.Mul(half, t.Function(Op.Log, t.Mul(nu, t.Const(KernelConstants.Pi))))), t.Function(Op.Log, sigma));
        var z = t.Mul(t.Sub(x, mu), t.Div(t.Const(1), sigma));
        return t.Sub(constant, t.Mul(t.Mul(half, t.Add(nu, t.Const(1))), t.Function(Op.Log1p, t.Mul(t.Mul(z, z), t.Div(t.Const(1), nu)))));
    }

    private static Node Cauchy(NodeTable t, Node x, Node mu, Node sigma)
    {
        var z = t.Div(t.Sub(x, mu), sigma);
        return t.Sub(t.Sub(t.Const(-KernelConstants.LogPi), t.Function(Op.Log, sigma)), t.Function(Op.Log1p, t.Mul(z, z)));
    }

    // −log σ − z + 2 log σ(z), z = (x − μ)/σ: the log-sigmoid keeps both tails finite.
    private static Node Logistic(NodeTable t, Node x, Node mu, Node sigma)
    {
        var z = t.Div(t.Sub(x, mu), sigma);
        return t.Add(t.Sub(t.Neg(t.Function(Op.Log, sigma)), z), t.Mul(t.Const(2), t.Function(Op.LogSigmoid, z)));
    }

    private static Node Laplace(NodeTable t, Node x, Node mu, Node sigma) =>
        t.Sub(t.Neg(t.Function(Op.Log, t.Mul(t.Const(2), sigma))), t.Div(t.Function(Op.Abs, t.Sub(x, mu)), sigma));

    // log α − log σ + (α − 1)(log x − log σ) − e^{α (log x − log σ)}.
    private static Node Weibull(NodeTable t, Node x, Node alpha, Node sigma)
    {
        var logSigma = t.Function(Op.Log, sigma);
        var logRatio = t.Sub(t.Function(Op.Log, x), logSigma);
        return t.Sub(t.Add(t.Sub(t.Function(Op.Log, alpha), logSigma), t.Mul(t.Sub(alpha, t.Const(1)), logRatio)),
            t.Function(Op.Exp, t.Mul(alpha, logRatio)));
    }

    private static Node Beta(NodeTable t, Node x, Node a, Node b) =>
        t.Sub(t.Add(t.Mul(t.Sub(a, t.Const(1)), t.Function(Op.Log, x)), t.Mul(t.Sub(b, t.Const(1)), t.Function(Op.Log1p, t.Neg(x)))), LogBeta(t, a, b));

    // n = 0 apart (−λ): 0 · log λ would be NaN at λ = 0, the edge where all-zero data put the MLE.
    private static Node Poisson(NodeTable t, Node n, Node lambda) =>
        t.IfLessOrEqual(n, t.Const(0), t.Neg(lambda),
            t.Sub(t.Sub(t.Mul(n, t.Function(Op.Log, lambda)), lambda), t.Function(Op.LogGamma, t.Add(n, t.Const(1)))));

    // log Γ(n + φ) − log Γ(n + 1) − log Γ(φ) + φ (log φ − log(μ + φ)) + n (log μ − log(μ + φ)).
    private static Node NegativeBinomial2(NodeTable t, Node n, Node mu, Node phi)
    {
        var logSum = t.Function(Op.Log, t.Add(mu, phi));
        var choose = t.Sub(t.Sub(t.Function(Op.LogGamma, t.Add(n, phi)), t.Function(Op.LogGamma, t.Add(n, t.Const(1)))), t.Function(Op.LogGamma, phi));
        return t.Add(t.Add(choose, t.Mul(phi, t.Sub(t.Function(Op.Log, phi), logSum))), t.Mul(n, t.Sub(t.Function(Op.Log, mu), logSum)));
    }

    // log Γ(n + α) − log Γ(n + 1) − log Γ(α) + α (log β − log(1 + β)) − n log(1 + β).
    private static Node NegativeBinomial(NodeTable t, Node n, Node alpha, Node beta)
    {
        var logOnePlus = t.Function(Op.Log1p, beta);
        var choose = t.Sub(t.Sub(t.Function(Op.LogGamma, t.Add(n, alpha)), t.Function(Op.LogGamma, t.Add(n, t.Const(1)))), t.Function(Op.LogGamma, alpha));
        return t.Sub(t.Add(choose, t.Mul(alpha, t.Sub(t.Function(Op.Log, beta), logOnePlus))), t.Mul(n, logOnePlus));
    }

    private static Node Binomial(NodeTable t, Node n, Node trials, Node theta)
    {
        var one = t.Const(1);
        var choose = t.Sub(t.Sub(t.Function(Op.LogGamma, t.Add(trials, one)), t.Function(Op.LogGamma, t.Add(n, one))),
            t.Function(Op.LogGamma, t.Add(t.Sub(trials, n), one)));
        return t.Add(t.Add(choose, t.Mul(n, t.Function(Op.Log, theta))), t.Mul(t.Sub(trials, n), t.Function(Op.Log1p, t.Neg(theta))));
    }

    // y is 0 or 1 (the support's guard): log θ or log(1 − θ), without 0 · log 0 = NaN at θ = 0 or 1, where all-equal
    // data put the MLE.
    private static Node Bernoulli(NodeTable t, Node y, Node theta) =>
        t.IfLessOrEqual(t.Const(1), y, t.Function(Op.Log, theta), t.Function(Op.Log1p, t.Neg(theta)));
}
