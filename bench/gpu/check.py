"""GPU checks for gpuest, run by bench/gpu/run.sh: every model's log-likelihood and gradient on $DEVICE against
the native backend on the same data, fits on both, and the timings the issues ask for (evalMs medians, sweep
throughput, the sweep against one-by-one evaluations), with PyTorch's times beside them where torch is present.
Prints one line per check, keeps going past a failing one, and exits non-zero if any failed."""
import json, math, os, subprocess, sys, tempfile, time, traceback
import numpy as np

OUT = sys.argv[1]
GPUEST = os.environ["GPUEST"]
BASE = os.environ.get("GPUEST_BASE")  # an earlier build's gpuest (bench/gpu/prepare.sh with BASE=rev): timed beside this one
DEVICE = os.environ.get("DEVICE", "cuda")
rng = np.random.default_rng(20261127)
failures = []
began = time.time()
DATA = tempfile.mkdtemp(prefix="gpuest-check-")  # data files stay here: $OUT is what travels back

def run(args, exe=None, timeout=None, trace=False):
    path = os.path.join(OUT, "last.json")
    # trace: GPUEST_DEBUG=1, and the library's trace lines about streaming (page-locking the columns) printed.
    env = dict(os.environ, GPUEST_DEBUG="1") if trace else None
    done = subprocess.run([exe or GPUEST] + args + ["--json", path], capture_output=True, text=True, timeout=timeout, env=env)
    if trace:
        for line in done.stderr.splitlines():
            if "page-lock" in line:
                print("  " + line, flush=True)
    if done.returncode not in (0, 3):
        raise RuntimeError(f"{' '.join(args)}: exit {done.returncode}: {done.stderr.strip()} {done.stdout[-2000:]}")
    with open(path) as f:
        return json.load(f)

def save(name, x):
    path = os.path.join(DATA, f"{name}.npy")
    np.save(path, np.ascontiguousarray(x))
    return path

def check(label, ok, detail=""):
    print(f"{'ok  ' if ok else 'FAIL'} {label} {detail}  [{time.time() - began:.0f} s]", flush=True)
    if not ok:
        failures.append(label)

SECTIONS = os.environ.get("SECTIONS")  # a comma list of sections to run (families, timing, sweep, glm, torch-irls,
# mixture, gmm, torch, stream, ncu, glm-last); all by default. Sweep and fit timings need the timing section's files.
def guarded(label, body, section=None):
    if SECTIONS is not None and section not in SECTIONS.split(","):
        return
    try:
        body()
    except Exception as e:  # one failing model must not hide the others
        check(label, False, f"({type(e).__name__}: {e})")
        traceback.print_exc()

n = int(os.environ.get("N", 1_000_000))
samples = {
    "normal": (rng.normal(3, 2, n), "mu=3.1,sigma=1.9"),
    "lognormal": (rng.lognormal(0.5, 0.4, n), "mu=0.5,sigma=0.4"),
    "exponential": (rng.exponential(0.5, n), "rate=2"),
    "gamma": (rng.gamma(2.5, 1 / 1.5, n), "shape=2.4,rate=1.5"),
    "beta": (rng.beta(2, 5, n), "alpha=2,beta=5"),
    "weibull": (3 * rng.weibull(1.8, n), "shape=1.8,scale=3"),
    "studentt": (1 + 2 * rng.standard_t(5, n), "mu=1,sigma=2,nu=5"),
    "cauchy": (-1 + 0.5 * rng.standard_cauchy(n), "location=-1,scale=0.5"),
    "laplace": (rng.laplace(0.8, 1.2, n), "location=0.8,scale=1.2"),
    "logistic": (rng.logistic(2, 0.7, n), "location=2,scale=0.7"),
    "poisson": (rng.poisson(3.5, n).astype(float), "rate=3.5"),
    "bernoulli": ((rng.random(n) < 0.3).astype(float), "p=0.3"),
    "binomial": (rng.binomial(20, 0.35, n).astype(float), "p=0.35"),
    "negbinomial": (rng.negative_binomial(4, 0.4, n).astype(float), "r=4,p=0.4"),
    "geometric": (rng.geometric(0.25, n).astype(float), "p=0.25"),
}

def family_checks(family, x, at):
    path = save(family, x)
    extra = ["--trials", "20"] if family == "binomial" else []
    base = ["--model", family, "--data", path, "--column", "0"] + extra
    gpu = run(["eval"] + base + ["--at", at, "--device", DEVICE, "--repeat", "20"])
    native = run(["eval"] + base + ["--at", at, "--device", "native"])
    rel = abs(gpu["logLikelihood"] - native["logLikelihood"]) / abs(native["logLikelihood"])
    grad = max(abs(a["value"] - b["value"]) / max(abs(b["value"]), 1e-3 * n) for a, b in zip(gpu["gradient"], native["gradient"]))
    check(f"{family} eval {DEVICE} vs native", rel <= 1e-12 and grad <= 1e-10, f"(logL rel {rel:.1e}, gradient {grad:.1e}, evalMs {gpu['evalMs']:.4f})")
    fit_gpu = run(["fit"] + base + ["--device", DEVICE])
    fit_native = run(["fit"] + base + ["--device", "native"])
    worst = max(abs(a["estimate"] - b["estimate"]) / abs(b["estimate"]) for a, b in zip(fit_gpu["parameters"], fit_native["parameters"]))
    check(f"{family} fit {DEVICE} vs native", fit_gpu["converged"] and worst <= 1e-9, f"(worst rel {worst:.1e}, {fit_gpu['elapsedMs']:.1f} ms)")

