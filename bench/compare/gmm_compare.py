"""Gaussian mixtures side by side (issue 15): gpuest fit --model gaussian-mixture against sklearn's GaussianMixture on
identical data, 10^6 points in 2-D, K = 3, full covariance, in one run on one machine.

gpuest: the median fitMs of --repeat N with one start (`--starts 1`, as sklearn's n_init=1; in-process, data in
memory: seeding, EM, standard errors), and the whole process. sklearn: GaussianMixture(n_init=1) timed in-process (its k-means initialisation and EM), median of N, at the
same tolerance: gpuest stops when an EM step changes log L by at most 1e-12 |log L| (and moves no weight or mean by
more than 1e-9), so sklearn's tol (the change of the mean log-likelihood per point) is set to 1e-12 |log L| / n.
Usage: python3 bench/compare/gmm_compare.py --gpuest "dotnet .../gpuest.dll" [--n 1000000] [--repeat 3] [--device native]
"""
import argparse, json, os, shlex, subprocess, tempfile, time
import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("--gpuest", required=True)
parser.add_argument("--n", type=int, default=1_000_000)
parser.add_argument("--repeat", type=int, default=3)
parser.add_argument("--device", default="native")
args = parser.parse_args()

rng = np.random.default_rng(20261128)
z = rng.choice(3, size=args.n, p=[0.5, 0.3, 0.2])
means = np.array([[0, 0], [4, 1], [1, 5]], dtype=float)
chol = [np.linalg.cholesky(np.array(c)) for c in ([[1, 0.5], [0.5, 1]], [[0.5, -0.2], [-0.2, 0.8]], [[1.5, 0], [0, 0.3]])]
x = np.empty((args.n, 2))
for k in range(3):
    m = z == k
    x[m] = means[k] + rng.normal(size=(m.sum(), 2)) @ chol[k].T
folder = tempfile.mkdtemp(prefix="gpuest-gmm-")
path = os.path.join(folder, "x.npy")
np.save(path, x)
out = os.path.join(folder, "fit.json")

began = time.perf_counter()
done = subprocess.run(shlex.split(args.gpuest) + ["fit", "--model", "gaussian-mixture", "--data", path, "--x", "0,1", "--components", "3", "--starts", "1",
                      "--device", args.device, "--repeat", str(args.repeat), "--json", out], capture_output=True, text=True)
process = time.perf_counter() - began
if done.returncode not in (0, 3):
    raise SystemExit(done.stderr)
fit = json.load(open(out))

from sklearn.mixture import GaussianMixture
tol = 1e-12 * abs(fit["logLikelihood"]) / args.n
times, model = [], None
for r in range(args.repeat):
    t = time.perf_counter()
    model = GaussianMixture(3, covariance_type="full", n_init=1, tol=tol, max_iter=100000, random_state=r).fit(x)
    times.append(time.perf_counter() - t)
sk_ms = 1000 * float(np.median(times))
sk_log = float(model.score(x) * args.n)

print(f"| n | gpuest fitMs ({args.device}, median of {args.repeat}) | gpuest process | sklearn fit (median of {args.repeat}) | ratio sklearn / gpuest fitMs | gpuest log L | sklearn log L | EM steps gpuest / sklearn |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
print(f"| {args.n} | {fit['fitMs']:.0f} ms | {1000 * process:.0f} ms (incl. {args.repeat + 1} fits) | {sk_ms:.0f} ms | {sk_ms / fit['fitMs']:.1f} | "
      f"{fit['logLikelihood']:.6f} | {sk_log:.6f} | {fit['iterations']} / {model.n_iter_} |")
