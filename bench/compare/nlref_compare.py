#!/usr/bin/env python3
"""Nonlinear regression, expression models, intervals, sweeps and eval against scipy/statsmodels.

Usage: nlref_compare.py GPUEST_COMMAND [WORKDIR]
  GPUEST_COMMAND  e.g. "dotnet src/GpuEstimation.Cli/bin/Release/net10.0/gpuest.dll"
Not covered here: the demo (its data come from MathNet's Xoshiro256StarStar; dump LearningExample.Generate to CSV
and compare np.polyfit and the joint ridge mode, as done by hand for the report on branch h-nlref).
Generates its data (seeded) in WORKDIR (default: a temporary folder), runs gpuest on it and prints one line per
compared quantity: name, ours, reference, relative difference, and OK/DIFF against a tolerance.
"""
import json, os, subprocess, sys, tempfile
import numpy as np
import sympy as sp
from scipy import optimize, stats
from scipy.special import gammaln

G = sys.argv[1].split()
W = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="nlref-")
os.makedirs(W, exist_ok=True)
rows = []

def save(name, cols):
    keys = list(cols); n = len(cols[keys[0]])
    with open(os.path.join(W, name), "w") as f:
        f.write(",".join(keys) + "\n")
        for i in range(n):
            f.write(",".join(repr(float(cols[k][i])) for k in keys) + "\n")
    return os.path.join(W, name)

def gpuest(*args, expect=0):
    p = subprocess.run(G + list(args), capture_output=True, text=True, cwd=W)
    if p.returncode != expect:
        print(f"!! exit {p.returncode} (expected {expect}): gpuest {' '.join(args)}\n{p.stdout}{p.stderr}")
    return p

def fitjson(*args):
    out = os.path.join(W, "out.json")
    if os.path.exists(out): os.remove(out)
    p = gpuest("fit", *args, "--json", out)
    return json.load(open(out)) if p.returncode == 0 else None

def cmp(name, ours, ref, tol=1e-7):
    ours = float("nan") if ours is None else float(ours)
    d = abs(ours - ref) / max(abs(ref), 1e-300)
    ok = d <= tol or (np.isnan(ours) and np.isnan(ref))
    rows.append((name, ours, ref, d, ok))
    print(f"{'OK  ' if ok else 'DIFF'} {name:48s} ours {ours:+.12g}  ref {ref:+.12g}  rel {d:.2e}")

def par(j, name, key="estimate"):
    return next(p for p in j["parameters"] if p["name"] == name)[key]

rng = np.random.default_rng(42)

# ---------------------------------------------------------------- 1. nonlinear regression
x_ = sp.Symbol("x")
problems = []
x = np.linspace(0, 10, 40)
problems.append(("expdecay", save("expdecay.csv", {"x": x, "y": 5 * np.exp(-0.4 * x) + rng.normal(0, 0.1, 40)}),
                 "a*exp(-b*x)", ["a", "b"], {"a": 1, "b": 1}, {"a": 50, "b": 0.01}))
s = np.array([0.02, 0.02, 0.06, 0.06, 0.11, 0.11, 0.22, 0.22, 0.56, 0.56, 1.10, 1.10])
problems.append(("michaelis", save("mm.csv", {"x": s, "y": 200 * s / (0.06 + s) + rng.normal(0, 8, 12)}),
                 "vmax*x/(km+x)", ["vmax", "km"], {"vmax": 100, "km": 0.1}, {"vmax": 1000, "km": 5}))
# The logistic's far start (k=10, r=0.05, x0=0) is expected to fail: gpuest exits 3 (no step reduces the RSS, relative
# offset 2.2), and scipy's curve_fit from there stops at the same non-solution (k 59.3, x0 -76) with only a warning.
t = np.linspace(0, 20, 30)
problems.append(("logistic", save("logis.csv", {"x": t, "y": 100 / (1 + np.exp(-0.6 * (t - 8))) + rng.normal(0, 3, 30)}),
                 "k/(1+exp(-r*(x-x0)))", ["k", "r", "x0"], {"k": 80, "r": 1, "x0": 5}, {"k": 10, "r": 0.05, "x0": 0}))
