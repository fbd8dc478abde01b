#!/usr/bin/env python3
"""The GLM paths that evaluate without the Hessian, timed for two gpuest builds in one run.

eval, --optimizer lbfgs, a lasso (MAP with Laplace priors), profile intervals, the robust covariances and a sweep of a
logistic regression on 10^6 x 10 generated rows (one .npy), each build in turn, round by round, so the ratios
are measured side by side on a shared, noisy machine. Usage:
  glm_paths.py --base "dotnet OLD/gpuest.dll" --current "dotnet NEW/gpuest.dll" [--rows N] [--rounds R]
Prints a Markdown table: the median of the rounds per path and build, and base / current.
"""
import argparse, json, os, shlex, statistics, subprocess, tempfile, time

import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--current", required=True)
    parser.add_argument("--rows", type=int, default=10**6)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="glm-paths-")
    rng = np.random.default_rng(1)
    x = rng.normal(size=(args.rows, 10))
    eta = 0.3 + x @ np.linspace(-0.5, 0.5, 10)
    y = (rng.random(args.rows) < 1 / (1 + np.exp(-eta))).astype(float)
    data = os.path.join(work, "logit.npy")
    np.save(data, np.column_stack([y, x]))
    fit = ["fit", "--model", "logit", "--data", data, "--y", "0", "--x", "1,2,3,4,5,6,7,8,9,10"]
    at = "intercept=0.3," + ",".join(f"{j}=0" for j in range(1, 11))
    # (name, arguments, JSON field read: a warm in-process figure where the command has one, else the whole fit's)
    paths = [
        ("eval (value and gradient)", ["eval", "--model", "logit", "--data", data, "--y", "0", "--x", "1,2,3,4,5,6,7,8,9,10",
                                       "--at", at, "--repeat", "5"], "evalMs"),
        ("fit, Newton (default)", fit + ["--repeat", "2"], "fitMs"),
        ("fit --optimizer lbfgs", fit + ["--optimizer", "lbfgs"], "elapsedMs"),
        ("fit --map --prior '*=laplace(0,0.01)' (lasso)", fit + ["--map", "--prior", "*=laplace(0,0.01)"], "elapsedMs"),
        ("fit --profile 1,2", fit + ["--profile", "1,2"], "elapsedMs"),
        ("fit --cov robust", fit + ["--cov", "robust", "--repeat", "2"], "fitMs"),
        ("sweep 8 x 8 of two coefficients", ["sweep", "--model", "logit", "--data", data, "--y", "0", "--x", "1,2,3,4,5,6,7,8,9,10",
                                             "--grid", "1=-0.52:-0.47:8", "--grid", "2=-0.41:-0.36:8"], "elapsedMs"),
    ]
    results = {(name, build): [] for name, _, _ in paths for build in ("base", "current")}
    for _ in range(args.rounds):
        for name, arguments, field in paths:
            for build, command in (("base", args.base), ("current", args.current)):
                out = os.path.join(work, "out.json")
                subprocess.run(shlex.split(command) + arguments + ["--json", out], check=True, stdout=subprocess.DEVNULL)
                with open(out) as f:
                    results[(name, build)].append(json.load(f)[field])
    print(f"logistic {args.rows:,} x 10, native backend, median of {args.rounds} rounds ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})")
    print()
    print("| path | base (ms) | current (ms) | base / current |")
    print("|---|---|---|---|")
    for name, _, _ in paths:
        b, c = statistics.median(results[(name, "base")]), statistics.median(results[(name, "current")])
        print(f"| {name} | {b:.1f} | {c:.1f} | {b / c:.1f}x |")


if __name__ == "__main__":
    main()
