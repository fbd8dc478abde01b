"""Audit of `gpuest fit --model FAMILY` against scipy on small and awkward data (near-boundary MLEs, tiny samples,
constant data, far starts, --fix), unlike families_compare.py (10^6 well-behaved points, timings).

For each case: the estimate against a reference MLE computed here independently (closed forms; a 1-D score root by
brentq for gamma, weibull and negbinomial; otherwise Newton on central differences of scipy's logpdf sum, started
from scipy's fit and from our estimate, the better kept), the log-likelihood against scipy's logpdf(...).sum() at
our estimate, the standard errors against the inverse of the observed information at our estimate (central
differences with Richardson extrapolation of scipy's logpdf sum over the estimated parameters), and AIC/BIC
recomputed with k = the number of estimated (not --fix) parameters. Cases where no finite MLE exists must exit 2
or 3, or exit 0 with a note that the estimate is at the edge of the domain.
Usage: /usr/bin/python3 bench/compare/families_audit.py --gpuest "dotnet .../gpuest.dll" [--only NAME]
Prints a Markdown table (one row per check) and the number of discrepancies; exit status 1 if there are any.
"""
import argparse, json, os, shlex, subprocess, tempfile
import numpy as np
import mpmath as mp
import scipy.stats as st
from scipy import optimize, special
from audit_table import finish, rel, report

mp.mp.dps = 50

parser = argparse.ArgumentParser()
parser.add_argument("--gpuest", required=True)
parser.add_argument("--only", default="")
args = parser.parse_args()
work = tempfile.mkdtemp(prefix="gpuest-audit-")
rng = np.random.default_rng(20261128)

# family -> (scipy frozen distribution from gpuest's parameters in gpuest's order, parameter names, domains)
FAMILIES = {
    "normal": (lambda m, s: st.norm(m, s), ["mu", "sigma"], "rp"),
    "lognormal": (lambda m, s: st.lognorm(s, scale=np.exp(m)), ["mu", "sigma"], "rp"),
    "exponential": (lambda r: st.expon(scale=1 / r), ["rate"], "p"),
    "gamma": (lambda a, r: st.gamma(a, scale=1 / r), ["shape", "rate"], "pp"),
    "beta": (lambda a, b: st.beta(a, b), ["alpha", "beta"], "pp"),
    "weibull": (lambda c, s: st.weibull_min(c, scale=s), ["shape", "scale"], "pp"),
    "studentt": (lambda m, s, nu: st.t(nu, m, s), ["mu", "sigma", "nu"], "rpp"),
    "cauchy": (lambda m, s: st.cauchy(m, s), ["location", "scale"], "rp"),
    "laplace": (lambda m, s: st.laplace(m, s), ["location", "scale"], "rp"),
    "logistic": (lambda m, s: st.logistic(m, s), ["location", "scale"], "rp"),
    "poisson": (lambda r: st.poisson(r), ["rate"], "p"),
    "bernoulli": (lambda p: st.bernoulli(p), ["p"], "u"),
    "geometric": (lambda p: st.geom(p), ["p"], "u"),
    "negbinomial": (lambda r, p: st.nbinom(r, p), ["r", "p"], "pu"),
}


def loglik(family, x, theta, trials=None):
    if family == "binomial":
        return float(st.binom(trials, theta[0]).logpmf(x).sum())
    d = FAMILIES[family][0](*theta)
    return float((d.logpmf(x) if hasattr(d.dist, "pmf") else d.logpdf(x)).sum())


