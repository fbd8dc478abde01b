#!/usr/bin/env bash
# On the GPU machine (see bench/gpu/prepare.sh): checks every model on the GPU against the native backend and times
# the figures the issues ask for. Writes its log and results under $OUT (a new temporary folder where unset).
# Gaussian mixtures: 10^6 x 2 (K = 3, full) against native, and 10^6 x 32 -> 16 diagonal timed (GMM_N sets the rows).
# DEVICE=cuda by default; DEVICE=cpu N=20000 SIZES=50000,100000 GLM_SIZES=20000:10 TORCH=0 runs the same checks small on the CPU
# accelerator (a dry run); MIXTURE_SIZE=100000 shrinks the mixture timing (issue 15: 100 EM iterations over 10^8 points,
# K = 3). Logistic regression with SEs at 10^7 x 10, 10^8 x 20 and 10^6 x 150 (a wide design) needs ~40 GB of host
# memory and disk. Streaming (issue 16): 1.5e9 Normal points (12 GB, written and removed again) under --device-memory
# 8GB against the resident run and the page-locked host-to-device rate; STREAM=0 skips it, STREAM_POINTS and
# STREAM_LIMIT change it, and it is off where DEVICE is not cuda. SECTIONS=glm,mixture,... runs only those parts
# (check.py names them); the largest logistic fit (GLM_LAST, 10^8 x 20) runs last, after the ncu section (Nsight
# Compute over the data the others left, where the machine has ncu: each kernel's duration, throughputs, registers and
# occupancy, the whole report in $OUT/ncu.txt). Where prepare.sh was given BASE=rev,
# that build is timed beside this one (value+gradient, sweep, Normal fit: the same bits; logistic fit, normal-mixture EM:
# the same estimates).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${OUT:-$(mktemp -d)}"
app="$(mktemp -d)"
mkdir -p "$out"
tar xJf "$here/app.tar.xz" -C "$app"
export GPUEST="$app/app/gpuest" DEVICE="${DEVICE:-cuda}"
if [ -d "$here/base" ]; then  # the base build of prepare.sh's BASE: the same app with its three assemblies
  cp -r "$app/app" "$app/base"
  cp "$here"/base/*.dll "$app/base/"
  export GPUEST_BASE="$app/base/gpuest"
  echo "base build: $(cat "$here/base/commit")" | tee "$out/base.txt"
fi
"$GPUEST" devices | tee "$out/devices.txt"
"${PYTHON:-python3}" "$here/check.py" "$out" 2>&1 | tee "$out/check.log"
