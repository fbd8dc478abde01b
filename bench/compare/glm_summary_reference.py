"""Audit of `gpuest fit --model glm|logit|probit` and `gpuest predict` against statsmodels: every number a fit reports.

Generates small datasets (fixed seeds) in a temporary folder, runs the CLI on each with --json, fits the same model
with statsmodels 0.13 and prints one line per reported number: ours, the reference, the relative difference and a
verdict. Two references where conventions differ:

  ref  the number under gpuest's documented convention (README, "Generalized linear models"): every parameter,
       alpha/shape/sigma included, by maximum likelihood; standard errors from the observed information at that
       joint maximum; AIC/BIC count alpha/shape/sigma; BIC's n = sum of the frequency weights. Computed here from
       statsmodels' pieces (its Hessians, families' log-likelihoods), or statsmodels' own value where it is the same.
  sm   statsmodels' own default (GLMResults / the discrete model's results), printed where it differs from ref, marked
       "conv" (a known, documented convention difference) unless it should have matched.

Run: /usr/bin/python3 bench/compare/glm_summary_reference.py [--gpuest 'dotnet .../gpuest.dll'] [--keep DIR]
(default: the Release build under src/GpuEstimation.Cli). Exit status 1 if any ref comparison fails its tolerance.
"""
import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import pandas as pd
from scipy import optimize, special, stats
import statsmodels.api as sm
import statsmodels.formula.api as smf
from statsmodels.genmod import families
from statsmodels.genmod.families import links

warnings.simplefilter("ignore")
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TOL = 1e-7          # relative, for numbers that must agree
TOL_SE = 1e-5       # standard errors (issue 13's promise)
rows = []           # (case, quantity, ours, reference, rel, verdict)
failures = []


def rel(a, b):
    a, b = float(a), float(b)
    if a == b:
        return 0.0
    return abs(a - b) / max(abs(b), 1e-300)


def check(case, what, ours, ref, tol=TOL, sm_value=None, conv=None):
    """ours against ref (must agree to tol); sm_value: statsmodels' own default, reported beside it."""
    r = rel(ours, ref)
    ok = r <= tol or (abs(float(ours) - float(ref)) <= 1e-12)
    verdict = "ok" if ok else "MISMATCH"
    rows.append((case, what, ours, ref, r, verdict))
    if not ok:
        failures.append((case, what, ours, ref, r))
    if sm_value is not None and rel(ours, sm_value) > tol:
        rows.append((case, what + " [sm default]", ours, sm_value, rel(ours, sm_value), "conv: " + (conv or "?")))


def write_csv(path, frame):
    frame.to_csv(path, index=False, float_format="%.17g")
    return pd.read_csv(path)


class Cli:
    def __init__(self, command, folder):
        self.command = shlex.split(command)
        self.folder = folder

    def run(self, args):
        p = subprocess.run(self.command + args, capture_output=True, text=True, cwd=self.folder)
        return p.returncode, p.stdout, p.stderr

    def fit(self, name, args):
        out = os.path.join(self.folder, name + ".json")
        rc, stdout, stderr = self.run(["fit"] + args + ["--json", out])
        if rc != 0:
            raise RuntimeError(f"{name}: exit {rc}\n{stdout}\n{stderr}")
        with open(out) as f:
            return json.load(f), stdout


def table_header(stdout):
    """The printed summary's header block (statsmodels-like 'Key: value' pairs) and the log-likelihood line."""
    values = {}
    for line in stdout.splitlines():
        for key, val in re.findall(r"([A-Z][A-Za-z0-9 .()\-]*?):\s+(\S+)", line):
            values[key.strip()] = val
        m = re.match(r"log-likelihood (\S+); k = (\d+) estimated, n = (\S+)(?: \(frequency weights over (\d+) rows\))?; AIC (\S+), BIC (\S+)", line)
        if m:
            values["ll"], values["k"], values["n"], values["rows"], values["AIC"], values["BIC"] = m.groups()
    return values


def ours_name(term):
    if term == "Intercept":
        return "intercept"
    return re.sub(r"C\((\w+)\)\[T\.([^\]]+)\]", r"\1[\2]", term)


def ml_gamma_shape(y, mu, w):
    r = y / mu
    target = np.sum(w * (r - 1 - np.log(r))) / np.sum(w)
    return optimize.brentq(lambda s: np.log(s) - special.digamma(s) - target, 1e-8, 1e10, xtol=1e-15, rtol=1e-15)


def dmu_deta(link, mu):
    return 1.0 / link.deriv(mu)


def d2mu_deta2(link, mu):
    # d/deta (1/g'(mu)) = -g''(mu) / g'(mu)^3
    return -link.deriv2(mu) / link.deriv(mu) ** 3


def joint_observed_cov(fam_name, link, X, y, mu, w, extra, trials=None):
    """Inverse observed information of (beta, extra) at the maximum: extra = shape k (gamma), sigma (normal)."""
    d1 = dmu_deta(link, mu)
    d2 = d2mu_deta2(link, mu)
    r = y - mu
    if fam_name == "gamma":
        k = extra
        # l = k[-y/mu - log mu] + ...; dl/dmu = k (y - mu)/mu^2; d2l/dmu2 = k (mu - 2y)/mu^3
        l1 = k * r / mu ** 2
        l2 = k * (mu - 2 * y) / mu ** 3
        cross = X.T @ (w * r / mu ** 2 * d1)
        ee = np.sum(w) * (1.0 / k - special.polygamma(1, k))
    else:
        s = extra
        l1 = r / s ** 2
        l2 = -np.ones_like(mu) / s ** 2
        cross = X.T @ (w * -2.0 * r * d1 / s ** 3)
        ee = np.sum(w * (1.0 / s ** 2 - 3.0 * r ** 2 / s ** 4))
    hbb = X.T @ (X * (w * (l2 * d1 ** 2 + l1 * d2))[:, None])
    p = X.shape[1]
    h = np.zeros((p + 1, p + 1))
    h[:p, :p] = hbb
    h[:p, p] = h[p, :p] = cross
    h[p, p] = ee
    return np.linalg.inv(-h)