def mp_loglik(family, x, theta, trials=None):
    """The log-likelihood at 50 digits (mpmath), from the textbook densities: the reference where scipy's
    double-precision logpdf loses digits (gamma shapes of 10^10, Student-t nu of 10^10)."""
    t = [mp.mpf(v) for v in theta]
    L, lg = mp.log, mp.loggamma
    def one(v):
        v = mp.mpf(v)
        if family == "normal":
            return -L(t[1]) - L(2 * mp.pi) / 2 - ((v - t[0]) / t[1]) ** 2 / 2
        if family == "lognormal":
            return -L(v) - L(t[1]) - L(2 * mp.pi) / 2 - ((L(v) - t[0]) / t[1]) ** 2 / 2
        if family == "exponential":
            return L(t[0]) - t[0] * v
        if family == "gamma":
            return t[0] * L(t[1]) + (t[0] - 1) * L(v) - t[1] * v - lg(t[0])
        if family == "beta":
            return (t[0] - 1) * L(v) + (t[1] - 1) * L(1 - v) - mp.log(mp.beta(t[0], t[1]))
        if family == "weibull":
            return L(t[0] / t[1]) + (t[0] - 1) * L(v / t[1]) - (v / t[1]) ** t[0]
        if family == "studentt":
            m, sg, nu = t
            return lg((nu + 1) / 2) - lg(nu / 2) - L(nu * mp.pi) / 2 - L(sg) - (nu + 1) / 2 * mp.log1p(((v - m) / sg) ** 2 / nu)
        if family == "cauchy":
            return -L(mp.pi * t[1]) - L(1 + ((v - t[0]) / t[1]) ** 2)
        if family == "laplace":
            return -L(2 * t[1]) - abs(v - t[0]) / t[1]
        if family == "logistic":
            z = (v - t[0]) / t[1]
            return -z - L(t[1]) - 2 * mp.log1p(mp.exp(-z))
        if family == "poisson":
            return v * L(t[0]) - t[0] - lg(v + 1) if v > 0 else -t[0]
        if family == "bernoulli":
            return L(t[0]) if v == 1 else L(1 - t[0])
        if family == "geometric":
            return L(t[0]) + (v - 1) * L(1 - t[0]) if v > 1 else L(t[0])
        if family == "negbinomial":
            r, q = t
            return lg(v + r) - lg(r) - lg(v + 1) + r * L(q) + (v * L(1 - q) if v > 0 else 0)
        if family == "binomial":
            k, N = v, mp.mpf(trials)
            return lg(N + 1) - lg(k + 1) - lg(N - k + 1) + (k * L(t[0]) if k > 0 else 0) + ((N - k) * L(1 - t[0]) if k < N else 0)
        raise KeyError(family)
    return mp.fsum(one(v) for v in x)


def mp_hessian(family, x, theta, free, trials=None):
    """The Hessian of the log-likelihood over the parameters `free` (natural scale), by central differences at 50
    digits (steps 1e-15 relative: truncation ~1e-30, rounding ~1e-20)."""
    th = [mp.mpf(v) for v in theta]
    h = [mp.mpf(10) ** -15 * max(abs(th[i]), mp.mpf(10) ** -300) for i in range(len(th))]
    def f(shift):
        t = list(th)
        for i, d in shift.items():
            t[i] += d
        return mp_loglik(family, x, t, trials)
    H = mp.matrix(len(free), len(free))
    f0 = f({})
    for a, i in enumerate(free):
        for b, j in enumerate(free):
            if b < a:
                continue
            if i == j:
                v = (f({i: h[i]}) - 2 * f0 + f({i: -h[i]})) / h[i] ** 2
            else:
                v = (f({i: h[i], j: h[j]}) - f({i: h[i], j: -h[j]}) - f({i: -h[i], j: h[j]}) + f({i: -h[i], j: -h[j]})) / (4 * h[i] * h[j])
            H[a, b] = H[b, a] = v
    return H


def mp_gradient(family, x, theta, free, trials=None):
    th = [mp.mpf(v) for v in theta]
    g = mp.matrix(len(free), 1)
    for a, i in enumerate(free):
        h = mp.mpf(10) ** -15 * max(abs(th[i]), mp.mpf(10) ** -300)
        up, down = list(th), list(th)
        up[i] += h; down[i] -= h
        g[a] = (mp_loglik(family, x, up, trials) - mp_loglik(family, x, down, trials)) / (2 * h)
    return g


def in_domain(theta, domains):
    return all(d == "r" or (d == "p" and v > 0) or (d == "u" and 0 < v < 1) for v, d in zip(theta, domains))