x = np.linspace(0, 5, 25)
problems.append(("sumexp", save("sumexp.csv", {"x": x, "y": 3 * np.exp(-1.0 * x) + 2 * np.exp(-1.3 * x) + rng.normal(0, 0.02, 25)}),
                 "a1*exp(-k1*x)+a2*exp(-k2*x)", ["a1", "k1", "a2", "k2"], {"a1": 2, "k1": 0.5, "a2": 2, "k2": 2}, None))

for name, path, mean, names, start, far in problems:
    d = np.genfromtxt(path, delimiter=",", names=True)
    X, Y = d["x"], d["y"]; n, p = len(Y), len(names)
    syms = sp.symbols(names)
    expr = sp.sympify(mean.replace("^", "**"), locals={k: v for k, v in zip(names, syms)} | {"x": x_})
    f = sp.lambdify([x_] + list(syms), expr, "numpy")
    jac = [sp.lambdify([x_] + list(syms), sp.diff(expr, s_), "numpy") for s_ in syms]
    hes = [[sp.lambdify([x_] + list(syms), sp.diff(expr, a, b), "numpy") for b in syms] for a in syms]
    model = lambda xx, *th: f(xx, *th)
    J = lambda th: np.column_stack([np.broadcast_to(g(X, *th), X.shape) for g in jac])
    popt, pcov = optimize.curve_fit(model, X, Y, p0=[start[k] for k in names], jac=lambda xx, *th: J(th),
                                    xtol=1e-15, ftol=1e-15, gtol=1e-15, maxfev=100000)
    r = Y - f(X, *popt); rss = r @ r
    # Observed information of the full likelihood (theta, sigma) at the MLE, exact second derivatives
    s2 = rss / n; Jm = J(popt)
    Hth = -(Jm.T @ Jm - sum(r[i] * np.array([[np.broadcast_to(hes[a][b](X, *popt), X.shape)[i] for b in range(p)] for a in range(p)]) for i in range(n))) / s2
    # sigma block: at the MLE d2/dsigma2 = -2n/sigma^2, cross terms -2/sigma^3 J^T r = 0
    cov_th = np.linalg.inv(-Hth)
    for flavour, st in (("near", start), ("far", far)):
        if st is None: continue
        j = fitjson("--model", "nonlinear", "--data", path, "--y", "y", "--mean", mean,
                    "--start", ",".join(f"{k}={v}" for k, v in st.items()))
        if j is None: continue
        for k, v in zip(names, popt):
            cmp(f"nl {name} {flavour} {k}", par(j, k), v, 1e-7)
        if flavour == "far": continue
        for i, k in enumerate(names):
            cmp(f"nl {name} {k} se nls (curve_fit pcov)", par(j, k, "stdErrorNist"), np.sqrt(pcov[i, i]), 1e-6)
            cmp(f"nl {name} {k} se mle (exact obs. info)", par(j, k, "stdError"), np.sqrt(cov_th[i, i]), 1e-6)
        cmp(f"nl {name} sigma mle sqrt(RSS/n)", par(j, "sigma"), np.sqrt(rss / n), 1e-8)
        cmp(f"nl {name} sigma se sigma/sqrt(2n)", par(j, "sigma", "stdError"), np.sqrt(rss / n) / np.sqrt(2 * n), 1e-6)
        cmp(f"nl {name} residualStdError", j.get("residualStdError"), np.sqrt(rss / (n - p)), 1e-8)
        cmp(f"nl {name} RSS", j.get("residualSumOfSquares"), rss, 1e-8)
        cmp(f"nl {name} dfResid", j.get("dfResid"), n - p, 0)
        cmp(f"nl {name} logL", j["logLikelihood"], np.sum(stats.norm.logpdf(Y, f(X, *popt), np.sqrt(rss / n))), 1e-9)


# ---------------------------------------------------------------- 2. expression log-densities = catalogue families
xn = rng.normal(3, 2, 60); save("norm.csv", {"x": xn})
xg = rng.gamma(2.5, 1 / 1.5, 80); save("gam.csv", {"x": xg})
xu = rng.gumbel(1, 2, 70); save("gum.csv", {"x": xu})
def nll_fit(f, v0):
    r = optimize.minimize(f, v0, method="Nelder-Mead", options=dict(xatol=1e-12, fatol=1e-14, maxiter=40000))
    return optimize.minimize(f, r.x, method="BFGS", options=dict(gtol=1e-10)).x