def r_loglik(fam_name, y, mu, w, dev):
    """R's logLik.glm (unweighted rows): gaussian at sigma^2 = dev/n; Gamma at dispersion dev/n (not the MLE)."""
    n = np.sum(w)
    if fam_name == "normal":
        return -0.5 * n * (np.log(2 * np.pi * dev / n) + 1)
    if fam_name == "gamma":
        disp = dev / n
        return np.sum(w * stats.gamma.logpdf(y, 1 / disp, scale=mu * disp))
    return None


FAMILIES = {
    "binomial": lambda link: families.Binomial(link=link),
    "poisson": lambda link: families.Poisson(link=link),
    "gamma": lambda link: families.Gamma(link=link),
    "normal": lambda link: families.Gaussian(link=link),
}
LINKS = {"logit": links.logit, "probit": links.probit, "cloglog": links.cloglog, "log": links.log,
         "identity": links.identity, "inverse": links.inverse_power}
CANONICAL = {"binomial": "logit", "poisson": "log", "gamma": "inverse", "normal": "identity", "negbinomial": None}


def audit_case(cli, folder, c):
    """c: name, frame, formula (statsmodels), args (CLI), family, link, trials, offset, weights, cluster, new."""
    name, fam_name, link_name = c["name"], c["family"], c["link"]
    data = write_csv(os.path.join(folder, name + ".csv"), c["frame"])
    w = data[c["weights"]].to_numpy(float) if c.get("weights") else np.ones(len(data))
    off = data[c["offset"]].to_numpy(float) if c.get("offset") else None
    link = LINKS[link_name]()

    # statsmodels' design from the formula (patsy), the response from the frame.
    import patsy
    y_dm, X_df = patsy.dmatrices(c["formula"], data, return_type="dataframe")
    X = X_df.to_numpy()
    names = [ours_name(t) for t in X_df.columns]
    y = data[c["y"]].to_numpy(float)
    if fam_name == "binomial" and c.get("trials"):
        endog = np.column_stack([y, data[c["trials"]].to_numpy(float) - y])
    else:
        endog = y

    ours, stdout = cli.fit(name, ["--data", name + ".csv"] + c["args"])
    head = table_header(stdout)
    p = X.shape[1]
    # patsy orders a formula's terms its own way (factors first); gpuest keeps the written order, as R does
    got = [q["name"] for q in ours["parameters"]][:p]
    perm = [names.index(g) for g in got] if sorted(got) == sorted(names) else list(range(p))
    X = X[:, perm]
    names = [names[i] for i in perm]

    if fam_name == "negbinomial":
        # NB2: the discrete model on the rows written out (integer frequency weights), alpha by ML.
        rep = np.repeat(np.arange(len(y)), w.astype(int))
        nb = sm.NegativeBinomial(y[rep], X[rep], loglike_method="nb2", offset=None if off is None else off[rep])
        start = nb.fit(maxiter=3000, disp=0).params
        dres = nb.fit(start_params=start, method="newton", maxiter=200, tol=1e-14, disp=0)
        beta = dres.params[:-1]
        alpha = dres.params[-1]
        family = families.NegativeBinomial(alpha=alpha, link=link)
        res = sm.GLM(endog, X, family=family, offset=off, freq_weights=w).fit(
            start_params=beta, method="IRLS", tol=1e-15, maxiter=200)
        ref_params = np.append(beta, alpha)
        ref_cov = dres.cov_params()
        llf_ref, llnull_ref = dres.llf, dres.llnull
        k = p + 1
        sm_aic, sm_bic, sm_pr2 = dres.aic, dres.bic, dres.prsquared
        sm_bse = None
    else:
        family = FAMILIES[fam_name](link)
        model = sm.GLM(endog, X, family=family, offset=off, freq_weights=w)
        start = None
        if fam_name in ("gamma", "normal") and link_name != CANONICAL[fam_name] or link_name == "identity":
            start = np.linalg.lstsq(X, link(np.clip(y, 1e-3, None)) if link_name != "identity" else y, rcond=None)[0]
        res = model.fit(method="IRLS", tol=1e-15, maxiter=500, start_params=start)
        beta = res.params
        mu = res.mu
        sm_bse = res.bse
        if fam_name in ("gamma", "normal"):
            if fam_name == "gamma":
                extra = ml_gamma_shape(y, mu, w)
                scale_ml = 1.0 / extra
            else:
                extra = np.sqrt(np.sum(w * (y - mu) ** 2) / np.sum(w))
                scale_ml = extra ** 2
            ref_cov = joint_observed_cov(fam_name, link, X, y, mu, w, extra)
            ref_params = np.append(beta, extra)
            llf_ref = family.loglike(y, mu, freq_weights=w, scale=scale_ml)
            # the constant-only model with its own parameter estimated again
            mu0 = res.null
            if fam_name == "gamma":
                s0 = 1.0 / ml_gamma_shape(y, mu0, w)
            else:
                s0 = np.sum(w * (y - mu0) ** 2) / np.sum(w)
            llnull_ref = family.loglike(y, mu0, freq_weights=w, scale=s0)
            k = p + 1
        else:
            # on the rows written out: statsmodels 0.13's observed Hessian is NaN where a frequency weight is 0
            keep = np.repeat(np.arange(len(y)), w.astype(int)) if c.get("weights") else np.arange(len(y))
            if link_name == CANONICAL[fam_name]:  # observed = expected information
                observed = model.hessian(beta, scale=1.0, observed=False)
            else:
                observed = sm.GLM(endog[keep], X[keep], family=family, offset=None if off is None else off[keep]).hessian(
                    beta, scale=1.0, observed=True)
            ref_cov = np.linalg.inv(-observed)
            ref_params = beta
            llf_ref, llnull_ref = res.llf, res.llnull
            k = p
        sm_aic, sm_bic, sm_pr2 = res.aic, res.bic_llf, res.pseudo_rsquared(kind="mcf")
        # the discrete models where statsmodels has them (their llf/aic/bic/prsquared conventions)
        disc = None
        if fam_name == "binomial" and not c.get("trials") and link_name in ("logit", "probit"):
            rep = np.repeat(np.arange(len(y)), w.astype(int))
            disc = (sm.Logit if link_name == "logit" else sm.Probit)(y[rep], X[rep], offset=None if off is None else off[rep]).fit(
                method="newton", tol=1e-14, maxiter=100, disp=0)
        elif fam_name == "poisson" and link_name == "log":
            rep = np.repeat(np.arange(len(y)), w.astype(int))
            disc = sm.Poisson(y[rep], X[rep], offset=None if off is None else off[rep]).fit(
                method="newton", tol=1e-14, maxiter=100, disp=0)
        if disc is not None:
            check(name, "discrete llf", ours["logLikelihood"], disc.llf, 1e-9)
            check(name, "discrete llnull", ours["logLikelihoodNull"], disc.llnull, 1e-9)
            check(name, "discrete aic", ours["aic"], disc.aic)
            check(name, "discrete bic", ours["bic"], disc.bic)
            check(name, "discrete prsquared", ours["pseudoR2"], disc.prsquared)
            if not c.get("weights"):
                check(name, "discrete nobs", ours["n"], disc.nobs)
            for i in range(p):
                check(name, f"discrete bse {names[i]}", ours["parameters"][i]["stdError"], disc.bse[i], TOL_SE)

    mu = res.mu
    # ---- names, estimates, standard errors, z, p, intervals
    got_names = [q["name"] for q in ours["parameters"]]
    extra_name = {"negbinomial": ["alpha"], "gamma": ["shape"], "normal": ["sigma"]}.get(fam_name, [])
    if got_names != names + extra_name:
        rows.append((name, "parameter names", " ".join(got_names), " ".join(names + extra_name), 1.0, "MISMATCH"))
        failures.append((name, "parameter names", got_names, names + extra_name, 1.0))
    ref_se = np.sqrt(np.diag(ref_cov))
    q = stats.norm.ppf(0.975)
    for i, par in enumerate(ours["parameters"]):
        nm = par["name"]
        check(name, f"estimate {nm}", par["estimate"], ref_params[i])
        conv = None
        if sm_bse is not None and i < p:
            conv = ("Pearson scale" if fam_name in ("gamma", "normal") else "") + \
                   (" expected information" if link_name != CANONICAL[fam_name] else "")
        check(name, f"se {nm}", par["stdError"], ref_se[i], TOL_SE,
              sm_value=None if sm_bse is None or i >= p else sm_bse[i], conv=conv)
        # z, p and the interval from our own estimate and se (normal quantiles, as statsmodels' GLM)
        zz = par["estimate"] / par["stdError"]
        check(name, f"z {nm}", par["z"], zz, 1e-12)
        check(name, f"p {nm}", par["pValue"], 2 * stats.norm.sf(abs(zz)), 1e-9)
        check(name, f"ci lo {nm}", par["interval"][0], par["estimate"] - q * par["stdError"], 1e-12)
        check(name, f"ci hi {nm}", par["interval"][1], par["estimate"] + q * par["stdError"], 1e-12)
        if i < p and sm_bse is not None and fam_name in ("binomial", "poisson") and link_name == CANONICAL[fam_name]:
            check(name, f"sm pvalue {nm}", par["pValue"], res.pvalues[i], 1e-6)
            check(name, f"sm conf_int lo {nm}", par["interval"][0], res.conf_int()[i][0], 1e-7)

    # ---- summary statistics
    nw = float(np.sum(w))
    check(name, "logLikelihood", ours["logLikelihood"], llf_ref, 1e-9,
          sm_value=res.llf if fam_name != "negbinomial" else None, conv="statsmodels GLM llf at the Pearson scale")
    check(name, "logLikelihoodNull", ours["logLikelihoodNull"], llnull_ref, 1e-9,
          sm_value=res.llnull if fam_name != "negbinomial" else None, conv="statsmodels GLM llnull at the fit's Pearson scale")
    check(name, "deviance", ours["deviance"], res.deviance)
    check(name, "nullDeviance", ours["nullDeviance"], res.null_deviance)
    check(name, "pearsonChi2", ours["pearsonChi2"], res.pearson_chi2)
    check(name, "dispersion", ours["dispersion"], res.scale)
    if "- 1" in c["formula"]:
        # statsmodels subtracts one for a constant even where there is none; gpuest counts every coefficient (README)
        check(name, "dfModel", ours["dfModel"], res.df_model + 1, sm_value=res.df_model, conv="statsmodels df_model = rank - 1 without a constant")
    else:
        check(name, "dfModel", ours["dfModel"], res.df_model)
    check(name, "dfResid", ours["dfResid"], res.df_resid)
    check(name, "k", ours["k"], k)
    aic_ref = 2 * k - 2 * llf_ref
    bic_ref = k * np.log(nw) - 2 * llf_ref
    check(name, "aic", ours["aic"], aic_ref, sm_value=sm_aic, conv="statsmodels GLM aic: llf at Pearson scale, scale not counted")
    check(name, "bic", ours["bic"], bic_ref, sm_value=sm_bic, conv="statsmodels GLM bic_llf: llf at Pearson scale, scale not counted")
    rows.append((name, "bic [sm deviance-based bic]", ours["bic"], res.bic_deviance, rel(ours["bic"], res.bic_deviance), "info: other convention"))
    check(name, "pseudoR2", ours["pseudoR2"], 1 - llf_ref / llnull_ref, 1e-7, sm_value=sm_pr2,
          conv="statsmodels GLM pseudo_rsquared('mcf') from its Pearson-scale llf/llnull")
    rl = r_loglik(fam_name, y, mu, w, res.deviance) if not c.get("weights") else None
    if rl is not None:
        r_aic = -2 * rl + 2 * (p + 1)
        rows.append((name, "aic [R AIC(glm)]", ours["aic"], r_aic, rel(ours["aic"], r_aic),
                     "ok" if rel(ours["aic"], r_aic) < TOL else "conv: R logLik uses dispersion dev/n"))
    check(name, "n (JSON)", ours["n"], res.nobs)
    # the printed table
    check(name, "table Deviance", float(head["Deviance"]), res.deviance, 1e-9)
    check(name, "table Pearson chi2", float(head["Pearson chi2"]), res.pearson_chi2, 1e-9)
    check(name, "table Null Deviance", float(head["Null Deviance"]), res.null_deviance, 1e-9)
    check(name, "table Log-Likelihood", float(head["Log-Likelihood"]), llf_ref, 1e-9)
    check(name, "table LL-Null", float(head["LL-Null"]), llnull_ref, 1e-9)
    check(name, "table Scale", float(head["Scale"]), res.scale, 1e-5)  # printed to 5 digits (statsmodels: 4 decimals)
    check(name, "table Df Residuals", float(head["Df Residuals"]), res.df_resid)
    check(name, "table Df Model", float(head["Df Model"]), ours["dfModel"])
    check(name, "table No. Observations", float(head["No. Observations"]), res.nobs)
    check(name, "table n (BIC's)", float(head["n"]), nw)
    if c.get("weights"):
        check(name, "table rows", float(head["rows"]), res.nobs)
        check(name, "sumWeights (JSON)", ours["sumWeights"], res.model.wnobs)
    check(name, "table AIC", float(head["AIC"]), aic_ref, 1e-9)
    check(name, "table BIC", float(head["BIC"]), bic_ref, 1e-9)

    # ---- robust covariances: statsmodels on the rows written out (frequency weights = repeated rows)
    rep = np.repeat(np.arange(len(y)), w.astype(int))
    nrep = len(rep)
    for cov in c.get("covs", []):
        arg = cov if not cov.startswith("cluster") else "cluster:" + c["cluster"]
        robust, _ = cli.fit(name + "_" + cov, ["--data", name + ".csv"] + c["args"] + ["--cov", arg])
        kw = {}
        sm_type = {"hc0": "HC0", "hc1": "HC1", "cluster": "cluster"}[cov]
        if cov == "cluster":
            kw = {"groups": pd.factorize(data[c["cluster"]].to_numpy()[rep])[0]}
        e_rep = endog[rep]
        if fam_name == "negbinomial":
            m2 = sm.NegativeBinomial(y[rep], X[rep], loglike_method="nb2", offset=None if off is None else off[rep])
            r2 = m2.fit(start_params=ref_params, method="newton", tol=1e-14, maxiter=50, disp=0, cov_type=sm_type, cov_kwds=kw)
            se2 = r2.bse
        else:
            m2 = sm.GLM(e_rep, X[rep], family=family, offset=None if off is None else off[rep])
            r2 = m2.fit(start_params=beta, method="IRLS", tol=1e-15, maxiter=100, cov_type=sm_type, cov_kwds=kw)
            se2 = r2.bse
        for i in range(p + (1 if fam_name == "negbinomial" else 0)):
            nm = robust["parameters"][i]["name"]
            ref = se2[i]
            if cov == "hc1" and fam_name != "negbinomial":
                # statsmodels 0.13's GLM HC1 is HC0 (README): ours = HC0 * sqrt(n/(n-k))
                ref = se2[i] * np.sqrt(nrep / (nrep - p))
            if cov == "hc1" and fam_name == "negbinomial":
                ref = se2[i] * np.sqrt(nrep / (nrep - p - 1))
            check(name, f"{cov} se {nm}", robust["parameters"][i]["stdError"], ref, TOL_SE,
                  sm_value=se2[i] if cov == "hc1" else None, conv="statsmodels 0.13 GLM HC1 = HC0")
        if cov == "hc0" and c.get("weights") and fam_name != "negbinomial":
            r3 = sm.GLM(endog, X, family=family, offset=off, freq_weights=w).fit(
                start_params=beta, method="IRLS", tol=1e-15, cov_type="HC0")
            for i in range(p):
                rows.append((name, f"hc0 se {names[i]} [sm freq_weights]", robust["parameters"][i]["stdError"], r3.bse[i],
                             rel(robust["parameters"][i]["stdError"], r3.bse[i]), "info"))

    # ---- predictions
    if c.get("new") is not None:
        new = write_csv(os.path.join(folder, name + "_new.csv"), c["new"])
        out = os.path.join(folder, name + "_pred.csv")
        rc, so, se = cli.run(["predict", "--model-json", name + ".json", "--data", name + "_new.csv", "--out", out])
        if rc != 0:
            failures.append((name, "predict", rc, se, 1.0))
            rows.append((name, "predict", rc, 0, 1.0, "MISMATCH " + se.strip()[:200]))
        else:
            pred = pd.read_csv(out)
            Xn = patsy.build_design_matrices([X_df.design_info], new, return_type="dataframe")[0].to_numpy()[:, perm]
            offn = new[c["offset"]].to_numpy(float) if c.get("offset") else 0.0
            V = ref_cov[:p, :p]
            eta = Xn @ beta + offn
            se_eta = np.sqrt(np.einsum("ij,jk,ik->i", Xn, V, Xn))
            mean = link.inverse(eta)
            se_mean = np.abs(link.inverse_deriv(eta)) * se_eta
            smp = res.get_prediction(Xn, offset=None if c.get("offset") is None else offn)
            for j in range(len(new)):
                check(name, f"pred eta[{j}]", pred["eta"][j], eta[j], 1e-7, sm_value=smp.linpred.predicted_mean[j])
                check(name, f"pred mean[{j}]", pred["mean"][j], mean[j], 1e-7, sm_value=smp.predicted_mean[j])
                conv = "statsmodels get_prediction uses its default covariance"
                check(name, f"pred seEta[{j}]", pred["seEta"][j], se_eta[j], TOL_SE, sm_value=smp.linpred.se_mean[j], conv=conv)
                check(name, f"pred seMean[{j}]", pred["seMean"][j], se_mean[j], TOL_SE, sm_value=smp.se_mean[j], conv=conv)