def mp_newton(family, x, theta, free, domains, steps=80):
    """Newton's method on the 50-digit log-likelihood over the parameters `free` (natural scale), halving steps to
    stay in the domain and not fall; from a start near the maximum it converges to it at 50 digits."""
    th = [mp.mpf(v) for v in theta]
    value = mp_loglik(family, x, th)
    for _ in range(steps):
        g = mp_gradient(family, x, th, free)
        H = mp_hessian(family, x, th, free)
        try:
            step = -(H ** -1) * g
        except ZeroDivisionError:
            break
        if mp.fsum(step[a] * g[a] for a in range(len(free))) <= 0:   # not an ascent direction: gradient step
            step = g * (mp.mpf(10) ** -3)
        t = mp.mpf(1)
        while t > mp.mpf(10) ** -12:
            trial = list(th)
            for a, i in enumerate(free):
                trial[i] = th[i] + t * step[a]
            if in_domain(trial, domains):
                v = mp_loglik(family, x, trial)
                if v >= value:
                    break
            t /= 2
        else:
            break
        moved = max(abs(trial[i] - th[i]) / max(abs(th[i]), 1) for i in free)
        th, value = trial, v
        if moved < mp.mpf(10) ** -30:
            break
    return [float(v) for v in th]


def reference_mle(family, x, fixed, ours):
    """The MLE by an independent route; fixed: {index: value}. Returns (theta, how) or (None, why)."""
    n = len(x)
    if family == "normal" and not fixed:
        return [x.mean(), np.sqrt(np.mean((x - x.mean()) ** 2))], "closed form"
    if family == "lognormal" and not fixed:
        y = np.log(x); return [y.mean(), np.sqrt(np.mean((y - y.mean()) ** 2))], "closed form"
    if family == "exponential":
        return [1 / x.mean()], "closed form"
    if family == "poisson":
        return [x.mean()], "closed form"
    if family in ("bernoulli",):
        return [x.mean()], "closed form"
    if family == "geometric":
        return [1 / x.mean()], "closed form"
    if family == "laplace" and not fixed:
        m = np.median(x); return [m, np.mean(np.abs(x - m))], "closed form (median; scale = mean absolute deviation from it)"
    if family == "gamma" and not fixed:
        m = x.mean(); d = (x - m) / m
        # log(mean) - mean(log x), without cancellation where the data are close together
        s = np.mean(d - np.log1p(d)) if np.max(np.abs(d)) < 0.5 else np.log(m) - np.mean(np.log(x))
        a = optimize.brentq(lambda la: la - special.digamma(np.exp(la)) - s, -40, 60, xtol=1e-15, rtol=1e-15)
        a = np.exp(a); return [a, a / m], "score root (brentq)"
    if family == "gamma" and list(fixed) == [0]:
        return [fixed[0], fixed[0] / x.mean()], "closed form (rate = shape / mean)"
    if family == "weibull" and not fixed:
        y = np.log(x / x.max())
        def score(lc):
            c = np.exp(lc); w = np.exp(c * y)
            return np.sum(w * y) / np.sum(w) - 1 / c - y.mean()
        c = np.exp(optimize.brentq(score, -30, 30, xtol=1e-15, rtol=1e-15))
        return [c, x.max() * np.mean(np.exp(c * y)) ** (1 / c)], "score root (brentq)"
    if family == "negbinomial" and not fixed:
        m = x.mean()
        counts = np.bincount(x.astype(int))
        def score(lr):
            # sum_i (digamma(x_i + r) - digamma(r)) = sum_i sum_{j < x_i} 1/(r + j), and n log(r/(r + m)) = -n log1p(m/r):
            # no cancellation between large digammas at large r
            r = np.exp(lr)
            above = np.cumsum(counts[::-1])[::-1][1:]          # number of x_i > j, for j = 0 .. max - 1
            return np.sum(above / (r + np.arange(len(above)))) - n * np.log1p(m / r)
        if score(30) > 0:
            return None, "score > 0 at r = e^30: no finite MLE (r -> inf)"
        lr = optimize.brentq(score, -30, 30, xtol=1e-15, rtol=1e-15)
        r = np.exp(lr); return [r, r / (r + m)], "score root (brentq)"
    # generic: Newton at 50 digits from our estimate and from scipy's fit; the higher maximum kept
    make, names, domains = FAMILIES[family]
    free = [i for i in range(len(names)) if i not in fixed]
    starts = [list(ours)]
    try:
        if family == "studentt":
            df, l, s_ = st.t.fit(x); sc = [l, s_, df]
        elif family == "beta":
            a, b, _, _ = st.beta.fit(x, floc=0, fscale=1); sc = [a, b]
        else:
            sc = list(getattr(st, family).fit(x))
        starts.append([fixed.get(i, v) for i, v in enumerate(sc)])
    except Exception:
        pass
    ends = [mp_newton(family, x, s0, free, domains) for s0 in starts]
    best = max(ends, key=lambda th: mp_loglik(family, x, th))
    return best, "Newton at 50 digits"


