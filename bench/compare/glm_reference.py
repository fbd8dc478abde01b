"""Reference GLM fits by statsmodels, for GpuEstimation's GLM tests (tests/GpuEstimation.Tests/Models/GlmReferenceTests.cs).

Simulates small datasets with a fixed seed, fits each with statsmodels and writes, under
tests/GpuEstimation.Tests/Models/reference/glm/, one CSV per dataset and reference.json: per case the model, family,
link and columns, and statsmodels' estimates, standard errors and log-likelihood. Run with Debian's python3
(apt-get install python3-statsmodels): /usr/bin/python3 bench/compare/glm_reference.py. The files are committed,
so the tests need no Python.

Like with like: GpuEstimation estimates every parameter by maximum likelihood and takes standard errors from the
observed information at the joint maximum. statsmodels' discrete models (Logit, Probit, Poisson, NegativeBinomial)
do the same, so their bse is the reference as it is. Its GLM fits by IRLS, whose coefficients are the MLE, but its
default bse uses the expected information and, for the gamma and normal families, a Pearson estimate of the scale;
for those the reference here takes statsmodels' observed Hessian of the coefficients (GLM.hessian(observed=True)) at
the maximum-likelihood scale (gamma: scale = 1/shape, shape solved from its score equation; normal: sigma^2 = RSS/n),
completes it with the shape/sigma row written out below, and inverts it; the log-likelihood is statsmodels'
GLM.loglike at that scale.

Each case also carries the GLM fit statistics, statsmodels' GLMResults at the reference coefficients (for NB2 its
GLM NegativeBinomial family at the fitted alpha): deviance, null_deviance (a constant-only model with the same offset
and weights, fitted), pearson_chi2, scale (written as dispersion: 1 for binomial, Poisson, NB2; Pearson chi2 / df_resid
for gamma and normal), df_model and df_resid; and McFadden's pseudo R-squared 1 - llf/llnull, where llnull is the
constant-only model's maximum log-likelihood with the family's own parameter (alpha, shape, sigma) estimated again,
as statsmodels' discrete models define it (Logit.llnull, NegativeBinomial.llnull). Some cases carry predictions for
new rows (a CSV of their own): the linear predictor, the mean and their standard errors by the delta method with the
reference covariance, from statsmodels' GLMResults.get_prediction where its covariance is the reference's (canonical
links), from the covariance and statsmodels' link derivatives otherwise; "formulaCases" holds a logit with a factor
and an interaction fitted through statsmodels' formula interface, whose get_prediction codes the new rows' factor
levels as the fit's.
"""
import json
import os

import numpy as np
from scipy import optimize, special
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from statsmodels.genmod import families
from statsmodels.genmod.families import links

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "GpuEstimation.Tests", "Models", "reference", "glm")
N = 300


def design(rng, n=N):
    """Two features: one standard, one with a large mean (1000 + noise), so that centring matters."""
    x1 = rng.normal(0.0, 1.0, n)
    x2 = 1000.0 + rng.normal(0.0, 2.0, n)
    return x1, x2


def write_csv(name, columns):
    path = os.path.join(OUT, name + ".csv")
    keys = list(columns)
    with open(path, "w") as f:
        f.write(",".join(keys) + "\n")
        for row in zip(*(columns[k] for k in keys)):
            f.write(",".join(repr(float(v)) for v in row) + "\n")
    return name + ".csv"


def read_back(columns):
    """The values exactly as the CSV holds them (repr round-trips), so both sides fit the same doubles."""
    return {k: np.array([float(repr(float(v))) for v in vals]) for k, vals in columns.items()}


SHIFT = 1000.0


