"""Audit of `gpuest fit --model linear` against statsmodels OLS and an exact (50-digit mpmath) least-squares solution:
coefficients, sigma (gpuest: the MLE, divisor n; statsmodels: sqrt(scale), divisor n - p), standard errors (gpuest's
are the MLE's; times sqrt(n / (n - p)) they are statsmodels' bse), log-likelihood (statsmodels' llf), AIC/BIC (gpuest
counts sigma, k = p + 1, as R's AIC(lm); statsmodels' OLS counts k = p), R², adjusted R² and the F test, on a plain
design and on nearly collinear ones.
Usage: /usr/bin/python3 bench/compare/linear_audit.py --gpuest "dotnet .../gpuest.dll"
"""
import argparse, json, os, shlex, subprocess, tempfile
import mpmath as mp
import numpy as np
import statsmodels.api as sm
from audit_table import finish, rel, report

parser = argparse.ArgumentParser()
parser.add_argument("--gpuest", required=True)
args = parser.parse_args()
work = tempfile.mkdtemp(prefix="gpuest-linaudit-")
rng = np.random.default_rng(20261128)
mp.mp.dps = 50


def exact_ls(X, y):
    """Least squares at 50 digits: the normal equations solved by mpmath (exact enough at 50 digits for these designs)."""
    A = mp.matrix([[mp.mpf(float(v)) for v in row] for row in X])
    b = mp.matrix([mp.mpf(float(v)) for v in y])
    beta = mp.lu_solve(A.T * A, A.T * b)
    r = b - A * beta
    return [float(v) for v in beta], float(mp.fsum(v ** 2 for v in r))


def audit(case, X, y, tol_beta=1e-8):
    n, p = X.shape[0], X.shape[1] + 1
    path, out = os.path.join(work, "d.csv"), os.path.join(work, "fit.json")
    names = [f"x{j + 1}" for j in range(X.shape[1])]
    with open(path, "w") as fh:
        fh.write("y," + ",".join(names) + "\n" + "".join(repr(a) + "," + ",".join(repr(v) for v in row) + "\n" for a, row in zip(y, X)))
    done = subprocess.run(shlex.split(args.gpuest) + ["fit", "--model", "linear", "--data", path, "--y", "y", "--x", ",".join(names), "--json", out],
                          capture_output=True, text=True)
    if done.returncode != 0:
        report(case, "exit 0", False, done.returncode, 0, done.stderr.strip()[:120])
        return
    fit = json.load(open(out))
    est = [q["estimate"] for q in fit["parameters"]]
    se = [q["stdError"] for q in fit["parameters"]]
    D = sm.add_constant(X, has_constant="add")
    res = sm.OLS(y, D).fit()
    beta, rss = exact_ls(D, y)
    report(case, "coefficients vs 50-digit least squares", rel(est[:p], beta) < tol_beta, ", ".join(f"{v:.12g}" for v in est[:p]),
           ", ".join(f"{v:.12g}" for v in beta), f"max rel {rel(est[:p], beta):.1e}; statsmodels' max rel {rel(res.params, beta):.1e}")
    sigma_ml = np.sqrt(rss / n)
    report(case, "sigma = sqrt(RSS/n) (MLE)", rel(est[p], sigma_ml) < 1e-9, f"{est[p]:.12g}", f"{sigma_ml:.12g}",
           f"statsmodels sqrt(scale) = sqrt(RSS/(n-p)) = {np.sqrt(res.scale):.12g}")
    if any(s is None for s in se):
        report(case, "standard errors", False, "none", "", fit["diagnostics"]["hessian"])
    else:
        scaled = np.array(se[:p]) * np.sqrt(n / (n - p))
        report(case, "SE * sqrt(n/(n-p)) = statsmodels bse", rel(scaled, res.bse) < 1e-6, ", ".join(f"{v:.8g}" for v in scaled),
               ", ".join(f"{v:.8g}" for v in res.bse), f"max rel {rel(scaled, res.bse):.1e}")
        report(case, "SE(sigma) = sigma/sqrt(2n)", rel(se[p], sigma_ml / np.sqrt(2 * n)) < 1e-6, f"{se[p]:.10g}", f"{sigma_ml / np.sqrt(2 * n):.10g}")
    report(case, "log L = statsmodels llf", abs(fit["logLikelihood"] - res.llf) < 1e-9 * max(1, abs(res.llf)), f"{fit['logLikelihood']:.13g}", f"{res.llf:.13g}")
    k = p + 1
    aic, bic = 2 * k - 2 * res.llf, k * np.log(n) - 2 * res.llf
    report(case, "AIC, BIC with k = p + 1 (R's AIC(lm))", rel([fit["aic"], fit["bic"]], [aic, bic]) < 1e-10, f"{fit['aic']:.10g}, {fit['bic']:.10g}",
           f"{aic:.10g}, {bic:.10g}", f"statsmodels OLS aic, bic (k = p) = {res.aic:.10g}, {res.bic:.10g}: 2 and log n lower")
    ours = [fit["rSquared"], fit["adjustedRSquared"], fit["fStatistic"], fit["fPValue"]]
    theirs = [res.rsquared, res.rsquared_adj, res.fvalue, res.f_pvalue]
    report(case, "R², adjusted R², F, its p-value", rel(ours, theirs) < 1e-7, ", ".join(f"{v:.10g}" for v in ours),
           ", ".join(f"{v:.10g}" for v in theirs), "statsmodels rsquared, rsquared_adj, fvalue, f_pvalue")


n = 40
x1, x2 = rng.normal(size=n), rng.normal(size=n)
audit("plain, n=40, p=3", np.c_[x1, x2], 1 + 2 * x1 - 0.5 * x2 + rng.normal(0, 0.3, n))
x3 = x1 + 1e-6 * rng.normal(size=n)
audit("x3 = x1 + 1e-6 noise", np.c_[x1, x3], 1 + 2 * x1 - 0.5 * x3 + rng.normal(0, 0.3, n), tol_beta=1e-6)
t = np.linspace(1, 2, n)
audit("polynomial t..t^5, t in [1, 2]", np.c_[t, t ** 2, t ** 3, t ** 4, t ** 5], 1 + t + t ** 2 + t ** 3 + t ** 4 + t ** 5 + rng.normal(0, 1e-3, n), tol_beta=1e-6)
audit("features offset 1e6", np.c_[1e6 + x1, 1e6 + x2], 1 + 2 * x1 - 0.5 * x2 + rng.normal(0, 0.3, n), tol_beta=1e-7)
audit("n = p + 1", np.c_[x1[:4], x2[:4]], (1 + 2 * x1 - 0.5 * x2 + rng.normal(0, 0.3, n))[:4])
print("| case | check | result | gpuest | reference | note |")
print("|---|---|---|---|---|---|")
finish()
