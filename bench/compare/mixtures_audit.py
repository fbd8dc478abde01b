"""Audit of gpuest's mixtures against sklearn's GaussianMixture (not timings: gmm_compare.py does those): for a 1-D
`--model mixture --components 2xnormal` and `--model gaussian-mixture` in 2-D with each covariance type, sklearn's EM
is started from gpuest's estimate (weights_init, means_init, precisions_init; the same reg_covar) and must not move
it (gpuest's estimate is a fixed point of EM); the log-likelihood (sklearn's score * n), k (sklearn's _n_parameters:
K - 1 weights, K d means, and the covariances' free entries), AIC and BIC (sklearn's aic/bic) and the responsibilities
written by --assign (sklearn's predict_proba) are compared. Then awkward cases: K larger than the number of distinct
values, a component that can only collapse onto one point, tiny n; these must exit 2 or 3 with a message, or report
a finite log-likelihood, never NaN or a trace.
Usage: /usr/bin/python3 bench/compare/mixtures_audit.py --gpuest "dotnet .../gpuest.dll"
"""
import argparse, json, os, shlex, subprocess, tempfile, warnings
import numpy as np
from sklearn.mixture import GaussianMixture
from audit_table import finish, rel, report

warnings.simplefilter("ignore")   # sklearn's ConvergenceWarning for max_iter=1, on purpose

parser = argparse.ArgumentParser()
parser.add_argument("--gpuest", required=True)
args = parser.parse_args()
work = tempfile.mkdtemp(prefix="gpuest-mixaudit-")
rng = np.random.default_rng(20261128)


def gpuest(x, extra):
    x = np.atleast_2d(np.asarray(x, float).T).T
    path = os.path.join(work, "d.csv")
    names = [f"c{j}" for j in range(x.shape[1])]
    with open(path, "w") as fh:
        fh.write(",".join(names) + "\n" + "".join(",".join(repr(v) for v in row) + "\n" for row in x))
    out, assign = os.path.join(work, "fit.json"), os.path.join(work, "assign.csv")
    for f in (out, assign):
        if os.path.exists(f):
            os.remove(f)
    columns = ["--column", "c0"] if "mixture" in extra else ["--x", ",".join(names)]
    done = subprocess.run(shlex.split(args.gpuest) + ["fit", "--data", path, "--json", out, "--assign", assign] + columns + list(extra),
                          capture_output=True, text=True)
    fit = json.load(open(out)) if os.path.exists(out) else None
    resp = np.loadtxt(assign, delimiter=",", skiprows=1)[:, 2:] if os.path.exists(assign) else None
    return done, fit, resp


def against_sklearn(case, x, fit, resp, cov_type, reg):
    n, d = x.shape
    K = len(fit["components"])
    w = np.array([c["weight"] for c in fit["components"]])
    if "mean" in fit["components"][0]:
        means = np.array([c["mean"] for c in fit["components"]])
        covs = np.array([c["covariance"] for c in fit["components"]])
    else:   # 1-D catalogue mixture of normals
        means = np.array([[v for k, v in c["parameters"].items() if k.startswith("mu")] for c in fit["components"]])
        covs = np.array([[[v ** 2 for k, v in c["parameters"].items() if k.startswith("sigma")]] for c in fit["components"]])
    if cov_type == "full":
        prec = np.array([np.linalg.inv(c) for c in covs])
    elif cov_type == "diag":
        prec = np.array([1 / np.diag(c) for c in covs])
    elif cov_type == "spherical":
        prec = np.array([1 / c[0, 0] for c in covs])
    else:
        prec = np.linalg.inv(covs[0])
    gm = GaussianMixture(K, covariance_type=cov_type, weights_init=w, means_init=means, precisions_init=prec, reg_covar=reg,
                         tol=1e-15, max_iter=1)
    gm.fit(x)   # one EM step from our estimate (sklearn's initialisation is ours, then an E- and M-step)
    moved = max(rel(gm.weights_, w), np.max(np.abs(gm.means_ - means)) / np.std(x))
    report(case, "sklearn EM step from ours moves nothing", moved < 1e-7, f"{moved:.1e}", "< 1e-7", "max change of a weight or a mean (in data SDs)")
    # sklearn's log-likelihood, bic, aic at exactly our parameters
    gm.weights_, gm.means_ = w, means
    if cov_type == "full":
        gm.covariances_ = covs; gm.precisions_cholesky_ = np.array([np.linalg.cholesky(p) for p in prec])
    elif cov_type == "diag":
        gm.covariances_ = np.array([np.diag(c) for c in covs]); gm.precisions_cholesky_ = np.sqrt(prec)
    elif cov_type == "spherical":
        gm.covariances_ = np.array([c[0, 0] for c in covs]); gm.precisions_cholesky_ = np.sqrt(prec)
    else:
        gm.covariances_ = covs[0]; gm.precisions_cholesky_ = np.linalg.cholesky(prec)
    ll = gm.score(x) * n
    report(case, "log L = sklearn score * n", abs(fit["logLikelihood"] - ll) <= 1e-10 * abs(ll), f"{fit['logLikelihood']:.13g}", f"{ll:.13g}")
    k = gm._n_parameters()
    report(case, "k = sklearn _n_parameters", fit["k"] == k, fit["k"], k)
    report(case, "AIC, BIC = sklearn aic, bic", rel([fit["aic"], fit["bic"]], [gm.aic(x), gm.bic(x)]) < 1e-10,
           f"{fit['aic']:.10g}, {fit['bic']:.10g}", f"{gm.aic(x):.10g}, {gm.bic(x):.10g}")
    if resp is not None:
        r = gm.predict_proba(x)
        worst = float(np.max(np.abs(resp - r)))
        report(case, "--assign responsibilities = predict_proba", worst < 1e-9, f"{worst:.1e}", "< 1e-9", "max abs difference")