def shifted_design(cols, intercept=True, x=("x1", "x2")):
    """The design statsmodels fits: x2 - 1000 (exact, Sterbenz) in place of x2, which its Newton and BFGS fits
    need (on the raw column the NB2 fit ends in NaN); and T, which maps those coefficients to the raw design's
    (intercept_raw = intercept - 1000 * b_x2): beta_raw = T beta, cov_raw = T cov T'."""
    columns = [cols[c] - SHIFT if c == "x2" else cols[c] for c in x]
    X = np.column_stack(columns)
    if intercept:
        X = sm.add_constant(X, has_constant="add")
    p = X.shape[1]
    T = np.eye(p)
    if intercept and "x2" in x:
        T[0, 1 + list(x).index("x2")] = -SHIFT
    return X, T


def to_raw(T, params, cov):
    """Coefficients and covariance of the shifted design mapped to the raw one (extra parameters pass through)."""
    k = T.shape[0]
    full = np.eye(len(params))
    full[:k, :k] = T
    return full @ params, np.sqrt(np.diag(full @ cov @ full.T))


def case(name, model, columns, params, names, ses, llf, family=None, link=None, x=("x1", "x2"), trials=None,
         offset=None, weights=None, intercept=True, note="", statistics=None, predictions=None):
    result = {
        "name": name, "file": write_csv(name, columns), "model": model, "family": family, "link": link,
        "y": "y", "x": list(x), "trials": trials, "offset": offset, "weights": weights, "intercept": intercept,
        "parameters": [{"name": n, "estimate": float(p), "stdError": float(s)} for n, p, s in zip(names, params, ses)],
        "logLikelihood": float(llf), "note": note,
    }
    if statistics is not None:
        result["statistics"] = statistics
    if predictions is not None:
        result["predictions"] = predictions
    return result


def statistics(endog, X, beta, family, llf, llnull, offset=None, weights=None):
    """statsmodels' GLM statistics at the reference coefficients beta (of the shifted design; an IRLS fit started there
    stays there), and the GLMResults (for get_prediction). llnull(res): the constant-only maximum log-likelihood."""
    model = sm.GLM(endog, X, family=family, offset=offset, freq_weights=weights)
    res = model.fit(start_params=beta, method="IRLS", tol=1e-15, maxiter=100)
    assert np.allclose(res.params, beta, rtol=1e-9, atol=1e-12), (res.params, beta)
    null_llf = llnull(res)
    return {
        "deviance": float(res.deviance), "nullDeviance": float(res.null_deviance), "pearsonChi2": float(res.pearson_chi2),
        "dispersion": float(res.scale), "dfModel": float(res.df_model), "dfResid": float(res.df_resid),
        "llnull": float(null_llf), "pseudoR2": float(1.0 - llf / null_llf),
    }, res


def llnull_fixed_scale(res):
    """Binomial, Poisson: the constant-only model has no other parameter (statsmodels' GLM llnull at scale 1)."""
    return res.llnull


def llnull_negbinomial(endog, offset=None):
    """NB2's constant-only model with alpha estimated again (statsmodels' NegativeBinomial.llnull, fitted tightly)."""
    def llnull(res):
        model = sm.NegativeBinomial(endog, np.ones((len(endog), 1)), loglike_method="nb2", offset=offset)
        start = model.fit(maxiter=2000, disp=0).params
        fit = model.fit(start_params=start, method="newton", maxiter=100, tol=1e-14, disp=0)
        assert np.max(np.abs(model.score(fit.params))) < 1e-8
        return fit.llf
    return llnull


def llnull_gamma(endog):
    """Gamma's constant-only model: the mean as statsmodels' null model, the shape from its score equation."""
    def llnull(res):
        mu = res.null
        r = endog / mu
        target = np.sum(r - 1 - np.log(r)) / len(r)
        k = optimize.brentq(lambda s: np.log(s) - special.digamma(s) - target, 1e-6, 1e8, xtol=1e-15, rtol=1e-15)
        return res.family.loglike(endog, mu, scale=1.0 / k)
    return llnull


def llnull_normal(endog):
    """Normal's constant-only model: the mean as statsmodels' null model, sigma^2 = RSS/n."""
    def llnull(res):
        mu = res.null
        return res.family.loglike(endog, mu, scale=np.mean((endog - mu) ** 2))
    return llnull