gam_ref = nll_fit(lambda v: -stats.gamma.logpdf(xg, v[0], scale=1 / v[1]).sum() if min(v) > 0 else np.inf, [2, 1])
for label, data, cat, exprs, params, ref in (
        ("normal", "norm.csv", "normal", ["normal_lpdf(x,mu,sigma)", "-0.5*log(2*pi)-log(sigma)-0.5*((x-mu)/sigma)^2"],
         "mu,sigma:positive", {"mu": xn.mean(), "sigma": xn.std()}),
        ("gamma", "gam.csv", "gamma", ["gamma_lpdf(x,shape,rate)", "shape*log(rate)-lgamma(shape)+(shape-1)*log(x)-rate*x"],
         "shape:positive,rate:positive", {"shape": gam_ref[0], "rate": gam_ref[1]})):
    jc = fitjson("--model", cat, "--data", data, "--column", "x")
    for k, v in ref.items():
        cmp(f"expr {label} catalogue {k} vs scipy", par(jc, k), v, 1e-7)
    for e in exprs:
        je = fitjson("--data", data, "--logpdf", e, "--param", params)
        for k in ref:
            cmp(f"expr {label} '{e[:24]}' {k} = catalogue", par(je, k), par(jc, k), 1e-9)
            cmp(f"expr {label} '{e[:24]}' se {k} = catalogue", par(je, k, "stdError"), par(jc, k, "stdError"), 1e-7)
        cmp(f"expr {label} '{e[:24]}' logL = catalogue", je["logLikelihood"], jc["logLikelihood"], 1e-12)
gum_ref = stats.gumbel_r.fit(xu)
je = fitjson("--data", "gum.csv", "--logpdf", "-log(beta) - (x-mu)/beta - exp(-(x-mu)/beta)", "--param", "mu,beta:positive", "--start", "mu=1,beta=1")
cmp("expr gumbel mu vs scipy gumbel_r.fit", par(je, "mu"), gum_ref[0], 1e-7)
cmp("expr gumbel beta vs scipy gumbel_r.fit", par(je, "beta"), gum_ref[1], 1e-7)
cmp("expr gumbel logL vs scipy logpdf sum", je["logLikelihood"], stats.gumbel_r.logpdf(xu, *gum_ref).sum(), 1e-10)

