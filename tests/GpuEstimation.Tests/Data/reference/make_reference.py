#!/usr/bin/env python3
"""Reference log-densities and gradients at huge shape parameters, for HugeShapeTests.

Writes huge_shape.csv next to this script: the negative binomial (k; r, p) and Student's t (x; mu, sigma, nu) at
r, nu = 1e6 ... 1e15 and at ordinary values, computed with mpmath at 80 significant digits from the exact binary
values of the double-precision inputs (written with repr, so the tests read the same doubles back). Columns:
family, x, a, b, c (parameters in model order; c empty for the negative binomial), logf, then for each parameter
the derivative g and a scale s: the sum of the magnitudes of the parts the derivative is a sum of (d/dr: psi(k + r) -
psi(r) and log p; d/dp: r/p and k/(1 - p); d/dnu: see studentt), so a test can judge it relative to what double
arithmetic can resolve when the parts nearly cancel (near a maximum).
Also writes increments.csv: DeviceMath's Log1pMinusX, LogGammaIncrement, DigammaIncrement and
DigammaIncrementMinusLinear on both sides of their switch to asymptotic forms (x = 50), with the same kind of scale,
at 700 digits (at x = 1e100 the log-gammas are ~1e102 and their difference ~1e-100).
Run: python3 make_reference.py (needs python3-mpmath); the CSV is committed, so the tests need no Python.
"""
import csv
import os

from mpmath import mp, mpf, loggamma, digamma, log, log1p, pi

mp.dps = 80


def negbinomial(k, r, p):
    k, r, p = mpf(k), mpf(r), mpf(p)
    logf = loggamma(k + r) - loggamma(r) - loggamma(k + 1) + r * log(p) + k * log1p(-p)
    psi = digamma(k + r) - digamma(r)
    dr, sr = psi + log(p), abs(psi) + abs(log(p))
    dp, sp = r / p - k / (1 - p), r / p + k / (1 - p)
    return [logf, dr, sr, dp, sp]


def studentt(x, mu, sigma, nu):
    x, mu, sigma, nu = mpf(x), mpf(mu), mpf(sigma), mpf(nu)
    z = (x - mu) / sigma
    t = z * z / nu
    logf = loggamma((nu + 1) / 2) - loggamma(nu / 2) - log(nu * pi) / 2 - log(sigma) - (nu + 1) / 2 * log1p(t)
    weight = (nu + 1) / (nu + z * z)
    dmu = weight * z / sigma
    dsigma, ssigma = (weight * z * z - 1) / sigma, (weight * z * z + 1) / sigma
    # d/dnu = A + B1 + B2: A from the normalizing constant, and -((nu + 1)/2) log(1 + t) differentiated as
    # B1 + B2 = (t/(1 + t) - log(1 + t))/2 + t/(2 nu (1 + t)); each part is O(1/nu^2) where nu is huge.
    a = (digamma((nu + 1) / 2) - digamma(nu / 2) - 1 / nu) / 2
    b1 = (t / (1 + t) - log1p(t)) / 2
    b2 = t / (2 * nu * (1 + t))
    return [logf, dmu, abs(dmu), dsigma, ssigma, a + b1 + b2, abs(a) + abs(b1) + abs(b2)]


def rows():
    huge = [10.0 ** e for e in range(6, 16)]
    for r in [1.0, 3.5, 40.0, 99.75, 100.0, 200.0, 1e3, 1e4, 1e5, 3e5] + huge + [123456789.75]:
        # p = 0.5 and p at the maximum for means 3 and 50 (where the terms of log f nearly cancel).
        for p in [0.5, r / (r + 3.0), r / (r + 50.0)]:
            for k in [0, 1, 5, 30, 200, 5000]:
                yield ["negbinomial", k, r, p, ""] + negbinomial(k, r, p)
    for nu in [1.0, 4.5, 60.0, 99.75, 100.0, 200.0, 1e3, 1e4, 1e5, 3e5] + huge + [123456789.75]:
        for mu, sigma in [(0.0, 1.0), (0.3, 2.5)]:
            for x in [-40.0, -3.0, 0.0, 0.7, 2.0, 15.0]:
                yield ["studentt", x, mu, sigma, nu] + studentt(x, mu, sigma, nu)


# DeviceMath's increments take their asymptotic forms from this argument on (DeviceMath.AsymptoticArgument).
ASYMPTOTIC = 50


def increments():
    """(function, x, a, value, scale): scale is the sum of the magnitudes of the parts the function is computed from
    (from ASYMPTOTIC on, the Stirling parts; below, the log-gammas or digammas whose difference it takes)."""
    for x in [-0.99, -0.5, -0.3000001, -0.3, -0.1, -1e-5, 1e-10, 0.01, 0.25, 0.5, 0.5000001, 0.7, 1.0, 10.0, 1e6]:
        value = log1p(mpf(x)) - x
        yield ["Log1pMinusX", x, "", value, abs(value)]
    for x in [0.5, 3.0, 49.75, 50.0, 100.0, 1234.5, 1e4, 1e8, 1e15, 1e100]:
        for a in [0.0, 0.5, 1.0, 7.0, 1e3, 1e7, 1e16]:
            yield ["LogGammaIncrement", x, a] + log_gamma_increment(mpf(x), mpf(a))
            yield ["DigammaIncrement", x, a] + digamma_increment(mpf(x), mpf(a), 0)
            yield ["DigammaIncrementMinusLinear", x, a] + digamma_increment(mpf(x), mpf(a), 1)


def stirling_tail(z):
    return loggamma(z) - ((z - mpf(1) / 2) * log(z) - z + log(2 * pi) / 2)


def log_gamma_increment(x, a):
    value = loggamma(x + a) - loggamma(x) - a * log(x)
    if x < ASYMPTOTIC:
        return [value, abs(loggamma(x + a)) + abs(loggamma(x)) + abs(a * log(x))]
    t = a / x
    parts = [x * ((1 + t) * log1p(t) - t), log1p(t) / 2, stirling_tail(x + a) - stirling_tail(x)]
    return [value, sum(abs(p) for p in parts)]


def digamma_increment(x, a, linear):
    value = digamma(x + a) - digamma(x) - linear * a / x
    if x < ASYMPTOTIC:
        return [value, abs(digamma(x + a)) + abs(digamma(x)) + linear * a / x]
    t, z = a / x, x + a
    def tail(y):
        return digamma(y) - log(y) + 1 / (2 * y)

    parts = [log1p(t) - linear * t, t / (2 * z), tail(z) - tail(x)]
    return [value, sum(abs(p) for p in parts)]


def text(value):
    return value if isinstance(value, str) else repr(float(value)) if isinstance(value, float) else mp.nstr(value, 25, strip_zeros=False) if not isinstance(value, int) else str(value)


def main():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "huge_shape.csv")
    with open(path, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["family", "x", "a", "b", "c", "logf", "g1", "s1", "g2", "s2", "g3", "s3"])
        for row in rows():
            out.writerow([text(v) for v in row] + [""] * (12 - len(row)))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "increments.csv")
    with open(path, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["function", "x", "a", "value", "scale"])
        with mp.workdps(700):
            computed = list(increments())
        for row in computed:
            out.writerow([text(v) for v in row])


if __name__ == "__main__":
    main()