def normal_1d():
    x = np.r_[rng.normal(0, 1, 300), rng.normal(4, 0.7, 200)]
    done, fit, resp = gpuest(x, ["--model", "mixture", "--components", "2xnormal"])
    report("1-D 2xnormal", "exit 0", done.returncode == 0, done.returncode, 0, done.stderr.strip()[:100])
    if fit:
        against_sklearn("1-D 2xnormal", x[:, None], fit, resp, "full", 0.0)


def gaussian_2d():
    z = rng.choice(3, size=600, p=[0.5, 0.3, 0.2])
    x = np.array([[0, 0], [4, 1], [1, 5]])[z] + rng.normal(size=(600, 2)) * np.array([1, 0.7])
    for ours, theirs in [("full", "full"), ("diagonal", "diag"), ("spherical", "spherical"), ("tied", "tied")]:
        done, fit, resp = gpuest(x, ["--model", "gaussian-mixture", "--components", "3", "--covariance", ours])
        case = f"2-D K=3 {ours}"
        report(case, "exit 0", done.returncode == 0, done.returncode, 0, done.stderr.strip()[:100])
        if fit:
            against_sklearn(case, x, fit, resp, theirs, fit["regularization"])


def awkward():
    cases = [
        ("1-D 3xnormal, 2 distinct values", [1.0] * 5 + [2.0] * 5, ["--model", "mixture", "--components", "3xnormal"], (2,)),
        ("1-D 2xnormal, one value repeated among spread data", np.r_[rng.normal(0, 1, 50), [5.0] * 10], ["--model", "mixture", "--components", "2xnormal"], (0, 3)),
        ("1-D 2xpoisson, 1 distinct value", [3.0] * 10, ["--model", "mixture", "--components", "2xpoisson"], (2,)),
        ("1-D 2xnormal n=2", [1.0, 2.0], ["--model", "mixture", "--components", "2xnormal"], (2, 3)),
        ("1-D 2xnormal n=3", [1.0, 2.0, 4.0], ["--model", "mixture", "--components", "2xnormal"], (0, 3)),
        ("1-D 2xgamma, constant", [2.0] * 8, ["--model", "mixture", "--components", "2xgamma"], (2,)),
        ("2-D K=3, 2 distinct points", [[0, 0]] * 10 + [[1, 1]] * 10, ["--model", "gaussian-mixture", "--components", "3"], (0, 2, 3)),
        ("2-D K=2, one point repeated", np.r_[rng.normal(size=(40, 2)), [[5.0, 5.0]] * 10], ["--model", "gaussian-mixture", "--components", "2"], (0,)),
        ("2-D K=2, n=3", [[0, 0], [1, 2], [3, 1]], ["--model", "gaussian-mixture", "--components", "2"], (0, 2, 3)),
    ]
    for case, x, extra, allowed in cases:
        done, fit, resp = gpuest(x, extra)
        trace = "   at " in done.stderr or "Unhandled" in done.stderr
        finite = fit is None or (fit.get("logLikelihood") is not None and np.isfinite(fit["logLikelihood"]))
        said = done.stderr.strip().splitlines()[-1][:140] if done.stderr.strip() else (" ".join(fit.get("notes", fit.get("diagnostics", {}).get("notes", []))) if fit else "")[:140]
        ok = done.returncode in allowed and not trace and finite
        ll = f", log L {fit['logLikelihood']}" if fit else ""
        report(case, f"exit in {allowed}, no NaN, no trace", ok, f"exit {done.returncode}{ll}", "", said)


normal_1d()
gaussian_2d()
awkward()
print("| case | check | result | gpuest | reference | note |")
print("|---|---|---|---|---|---|")
finish()
