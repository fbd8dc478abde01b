"""Catalogue fits against scipy on identical data, in one run (issue 17): for each family, 10^6 points drawn from it,
scipy's own `fit` (a numerical MLE; the location fixed at 0 where the family has none in gpuest) timed in-process, and
gpuest's `fit --repeat N` fitMs (in-process, data in memory, with standard errors) beside it, plus gpuest's number of
passes over the data (evaluations). The Normal adds, on scipy's side, its standard errors computed in numpy
(sigma/sqrt(n) and sigma/sqrt(2n)), as the issue asks. Discrete families use scipy.stats.fit (a numerical MLE over
given bounds). Estimates are checked to agree (relative 1e-4) before a time is reported.
Usage: python3 bench/compare/families_compare.py --gpuest "dotnet .../gpuest.dll" [--n 1000000] [--repeat 5]
"""
import argparse, json, os, shlex, subprocess, tempfile, time
import numpy as np
import scipy
import scipy.stats as st

parser = argparse.ArgumentParser()
parser.add_argument("--gpuest", required=True)
parser.add_argument("--n", type=int, default=1_000_000)
parser.add_argument("--repeat", type=int, default=5)
parser.add_argument("--device", default="native")
parser.add_argument("--families", default="")
args = parser.parse_args()
n = args.n
rng = np.random.default_rng(20261128)
work = tempfile.mkdtemp(prefix="gpuest-families-")


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return 1000 * float(np.median(times)), result


def normal_with_errors(x):
    loc, scale = st.norm.fit(x)
    return loc, scale, scale / np.sqrt(len(x)), scale / np.sqrt(2 * len(x))


# family: (data, scipy fit returning gpuest's parameters in gpuest's order, names, scipy's call in words, repeats)
cases = {
    "normal": (rng.normal(3, 2, n), lambda x: normal_with_errors(x)[:2], "norm.fit + SEs in numpy", 10),
    "lognormal": (rng.lognormal(0.5, 0.8, n), lambda x: (lambda s, l, sc: (np.log(sc), s))(*st.lognorm.fit(x, floc=0)), "lognorm.fit(floc=0)", 3),
    "exponential": (rng.exponential(1 / 1.7, n), lambda x: (1 / st.expon.fit(x, floc=0)[1],), "expon.fit(floc=0)", 3),
    "gamma": (rng.gamma(2.5, 1 / 1.5, n), lambda x: (lambda a, l, sc: (a, 1 / sc))(*st.gamma.fit(x, floc=0)), "gamma.fit(floc=0)", 3),
    "weibull": (1.3 * rng.weibull(1.8, n), lambda x: (lambda c, l, sc: (c, sc))(*st.weibull_min.fit(x, floc=0)), "weibull_min.fit(floc=0)", 1),
    "beta": (rng.beta(2.0, 3.5, n), lambda x: (lambda a, b, l, sc: (a, b))(*st.beta.fit(x, floc=0, fscale=1)), "beta.fit(floc=0, fscale=1)", 1),
    "studentt": (st.t.rvs(5, loc=1.0, scale=2.0, size=n, random_state=rng), lambda x: (lambda df, l, sc: (l, sc, df))(*st.t.fit(x)), "t.fit", 1),
    "cauchy": (st.cauchy.rvs(loc=1.0, scale=0.5, size=n, random_state=rng), lambda x: st.cauchy.fit(x), "cauchy.fit", 1),
    "laplace": (rng.laplace(1.0, 0.7, n), lambda x: st.laplace.fit(x), "laplace.fit", 3),
    "logistic": (rng.logistic(1.0, 0.7, n), lambda x: st.logistic.fit(x), "logistic.fit", 1),
    "poisson": (rng.poisson(3.2, n).astype(float), lambda x: tuple(st.fit(st.poisson, x, bounds={"mu": (0, 100)}).params[:1]), "stats.fit(poisson)", 1),
    "geometric": (rng.geometric(0.3, n).astype(float), lambda x: tuple(st.fit(st.geom, x, bounds={"p": (0, 1)}).params[:1]), "stats.fit(geom)", 1),
    "bernoulli": ((rng.uniform(size=n) < 0.3).astype(float), lambda x: tuple(st.fit(st.bernoulli, x, bounds={"p": (0, 1)}).params[:1]), "stats.fit(bernoulli)", 1),
}
chosen = [f for f in args.families.split(",") if f] or list(cases)
print(f"| family | scipy {scipy.__version__} | scipy ms | gpuest fitMs ({args.device}) | passes | ratio scipy / gpuest | estimates agree |")
print("|---|---|---:|---:|---:|---:|---|")
for family in chosen:
    x, reference, words, repeat = cases[family]
    path = os.path.join(work, f"{family}.npy")
    np.save(path, x)
    out = os.path.join(work, f"{family}.json")
    done = subprocess.run(shlex.split(args.gpuest) + ["fit", "--model", family, "--data", path, "--column", "0", "--device", args.device,
                          "--repeat", str(args.repeat), "--json", out], capture_output=True, text=True)
    if done.returncode != 0:
        print(f"| {family} | {words} | - | gpuest exit {done.returncode}: {done.stderr.strip()[:80]} | | | |")
        continue
    fit = json.load(open(out))
    ours = [p["estimate"] for p in fit["parameters"]]
    scipy_ms, theirs = timed(lambda: reference(x), repeat)
    agree = all(abs(a - b) <= 1e-4 * max(1.0, abs(b)) for a, b in zip(ours, theirs))
    print(f"| {family} | {words} | {scipy_ms:.0f} | {fit['fitMs']:.1f} | {fit['diagnostics']['evaluations']} | {scipy_ms / fit['fitMs']:.1f} | "
          f"{'yes' if agree else 'no: ' + ', '.join(f'{a:.6g}/{b:.6g}' for a, b in zip(ours, theirs))} |", flush=True)
