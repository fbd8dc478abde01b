"""Reference output for robust standard errors: statsmodels' HC0, HC1 and cluster-robust covariances.

Writes a small generated data set (heteroscedastic linear data, counts with a cluster effect, a text cluster column
with clusters of unequal size) and statsmodels' estimates and standard errors for
  - OLS y ~ x1 + x2 with cov_type HC0, HC1 and cluster (groups = g, statsmodels' default correction),
  - discrete Poisson c ~ 1 with cov_type HC0 and cluster,
  - discrete Poisson c ~ 1 + x1 with cov_type HC0 and cluster (for regressions of counts, the GLM),
which tests/GpuEstimation.Tests/Inference/RobustReferenceTests.cs compares with gpuest's sandwich. Run with Debian's
python3 (apt-get install python3-statsmodels python3-pandas):

    /usr/bin/python3 bench/compare/robust_reference.py tests/GpuEstimation.Tests/Inference/reference
"""
import json
import warnings
import os
import sys

import numpy as np
import pandas as pd
import statsmodels
import statsmodels.api as sm


def data(n=240, seed=20262):
    rng = np.random.default_rng(seed)
    names = [f"c{j:02d}" for j in range(15)]
    # Unequal cluster sizes: weights 1..15.
    weights = np.arange(1, 16, dtype=float)
    g = rng.choice(names, size=n, p=weights / weights.sum())
    effect = dict(zip(names, rng.normal(0, 0.6, size=len(names))))
    shift = np.array([effect[v] for v in g])
    x1 = rng.normal(1, 1.2, size=n)
    x2 = rng.uniform(-2, 2, size=n)
    y = 1.5 + 0.7 * x1 - 0.4 * x2 + shift + rng.normal(0, 1, size=n) * (0.4 + 0.5 * np.abs(x1))
    c = rng.poisson(np.exp(0.8 + 0.25 * x1 + shift))
    return pd.DataFrame({"y": y, "x1": x1, "x2": x2, "c": c, "g": g})


def fits(model, names, groups):
    out = {}
    for cov in ["HC0", "HC1", "cluster"]:
        kwds = {"groups": pd.factorize(groups)[0]} if cov == "cluster" else {}
        if cov == "HC1" and not isinstance(model, sm.OLS):
            continue  # statsmodels' HC1 outside OLS/WLS is its HC0 (0.13): not a reference for n/(n - k)
        fit = model.fit(cov_type=cov, cov_kwds=kwds, disp=0) if not isinstance(model, sm.OLS) else model.fit(cov_type=cov, cov_kwds=kwds)
        out[cov] = {"estimates": dict(zip(names, map(float, fit.params))), "stdErrors": dict(zip(names, map(float, fit.bse)))}
    return out


def main(out):
    # statsmodels 0.13 warns that cov_kwds reaches the discrete models' optimizer; the covariance still uses it (checked by hand).
    warnings.filterwarnings("ignore", category=FutureWarning)
    os.makedirs(out, exist_ok=True)
    frame = data()
    frame.to_csv(os.path.join(out, "robust.csv"), index=False, float_format="%.17g")
    ones = np.ones(len(frame))
    reference = {
        "statsmodels": statsmodels.__version__,
        "n": len(frame),
        "clusters": int(frame["g"].nunique()),
        "ols": fits(sm.OLS(frame["y"], np.column_stack([ones, frame["x1"], frame["x2"]])), ["intercept", "x1", "x2"], frame["g"]),
        "poissonConstant": fits(sm.Poisson(frame["c"], ones[:, None]), ["logRate"], frame["g"]),
        "poissonRegression": fits(sm.Poisson(frame["c"], np.column_stack([ones, frame["x1"]])), ["intercept", "x1"], frame["g"]),
    }
    with open(os.path.join(out, "robust-statsmodels.json"), "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