# New rows for predictions come from a generator of their own, so that the fitted datasets stay as they were.
NEW_ROWS = 6


def new_design(rng, name, offset=None):
    """Rows beyond the fitted ones (x1 out to +-3, x2 around 1000), written as NAME_new.csv; the shifted design."""
    cols = {"x1": rng.normal(0.0, 1.5, NEW_ROWS), "x2": 1000.0 + rng.normal(0.0, 3.0, NEW_ROWS)}
    if offset is not None:
        cols[offset] = np.log(rng.uniform(0.5, 5.0, NEW_ROWS))
    cols = read_back(cols)
    X, _ = shifted_design(cols)
    return write_csv(name + "_new", cols), X, cols.get(offset)


def predictions(file, X, beta, cov, link, offset=None, res=None):
    """eta, the mean and their standard errors by the delta method: statsmodels' get_prediction where res (a GLM
    whose covariance is the reference's) is given, else the covariance and statsmodels' link derivative."""
    eta = X @ beta + (0.0 if offset is None else offset)
    se_eta = np.sqrt(np.einsum("ij,jk,ik->i", X, cov, X))
    mean = link.inverse(eta)
    se_mean = np.abs(link.inverse_deriv(eta)) * se_eta
    if res is not None:
        assert np.allclose(res.cov_params(), cov, rtol=1e-7, atol=0), "the GLM's covariance is not the reference's"
        pred = res.get_prediction(X, offset=offset)
        eta, se_eta = pred.linpred.predicted_mean, pred.linpred.se_mean
        mean, se_mean = pred.predicted_mean, pred.se_mean
    return {"file": file, "eta": [float(v) for v in eta], "mean": [float(v) for v in mean],
            "seEta": [float(v) for v in se_eta], "seMean": [float(v) for v in se_mean]}


def observed_cov(hessian):
    return np.linalg.inv(-hessian)


def dmu_deta(link, mu):
    if isinstance(link, links.log):
        return mu
    if isinstance(link, links.identity):
        return np.ones_like(mu)
    if isinstance(link, links.inverse_power):
        return -mu * mu
    raise ValueError(link)


def glm_beta(model, start=None):
    res = model.fit(method="IRLS", tol=1e-15, maxiter=500, start_params=start)
    score = model.score(res.params, scale=1.0)
    assert np.max(np.abs(score)) < 1e-7, score
    return res.params


def glm_case(name, model, T, cols, names, family, link, canonical=False, **kwargs):
    """A GLM whose dispersion is fixed at 1 (binomial, Poisson): observed information of the coefficients. Under a
    canonical link it equals the expected one, which is what is taken there (statsmodels 0.13's observed Hessian is
    NaN where a frequency weight is 0)."""
    beta = glm_beta(model, kwargs.pop("start", None))
    llf = model.loglike(beta, scale=1.0)
    trials = kwargs.get("trials")
    stats, _ = statistics(cols["y"] if trials is None else np.column_stack([cols["y"], cols[trials] - cols["y"]]), model.exog, beta, model.family, llf, llnull_fixed_scale,
                          offset=None if kwargs.get("offset") is None else cols[kwargs["offset"]],
                          weights=None if kwargs.get("weights") is None else cols[kwargs["weights"]])
    params, ses = to_raw(T, beta, observed_cov(model.hessian(beta, scale=1.0, observed=not canonical)))
    return case(name, "glm", cols, params, names, ses, llf, family=family, link=link, statistics=stats, **kwargs)


