"""Reference for tests/GpuEstimation.Tests/Inference/StandardErrorTests.cs: the Student-t MLE of
tests/GpuEstimation.Tests/Data/reference/studentt-nu42.csv and its standard errors from the exact observed
information, by mpmath at 40 digits (Newton on the score, derivatives by mpmath.diff). Run: python3 studentt_se_reference.py"""
import os
import mpmath as mp

mp.mp.dps = 40
here = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(here, "..", "..", "tests", "GpuEstimation.Tests", "Data", "reference", "studentt-nu42.csv")
x = [mp.mpf(line) for line in open(path).read().split()[1:]]


def loglik(mu, sigma, nu):
    c = mp.loggamma((nu + 1) / 2) - mp.loggamma(nu / 2) - mp.log(mp.sqrt(nu * mp.pi) * sigma)
    return sum(c - (nu + 1) / 2 * mp.log(1 + ((xi - mu) / sigma) ** 2 / nu) for xi in x)


def derivative(point, orders):
    return mp.diff(loglik, tuple(point), tuple(orders))


point = [mp.mpf(10), mp.mpf(2), mp.mpf(40)]
for _ in range(30):
    unit = lambda i: [1 if k == i else 0 for k in range(3)]
    g = mp.matrix([derivative(point, unit(i)) for i in range(3)])
    h = mp.matrix(3, 3)
    for i in range(3):
        for j in range(3):
            o = [0, 0, 0]
            o[i] += 1
            o[j] += 1
            h[i, j] = derivative(point, o)
    step = mp.lu_solve(h, g)
    point = [point[i] - step[i] for i in range(3)]
    if max(abs(s) for s in step) < mp.mpf(10) ** -30:
        break
covariance = -(h ** -1)
print("estimates", [mp.nstr(v, 17) for v in point])
print("std errors", [mp.nstr(mp.sqrt(covariance[i, i]), 17) for i in range(3)])
print("log-likelihood", mp.nstr(loglik(*point), 17))
