#!/bin/bash
# Two builds side by side in one run (issue 15, and the optimizer's rounding floor): a Gaussian mixture with the default
# ten starts (10^5 x 2, K = 3, full) and Student-t / Cauchy / logistic fits of 10^5 rows at 10^13 +- 1, each command's
# wall time the median of 3, with its exit code and log-likelihood.
# Usage: bench/compare/far_and_starts.sh "dotnet OLD/gpuest.dll" "dotnet NEW/gpuest.dll"
set -euo pipefail
work=$(mktemp -d)
/usr/bin/python3 - "$work" <<'PY'
import sys, numpy as np
w = sys.argv[1]
rng = np.random.default_rng(20261201)
z = rng.choice(3, size=100_000, p=[0.5, 0.3, 0.2])
m = np.array([[0, 0], [4, 1], [1, 5]], float)
x = m[z] + rng.normal(size=(100_000, 2))
np.save(f"{w}/gmm.npy", x)
np.save(f"{w}/far.npy", 1e13 + rng.standard_t(5, 100_000))
PY
time_it() {
  local best=() rc ll
  for _ in 1 2 3; do
    local t0=$(date +%s.%N)
    rc=0; $1 --json "$work/out.json" > /dev/null 2>&1 || rc=$?
    best+=("$(echo "$(date +%s.%N) - $t0" | bc)")
  done
  ll=$(/usr/bin/python3 -c "import json;print(json.load(open('$work/out.json'))['logLikelihood'])" 2>/dev/null || echo -)
  printf '%s\t%s\t%s\n' "$(printf '%s\n' "${best[@]}" | sort -n | sed -n 2p)" "$rc" "$ll"
}
for build in "$1" "$2"; do
  echo "== $build"
  echo "gaussian-mixture K=3, 10 starts: $(time_it "$build fit --model gaussian-mixture --data $work/gmm.npy --x 0,1 --components 3 --se none")"
  for m in studentt cauchy logistic; do
    echo "$m at 1e13 +- 1: $(time_it "$build fit --model $m --data $work/far.npy")"
  done
done
rm -rf "$work"
