"""Times the same evaluations and fits with numpy/scipy/statsmodels and with gpuest, on identical data.

Every timing is a median of repeated runs with the data already in memory (numpy arrays; for gpuest, on the
device: `gpuest eval --repeat` and `gpuest fit --repeat` report medians measured inside the process, after a
first untimed run). File reading is not timed on either side. Ratios are reference time / gpuest time, so a
ratio above 1 means gpuest is faster.
"""
import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import scipy
import scipy.stats as st
import statsmodels
import statsmodels.api as sm

HALF_LOG_TWO_PI = 0.5 * np.log(2 * np.pi)


def median_time(fn, repeat):
    fn()
    times = []
    for _ in range(repeat):
        begin = time.perf_counter()
        fn()
        times.append((time.perf_counter() - begin) * 1000)
    return statistics.median(times)


def write_csv(path, columns):
    names = list(columns)
    data = np.column_stack([columns[n] for n in names])
    with open(path, "w") as f:
        f.write(",".join(names) + "\n")
        np.savetxt(f, data, delimiter=",", fmt="%.17g")


def gpuest(cmd, args):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        path = out.name
    full = shlex.split(cmd) + args + ["--json", path]
    done = subprocess.run(full, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"gpuest failed ({done.returncode}): {' '.join(full)}\n{done.stdout}\n{done.stderr}")
    with open(path) as f:
        result = json.load(f)
    os.unlink(path)
    return result


def normal_value_and_gradient(x, mu, s):
    z = (x - mu) / s
    value = (-np.log(s) - HALF_LOG_TWO_PI - 0.5 * z * z).sum()
    d_mu = (z / s).sum()
    d_s = ((z * z - 1) / s).sum()
    return value, d_mu, d_s


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gpuest", required=True, help="command that runs gpuest")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--glm-only", action="store_true", help="only the GLM cases (logistic and Poisson, 10 features)")
    opts = parser.parse_args()
    big = 10**6 if opts.quick else 10**7
    mid = 10**5 if opts.quick else 10**6
    rng = np.random.default_rng(20261127)
    work = tempfile.mkdtemp(prefix="gpuest-compare-")
    rows = []

    def row(case, reference_name, reference_ms, gpuest_ms, note=""):
        ratio = reference_ms / gpuest_ms if gpuest_ms else float("nan")
        rows.append((case, reference_name, reference_ms, gpuest_ms, ratio, note))
        print(f"  {case}: {reference_name} {reference_ms:.2f} ms, gpuest {gpuest_ms if gpuest_ms else float('nan'):.2f} ms", file=sys.stderr)

    glm_cases(opts, mid, rng, work, row)
    if opts.glm_only:
        print_table(rows, "native")
        return

    # Normal value + gradient.
    for n in (mid, big):
        x = rng.normal(3.0, 2.0, n)
        path = os.path.join(work, f"normal-{n}.csv")
        write_csv(path, {"x": x})
        ref = median_time(lambda: normal_value_and_gradient(x, 3.1, 1.9), 20)
        res = gpuest(opts.gpuest, ["eval", "--model", "normal", "--data", path, "--column", "x", "--at", "mu=3.1,sigma=1.9", "--repeat", "50"])
        ours = res["evalMs"]
        value = normal_value_and_gradient(x, 3.1, 1.9)[0]
        assert abs(res["logLikelihood"] - value) <= 1e-9 * abs(value), (res["logLikelihood"], value)
        row(f"Normal value+gradient, n = {n:,}", "numpy expression", ref, ours)
        if n == mid:
            fit_ref = median_time(lambda: st.norm.fit(x), 10)
            fit = gpuest(opts.gpuest, ["fit", "--model", "normal", "--data", path, "--column", "x", "--repeat", "10"])
            loc, scale = st.norm.fit(x)
            assert abs(fit["parameters"][0]["estimate"] - loc) <= 1e-9 * abs(loc)
            row(f"Normal fit, n = {n:,}", "scipy.stats.norm.fit", fit_ref, fit["fitMs"], "scipy: closed form, no standard errors; gpuest: optimizer + standard errors")

    # Student-t (all three parameters) and Gamma (shape, rate; scipy with the location fixed at 0, the same model).
    t_data = st.t.rvs(5, loc=1.0, scale=2.0, size=mid, random_state=rng)
    path = os.path.join(work, f"studentt-{mid}.csv")
    write_csv(path, {"x": t_data})
    fit = gpuest(opts.gpuest, ["fit", "--model", "studentt", "--data", path, "--column", "x", "--repeat", "3"])
    nu, loc, scale = st.t.fit(t_data)
    ours = {p["name"]: p["estimate"] for p in fit["parameters"]}
    assert abs(ours["nu"] - nu) <= 1e-3 * nu and abs(ours["mu"] - loc) <= 1e-3 * abs(loc), (ours, nu, loc, scale)
    row(f"Student-t fit, n = {mid:,}", "scipy.stats.t.fit", median_time(lambda: st.t.fit(t_data), 3), fit["fitMs"],
        "scipy: no standard errors; gpuest: with standard errors")
    g_data = rng.gamma(2.5, 1 / 1.5, mid)
    path = os.path.join(work, f"gamma-{mid}.csv")
    write_csv(path, {"x": g_data})
    fit = gpuest(opts.gpuest, ["fit", "--model", "gamma", "--data", path, "--column", "x", "--repeat", "5"])
    shape, _, gscale = st.gamma.fit(g_data, floc=0)
    ours = {p["name"]: p["estimate"] for p in fit["parameters"]}
    assert abs(ours["shape"] - shape) <= 1e-4 * shape, (ours, shape)
    row(f"Gamma fit, n = {mid:,}", "scipy.stats.gamma.fit(floc=0)", median_time(lambda: st.gamma.fit(g_data, floc=0), 5), fit["fitMs"],
        "scipy: a one-dimensional root for the shape, no standard errors; gpuest: with standard errors")

    # Linear regression.
    x1 = rng.uniform(0, 10, big)
    y = 0.5 * x1 + 0.4 + rng.normal(0, 0.3, big)
    path = os.path.join(work, f"linear-{big}.csv")
    write_csv(path, {"y": y, "x": x1})
    design = sm.add_constant(x1)
    ref = median_time(lambda: sm.OLS(y, design).fit().bse, 3)
    fit = gpuest(opts.gpuest, ["fit", "--model", "linear", "--data", path, "--y", "y", "--x", "x", "--repeat", "3"])
    ols = sm.OLS(y, design).fit()
    assert abs(fit["parameters"][1]["estimate"] - ols.params[1]) <= 1e-8 * abs(ols.params[1])
    row(f"Linear regression fit, n = {big:,}", "statsmodels OLS().fit() + bse", ref, fit["fitMs"], "both with standard errors")

    print_table(rows, fit["device"])