# ---------------------------------------------------------------- 3. Wald and profile-likelihood intervals
Xp = rng.normal(0, 1, 100); save("pois.csv", {"x": Xp, "y": rng.poisson(np.exp(0.3 + 0.5 * Xp))})
Xl = rng.normal(0, 1, 120); save("logit.csv", {"x": Xl, "y": (rng.random(120) < 1 / (1 + np.exp(0.2 - 1.1 * Xl))).astype(float)})
dp = np.genfromtxt(os.path.join(W, "pois.csv"), delimiter=",", names=True)
dl = np.genfromtxt(os.path.join(W, "logit.csv"), delimiter=",", names=True)
def pois_ll(v): eta = v[0] + v[1] * dp["x"]; return np.sum(dp["y"] * eta - np.exp(eta) - gammaln(dp["y"] + 1))
def logit_ll(v): eta = v[0] + v[1] * dl["x"]; return np.sum(dl["y"] * eta - np.logaddexp(0, eta))
cases = (
    ("normal", ["--model", "normal", "--data", "norm.csv", "--column", "x"], ["mu", "sigma"],
     lambda v: stats.norm.logpdf(xn, v[0], v[1]).sum() if v[1] > 0 else -np.inf),
    ("gamma", ["--model", "gamma", "--data", "gam.csv", "--column", "x"], ["shape", "rate"],
     lambda v: stats.gamma.logpdf(xg, v[0], scale=1 / v[1]).sum() if min(v) > 0 else -np.inf),
    ("poisson glm", ["--model", "glm", "--family", "poisson", "--data", "pois.csv", "--y", "y", "--x", "x"], ["intercept", "x"], pois_ll),
    ("logit", ["--model", "logit", "--data", "logit.csv", "--y", "y", "--x", "x"], ["intercept", "x"], logit_ll),
)
for level in (0.95, 0.9):
    z = stats.norm.ppf(0.5 + level / 2); drop = stats.chi2.ppf(level, 1) / 2
    for label, args, names, ll in cases:
        j = fitjson(*args, "--level", str(level), "--profile", "all")
        if j is None: continue
        v0 = np.array([par(j, k) for k in names]); lmax = ll(v0)
        cmp(f"ci {label} logL vs scipy", j["logLikelihood"], lmax, 1e-12)
        for i, k in enumerate(names):
            est, se = par(j, k), par(j, k, "stdError")
            lo, hi = par(j, k, "interval")
            cmp(f"ci {label} L={level} wald lo {k} = est - z se", lo, est - z * se, 1e-12)
            cmp(f"ci {label} L={level} wald hi {k} = est + z se", hi, est + z * se, 1e-12)
            def prof(val):
                others = [m for m in range(len(names)) if m != i]
                def full(u):
                    v = v0.copy(); v[i] = val; v[others] = u; return v
                r = optimize.minimize(lambda u: -ll(full(u)), v0[others], method="Nelder-Mead",
                                      options=dict(xatol=1e-12, fatol=1e-13, maxiter=20000))
                return -r.fun
            g = lambda val: lmax - prof(val) - drop
            plo, phi = par(j, k, "profileInterval")
            for side, ours, sgn in (("lo", plo, -1), ("hi", phi, 1)):
                far = est + sgn * 6 * se
                if k in ("sigma", "shape", "rate"): far = max(far, est * 0.05)
                ref = optimize.brentq(g, est, far, xtol=1e-14, rtol=1e-13)
                cmp(f"ci {label} L={level} profile {side} {k} (brentq)", ours, ref, 2e-7)

# open profiles: a Student-t fit of normal data (nu's upper end), all successes (p at its edge)
jt = fitjson("--model", "studentt", "--data", "norm.csv", "--column", "x", "--profile", "nu")
if jt: print("studentt nu profile interval on normal data:", par(jt, "nu", "profileInterval"), "estimate", par(jt, "nu"))
save("ones.csv", {"x": np.ones(20)})
jb = fitjson("--model", "bernoulli", "--data", "ones.csv", "--column", "x", "--profile", "p")
if jb:
    print("bernoulli all ones: p", par(jb, "p"), "profile", par(jb, "p", "profileInterval"), "closed form lower",
          (np.exp(-stats.chi2.ppf(0.95, 1) / 2)) ** (1 / 20))

# ---------------------------------------------------------------- 4. sweep and eval = scipy logpdf sums
import csv
def sweep_rows(*args):
    out = os.path.join(W, "sweep.csv")
    p = gpuest("sweep", *args, "--out", out)
    return list(csv.DictReader(open(out))) if p.returncode == 0 else []
worst = 0.0
for r in sweep_rows("--model", "normal", "--data", "norm.csv", "--column", "x", "--grid", "mu=1:4:7", "--grid", "sigma=0.5:3:6"):
    ref = stats.norm.logpdf(xn, float(r["mu"]), float(r["sigma"])).sum()
    worst = max(worst, abs(float(r["logLikelihood"]) - ref) / abs(ref))
cmp("sweep normal 7x6 worst rel vs norm.logpdf sum", worst, 0.0, 1e-12) if False else print(f"{'OK  ' if worst <= 1e-12 else 'DIFF'} sweep normal 7x6: worst rel {worst:.2e}")
rows.append(("sweep normal", worst, 0, worst, worst <= 1e-12))
worst = 0.0
for r in sweep_rows("--model", "gamma", "--data", "gam.csv", "--column", "x", "--grid", "shape=0.5:6:5", "--grid", "rate=0.2:4:5"):
    ref = stats.gamma.logpdf(xg, float(r["shape"]), scale=1 / float(r["rate"])).sum()
    worst = max(worst, abs(float(r["logLikelihood"]) - ref) / abs(ref))
