#!/usr/bin/env python3
"""Issue 17, item 4: a 1,000-point Normal fit as a whole process (CSV in, table out), timed from outside.

Usage: bench/startup/startup.py DIR [ROUNDS]
DIR is an unpacked `AOT=1 build/publish.sh` archive (gpuest, the native-AOT build, beside gpuest-jit, the ReadyToRun
one); the framework-dependent build of this checkout (`dotnet .../gpuest.dll`, built with `dotnet build -c Release`)
runs beside them. The builds take turns round after round (the machine's load falls on all alike); the median, the
minimum and the maximum of each are printed, in milliseconds.
"""
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
unpacked = sys.argv[1]
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 15
data = os.path.join(tempfile.mkdtemp(), "n1000.csv")
rng = random.Random(1)
with open(data, "w") as f:
    f.write("x\n" + "".join(f"{rng.gauss(3, 2)!r}\n" for _ in range(1000)))
fit = ["fit", "--model", "normal", "--data", data, "--column", "x"]
builds = {
    "native AOT (gpuest)": [os.path.join(unpacked, "gpuest")],
    "ReadyToRun (gpuest-jit)": [os.path.join(unpacked, "gpuest-jit")],
    "framework-dependent (dotnet gpuest.dll)": ["dotnet", os.path.join(root, "src/GpuEstimation.Cli/bin/Release/net10.0/gpuest.dll")],
}
runs = {name: [] for name in builds}
for _ in range(rounds):
    for name, command in builds.items():
        start = time.perf_counter()
        subprocess.run(command + fit, stdout=subprocess.DEVNULL, check=True)
        runs[name].append(1000 * (time.perf_counter() - start))
for name, times in runs.items():
    print(f"{name:42s} median {statistics.median(times):6.1f} ms   min {min(times):6.1f}   max {max(times):6.1f}")