wanted = os.environ.get("FAMILIES")  # a comma list to check fewer
for family, (x, at) in samples.items():
    if wanted is None or family in wanted.split(","):
        guarded(family, lambda: family_checks(family, x, at), "families")

def linear():
    # Centred features: the model struct carries a fixed buffer of means into the kernel.
    x1, x2 = rng.uniform(0, 10, n), rng.normal(1955, 5, n)
    y = 0.4 + 0.5 * x1 - 2 * x2 + rng.normal(0, 0.3, n)
    path = save("linear", np.column_stack([y, x1, x2]))
    fits = [run(["fit", "--model", "linear", "--data", path, "--y", "0", "--x", "1,2", "--device", d]) for d in (DEVICE, "native")]
    worst = max(abs(a["estimate"] - b["estimate"]) / abs(b["estimate"]) for a, b in zip(fits[0]["parameters"], fits[1]["parameters"]))
    check(f"linear fit {DEVICE} vs native", fits[0]["converged"] and worst <= 1e-9, f"(worst rel {worst:.1e})")
if wanted is None or "linear" in wanted.split(","):
    guarded("linear", linear, "families")

# The linear model with many features: Newton from its closed form over the exact Hessian pass (2026-11-30: on the dev
# box 2*10^5 x 40 fitted in 81 ms, where differenced standard errors had taken 215 passes), timed on the device beside
# native, estimates to 1e-9.
def linear_wide():
    rows, features = int(os.environ.get("LINEAR_ROWS", 1_000_000)), 40
    x = rng.normal(0, 1, (rows, features))
    y = 0.5 + x @ (0.1 * rng.normal(0, 1, features)) + rng.normal(0, 1, rows)
    path = save("linear-wide", np.column_stack([y, x]))
    args = ["fit", "--model", "linear", "--data", path, "--y", "0", "--x", ",".join(str(j) for j in range(1, features + 1)), "--repeat", "5"]
    fits = {d: run(args + ["--device", d]) for d in (DEVICE, "native")}
    for d, fit in fits.items():
        print(f"time linear fit with SEs, {rows} x {features}, on {d}: {fit['fitMs']:.2f} ms, "
              f"{fit['diagnostics']['evaluations']} evaluations, {fit['optimizer']}", flush=True)
    worst = max(abs(a["estimate"] - b["estimate"]) / max(abs(b["estimate"]), 1e-300) for a, b in zip(fits[DEVICE]["parameters"], fits["native"]["parameters"]))
    check(f"linear {rows} x {features} on {DEVICE} = native to 1e-9", fits[DEVICE]["converged"] and worst <= 1e-9, f"(worst rel {worst:.1e})")
    os.remove(path)
guarded("linear wide", linear_wide, "glm")

# Timings. Normal and Student-t value+gradient at 10^7 and 10^8 points (issue 3: Student-t within 3x of Normal at 10^8).
sizes = [int(s) for s in os.environ.get("SIZES", "10000000,100000000").split(",")]
big_paths = {}
def timing(family, size, at):
    x = rng.normal(3, 2, size) if family == "normal" else 1 + 2 * rng.standard_t(5, size)
    path = big_paths[(family, size)] = save(f"{family}-{size}", x)
    args = ["eval", "--model", family, "--data", path, "--column", "0", "--at", at, "--device", DEVICE, "--repeat", "50"]
    result = run(args)
    print(f"time {family} value+gradient at {size} points on {DEVICE}: {result['evalMs']:.4f} ms "
          f"({8 * size / result['evalMs'] / 1e9:.2f} TB/s of data)", flush=True)
    if BASE:
        base = run(args, BASE)
        same = base["logLikelihood"] == result["logLikelihood"] and \
            [g["value"] for g in base["gradient"]] == [g["value"] for g in result["gradient"]]
        print(f"time {family} value+gradient at {size} points on {DEVICE}, base build: {base['evalMs']:.4f} ms "
              f"(this build / base {result['evalMs'] / base['evalMs']:.3f})", flush=True)
        if family == "studentt":
            # Student-t's four rows share one log1p since 2026-11-28 (after 2fb65cf) and one division since 2026-11-30:
            # the same sums to rounding.
            rel = abs(base["logLikelihood"] - result["logLikelihood"]) / abs(base["logLikelihood"])
            check(f"{family} at {size}: this build's log-likelihood = the base build's to 1e-12", rel <= 1e-12, f"(rel {rel:.1e})")
        else:
            # The Normal's row adds its shared constant through AddValue since 2026-11-30 (c + (−w²), the same value as
            # c − w²; a GPU's compiler may contract it otherwise): the bits are reported, the values checked to 1e-14.
            rel = max([abs(base["logLikelihood"] - result["logLikelihood"]) / abs(base["logLikelihood"])] +
                      [abs(a["value"] - b["value"]) / max(abs(b["value"]), 1e-300) for a, b in zip(result["gradient"], base["gradient"])])
            check(f"{family} at {size}: this build's value and gradient = the base build's to 1e-14", rel <= 1e-14,
                  f"({'bit for bit' if same else f'worst rel {rel:.1e}'})")
    return result["evalMs"]