def gamma_case(name, rng, link, truth, shape, predict_rng=None):
    x1, x2 = design(rng)
    eta = truth[0] + truth[1] * x1 + truth[2] * (x2 - SHIFT)
    mu = np.exp(eta) if isinstance(link, links.log) else 1.0 / eta
    cols = read_back({"y": rng.gamma(shape, mu / shape), "x1": x1, "x2": x2})
    X, T = shifted_design(cols)
    model = sm.GLM(cols["y"], X, family=families.Gamma(link=link))
    beta = glm_beta(model)
    mu = model.family.link.inverse(X @ beta)
    r = cols["y"] / mu
    # The shape's score equation: n (log k - psi(k)) = sum (r - 1 - log r).
    target = np.sum(r - 1 - np.log(r)) / len(r)
    k = optimize.brentq(lambda s: np.log(s) - special.digamma(s) - target, 1e-6, 1e8, xtol=1e-15, rtol=1e-15)
    h = np.zeros((4, 4))
    h[:3, :3] = model.hessian(beta, scale=1.0 / k, observed=True)
    # d2 log f / (d beta d k) = x (y - mu)/mu^2 dmu/deta; d2 log f / dk2 = 1/k - psi'(k).
    h[:3, 3] = h[3, :3] = X.T @ ((cols["y"] - mu) / mu ** 2 * dmu_deta(model.family.link, mu))
    h[3, 3] = len(r) * (1.0 / k - special.polygamma(1, k))
    cov = observed_cov(h)
    params, ses = to_raw(T, np.append(beta, k), cov)
    llf = model.loglike(beta, scale=1.0 / k)
    stats, _ = statistics(cols["y"], X, beta, model.family, llf, llnull_gamma(cols["y"]))
    pred = None
    if predict_rng is not None:
        file, X_new, _ = new_design(predict_rng, name)
        pred = predictions(file, X_new, beta, cov[:3, :3], model.family.link)
    return case(name, "glm", cols, params, ["intercept", "x1", "x2", "shape"], ses, llf,
                family="gamma", link={links.log: "log", links.inverse_power: "inverse"}[type(link)], statistics=stats, predictions=pred)


def normal_case(name, rng, link, truth, sigma):
    x1, x2 = design(rng)
    eta = truth[0] + truth[1] * x1 + truth[2] * (x2 - SHIFT)
    mu = np.exp(eta) if isinstance(link, links.log) else eta
    cols = read_back({"y": mu + rng.normal(0.0, sigma, N), "x1": x1, "x2": x2})
    X, T = shifted_design(cols)
    model = sm.GLM(cols["y"], X, family=families.Gaussian(link=link))
    beta = glm_beta(model)
    mu = model.family.link.inverse(X @ beta)
    resid = cols["y"] - mu
    s = np.sqrt(np.sum(resid ** 2) / len(resid))
    h = np.zeros((4, 4))
    h[:3, :3] = model.hessian(beta, scale=s * s, observed=True)
    # d2 log f / (d beta d sigma) = -2 x (y - mu) dmu/deta / sigma^3; d2 log f / d sigma2 = 1/sigma^2 - 3 (y - mu)^2/sigma^4.
    h[:3, 3] = h[3, :3] = X.T @ (-2.0 * resid * dmu_deta(model.family.link, mu) / s ** 3)
    h[3, 3] = np.sum(1.0 / s ** 2 - 3.0 * resid ** 2 / s ** 4)
    params, ses = to_raw(T, np.append(beta, s), observed_cov(h))
    llf = model.loglike(beta, scale=s * s)
    stats, _ = statistics(cols["y"], X, beta, model.family, llf, llnull_normal(cols["y"]))
    return case(name, "glm", cols, params, ["intercept", "x1", "x2", "sigma"], ses, llf,
                family="normal", link={links.log: "log", links.identity: "identity"}[type(link)], statistics=stats)


def discrete(model, T):
    """Newton with the exact Hessian from statsmodels' own fit: the MLE to rounding (checked by the score). Also the
    fit itself (shifted design: params, cov_params)."""
    start = model.fit(maxiter=2000, disp=0).params
    res = model.fit(start_params=start, method="newton", maxiter=100, tol=1e-14, disp=0)
    score = model.score(res.params)
    assert np.max(np.abs(score)) < 1e-8, score
    params, ses = to_raw(T, res.params, res.cov_params())
    return params, ses, res.llf, res