def cases():
    rng = np.random.default_rng(20261128)
    n = 600
    out = []

    def base(n=n):
        x1 = rng.normal(0, 1, n)
        x2 = rng.normal(5, 2, n)
        g = rng.choice(["a", "b", "c"], n)
        h = rng.choice(["u", "v"], n)
        w = rng.integers(0, 4, n).astype(float)
        clu = rng.integers(0, 25, n)
        return x1, x2, g, h, w, clu

    def newrows(offset=None, levels=("a", "b", "c")):
        d = pd.DataFrame({"x1": rng.normal(0, 1.5, 5), "x2": rng.normal(5, 3, 5),
                          "g": rng.choice(list(levels), 5), "h": rng.choice(["u", "v"], 5)})
        if offset:
            d[offset] = rng.normal(0, 0.5, 5)
        return d

    gshift = {"a": 0.0, "b": 0.4, "c": -0.5}

    # binomial logit: plain, weights + factor + interaction via formula
    x1, x2, g, h, w, clu = base()
    eta = -0.5 + 0.8 * x1 + 0.1 * x2 + pd.Series(g).map(gshift).to_numpy()
    y = rng.binomial(1, special.expit(eta)).astype(float)
    fr = pd.DataFrame({"y": y, "x1": x1, "x2": x2, "g": g, "h": h, "w": w, "clu": clu})
    out.append(dict(name="logit", frame=fr, formula="y ~ x1 + x2", y="y", args=["--model", "logit", "--y", "y", "--x", "x1,x2"],
                    family="binomial", link="logit", covs=["hc0", "hc1", "cluster"], cluster="clu", new=newrows()))
    out.append(dict(name="logit_w_formula", frame=fr, formula="y ~ x1 + C(g) + x1:C(g)", y="y", weights="w",
                    args=["--model", "logit", "--formula", "y ~ x1 + C(g) + x1:C(g)", "--weights", "w"],
                    family="binomial", link="logit", covs=["hc0", "hc1", "cluster"], cluster="clu", new=newrows(levels=("b", "c"))))
    out.append(dict(name="logit_no_intercept", frame=fr, formula="y ~ x1 + x2 - 1", y="y",
                    args=["--model", "logit", "--formula", "y ~ x1 + x2 - 1"], family="binomial", link="logit", covs=["hc0"], new=newrows()))
    out.append(dict(name="glm_binomial_factor_flags", frame=fr, formula="y ~ x1 + C(g) + C(h)", y="y",
                    args=["--model", "glm", "--family", "binomial", "--y", "y", "--x", "x1", "--factor", "g,h"],
                    family="binomial", link="logit", new=newrows()))
    # probit
    x1, x2, g, h, w, clu = base()
    y = rng.binomial(1, special.ndtr(0.3 + 0.9 * x1 - 0.1 * x2)).astype(float)
    fr = pd.DataFrame({"y": y, "x1": x1, "x2": x2, "g": g, "w": w, "clu": clu})
    out.append(dict(name="probit", frame=fr, formula="y ~ x1 + x2", y="y", args=["--model", "probit", "--y", "y", "--x", "x1,x2"],
                    family="binomial", link="probit", covs=["hc0", "cluster"], cluster="clu", new=newrows()))
    out.append(dict(name="probit_w", frame=fr, formula="y ~ x1 + x2", y="y", weights="w",
                    args=["--model", "probit", "--y", "y", "--x", "x1,x2", "--weights", "w"],
                    family="binomial", link="probit", covs=["hc0"]))
    # binomial cloglog with trials
    x1, x2, g, h, w, clu = base()
    nt = rng.integers(1, 10, n).astype(float)
    pr = 1 - np.exp(-np.exp(-1.0 + 0.5 * x1 + 0.05 * x2))
    y = rng.binomial(nt.astype(int), pr).astype(float)
    fr = pd.DataFrame({"y": y, "x1": x1, "x2": x2, "nt": nt, "g": g, "w": w, "clu": clu})
    out.append(dict(name="cloglog_trials", frame=fr, formula="y ~ x1 + x2", y="y", trials="nt",
                    args=["--model", "glm", "--family", "binomial", "--link", "cloglog", "--y", "y", "--x", "x1,x2", "--trials-column", "nt"],
                    family="binomial", link="cloglog", covs=["hc0"], new=newrows()))
    out.append(dict(name="logit_trials_w", frame=fr, formula="y ~ x1 + C(g)", y="y", trials="nt", weights="w",
                    args=["--model", "logit", "--formula", "y ~ x1 + C(g)", "--trials-column", "nt", "--weights", "w"],
                    family="binomial", link="logit", covs=["hc0", "cluster"], cluster="clu", new=newrows()))
    # poisson with offset, weights
    x1, x2, g, h, w, clu = base()
    off = np.log(rng.uniform(0.5, 4, n))
    y = rng.poisson(np.exp(0.2 + 0.3 * x1 + 0.05 * x2 + off + pd.Series(g).map(gshift).to_numpy())).astype(float)
    fr = pd.DataFrame({"y": y, "x1": x1, "x2": x2, "off": off, "g": g, "w": w, "clu": clu})
    out.append(dict(name="poisson_offset", frame=fr, formula="y ~ x1 + x2", y="y", offset="off",
                    args=["--model", "glm", "--family", "poisson", "--y", "y", "--x", "x1,x2", "--offset", "off"],
                    family="poisson", link="log", covs=["hc0", "hc1", "cluster"], cluster="clu", new=newrows(offset="off")))
    out.append(dict(name="poisson_offset_w_formula", frame=fr, formula="y ~ x1 * C(g)", y="y", offset="off", weights="w",
                    args=["--model", "glm", "--family", "poisson", "--formula", "y ~ x1 * C(g) + offset(off)", "--weights", "w"],
                    family="poisson", link="log", covs=["hc0", "cluster"], cluster="clu", new=newrows(offset="off")))
    # negative binomial
    x1, x2, g, h, w, clu = base()
    mu = np.exp(0.5 + 0.4 * x1 + 0.05 * x2)
    a = 0.6
    y = rng.negative_binomial(1 / a, 1 / (1 + a * mu)).astype(float)
    fr = pd.DataFrame({"y": y, "x1": x1, "x2": x2, "g": g, "w": w, "clu": clu})
    out.append(dict(name="negbinomial", frame=fr, formula="y ~ x1 + x2", y="y",
                    args=["--model", "glm", "--family", "negbinomial", "--y", "y", "--x", "x1,x2"],
                    family="negbinomial", link="log", covs=["hc0"], new=newrows()))
    out.append(dict(name="negbinomial_w", frame=fr, formula="y ~ x1 + C(g)", y="y", weights="w",
                    args=["--model", "glm", "--family", "negbinomial", "--formula", "y ~ x1 + C(g)", "--weights", "w"],
                    family="negbinomial", link="log"))
    # gamma inverse / log
    x1, x2, g, h, w, clu = base()
    mu = 1 / (0.3 + 0.05 * np.abs(x1) + 0.02 * x2.clip(0.5))
    y = rng.gamma(3.0, mu / 3.0)
    fr = pd.DataFrame({"y": y, "x1": np.abs(x1), "x2": x2.clip(0.5), "g": g, "w": w, "clu": clu})
    out.append(dict(name="gamma_inverse", frame=fr, formula="y ~ x1 + x2", y="y",
                    args=["--model", "glm", "--family", "gamma", "--y", "y", "--x", "x1,x2"],
                    family="gamma", link="inverse", covs=["hc0"], new=newrows()))
    x1, x2, g, h, w, clu = base()
    y = rng.gamma(2.0, np.exp(0.5 + 0.3 * x1 + 0.05 * x2) / 2.0)
    fr = pd.DataFrame({"y": y, "x1": x1, "x2": x2, "g": g, "w": w, "clu": clu})
    out.append(dict(name="gamma_log", frame=fr, formula="y ~ x1 + x2", y="y",
                    args=["--model", "glm", "--family", "gamma", "--link", "log", "--y", "y", "--x", "x1,x2"],
                    family="gamma", link="log", covs=["hc0", "cluster"], cluster="clu", new=newrows()))
    out.append(dict(name="gamma_log_w_formula", frame=fr, formula="y ~ x1 + C(g)", y="y", weights="w",
                    args=["--model", "glm", "--family", "gamma", "--link", "log", "--formula", "y ~ x1 + C(g)", "--weights", "w"],
                    family="gamma", link="log", covs=["hc0"], new=newrows()))
    # normal identity / log
    x1, x2, g, h, w, clu = base()
    y = 1.0 + 0.5 * x1 - 0.2 * x2 + rng.normal(0, 1.2, n)
    fr = pd.DataFrame({"y": y, "x1": x1, "x2": x2, "g": g, "w": w, "clu": clu})
    out.append(dict(name="normal_identity", frame=fr, formula="y ~ x1 + x2", y="y",
                    args=["--model", "glm", "--family", "normal", "--y", "y", "--x", "x1,x2"],
                    family="normal", link="identity", covs=["hc0", "hc1", "cluster"], cluster="clu", new=newrows()))
    out.append(dict(name="normal_identity_w", frame=fr, formula="y ~ x1 + C(g)", y="y", weights="w",
                    args=["--model", "glm", "--family", "normal", "--formula", "y ~ x1 + C(g)", "--weights", "w"],
                    family="normal", link="identity", covs=["hc0"], new=newrows()))
    x1, x2, g, h, w, clu = base()
    y = np.exp(1.0 + 0.2 * x1 + 0.05 * x2) + rng.normal(0, 0.5, n)
    fr = pd.DataFrame({"y": y, "x1": x1, "x2": x2, "g": g, "w": w, "clu": clu})
    out.append(dict(name="normal_log", frame=fr, formula="y ~ x1 + x2", y="y",
                    args=["--model", "glm", "--family", "normal", "--link", "log", "--y", "y", "--x", "x1,x2"],
                    family="normal", link="log", covs=["hc0"], new=newrows()))
    return out