for size in sizes:
    def pair(size=size):
        tn = timing("normal", size, "mu=3.1,sigma=1.9")
        tt = timing("studentt", size, "mu=1,sigma=2,nu=5")
        print(f"ratio studentt/normal at {size}: {tt / tn:.2f}", flush=True)
    guarded(f"timing {size}", pair, "timing")

def fit_timing():
    path = big_paths[("normal", sizes[0])]
    args = ["fit", "--model", "normal", "--data", path, "--column", "0", "--device", DEVICE, "--repeat", "10"]
    for label, exe in [("", None)] + ([(", base build", BASE)] if BASE else []):
        result = run(args, exe)
        print(f"time normal fit (with SEs) at {sizes[0]} points on {DEVICE}{label}: {result['fitMs']:.3f} ms, "
              f"{result['diagnostics']['evaluations']} evaluations, {result['optimizer']}", flush=True)
guarded("fit timing", fit_timing, "timing")

# Sweep throughput: 64x64 Normal over 10^7 points, against 4096 single evaluations through the fit engine.
def sweep():
    size = sizes[0]
    path = big_paths[("normal", size)]
    common = ["sweep", "--model", "normal", "--data", path, "--column", "0", "--grid", "mu=3:3.2:64", "--grid", "sigma=1.9:2.1:64"]
    result = run(common + ["--device", DEVICE, "--repeat", "10"])
    one = run(["eval", "--model", "normal", "--data", path, "--column", "0", "--at", "mu=3.1,sigma=1.9", "--device", DEVICE, "--repeat", "200"])["evalMs"]
    rate = 64 * 64 * size / (result["sweepMs"] / 1000) / 1e12  # T point-evaluations/s
    print(f"sweep 64x64 over {size} on {DEVICE}: {result['sweepMs']:.2f} ms (first, with compile: {result['elapsedMs']:.1f} ms), "
          f"{rate:.3f} T point-evaluations/s; 4096 single evaluations: {4096 * one:.1f} ms; ratio {4096 * one / result['sweepMs']:.1f}x", flush=True)
    check("sweep >= 2.5 T point-evaluations/s", rate >= 2.5, f"({rate:.3f} T)")
    if BASE:
        base = run(common + ["--device", DEVICE, "--repeat", "10"], BASE)
        print(f"sweep 64x64 over {size} on {DEVICE}, base build: {base['sweepMs']:.2f} ms, "
              f"{64 * 64 * size / (base['sweepMs'] / 1000) / 1e12:.3f} T point-evaluations/s (this build / base {result['sweepMs'] / base['sweepMs']:.3f})", flush=True)
        # The point-per-thread sweep (2026-11-28, after 2fb65cf) adds a chunk's rows in another order than the base's
        # group sums: the same values to rounding, not the same bits.
        worst = max(abs(a - b) / abs(b) for a, b in zip(result["logLikelihood"], base["logLikelihood"]))
        check("sweep: this build's values = the base build's to 1e-12", worst <= 1e-12, f"(worst rel {worst:.1e})")
    # Sweep values equal single evaluations on the device: a corner and the middle.
    values = result["logLikelihood"]
    for index in (0, 64 * 32 + 17, 4095):
        mu, sigma = result["points"][index]
        single = run(["eval", "--model", "normal", "--data", path, "--column", "0", "--at", f"mu={mu!r},sigma={sigma!r}", "--device", DEVICE])["logLikelihood"]
        rel = abs(values[index] - single) / abs(single)
        check(f"sweep point {index} = single evaluation", rel <= 1e-12, f"(rel {rel:.1e})")
guarded("sweep", sweep, "sweep")

def big_sweep():
    # 256x256 over 10^7: several tiles of points, the sustained rate.
    size = sizes[0]
    result = run(["sweep", "--model", "normal", "--data", big_paths[("normal", size)], "--column", "0", "--grid", "mu=2.9:3.3:256",
                  "--grid", "sigma=1.8:2.2:256", "--device", DEVICE, "--repeat", "3"])
    print(f"sweep 256x256 over {size} on {DEVICE}: {result['sweepMs']:.1f} ms, {256 * 256 * size / (result['sweepMs'] / 1000) / 1e12:.3f} T point-evaluations/s", flush=True)
guarded("big sweep", big_sweep, "sweep")