print(f"{'OK  ' if worst <= 1e-12 else 'DIFF'} sweep gamma 5x5: worst rel {worst:.2e}"); rows.append(("sweep gamma", worst, 0, worst, worst <= 1e-12))
worst = 0.0
for r in sweep_rows("--data", "gum.csv", "--logpdf", "-log(beta) - (x-mu)/beta - exp(-(x-mu)/beta)", "--param", "mu,beta:positive",
                    "--grid", "mu=-1:3:5", "--grid", "beta=0.5:4:4"):
    ref = stats.gumbel_r.logpdf(xu, float(r["mu"]), float(r["beta"])).sum()
    worst = max(worst, abs(float(r["logLikelihood"]) - ref) / abs(ref))
print(f"{'OK  ' if worst <= 1e-12 else 'DIFF'} sweep gumbel expression 5x4: worst rel {worst:.2e}"); rows.append(("sweep gumbel expr", worst, 0, worst, worst <= 1e-12))
# eval: value and gradient in closed form
out = os.path.join(W, "eval.json")
gpuest("eval", "--model", "gamma", "--data", "gam.csv", "--column", "x", "--at", "shape=2.2,rate=1.3", "--json", out)
e = json.load(open(out)); a_, b_ = 2.2, 1.3
from scipy.special import digamma
cmp("eval gamma logL", e["logLikelihood"], stats.gamma.logpdf(xg, a_, scale=1 / b_).sum(), 1e-12)
cmp("eval gamma d/dshape", e["gradient"][0]["value"], np.sum(np.log(b_) - digamma(a_) + np.log(xg)), 1e-12)
cmp("eval gamma d/drate", e["gradient"][1]["value"], np.sum(a_ / b_ - xg), 1e-12)

# ---------------------------------------------------------------- edge cases: exit 2 with a message, never a trace
save("few.csv", {"dose": [0.0, 1.0, 2.0], "y": [1.0, 2.0, 3.5]})
for args, code in (
        (["fit", "--model", "nonlinear", "--data", "few.csv", "--y", "y", "--mean", "a+b*dose+c*dose^2", "--start", "a=0,b=0,c=0"], 2),
        (["fit", "--model", "nonlinear", "--data", "few.csv", "--y", "y", "--mean", "a*log(dose-b)", "--start", "a=1,b=0.5"], 2),
        (["fit", "--data", "norm.csv", "--logpdf", "normal_lpdf(x,mu,sigm)", "--param", "mu,sigma:positive"], 2),
        (["fit", "--data", "norm.csv", "--logpdf", "nrmal_lpdf(x,mu,sigma)", "--param", "mu,sigma:positive"], 2),
        (["fit", "--data", "norm.csv", "--logpdf", "normal_lpdf(z,mu,sigma)", "--param", "mu,sigma:positive"], 2),
        (["fit", "--data", "norm.csv", "--logpdf", "-log(sigma) +* 1", "--param", "mu,sigma:positive"], 2),
        (["sweep", "--model", "normal", "--data", "norm.csv", "--column", "x", "--grid", "mu=1:4:1", "--grid", "sigma=2:2:1"], 2),
        (["sweep", "--model", "normal", "--data", "norm.csv", "--column", "x", "--grid", "mu=4:1:4", "--at", "sigma=2"], 2),
        (["sweep", "--model", "normal", "--data", "norm.csv", "--column", "x", "--grid", "sigma=-1:2:4", "--at", "mu=2"], 2),
        (["eval", "--model", "normal", "--data", "norm.csv", "--column", "x", "--at", "mu=2,sigma=0"], 2)):
    pr = gpuest(*args, expect=code)
    ok = pr.returncode == code and "   at " not in pr.stderr
    rows.append((" ".join(args[:1] + args[-4:]), pr.returncode, code, 0, ok))
    print(f"{'OK  ' if ok else 'DIFF'} exit {pr.returncode}: {pr.stderr.strip().splitlines()[0] if pr.stderr.strip() else ''}")

bad = [r for r in rows if not r[4]]
print(f"\n{len(rows) - len(bad)} of {len(rows)} comparisons within tolerance")
for r in bad:
    print(f"  DIFF {r[0]}: ours {r[1]}, reference {r[2]}, rel {r[3]:.2e}")
