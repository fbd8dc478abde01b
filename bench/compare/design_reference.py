"""Reference output for the design step (factors, interactions, formulas): statsmodels' OLS through patsy.

Writes a small generated data set and, for each formula, statsmodels' coefficient names, estimates and standard errors,
which tests/GpuEstimation.Tests/Design/StatsmodelsDesignTests.cs compares with gpuest's linear fit of the same
formula. Run with Debian's python3 (apt-get install python3-statsmodels python3-pandas):

    /usr/bin/python3 bench/compare/design_reference.py tests/GpuEstimation.Tests/Design/reference
"""
import json
import os
import sys

import numpy as np
import pandas as pd
import statsmodels
import statsmodels.formula.api as smf

FORMULAS = [
    "y ~ x1 + x2 + C(g) + C(k)",
    "y ~ x1 * x2 + C(g) + x1:C(g)",
    "y ~ C(g) * C(k) + x1",
    "y ~ x2 + x1:C(g)",
    "y ~ C(g) + C(k) + x1 - 1",
]


def data(n=300, seed=20261):
    rng = np.random.default_rng(seed)
    g = rng.choice(["north", "east", "south", "west"], size=n)
    k = rng.choice([1, 2, 10], size=n)
    x1 = rng.normal(2, 1.5, size=n)
    x2 = rng.normal(-1, 0.5, size=n)
    level = pd.Series(g).map({"east": 0.0, "north": 1.0, "south": -0.5, "west": 2.0}).to_numpy()
    y = 1 + 0.8 * x1 - 1.2 * x2 + level + 0.1 * k + 0.3 * x1 * x2 + 0.2 * x1 * (g == "west") + rng.normal(0, 0.7, size=n)
    return pd.DataFrame({"y": y, "x1": x1, "x2": x2, "g": g, "k": k})


def main(out):
    os.makedirs(out, exist_ok=True)
    frame = data()
    frame.to_csv(os.path.join(out, "design.csv"), index=False, float_format="%.17g")
    frame = pd.read_csv(os.path.join(out, "design.csv"))   # fit what the file holds, to the digit
    fits = []
    for formula in FORMULAS:
        fit = smf.ols(formula, frame).fit()
        fits.append({
            "formula": formula,
            "names": list(fit.params.index),
            "estimates": [float(v) for v in fit.params],
            "stdErrors": [float(v) for v in fit.bse],
        })
    with open(os.path.join(out, "design-statsmodels.json"), "w") as f:
        json.dump({"statsmodels": statsmodels.__version__, "data": "design.csv", "fits": fits}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/GpuEstimation.Tests/Design/reference")