# Logistic regression with standard errors (issue 13): Newton with the device's exact Hessian, warm fitMs, at
# 10^7 x 10 (target <= 5 ms) and 10^8 x 20 (target < 1 s), and a wide design, 10^6 x 150 (the wide passes:
# coefficients in device memory, per-row derivatives, tiled sums); those up to 10^7 rows also against native, the
# first by hand-written IRLS in PyTorch on the same card where torch is present. GLM_SIZES=rows:features,... overrides.
glm_sizes = [tuple(int(v) for v in item.split(":")) for item in os.environ.get("GLM_SIZES", "10000000:10,1000000:150").split(",")]
# The largest runs last (after the mixtures and streaming), so that a run cut short by its time limit has the rest.
glm_last = [tuple(int(v) for v in item.split(":")) for item in os.environ.get("GLM_LAST", "100000000:20").split(",") if item]
glm_paths = {}
def logistic(rows, features):
    # Written in slices straight into the .npy (10^8 x 21 is 16.8 GB: no second copy in memory).
    path = glm_paths[(rows, features)] = os.path.join(DATA, f"logit-{rows}-{features}.npy")
    table = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=(rows, features + 1))
    beta = np.linspace(-0.5, 0.5, features)
    for first in range(0, rows, 5_000_000):
        count = min(5_000_000, rows - first)
        x = rng.standard_normal((count, features))
        table[first:first + count, 1:] = x
        table[first:first + count, 0] = rng.random(count) < 1 / (1 + np.exp(-(0.3 + x @ beta)))
    table.flush()
    del table, x
    args = ["fit", "--model", "logit", "--data", path, "--y", "0", "--x", ",".join(str(j) for j in range(1, features + 1))]
    result = run(args + ["--device", DEVICE, "--repeat", "5"])
    d = result["diagnostics"]
    print(f"time logistic fit (with SEs) {rows} x {features} on {DEVICE}: {result['fitMs']:.3f} ms warm "
          f"(first fit {result['elapsedMs']:.1f} ms), {result['optimizer']}, {d['iterations']} iterations, {d['evaluations']} passes", flush=True)
    check(f"logistic {rows} x {features} converged", result["converged"])
    if BASE and rows <= 10_000_000 and features <= 20:
        base = run(args + ["--device", DEVICE, "--repeat", "5"], BASE)
        worst = max(abs(a["estimate"] - b["estimate"]) / max(1, abs(b["estimate"])) for a, b in zip(result["parameters"], base["parameters"]))
        print(f"time logistic fit (with SEs) {rows} x {features} on {DEVICE}, base build: {base['fitMs']:.3f} ms warm, "
              f"{base['diagnostics']['evaluations']} passes (this build / base {result['fitMs'] / base['fitMs']:.3f})", flush=True)
        check(f"logistic {rows} x {features}: this build's estimates = the base build's", worst <= 1e-9, f"(worst rel {worst:.1e})")
    if rows <= 10_000_000:
        # The robust covariance's meat (from the Hessian pass's tiles since 2026-11-28) and one value+gradient at the
        # MLE (still the register kernel, whose GLM rows index their terms at run time): timed for the next step.
        robust = run(args + ["--device", DEVICE, "--repeat", "3", "--cov", "hc0"])
        print(f"time logistic fit with HC0 {rows} x {features} on {DEVICE}: {robust['fitMs']:.3f} ms warm "
              f"(model-based {result['fitMs']:.3f} ms)", flush=True)
        at = ",".join(f"{p['name']}={p['estimate']!r}" for p in result["parameters"])
        ev = run(["eval"] + args[1:] + ["--at", at, "--device", DEVICE, "--repeat", "20"])
        print(f"time logistic value+gradient {rows} x {features} on {DEVICE} (register kernel): {ev['evalMs']:.3f} ms", flush=True)
        native = run(args + ["--device", "native"])
        worst = max(abs(a["estimate"] - b["estimate"]) / max(1, abs(b["estimate"])) for a, b in zip(result["parameters"], native["parameters"]))
        check(f"logistic {rows} x {features} {DEVICE} vs native", worst <= 1e-9, f"(worst rel {worst:.1e})")
    if (rows, features) != glm_sizes[0]:  # the first stays for PyTorch's IRLS
        os.remove(path)
for rows, features in glm_sizes:
    guarded(f"logistic {rows} x {features}", lambda rows=rows, features=features: logistic(rows, features), "glm")

# The other GLM families' kernels on the device against native (10^6 x 3 plus a factor): probit, Poisson with an
# offset, the negative binomial (alpha by maximum likelihood), gamma with its log link, and a Poisson on counts beyond
# 10^6 (the large-count row form).
def glm_families():
    x = rng.standard_normal((n, 3))
    g = rng.integers(0, 4, n).astype(float)
    eta = 0.2 + x @ np.array([0.3, -0.2, 0.1]) + 0.1 * g
    exposure = rng.uniform(0.5, 2, n)
    cases = {
        "probit": ((rng.random(n) < 0.5 * (1 + np.vectorize(math.erf)(eta / np.sqrt(2)))).astype(float), ["--model", "probit"], None),
        "poisson": (rng.poisson(exposure * np.exp(eta)).astype(float), ["--model", "glm", "--family", "poisson", "--offset", "5"], np.log(exposure)),
        "negbinomial": (rng.negative_binomial(2.0, 2.0 / (2.0 + np.exp(eta))).astype(float), ["--model", "glm", "--family", "negbinomial"], None),
        "gamma": (rng.gamma(3.0, np.exp(eta) / 3.0), ["--model", "glm", "--family", "gamma", "--link", "log"], None),
        "poisson-large": (rng.poisson(2e6 * np.exp(eta)).astype(float), ["--model", "glm", "--family", "poisson"], None),
    }
    for name, (y, model, offset) in cases.items():
        path = save(f"glm-{name}", np.column_stack([y, x, g, offset if offset is not None else np.zeros(n)]))
        args = ["fit"] + model + ["--data", path, "--y", "0", "--x", "1,2,3", "--factor", "4"]
        fits = [run(args + ["--device", d]) for d in (DEVICE, "native")]
        worst = max(abs(a["estimate"] - b["estimate"]) / max(1, abs(b["estimate"])) for a, b in zip(fits[0]["parameters"], fits[1]["parameters"]))
        se = max(abs(a["stdError"] - b["stdError"]) / abs(b["stdError"]) for a, b in zip(fits[0]["parameters"], fits[1]["parameters"]))
        check(f"glm {name} {n} rows {DEVICE} vs native", fits[0]["converged"] and worst <= 1e-9 and se <= 1e-7,
              f"(estimates worst rel {worst:.1e}, SEs {se:.1e}, {fits[0]['elapsedMs']:.1f} ms)")
