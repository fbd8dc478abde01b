#!/usr/bin/env python3
"""A logistic lasso (or ridge) on generated rows, gpuest beside scikit-learn in one run (and a second gpuest build).

The MAP with Laplace(0, b) priors on the slopes maximizes log L - sum|beta_j|/b, the intercept unpenalized; sklearn's
LogisticRegression(penalty='l1', C=b) minimizes the same objective (its intercept is not penalized by saga). Each solver's
answer is scored by that objective, computed here in numpy, and by its largest violation of the lasso's optimality
conditions (KKT, in units of 1/b). With --penalty l2 the priors are Normal(0, sqrt(b)), the objective
log L - sum beta_j^2/(2b), sklearn's LogisticRegression(penalty='l2', C=b, solver='lbfgs'), and the violation is that of
the stationarity conditions in units of 1/b. Usage:
  lasso_compare.py --current "dotnet NEW/gpuest.dll" [--base "dotnet OLD/gpuest.dll"] [--rows N] [--features P]
                   [--scales 0.1,0.001] [--rounds R] [--penalty l1|l2]
Prints a Markdown table: wall and fit times (median of the rounds), the objective's shortfall from the best found, and
the KKT violation. Needs numpy and scikit-learn (Debian: python3-sklearn).
"""
import argparse, json, os, shlex, statistics, subprocess, tempfile, time, warnings

import numpy as np


def objective(x, y, b0, beta, b, penalty):
    eta = b0 + x @ beta
    prior = np.sum(np.abs(beta)) / b if penalty == "l1" else np.sum(beta * beta) / (2 * b)
    return float(np.sum(y * eta - np.logaddexp(0, eta)) - prior)


def kkt(x, y, b0, beta, b, penalty):
    """The largest violation of the lasso's (ridge's) conditions, in units of 1/b (0 at the optimum)."""
    p = 1 / (1 + np.exp(-(b0 + x @ beta)))
    g = x.T @ (y - p)
    worst = abs(float(np.sum(y - p))) * b
    if penalty == "l2":
        return max(worst, float(np.max(np.abs(g * b - beta))))
    on = beta != 0
    worst = max(worst, float(np.max(np.abs(g[on] * b - np.sign(beta[on])), initial=0)))
    worst = max(worst, float(np.max(np.abs(g[~on]) * b - 1, initial=0)))
    return worst


def gpuest(command, data, features, b, work, penalty):
    out = os.path.join(work, "fit.json")
    prior = f"*=laplace(0,{b})" if penalty == "l1" else f"*=normal(0,{b ** 0.5!r})"
    arguments = ["fit", "--model", "logit", "--data", data, "--y", str(features), "--x", ",".join(str(j) for j in range(features)),
                 "--map", "--prior", prior, "--device", "native", "--json", out]
    start = time.perf_counter()
    subprocess.run(shlex.split(command) + arguments, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    with open(out) as f:
        fit = json.load(f)
    estimates = {p["name"]: p["estimate"] for p in fit["parameters"]}
    beta = np.array([estimates[str(j)] for j in range(features)])
    return wall, fit["elapsedMs"] / 1000, estimates["intercept"], beta, fit["converged"]


def sklearn(x, y, b, penalty):
    from sklearn.linear_model import LogisticRegression
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = LogisticRegression(penalty=penalty, C=b, solver="saga" if penalty == "l1" else "lbfgs", tol=1e-8, max_iter=10000).fit(x, y)
    from sklearn.exceptions import ConvergenceWarning
    converged = "NO" if any(issubclass(w.category, ConvergenceWarning) for w in caught) else "yes"
    return time.perf_counter() - start, float(model.intercept_[0]), model.coef_[0].copy(), converged


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--current", required=True)
    parser.add_argument("--base")
    parser.add_argument("--rows", type=int, default=10**5)
    parser.add_argument("--features", type=int, default=150)
    parser.add_argument("--scales", default="0.1,0.001")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--penalty", choices=["l1", "l2"], default="l1")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="lasso-compare-")
    rng = np.random.default_rng(5)
    x = rng.normal(size=(args.rows, args.features))
    effects = np.zeros(args.features)
    effects[:15] = rng.normal(size=15) * 0.5
    y = (x @ effects - 0.3 + rng.logistic(size=args.rows) > 0).astype(float)
    data = os.path.join(work, "lasso.npy")
    np.save(data, np.column_stack([x, y]))
    builds = [("gpuest", args.current)] + ([("gpuest base", args.base)] if args.base else [])
    print(f"logistic {'lasso' if args.penalty == 'l1' else 'ridge'}, {args.rows:,} x {args.features}, native backend, median of {args.rounds} round(s) "
          f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average {os.getloadavg()[0]:.1f})")
    print()
    print("| b | solver | converged | wall (s) | fit (s) | nonzero | objective shortfall | KKT violation (units of 1/b) |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for b in (float(v) for v in args.scales.split(",")):
        rows = {}
        for _ in range(args.rounds):
            for name, command in builds:
                wall, fit, b0, beta, converged = gpuest(command, data, args.features, b, work, args.penalty)
                rows.setdefault(name, []).append((wall, fit, b0, beta, "yes" if converged else "NO"))
            wall, b0, beta, converged = sklearn(x, y, b, args.penalty)
            rows.setdefault("sklearn saga" if args.penalty == "l1" else "sklearn lbfgs", []).append((wall, float("nan"), b0, beta, converged))
        scores = {name: objective(x, y, r[-1][2], r[-1][3], b, args.penalty) for name, r in rows.items()}
        best = max(scores.values())
        for name, r in rows.items():
            wall = statistics.median(v[0] for v in r)
            fit = statistics.median(v[1] for v in r)
            b0, beta = r[-1][2], r[-1][3]
            print(f"| {b:g} | {name} | {r[-1][4]} | {wall:.2f} | {'' if np.isnan(fit) else f'{fit:.2f}'} | {int(np.sum(beta != 0))} | "
                  f"{best - scores[name]:.2e} | {kkt(x, y, b0, beta, b, args.penalty):.1e} |")


if __name__ == "__main__":
    main()
