#!/usr/bin/env python3
"""Reference values for DeviceMath's normal-CDF and link functions, and the polynomial of DeviceMath.Erfcx.

Writes normal.csv next to this script: function, x, value, for Erfcx, LogNormalCdf, NormalCdfRatio (phi/Phi),
LogOnePlusExp and LogOneMinusExp, at arguments spread over each one's range (both tails of the normal CDF out to
|x| = 40 and beyond), computed with mpmath at 60 digits from the exact binary values of the doubles (written with
repr, so the tests read the same doubles back); values written with 20 significant digits.

With --coefficients it prints instead the polynomial DeviceMath.Erfcx evaluates: (1 + 2x) erfcx(x) as a function of
t = (x - 4)/(x + 4) on [0, inf) is smooth at both ends; its Chebyshev series (interpolation at 120 Chebyshev points in
t, at 60 digits) falls below 1e-18 after 27 terms, and is printed in powers of t (Horner order), each coefficient the
nearest double.
Run: python3 make_normal_reference.py [--coefficients] (needs python3-mpmath); the CSV is committed.
"""
import csv
import os
import random
import sys

from mpmath import mp, mpf, erfc, exp, log, log1p, expm1, sqrt, pi, cos, fsum, ncdf, npdf

mp.dps = 60


def erfcx(x):
    x = mpf(x)
    return exp(x * x) * erfc(x)


def log_ncdf(x):
    # Through the other tail above 0, where Phi(x) = 1 - (tiny) would round to 1 at any working precision.
    x = mpf(x)
    return log1p(-ncdf(-x)) if x > 0 else log(ncdf(x))


def ratio(x):
    x = mpf(x)
    return npdf(x) / (1 - ncdf(-x) if x > 0 else ncdf(x))


def softplus(x):
    return log1p(exp(mpf(x)))


def log1mexp(x):
    x = mpf(x)
    return log1p(-exp(x)) if x < -1 else log(-expm1(x))


def coefficients():
    k, n, terms = mpf(4), 120, 27

    def g(t):
        if t == 1:
            return 2 / sqrt(pi)
        x = k * (1 + t) / (1 - t)
        return erfcx(x) * (1 + 2 * x)

    nodes = [cos(pi * (j + mpf(1) / 2) / n) for j in range(n)]
    values = [g(t) for t in nodes]
    cheb = []
    for j in range(terms):
        s = fsum(values[i] * cos(pi * j * (i + mpf(1) / 2) / n) for i in range(n))
        cheb.append(2 * s / n if j else s / n)
    # Chebyshev polynomials in powers of t, then the series in powers of t.
    basis = [[mpf(1)], [mpf(0), mpf(1)]]
    for j in range(2, terms):
        a = [mpf(0)] + [2 * c for c in basis[j - 1]]
        b = basis[j - 2] + [mpf(0)] * (len(a) - len(basis[j - 2]))
        basis.append([u - v for u, v in zip(a, b)])
    power = [mpf(0)] * terms
    for j in range(terms):
        for i, c in enumerate(basis[j]):
            power[i] += cheb[j] * c
    return [float(c) for c in power]


def arguments(rng):
    normal = [rng.uniform(-40, 40) for _ in range(300)] + [rng.uniform(-3, 3) for _ in range(100)]
    normal += [0.0, 1e-300, -1e-300, 1e-10, -1e-10, 37.5, -37.5, 38.5, -38.5, 40.0, -40.0, -100.0, -1e3, -1e5, 8.25, -8.25]
    yield from (("LogNormalCdf", x) for x in normal)
    yield from (("NormalCdfRatio", x) for x in normal)
    erfcx_args = [0.0, 1e-300, 4.0, 1e8, 2e8, 1e10, -1e-10, -26.5]
    erfcx_args += [rng.uniform(0, 10) for _ in range(200)] + [10 ** rng.uniform(-12, 12) for _ in range(200)]
    erfcx_args += [-rng.uniform(0, 26) for _ in range(100)]
    yield from (("Erfcx", x) for x in erfcx_args)
    softplus_args = [0.0, 1e-20, -1e-20, 36.0, 37.0, 38.0, 700.0, -700.0, -745.0, 800.0]
    softplus_args += [rng.uniform(-50, 50) for _ in range(200)] + [rng.uniform(-800, 800) for _ in range(50)]
    yield from (("LogOnePlusExp", x) for x in softplus_args)
    log1mexp_args = [-1e-300, -1e-20, -1e-10, -0.6931471805599453, -0.6931471805599454, -0.6931471805599452, -40.0, -745.0, -800.0]
    log1mexp_args += [-rng.uniform(0, 5) for _ in range(200)] + [-(10 ** rng.uniform(-15, 2.8)) for _ in range(100)]
    yield from (("LogOneMinusExp", x) for x in log1mexp_args)


FUNCTIONS = {"Erfcx": erfcx, "LogNormalCdf": log_ncdf, "NormalCdfRatio": ratio, "LogOnePlusExp": softplus, "LogOneMinusExp": log1mexp}


def main():
    if "--coefficients" in sys.argv:
        for c in coefficients():
            print(repr(c))
        return
    rng = random.Random(20261130)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "normal.csv")
    with open(path, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["function", "x", "value"])
        for name, x in arguments(rng):
            x = float(x)
            value = FUNCTIONS[name](x)
            out.writerow([name, repr(x), mp.nstr(value, 20, min_fixed=1, max_fixed=0) if value != 0 else "0"])


if __name__ == "__main__":
    main()