guarded("glm families", glm_families, "glm")

def torch_irls():
    import torch
    if not torch.cuda.is_available():
        print("torch: no CUDA", flush=True)
        return
    rows, features = glm_sizes[0]
    data = torch.from_numpy(np.load(glm_paths[(rows, features)])).cuda()
    y, X = data[:, 0], torch.cat([torch.ones(rows, 1, dtype=torch.float64, device="cuda"), data[:, 1:]], dim=1)
    def irls():
        b = torch.zeros(features + 1, dtype=torch.float64, device="cuda")
        for _ in range(8):
            p = torch.sigmoid(X @ b)
            w = p * (1 - p)
            H = X.T @ (X * w[:, None])
            b = b + torch.linalg.solve(H, X.T @ (y - p))
        return torch.sqrt(torch.diagonal(torch.linalg.inv(H)))
    irls(); torch.cuda.synchronize()
    times = []
    for _ in range(10):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record(); irls(); end.record(); torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    print(f"torch logistic IRLS (8 iterations, with SEs) {rows} x {features}: {sorted(times)[len(times) // 2]:.3f} ms", flush=True)
if os.environ.get("TORCH", "1") == "1":
    guarded("torch irls", torch_irls, "torch-irls")

# PyTorch on the same GPU, same data and formulas in float64, for the side-by-side table.
def torch_side():
    import torch
    if not torch.cuda.is_available():
        print("torch: no CUDA", flush=True)
        return
    def timed(f, repeat=20):
        f(); torch.cuda.synchronize()
        times = []
        for _ in range(repeat):
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record(); f(); end.record(); torch.cuda.synchronize()
            times.append(start.elapsed_time(end))
        return float(np.median(times))
    for size in sizes:
        x = torch.from_numpy(np.load(big_paths[("normal", size)])).cuda()
        # The read floor: one float64 sum over the same column (PyTorch's reduction kernel).
        print(f"torch sum (the read floor) at {size}: {timed(lambda: x.sum()):.4f} ms", flush=True)
        mu = torch.tensor(3.1, dtype=torch.float64, device="cuda", requires_grad=True)
        ls = torch.tensor(np.log(1.9), dtype=torch.float64, device="cuda", requires_grad=True)
        def normal():
            s = torch.exp(ls)
            value = (-0.5 * ((x - mu) / s) ** 2).sum() - x.numel() * (ls + 0.9189385332046727)
            return torch.autograd.grad(value, (mu, ls))
        print(f"torch normal value+gradient (autograd) at {size}: {timed(normal):.4f} ms", flush=True)
        xt = torch.from_numpy(np.load(big_paths[("studentt", size)])).cuda()
        nu = torch.tensor(5.0, dtype=torch.float64, device="cuda", requires_grad=True)
        def studentt():
            s = torch.exp(ls)
            z = (xt - mu) / s
            value = (-(nu + 1) / 2 * torch.log1p(z * z / nu)).sum() + xt.numel() * (torch.lgamma((nu + 1) / 2) - torch.lgamma(nu / 2) - 0.5 * torch.log(nu * np.pi) - ls)
            return torch.autograd.grad(value, (mu, ls, nu))
        print(f"torch studentt value+gradient (autograd) at {size}: {timed(studentt):.4f} ms", flush=True)
        del x, xt
    x = torch.from_numpy(np.load(big_paths[("normal", sizes[0])])).cuda()
    mus = torch.linspace(3, 3.2, 64, dtype=torch.float64, device="cuda")
    sigmas = torch.linspace(1.9, 2.1, 64, dtype=torch.float64, device="cuda")
    def sweep_torch():
        out = torch.empty(64, 64, dtype=torch.float64, device="cuda")
        for i in range(64):  # one grid row at a time: 64 x n doubles
            z = (x[None, :] - mus[i]) / sigmas[:, None]
            out[i] = (-0.5 * z * z).sum(dim=1) - x.numel() * (torch.log(sigmas) + 0.9189385332046727)
        return out
    print(f"torch sweep 64x64 over {sizes[0]} (broadcast by grid row): {timed(sweep_torch, 3):.1f} ms", flush=True)