def gpuest(family, x, extra=(), trials=None):
    path = os.path.join(work, "d.csv")
    with open(path, "w") as fh:
        fh.write("x\n" + "".join(f"{v!r}\n" for v in x))
    out = os.path.join(work, "fit.json")
    if os.path.exists(out):
        os.remove(out)
    cmd = shlex.split(args.gpuest) + ["fit", "--model", family, "--data", path, "--column", "x", "--json", out] + list(extra)
    done = subprocess.run(cmd, capture_output=True, text=True)
    fit = json.load(open(out)) if os.path.exists(out) and done.returncode in (0, 3) else None
    return done, fit


def audit(case, family, x, extra=(), expect="fit", fixed=None, tol=1e-7, trials=None):
    """expect: 'fit' (an MLE exists), 'refuse' (exit 2), 'edge' (exit 3, or exit 0 with an edge note)."""
    if args.only and args.only not in case:
        return
    x = np.asarray(x, float)
    fixed = fixed or {}
    done, fit = gpuest(family, x, extra, trials)
    rc = done.returncode
    tail = (done.stderr.strip().splitlines() or [""])[-1][:110]
    if "Unhandled" in done.stderr or "   at " in done.stderr:
        report(case, "no stack trace", False, "trace", "", tail)
        return
    if expect == "refuse":
        report(case, "exit 2 (no finite MLE / bad input)", rc == 2, f"exit {rc}", "exit 2", tail if rc == 2 else (fit or {}).get("reason", tail))
        return
    if fit is None:
        report(case, "fit runs", False, f"exit {rc}", "exit 0", tail)
        return
    notes = " ".join(fit["diagnostics"]["notes"])
    est = [p["estimate"] for p in fit["parameters"]]
    if expect == "edge":
        said = rc == 3 or "edge of the domain" in notes or fit["diagnostics"]["atBound"]
        report(case, "says no finite MLE (exit 3 or edge note)", bool(said), f"exit {rc}, {', '.join(f'{v:.6g}' for v in est)}", "edge", notes[:110])
        limit = {"negbinomial": lambda: ("poisson", [x.mean()]), "studentt": lambda: ("normal", est[:2])}
        if rc == 0 and family in limit and fit["diagnostics"]["atBound"]:
            lf, lt = limit[family]()
            ll = float(mp_loglik(lf, x, lt))
            report(case, f"log L = the {lf} limit's", abs(fit["logLikelihood"] - ll) < 1e-8 * max(1, abs(ll)),
                   f"{fit['logLikelihood']:.15g}", f"{ll:.15g}", "the limit model at its MLE (negbinomial) or at our mu, sigma")
        elif rc == 0:
            ll = float(mp_loglik(family, x, est, trials))
            report(case, "log L = 50-digit log L at ours", rel(fit["logLikelihood"], ll) < 1e-10 or abs(fit["logLikelihood"] - ll) < 1e-10,
                   f"{fit['logLikelihood']:.15g}", f"{ll:.15g}", "estimates as JSON has them")
        return
    report(case, "converged, exit 0", rc == 0 and fit["converged"], f"exit {rc}", "exit 0", fit["reason"][:80])
    if family == "binomial":
        ref, how = [x.sum() / (trials * len(x))], "closed form"
    else:
        ref, how = reference_mle(family, x, fixed, est)
    if ref is None:
        report(case, "estimate", False, ", ".join(f"{v:.10g}" for v in est), how)
        return
    worst = max(rel(a, b) for i, (a, b) in enumerate(zip(est, ref)) if i not in fixed)
    ll_ours = fit["logLikelihood"]
    ll_ref = loglik(family, x, ref, trials)
    better = ll_ours >= ll_ref - 1e-12 * abs(ll_ref)
    report(case, f"estimate vs {how}", worst <= tol or (family == "laplace" and better),
           ", ".join(f"{v:.12g}" for v in est), ", ".join(f"{v:.12g}" for v in ref), f"max rel {worst:.1e}; log L ours - ref {ll_ours - ll_ref:.2e}")
    ll_at = float(mp_loglik(family, x, est, trials))
    ll_sp = loglik(family, x, est, trials)
    report(case, "log L = 50-digit log L at ours", abs(ll_ours - ll_at) <= 1e-10 * max(1, abs(ll_at)), f"{ll_ours:.15g}", f"{ll_at:.15g}",
           f"scipy logpdf sum {ll_sp:.15g}")
    free = [i for i, p in enumerate(fit["parameters"]) if not p["fixed"]]
    k = len(free)
    report(case, "k = estimated parameters", fit["k"] == k, fit["k"], k)
    n = len(x)
    aic, bic = 2 * k - 2 * ll_ours, k * np.log(n) - 2 * ll_ours
    report(case, "AIC, BIC", rel(fit["aic"], aic) < 1e-12 and rel(fit["bic"], bic) < 1e-12, f"{fit['aic']:.12g}, {fit['bic']:.12g}", f"{aic:.12g}, {bic:.12g}")
    se = [fit["parameters"][i]["stdError"] for i in free]
    if family == "laplace":
        return  # kink: Fisher information by design (README); checked in the table
    if any(s is None for s in se):
        report(case, "standard errors", False, "none", "inverse observed information", fit["diagnostics"]["hessian"])
        return
    H = mp_hessian(family, x, est, free, trials)
    try:
        C = -(H ** -1)
        ref_se = [float(mp.sqrt(C[a, a])) for a in range(len(free))]
    except ZeroDivisionError:
        report(case, "standard errors", False, se, "singular Hessian")
        return
    worst = max(rel(a, b) for a, b in zip(se, ref_se))
    report(case, "SE vs inverse observed information (50 digits)", worst < 1e-7, ", ".join(f"{v:.8g}" for v in se),
           ", ".join(f"{v:.8g}" for v in ref_se), f"max rel {worst:.1e}")