def odd_inputs(cli, folder):
    """Bad input: exit 2 (3 for separation / non-convergence) with a message, never a stack trace."""
    rng = np.random.default_rng(7)
    n = 50
    x = rng.normal(0, 1, n)
    base = pd.DataFrame({"y": rng.binomial(1, 0.5, n).astype(float), "x": x, "c": rng.poisson(3, n).astype(float),
                         "w": np.ones(n), "g": ["a"] * n, "g2": rng.choice(["a", "b"], n)})

    def case(label, frame, args, expect, must_contain=None):
        path = os.path.join(folder, "odd.csv")
        if isinstance(frame, str):
            with open(path, "w") as f:
                f.write(frame)
        else:
            frame.to_csv(path, index=False)
        rc, so, se = cli.run(args + (["--data", "odd.csv"] if "--data" not in args else []))
        text = (so + se).strip()
        trace = " at " in text and ("Exception" in text or ".cs:line" in text)
        ok = rc in expect and not trace and (must_contain is None or any(m in text for m in must_contain))
        first = [l for l in text.splitlines() if l.strip()][-1:] if text else [""]
        rows.append(("odd", label, rc, "/".join(map(str, expect)), 0.0 if ok else 1.0, ("ok" if ok else "MISMATCH") + " | " + (first[0][:150])))
        if not ok:
            failures.append(("odd", label, rc, text[:400], 1.0))

    fit = ["fit", "--model", "logit", "--y", "y", "--x", "x"]
    d = base.copy(); d.loc[7, "y"] = 2.0
    case("logit y=2 (line 9)", d, fit, [2], ["line 9", "row 8"])
    d = base.copy(); d["y"] = 0.0
    case("logit all-zero y", d, fit, [2, 3])
    d = base.copy(); d["y"] = (d["x"] > 0).astype(float)
    case("logit perfect separation", d, fit, [3], ["x"])
    d = base.copy(); d.loc[3, "w"] = 0.0
    rc, so, se = cli.run(fit + ["--weights", "w", "--data", "odd.csv"]) if not d.to_csv(os.path.join(folder, "odd.csv"), index=False) else (None, "", "")
    rows.append(("odd", "weight 0 (fits)", rc, 0, 0.0 if rc == 0 else 1.0, "ok" if rc == 0 else "MISMATCH " + se[:150]))
    d = base.copy(); d.loc[3, "w"] = -1.0
    case("negative weight (line 5)", d, fit + ["--weights", "w"], [2], ["line 5"])
    d = base.copy(); d.loc[3, "w"] = np.nan
    case("NaN weight", d, fit + ["--weights", "w"], [2])
    case("factor with one level", base, ["fit", "--model", "logit", "--y", "y", "--x", "x", "--factor", "g"], [2], ["g"])
    case("formula C() one level", base, ["fit", "--model", "logit", "--formula", "y ~ x + C(g)"], [2], ["g"])
    txt = base.to_csv(index=False).splitlines()
    parts = txt[5].split(","); parts[1] = "abc"; txt[5] = ",".join(parts)
    case("text in numeric --x column (line 6)", "\n".join(txt) + "\n", fit, [2], ["line 6"])
    case("text in numeric --x via formula (line 6)", "\n".join(txt) + "\n", ["fit", "--model", "logit", "--formula", "y ~ x"], [2], ["line 6"])
    d = base.copy(); d.loc[4, "c"] = -1
    case("poisson y=-1 (line 6)", d, ["fit", "--model", "glm", "--family", "poisson", "--y", "c", "--x", "x"], [2], ["line 6"])
    d = base.copy(); d.loc[4, "c"] = 1.5
    case("poisson y=1.5 (line 6)", d, ["fit", "--model", "glm", "--family", "poisson", "--y", "c", "--x", "x"], [2], ["line 6"])
    d = base.copy(); d["c"] = d["c"] + 1; d.loc[4, "c"] = 0
    case("gamma y=0 (line 6)", d, ["fit", "--model", "glm", "--family", "gamma", "--y", "c", "--x", "x"], [2], ["line 6"])
    d = base.copy(); d["off"] = 0.0; d.loc[2, "off"] = np.inf
    case("offset inf (line 4)", d, ["fit", "--model", "glm", "--family", "poisson", "--y", "c", "--x", "x", "--offset", "off"], [2], ["line 4"])
    d = base.copy(); d["nt"] = 3.0; d.loc[2, "nt"] = 0.0
    case("trials 0 (line 4)", d, fit + ["--trials-column", "nt"], [2], ["line 4"])
    d = base.copy(); d["nt"] = 1.0
    d.loc[2, "y"] = 1.0; d.loc[2, "nt"] = 0.5
    case("trials 0.5 (line 4)", d, fit + ["--trials-column", "nt"], [2], ["line 4"])
    txt = base.to_csv(index=False).splitlines()
    parts = txt[5].split(","); parts[0] = "yes"; txt[5] = ",".join(parts)
    case("text in the response (line 6)", "\n".join(txt) + "\n", fit, [2], ["line 6"])
    txt = base.to_csv(index=False).splitlines()
    parts = txt[5].split(","); parts[3] = "two"; txt[5] = ",".join(parts)
    case("text in the weights (line 6)", "\n".join(txt) + "\n", fit + ["--weights", "w"], [2], ["line 6"])
    case("all weights 0", base.assign(w=0.0), fit + ["--weights", "w"], [2], ["w"])
    case("poisson all-zero y", base.assign(c=0.0), ["fit", "--model", "glm", "--family", "poisson", "--y", "c", "--x", "x"], [2, 3])
    case("gamma identity link, mean <= 0", base.assign(c=base["c"] + 1, x=np.linspace(-5, 5, n)),
         ["fit", "--model", "glm", "--family", "gamma", "--link", "identity", "--y", "c", "--x", "x"], [0, 2, 3])
    case("unknown column", base, ["fit", "--model", "logit", "--y", "y", "--x", "nope"], [2], ["nope"])
    case("family/link mismatch", base, ["fit", "--model", "glm", "--family", "poisson", "--link", "logit", "--y", "c", "--x", "x"], [2])
    case("collinear columns", base.assign(x2=2 * base["x"]), ["fit", "--model", "logit", "--y", "y", "--x", "x,x2"], [0, 2], ["x2"])
    # predict: a level not seen in the fit
    d = base.copy()
    d.to_csv(os.path.join(folder, "odd_fit.csv"), index=False)
    rc, so, se = cli.run(["fit", "--model", "logit", "--formula", "y ~ x + C(g2)", "--data", "odd_fit.csv", "--json", "odd_fit.json"])
    new = pd.DataFrame({"x": [0.1, 0.2, 0.3], "g2": ["a", "z", "b"]})
    case("predict unseen level z (line 3)", new, ["predict", "--model-json", "odd_fit.json", "--out", "odd_pred.csv"], [2], ["line 3"])
    new = pd.DataFrame({"g2": ["a", "b"]})
    case("predict missing column x", new, ["predict", "--model-json", "odd_fit.json", "--out", "odd_pred.csv"], [2], ["x"])
    new = pd.DataFrame({"x": ["0.5", "abc"], "g2": ["a", "b"]})
    case("predict text in x (line 3)", new, ["predict", "--model-json", "odd_fit.json", "--out", "odd_pred.csv"], [2], ["line 3"])
    d = base.assign(off=0.1)
    d.to_csv(os.path.join(folder, "odd_fit2.csv"), index=False)
    cli.run(["fit", "--model", "glm", "--family", "poisson", "--y", "c", "--x", "x", "--offset", "off", "--data", "odd_fit2.csv", "--json", "odd_fit2.json"])
    case("predict without the offset column", pd.DataFrame({"x": [0.1, 0.2]}),
         ["predict", "--model-json", "odd_fit2.json", "--out", "odd_pred.csv"], [2], ["off"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gpuest", default="dotnet " + os.path.join(ROOT, "src", "GpuEstimation.Cli", "bin", "Release", "net10.0", "gpuest.dll"))
    ap.add_argument("--keep", default=None, help="a folder to keep the data, JSON and predictions in")
    ap.add_argument("--only", default=None, help="run only cases whose name contains this")
    ap.add_argument("--all-rows", action="store_true", help="print every comparison, not only failures and conventions")
    args = ap.parse_args()
    folder = args.keep or tempfile.mkdtemp(prefix="glm_summary_")
    os.makedirs(folder, exist_ok=True)
    cli = Cli(args.gpuest, folder)
    for c in cases():
        if args.only and args.only not in c["name"]:
            continue
        try:
            audit_case(cli, folder, c)
        except Exception as e:  # a case that could not be compared is a failure, with its reason
            rows.append((c["name"], "case", "-", "-", 1.0, "MISMATCH " + repr(e)[:300]))
            failures.append((c["name"], "case", "-", repr(e), 1.0))
    if not args.only:
        odd_inputs(cli, folder)
    summary = {}
    for case, what, ours, ref, r, verdict in rows:
        if args.all_rows or verdict != "ok":
            print(f"{case:26s} {what:40s} ours={ours!s:>24.24s} ref={ref!s:>24.24s} rel={r:9.2e} {verdict}")
        key = verdict.split(":")[0].split(" ")[0]
        summary[key] = summary.get(key, 0) + 1
    print("summary:", summary, "folder:", folder)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