# Issue 15: a 3-component normal mixture over MIXTURE_SIZE (10^8) 1-D points; the figure is 100 EM iterations (one
# statistics pass, NormalStatisticsKernel since 2026-11-28, plus the host M-step each) in under 0.1 s, from a warm repeat's emMs. The
# same fit on 10^6 points is checked against native.
def mixture_timing():
    size = int(os.environ.get("MIXTURE_SIZE", 100_000_000))
    u = rng.random(size)
    x = np.where(u < 0.3, rng.normal(-3, 1, size), np.where(u < 0.8, rng.normal(0.5, 0.7, size), rng.normal(4, 1.5, size)))
    path = save(f"mixture-{size}", x)
    result = run(["fit", "--model", "mixture", "--components", "3xnormal", "--data", path, "--column", "0", "--device", DEVICE,
                  "--starts", "1", "--repeat", "2"])
    start = result["starts"][0]
    per = start["emMs"] / max(1, start["emIterations"])
    check(f"100 EM iterations, K = 3 normal, {size} points on {DEVICE}: {100 * per:.1f} ms (< 100 ms)", 100 * per < 100,
          f"({start['emIterations']} iterations in {start['emMs']:.1f} ms; whole fit {result['fitMs']:.0f} ms)")
    if BASE:
        base = run(["fit", "--model", "mixture", "--components", "3xnormal", "--data", path, "--column", "0", "--device", DEVICE,
                    "--starts", "1", "--repeat", "2"], BASE)
        b = base["starts"][0]
        base_per = b["emMs"] / max(1, b["emIterations"])
        print(f"time 100 EM iterations, K = 3 normal, {size} points on {DEVICE}, base build: {100 * base_per:.1f} ms "
              f"({b['emIterations']} iterations; whole fit {base['fitMs']:.0f} ms; this build / base {per / base_per:.3f})", flush=True)
        worst = max(abs(a["estimate"] - c["estimate"]) / max(1e-12, abs(c["estimate"])) for a, c in zip(result["parameters"], base["parameters"]))
        check("mixture 10^8: this build's estimates = the base build's", worst <= 1e-7, f"(worst rel {worst:.1e})")
    small = save("mixture-small", x[:1_000_000])
    fits = [run(["fit", "--model", "mixture", "--components", "3xnormal", "--data", small, "--column", "0", "--device", d, "--starts", "2"])
            for d in (DEVICE, "native")]
    worst = max(abs(a["estimate"] - b["estimate"]) / max(1e-12, abs(b["estimate"])) for a, b in zip(fits[0]["parameters"], fits[1]["parameters"]))
    check(f"mixture fit {DEVICE} vs native (10^6)", fits[0]["converged"] and worst <= 1e-7, f"(worst rel {worst:.1e})")
guarded("mixture", mixture_timing, "mixture")

# Gaussian mixtures (issue 15): the device's EM against native on 10^6 x 2, K = 3, full; then PyCave's published case
# scaled up, 10^6 x 32 -> 16 diagonal components from one start (PyCave: 100k x 32 -> 16 in 0.51 s on a GPU), cut off
# after GMM_TIMEOUT (120) seconds so that it cannot take the rest of the run.
def gaussian_mixture():
    m = int(os.environ.get("GMM_N", 1_000_000))
    z = rng.choice(3, size=m, p=[0.5, 0.3, 0.2])
    centres = np.array([[0, 0], [4, 1], [1, 5]], dtype=float)
    x2 = centres[z] + rng.normal(size=(m, 2)) * np.array([1.0, 0.7])
    path = save("gmm2", x2)
    common = ["fit", "--model", "gaussian-mixture", "--data", path, "--x", "0,1", "--components", "3"]
    gpu = run(common + ["--device", DEVICE, "--repeat", "5"])
    native = run(common + ["--device", "native"])
    rel = abs(gpu["logLikelihood"] - native["logLikelihood"]) / abs(native["logLikelihood"])
    check("gaussian-mixture 2-D K=3 full: device log-likelihood = native", rel < 1e-9, f"(rel {rel:.1e})")
    print(f"time gaussian-mixture {m} x 2, K=3 full on {DEVICE}: {gpu['fitMs']:.1f} ms, {gpu['iterations']} EM steps", flush=True)
    if BASE:
        base = run(common + ["--device", DEVICE, "--repeat", "5"], BASE)
        print(f"time gaussian-mixture {m} x 2, K=3 full on {DEVICE}, base build: {base['fitMs']:.1f} ms, {base['iterations']} EM steps "
              f"(this build / base {gpu['fitMs'] / base['fitMs']:.3f})", flush=True)
    d = 32
    c32 = rng.normal(0, 3, size=(16, d))
    z = rng.integers(0, 16, size=m)
    x32 = c32[z] + rng.normal(size=(m, d))
    path = save("gmm32", x32)
    # PyCave reports no standard errors: the like-for-like fit is --se none (EM alone); then the same fit with the
    # information's host pass (O(n p^2), p = 527), once.
    args32 = ["fit", "--model", "gaussian-mixture", "--data", path, "--x", ",".join(str(j) for j in range(d)), "--components", "16",
              "--covariance", "diagonal", "--starts", "1", "--device", DEVICE]
    result = run(args32 + ["--se", "none", "--repeat", "3"], timeout=int(os.environ.get("GMM_TIMEOUT", 120)))
    steps = result["iterations"]
    print(f"time gaussian-mixture {m} x {d} -> 16 diagonal on {DEVICE}, --se none: {result['fitMs']:.1f} ms, {steps} EM steps, "
          f"{result['fitMs'] / max(1, steps):.2f} ms per step (seeding included); PyCave published 100k x 32 -> 16: 510 ms", flush=True)
    with_se = run(args32 + ["--repeat", "1"], timeout=int(os.environ.get("GMM_TIMEOUT", 120)))
    print(f"time gaussian-mixture {m} x {d} -> 16 diagonal on {DEVICE} with standard errors: {with_se['fitMs']:.1f} ms "
          f"(the information's host pass ~{with_se['fitMs'] - result['fitMs']:.0f} ms)", flush=True)