n50 = 50
audit("normal n=50", "normal", rng.normal(3, 2, n50))
audit("normal n=2", "normal", [1.0, 2.0])
audit("normal n=1", "normal", [3.0], expect="refuse")
audit("normal constant", "normal", [2.5] * 7, expect="refuse")
audit("normal offset 1e9", "normal", 1e9 + rng.normal(0, 1, n50), tol=1e-7)
audit("normal far start", "normal", rng.normal(3, 2, n50), ["--start", "mu=1e6,sigma=1e-3"])
audit("normal --fix sigma", "normal", rng.normal(3, 2, n50), ["--fix", "sigma=2"], fixed={1: 2.0})
audit("lognormal n=50", "lognormal", rng.lognormal(0.5, 0.8, n50))
audit("lognormal huge values", "lognormal", np.r_[rng.lognormal(0, 1, 47), 1e200, 3e250, 1e300])
audit("lognormal constant", "lognormal", [4.0] * 5, expect="refuse")
audit("exponential n=50", "exponential", rng.exponential(2.0, n50))
audit("exponential n=1", "exponential", [3.0])
audit("exponential huge values", "exponential", np.r_[rng.exponential(1, 47), 1e150, 1e200, 1e300])
audit("exponential tiny values", "exponential", rng.exponential(1e-300, n50))
audit("exponential all zero", "exponential", [0.0] * 4, expect="refuse")
audit("exponential far start", "exponential", rng.exponential(2.0, n50), ["--start", "rate=1e12"])
audit("gamma n=50", "gamma", rng.gamma(2.5, 1 / 1.5, n50))
audit("gamma n=2", "gamma", [1.0, 2.0])
audit("gamma shape ~1e6", "gamma", rng.gamma(1e6, 1e-6, n50))
audit("gamma shape ~1e10", "gamma", 1 + 1e-5 * rng.normal(size=n50))
audit("gamma shape ~0.05", "gamma", np.maximum(rng.gamma(0.05, 1, n50), 1e-300))
audit("gamma constant", "gamma", [2.0] * 5, expect="refuse")
audit("gamma far start", "gamma", rng.gamma(2.5, 1 / 1.5, n50), ["--start", "shape=1e6,rate=1e-6"])
audit("gamma --fix shape", "gamma", rng.gamma(2.5, 1 / 1.5, n50), ["--fix", "shape=2"], fixed={0: 2.0})
audit("weibull n=50", "weibull", 1.3 * rng.weibull(1.8, n50))
audit("weibull n=2", "weibull", [1.0, 2.0])
audit("weibull shape ~200", "weibull", 3 * rng.weibull(200, n50))
audit("weibull shape ~0.2", "weibull", rng.weibull(0.2, n50))
audit("weibull far start", "weibull", 1.3 * rng.weibull(1.8, n50), ["--start", "shape=100,scale=1e-3"])
audit("weibull constant", "weibull", [2.0] * 5, expect="refuse")
audit("beta n=50", "beta", rng.beta(2.0, 3.5, n50))
audit("beta n=2", "beta", [0.3, 0.6])
audit("beta near 0 and 1", "beta", np.clip(rng.beta(0.05, 0.05, n50), 1e-12, 1 - 1e-12))
audit("beta concentrated", "beta", rng.beta(2e4, 3e4, n50))
audit("beta value 0", "beta", [0.0, 0.2, 0.5], expect="refuse")
audit("beta constant", "beta", [0.4] * 3, expect="refuse")
audit("studentt n=200 (nu=4)", "studentt", st.t.rvs(4, 1, 2, size=200, random_state=rng))
audit("studentt normal data n=200", "studentt", rng.normal(0, 1, 200))
audit("studentt uniform data (nu -> inf)", "studentt", rng.uniform(0, 1, 200), expect="edge")
audit("studentt n=3", "studentt", [1.0, 2.0, 4.0], expect="edge")
audit("studentt --fix nu=5", "studentt", st.t.rvs(4, 1, 2, size=200, random_state=rng), ["--fix", "nu=5"], fixed={2: 5.0})
audit("weibull --fix scale", "weibull", 1.3 * rng.weibull(1.8, n50), ["--fix", "scale=1.2"], fixed={1: 1.2})
audit("beta far start", "beta", rng.beta(2.0, 3.5, n50), ["--start", "alpha=1e4,beta=1e-3"])
audit("logistic far start", "logistic", rng.logistic(1, 0.7, n50), ["--start", "location=-1e6,scale=1e5"])
audit("exponential femto scale", "exponential", rng.exponential(1e-15, n50))
audit("studentt cauchy data", "studentt", st.cauchy.rvs(0, 1, size=100, random_state=rng))
audit("cauchy n=50", "cauchy", st.cauchy.rvs(1, 0.5, size=n50, random_state=rng))
audit("cauchy n=3", "cauchy", [1.0, 2.0, 4.0])
audit("cauchy far start", "cauchy", st.cauchy.rvs(1, 0.5, size=n50, random_state=rng), ["--start", "location=1e5,scale=1e4"])
audit("laplace n=50", "laplace", rng.laplace(1, 0.7, n50))
audit("laplace n=51", "laplace", rng.laplace(1, 0.7, 51))
audit("laplace n=2", "laplace", [1.0, 2.0])
audit("logistic n=50", "logistic", rng.logistic(1, 0.7, n50))
audit("logistic n=2", "logistic", [1.0, 2.0])
audit("logistic constant", "logistic", [1.0] * 4, expect="refuse")
audit("poisson n=50", "poisson", rng.poisson(3.2, n50))
audit("poisson underdispersed", "poisson", [2, 3, 3, 2, 3, 2, 2, 3])
audit("poisson all zero", "poisson", [0] * 5, expect="edge")
audit("poisson non-integer", "poisson", [1, 2.5], expect="refuse")
audit("bernoulli n=50", "bernoulli", (rng.uniform(size=n50) < 0.3).astype(float))
audit("bernoulli all ones", "bernoulli", [1] * 6, expect="edge")
audit("binomial n=50", "binomial", rng.binomial(10, 0.3, n50), ["--trials", "10"], trials=10)
audit("binomial all successes", "binomial", [5] * 4, ["--trials", "5"], expect="edge", trials=5)
audit("geometric n=50", "geometric", rng.geometric(0.3, n50))
audit("geometric all ones", "geometric", [1] * 5, expect="edge")
audit("negbinomial n=200", "negbinomial", rng.negative_binomial(3, 0.4, 200))
audit("negbinomial underdispersed (r -> inf)", "negbinomial", [2, 3, 3, 2, 3, 2, 2, 3, 4, 2], expect="edge")
audit("negbinomial n=1", "negbinomial", [3], expect="edge")
audit("negbinomial large r", "negbinomial", rng.negative_binomial(500, 500 / 505, 2000))
audit("negbinomial far start", "negbinomial", rng.negative_binomial(3, 0.4, 200), ["--start", "r=1e5,p=0.999"])

print("| case | check | result | gpuest | reference | note |")
print("|---|---|---|---|---|---|")
finish()
