#!/usr/bin/env bash
# Side-by-side timings: numpy / scipy / statsmodels against gpuest on identical data, in one run.
# Installs Debian's numpy, scipy and statsmodels where missing (root, as on the dev box and CI), builds gpuest in
# Release, and prints a Markdown table of times and ratios. Usage: bench/compare/run.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=/usr/bin/python3
if ! "$PY" -c "import numpy, scipy, statsmodels" 2>/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-numpy python3-scipy python3-statsmodels >/dev/null
fi
dotnet build -c Release src/GpuEstimation.Cli -v quiet -nologo >/dev/null
# numpy here runs single-threaded BLAS-free element-wise code either way; keep the machine's OpenBLAS settings.
exec "$PY" bench/compare/compare.py --gpuest "dotnet src/GpuEstimation.Cli/bin/Release/net10.0/gpuest.dll" "$@"