guarded("gaussian-mixture", gaussian_mixture, "gmm")

if os.environ.get("TORCH", "1") == "1":
    guarded("torch", torch_side, "torch")

# Issue 16: data past a device-memory limit, streamed in row blocks of 2^24 rows, copied straight out of the column
# (page-locked where it lies, since 2026-12-01; the trace line says whether it was, and how long the locking took) or,
# where it cannot be, packed into page-locked host buffers.
# STREAM_POINTS (1.5e9: 12 GB, since a limit of 8 GB holds 10^9 doubles whole) Normal points under --device-memory
# STREAM_LIMIT (8GB): value+gradient against the same data resident (bit for bit), and the streamed bytes per second
# against the page-locked host-to-device rate (measured with torch where present, else H2D_GBPS, 55 on the H200).
# On by default on CUDA only (STREAM=1 forces it; a dry run on the CPU accelerator needs 2^25 rows at least).
def streaming():
    import re
    points = int(float(os.environ.get("STREAM_POINTS", 1.5e9)))
    limit = os.environ.get("STREAM_LIMIT", "8GB")
    path = os.path.join(DATA, "stream.npy")
    x = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=(points,))
    for first in range(0, points, 100_000_000):
        count = min(100_000_000, points - first)
        x[first:first + count] = rng.normal(3, 2, count)
    x.flush()
    del x
    try:
        common = ["eval", "--model", "normal", "--data", path, "--column", "0", "--at", "mu=3.1,sigma=1.9", "--device", DEVICE, "--repeat", "10"]
        streamed = run(common + ["--device-memory", limit], trace=True)
        resident = run(common)
    finally:
        os.remove(path)
    same = streamed["logLikelihood"] == resident["logLikelihood"] and \
        [g["value"] for g in streamed["gradient"]] == [g["value"] for g in resident["gradient"]]
    check(f"normal {points} points under --device-memory {limit}: streamed = resident, bit for bit", same,
          f"({streamed['logLikelihood']!r} vs {resident['logLikelihood']!r})")
    found = re.search(r"data streamed: (\d+) of (\d+) row blocks", streamed["device"])
    blocks = (int(found.group(1)), int(found.group(2))) if found else (0, 1)
    streamed_bytes = 8 * min(points, blocks[0] * (1 << 24))
    rate = streamed_bytes / (streamed["evalMs"] / 1000) / 1e9
    h2d = float(os.environ.get("H2D_GBPS", 55))
    try:
        import torch
        if torch.cuda.is_available():
            host = torch.empty(1 << 28, dtype=torch.float64).pin_memory()
            device = torch.empty_like(host, device="cuda")
            device.copy_(host, non_blocking=True); torch.cuda.synchronize()
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            for _ in range(5):
                device.copy_(host, non_blocking=True)
            end.record(); torch.cuda.synchronize()
            h2d = 5 * 8 * (1 << 28) / (start.elapsed_time(end) / 1000) / 1e9
            del host, device
    except ImportError:
        pass
    print(f"time normal value+gradient over {points} points, --device-memory {limit} on {DEVICE}: {streamed['evalMs']:.1f} ms "
          f"(resident {resident['evalMs']:.2f} ms); {blocks[0]} of {blocks[1]} blocks streamed, {streamed_bytes / 1e9:.2f} GB "
          f"at {rate:.1f} GB/s against page-locked host-to-device {h2d:.1f} GB/s ({rate / h2d:.0%})", flush=True)
    check("streamed bytes at >= 80% of the page-locked host-to-device rate", rate >= 0.8 * h2d, f"({rate:.1f} of {h2d:.1f} GB/s)")
if os.environ.get("STREAM", "1" if DEVICE == "cuda" else "0") == "1":
    guarded("streaming", streaming, "stream")