def print_table(rows, device):
    print(f"\n{time.strftime('%Y-%m-%d')} — {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"gpuest device {device}; numpy {np.__version__}, scipy {scipy.__version__}, statsmodels {statsmodels.__version__}\n")
    print("| case | reference | reference ms | gpuest ms | ratio (reference / gpuest) | note |")
    print("|---|---|---:|---:|---:|---|")
    for case, name, ref, ours, ratio, note in rows:
        ours_text = f"{ours:.2f}" if ours else "n/a"
        ratio_text = f"{ratio:.1f}" if ours else "n/a"
        print(f"| {case} | {name} | {ref:.2f} | {ours_text} | {ratio_text} | {note} |")


def glm_cases(opts, n, rng, work, row):
    """Logistic and Poisson regression, n x 10 standard-normal features, with standard errors on both sides: statsmodels'
    Logit/Poisson().fit() + bse timed in-process on the arrays, gpuest's fitMs (`fit --repeat`, data on the device), and
    gpuest's whole process (CSV parse, JIT, device set-up, one fit) beside it."""
    features = 10
    x = rng.normal(size=(n, features))
    beta = np.linspace(-0.5, 0.5, features)
    names = [f"x{j + 1}" for j in range(features)]
    design = sm.add_constant(x)
    cases = [
        ("logit", "Logistic", sm.Logit, ["--model", "logit"],
         (rng.uniform(size=n) < 1 / (1 + np.exp(-(0.3 + x @ beta)))).astype(float)),
        ("poisson", "Poisson", sm.Poisson, ["--model", "glm", "--family", "poisson"],
         rng.poisson(np.exp(0.2 + x @ (0.3 * beta))).astype(float)),
    ]
    for tag, label, family, model_args, y in cases:
        path = os.path.join(work, f"{tag}-{n}.csv")
        write_csv(path, {"y": y, **{name: x[:, j] for j, name in enumerate(names)}})
        ref = median_time(lambda: family(y, design).fit(disp=0).bse, 3)
        reference = family(y, design).fit(disp=0)
        args = ["fit", *model_args, "--data", path, "--y", "y", "--x", ",".join(names), "--device", "native"]
        begin = time.perf_counter()
        gpuest(opts.gpuest, args)
        whole_ms = (time.perf_counter() - begin) * 1000
        fit = gpuest(opts.gpuest, args + ["--repeat", "10"])
        ours = np.array([p["estimate"] for p in fit["parameters"]])
        ses = np.array([p["stdError"] for p in fit["parameters"]])
        assert np.all(np.abs(ours - reference.params) <= 1e-6 * np.maximum(1, np.abs(reference.params))), (ours, reference.params)
        assert np.all(np.abs(ses - reference.bse) <= 1e-5 * reference.bse), (ses, reference.bse)
        diagnostics = fit["diagnostics"]
        row(f"{label} regression {n:,} x {features} + SEs", f"statsmodels {family.__name__}().fit() + bse", ref, fit["fitMs"],
            f"gpuest {fit['optimizer']}, {diagnostics['iterations']} iterations, {diagnostics['evaluations']} passes; "
            f"whole gpuest process {whole_ms:.0f} ms (CSV parse, JIT, one fit)")


if __name__ == "__main__":
    main()