def formula_logit(rng):
    """A logit with a text factor and an interaction through statsmodels' formula interface (patsy codes the factor
    against its first level, as gpuest does), and predictions for new rows holding two of the three levels."""
    n = N
    g = rng.choice(["lake", "forest", "hill"], size=n)
    x1 = rng.normal(0.0, 1.0, n)
    shift = pd.Series(g).map({"forest": 0.0, "hill": 0.8, "lake": -0.6}).to_numpy()
    slope = pd.Series(g).map({"forest": 1.0, "hill": 0.4, "lake": 1.6}).to_numpy()
    y = rng.binomial(1, special.expit(0.2 + shift + slope * x1)).astype(float)
    name = "logit_formula"
    frame = pd.DataFrame({"y": y, "x1": x1, "g": g})
    frame.to_csv(os.path.join(OUT, name + ".csv"), index=False, float_format="%.17g")
    frame = pd.read_csv(os.path.join(OUT, name + ".csv"))
    formula = "y ~ x1 + C(g) + x1:C(g)"
    model = smf.glm(formula, frame, family=families.Binomial())
    res = model.fit(method="IRLS", tol=1e-15, maxiter=500)
    llf = res.llf
    stats, res = statistics(model.endog, model.exog, res.params.to_numpy(), model.family, llf, llnull_fixed_scale)

    new = pd.DataFrame({"x1": read_back({"x": rng.normal(0.0, 1.5, NEW_ROWS)})["x"], "g": ["hill", "lake", "hill", "lake", "lake", "hill"]})
    new.to_csv(os.path.join(OUT, name + "_new.csv"), index=False, float_format="%.17g")
    new = pd.read_csv(os.path.join(OUT, name + "_new.csv"))
    formula_res = smf.glm(formula, frame, family=families.Binomial()).fit(start_params=res.params, method="IRLS", tol=1e-15)
    p = formula_res.get_prediction(new)
    def ours(term):
        # patsy's names in gpuest's spelling: Intercept -> intercept, C(g)[T.b] -> g[b].
        return "intercept" if term == "Intercept" else term.replace("C(g)[T.", "g[")
    return {
        "name": name, "file": name + ".csv", "model": "logit", "formula": formula,
        "parameters": [{"name": ours(k), "estimate": float(v), "stdError": float(se)}
                       for k, v, se in zip(formula_res.params.index, formula_res.params, formula_res.bse)],
        "logLikelihood": float(llf), "statistics": stats,
        "predictions": {"file": name + "_new.csv", "eta": [float(v) for v in p.linpred.predicted_mean],
                        "mean": [float(v) for v in p.predicted_mean], "seEta": [float(v) for v in p.linpred.se_mean],
                        "seMean": [float(v) for v in p.se_mean]},
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20261130)
    predict_rng = np.random.default_rng(20261201)
    cases = []
    names = ["intercept", "x1", "x2"]

    # Logit (discrete, full MLE).
    x1, x2 = design(rng)
    p = special.expit(0.3 + 1.2 * x1 - 0.4 * (x2 - SHIFT))
    cols = read_back({"y": rng.binomial(1, p).astype(float), "x1": x1, "x2": x2})
    X, T = shifted_design(cols)
    params, ses, llf, res = discrete(sm.Logit(cols["y"], X), T)
    stats, glm = statistics(cols["y"], X, res.params, families.Binomial(), llf, llnull_fixed_scale)
    assert abs(stats["pseudoR2"] - res.prsquared) < 1e-7, (stats["pseudoR2"], res.prsquared)
    file, X_new, _ = new_design(predict_rng, "logit")
    pred = predictions(file, X_new, res.params, res.cov_params(), glm.family.link, res=glm)
    cases.append(case("logit", "logit", cols, params, names, ses, llf, statistics=stats, predictions=pred))

    # Logit without an intercept (the null model still has a constant, as statsmodels' has).
    x1, _ = design(rng)
    z = rng.normal(0.0, 1.0, N)
    cols = read_back({"y": rng.binomial(1, special.expit(1.0 * x1 - 0.8 * z)).astype(float), "x1": x1, "z": z})
    X, T = shifted_design(cols, intercept=False, x=("x1", "z"))
    params, ses, llf, res = discrete(sm.Logit(cols["y"], X), T)
    stats, _ = statistics(cols["y"], X, res.params, families.Binomial(), llf, llnull_fixed_scale)
    cases.append(case("logit_no_intercept", "logit", cols, params, ["x1", "z"], ses, llf, x=("x1", "z"), intercept=False,
                      statistics=stats))

    # Probit, with linear predictors out to about +-6 (both tails of the normal CDF).
    x1, x2 = design(rng)
    p = special.ndtr(-0.2 + 2.0 * x1 + 0.3 * (x2 - SHIFT))
    cols = read_back({"y": rng.binomial(1, p).astype(float), "x1": x1, "x2": x2})
    X, T = shifted_design(cols)
    params, ses, llf, res = discrete(sm.Probit(cols["y"], X), T)
    probit = families.Binomial(link=links.probit())
    stats, _ = statistics(cols["y"], X, res.params, probit, llf, llnull_fixed_scale)
    assert abs(stats["pseudoR2"] - res.prsquared) < 1e-7, (stats["pseudoR2"], res.prsquared)
    file, X_new, _ = new_design(predict_rng, "probit")
    pred = predictions(file, X_new, res.params, res.cov_params(), probit.link)
    cases.append(case("probit", "probit", cols, params, names, ses, llf, statistics=stats, predictions=pred))

    # Binomial counts of 1 to 12 trials, complementary log-log link (GLM; observed information).
    x1, x2 = design(rng)
    n = rng.integers(1, 13, N).astype(float)
    p = 1 - np.exp(-np.exp(-0.5 + 0.7 * x1 + 0.1 * (x2 - SHIFT)))
    cols = read_back({"y": rng.binomial(n.astype(int), p).astype(float), "x1": x1, "x2": x2, "n": n})
    X, T = shifted_design(cols)
    model = sm.GLM(np.column_stack([cols["y"], cols["n"] - cols["y"]]), X, family=families.Binomial(link=links.cloglog()))
    cases.append(glm_case("binomial_cloglog_trials", model, T, cols, names, "binomial", "cloglog", trials="n"))

    # Poisson with an offset (log exposure), discrete Poisson.
    x1, x2 = design(rng)
    exposure = rng.uniform(0.5, 5.0, N)
    mu = exposure * np.exp(0.4 + 0.5 * x1 - 0.1 * (x2 - SHIFT))
    cols = read_back({"y": rng.poisson(mu).astype(float), "x1": x1, "x2": x2, "logexposure": np.log(exposure)})
    X, T = shifted_design(cols)
    params, ses, llf, res = discrete(sm.Poisson(cols["y"], X, offset=cols["logexposure"]), T)
    stats, glm = statistics(cols["y"], X, res.params, families.Poisson(), llf, llnull_fixed_scale, offset=cols["logexposure"])
    assert abs(stats["pseudoR2"] - res.prsquared) < 1e-7, (stats["pseudoR2"], res.prsquared)
    file, X_new, off_new = new_design(predict_rng, "poisson_offset", offset="logexposure")
    pred = predictions(file, X_new, res.params, res.cov_params(), glm.family.link, offset=off_new, res=glm)
    cases.append(case("poisson_offset", "glm", cols, params, names, ses, llf, family="poisson", link="log", offset="logexposure",
                      statistics=stats, predictions=pred))

    # Poisson, identity link (GLM; observed information).
    x1, x2 = design(rng)
    x1 = np.abs(x1)
    mu = 3.0 + 2.0 * x1 + 0.2 * (x2 - SHIFT + 10.0)
    cols = read_back({"y": rng.poisson(mu).astype(float), "x1": x1, "x2": x2})
    X, T = shifted_design(cols)
    model = sm.GLM(cols["y"], X, family=families.Poisson(link=links.identity()))
    cases.append(glm_case("poisson_identity", model, T, cols, names, "poisson", "identity",
                          start=np.linalg.lstsq(X, cols["y"], rcond=None)[0]))

    # NB2 (discrete NegativeBinomial: alpha by maximum likelihood; the deviance is the GLM family's at that alpha).
    x1, x2 = design(rng)
    mu = np.exp(1.0 + 0.6 * x1 - 0.05 * (x2 - SHIFT))
    alpha = 0.7
    cols = read_back({"y": rng.negative_binomial(1.0 / alpha, 1.0 / (1.0 + alpha * mu)).astype(float), "x1": x1, "x2": x2})
    X, T = shifted_design(cols)
    params, ses, llf, res = discrete(sm.NegativeBinomial(cols["y"], X, loglike_method="nb2"), T)
    nb = families.NegativeBinomial(alpha=float(res.params[-1]))
    stats, _ = statistics(cols["y"], X, res.params[:-1], nb, llf, llnull_negbinomial(cols["y"]))
    assert abs(stats["pseudoR2"] - res.prsquared) < 1e-6, (stats["pseudoR2"], res.prsquared)
    file, X_new, _ = new_design(predict_rng, "negbinomial")
    pred = predictions(file, X_new, res.params[:-1], res.cov_params()[:-1, :-1], nb.link)
    cases.append(case("negbinomial", "glm", cols, params, names + ["alpha"], ses, llf, family="negbinomial", link="log",
                      statistics=stats, predictions=pred))

    # Gamma, log link and the default inverse link (shape by maximum likelihood).
    cases.append(gamma_case("gamma_log", rng, links.log(), np.array([1.0, 0.3, 0.02]), 2.5, predict_rng=predict_rng))
    cases.append(gamma_case("gamma_inverse", rng, links.inverse_power(), np.array([0.5, 0.05, 0.001]), 4.0))

    # Normal, identity and log links (sigma by maximum likelihood).
    cases.append(normal_case("normal_identity", rng, links.identity(), np.array([2.0, 1.5, -0.3]), 1.3))
    cases.append(normal_case("normal_log", rng, links.log(), np.array([1.0, 0.2, 0.01]), 0.5))

    # Logit with frequency weights 0 to 4 (GLM, canonical link: observed = expected information, scale 1).
    x1, x2 = design(rng)
    p = special.expit(-0.3 + 0.9 * x1 + 0.2 * (x2 - SHIFT))
    cols = read_back({"y": rng.binomial(1, p).astype(float), "x1": x1, "x2": x2, "w": rng.integers(0, 5, N).astype(float)})
    X, T = shifted_design(cols)
    model = sm.GLM(cols["y"], X, family=families.Binomial(), freq_weights=cols["w"])
    logit = glm_case("logit_weights", model, T, cols, names, None, None, canonical=True, weights="w", note="rows of weight 0 included")
    cases.append(dict(logit, model="logit"))

    # Poisson with frequency weights and an offset (GLM, canonical link).
    x1, x2 = design(rng)
    off = rng.normal(0.0, 0.3, N)
    mu = np.exp(0.8 + 0.3 * x1 + 0.05 * (x2 - SHIFT) + off)
    cols = read_back({"y": rng.poisson(mu).astype(float), "x1": x1, "x2": x2, "off": off, "w": rng.integers(1, 4, N).astype(float)})
    X, T = shifted_design(cols)
    model = sm.GLM(cols["y"], X, family=families.Poisson(), offset=cols["off"], freq_weights=cols["w"])
    cases.append(glm_case("poisson_weights_offset", model, T, cols, names, "poisson", "log", canonical=True,
                          offset="off", weights="w"))

    formula_cases = [formula_logit(predict_rng)]

    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump({"generator": "bench/compare/glm_reference.py", "statsmodels": sm.__version__, "cases": cases,
                   "formulaCases": formula_cases}, f, indent=1)
        f.write("\n")
    for c in cases:
        print(c["name"], [round(p["estimate"], 6) for p in c["parameters"]], round(c["logLikelihood"], 6))


if __name__ == "__main__":
    main()