# Where the kernels' time goes (every issue-17 "what bounds it"): Nsight Compute, which the GPU machine's CUDA toolkit
# has (nsys it has not; users need neither), over the data the sections above left: each kernel's duration, DRAM and
# SM throughput, grid, registers and occupancy (ncu locks the clocks, so its durations are not the timings above, and
# it replays each launch: a sweep's tiles, sized from the measured rate, come out smaller under it). The whole report
# goes to $OUT/ncu.txt, a line per launch to the log. NCU_TIMEOUT (120) seconds a case.
def ncu_profile():
    import glob, re, shutil
    ncu = shutil.which("ncu") or next(iter(sorted(glob.glob("/usr/local/cuda*/bin/ncu"))), None)
    if ncu is None:
        print("ncu: not on this machine", flush=True)
        return
    sections = ["--section", "SpeedOfLight", "--section", "LaunchStats", "--section", "Occupancy"]
    cases = []
    for family, at in [("normal", "mu=3.1,sigma=1.9"), ("studentt", "mu=1,sigma=2,nu=5")]:
        if (family, sizes[-1]) in big_paths:
            cases.append((f"{family} value+gradient at {sizes[-1]}", ["--launch-skip", "5", "--launch-count", "1"] + sections + ["--section", "ComputeWorkloadAnalysis"],
                          ["eval", "--model", family, "--data", big_paths[(family, sizes[-1])], "--column", "0", "--at", at, "--repeat", "10"]))
    if ("normal", sizes[0]) in big_paths:
        cases.append((f"normal 64x64 sweep over {sizes[0]}", ["-k", "regex:Sweep", "--launch-count", "8"] + sections + ["--section", "ComputeWorkloadAnalysis"],
                      ["sweep", "--model", "normal", "--data", big_paths[("normal", sizes[0])], "--column", "0", "--grid", "mu=3:3.2:64", "--grid", "sigma=1.9:2.1:64"]))
    if glm_sizes and glm_sizes[0] in glm_paths and os.path.exists(glm_paths[glm_sizes[0]]):
        rows, features = glm_sizes[0]
        cases.append((f"logistic fit {rows} x {features}", ["--launch-count", "40"] + sections,
                      ["fit", "--model", "logit", "--data", glm_paths[glm_sizes[0]], "--y", "0", "--x", ",".join(str(j) for j in range(1, features + 1))]))
    mixture = sorted(glob.glob(os.path.join(DATA, "mixture-*.npy")), key=os.path.getsize)
    if mixture:
        cases.append(("normal-mixture EM statistics (largest)", ["-k", "regex:Statistics", "--launch-skip", "2", "--launch-count", "2"] + sections + ["--section", "ComputeWorkloadAnalysis"],
                      ["fit", "--model", "mixture", "--components", "3xnormal", "--data", mixture[-1], "--column", "0", "--starts", "1", "--max-iter", "5"]))
    if os.path.exists(os.path.join(DATA, "gmm32.npy")):
        cases.append(("gaussian-mixture 32-D -> 16 diagonal EM pass", ["-k", "regex:Statistics", "--launch-count", "40"] + sections + ["--section", "ComputeWorkloadAnalysis", "--section", "MemoryWorkloadAnalysis"],
                      ["fit", "--model", "gaussian-mixture", "--data", os.path.join(DATA, "gmm32.npy"), "--x", ",".join(str(j) for j in range(32)),
                       "--components", "16", "--covariance", "diagonal", "--starts", "1", "--max-iter", "2"]))
    report = []
    for label, options, args in cases:
        cmd = [ncu] + options + [GPUEST] + args + ["--device", DEVICE]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=int(os.environ.get("NCU_TIMEOUT", 120)))
            text = done.stdout + "\n" + done.stderr
        except subprocess.TimeoutExpired as e:
            text = f"(timed out) {e.stdout or ''}"
        report.append(f"===== {label}: {' '.join(cmd)}\n{text}")
        # One line per launch: kernel, grid x block, duration, throughputs, registers, occupancy.
        launches, current = [], None
        for line in text.splitlines():
            if re.match(r"\s+\S*Kernel\S* \(", line) or re.match(r"\s+Kernel_", line):
                current = {"kernel": line.strip().split(" Context")[0]}
                launches.append(current)
            elif current is not None:
                for key, pattern in [("time", r"Duration\s+(\S+)\s+([\d.,]+)"), ("dram", r"DRAM Throughput\s+%\s+([\d.]+)"),
                                     ("sm", r"Compute \(SM\) Throughput\s+%\s+([\d.]+)"), ("regs", r"Registers Per Thread\s+\S+\s+(\d+)"),
                                     ("occupancy", r"Achieved Occupancy\s+%\s+([\d.]+)")]:
                    found = re.search(pattern, line)
                    if found and key not in current:
                        current[key] = " ".join(found.groups())
        print(f"ncu {label}: {len(launches)} launches profiled", flush=True)
        for launch in launches[:40]:
            print("   " + "; ".join(f"{k} {v}" for k, v in launch.items()), flush=True)
    with open(os.path.join(OUT, "ncu.txt"), "w") as f:
        f.write("\n".join(report))
guarded("ncu", ncu_profile, "ncu")

for rows, features in glm_last:
    guarded(f"logistic {rows} x {features}", lambda rows=rows, features=features: logistic(rows, features), "glm-last")

print(f"done in {time.time() - began:.0f} s; {len(failures)} failed: {failures}", flush=True)
sys.exit(1 if failures else 0)
