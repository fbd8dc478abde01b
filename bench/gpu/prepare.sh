#!/usr/bin/env bash
# Builds what bench/gpu/run.sh needs on the GPU machine (which has no .NET): a self-contained gpuest, packed
# under .gpu/ (ignored by git) to be carried there. Usage: bench/gpu/prepare.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
publish="$(mktemp -d)"
trap 'rm -rf "$publish"' EXIT
mkdir -p .gpu
dotnet publish src/GpuEstimation.Cli -c Release -r linux-x64 --self-contained -o "$publish/app" -v quiet -nologo
tar cJf .gpu/app.tar.xz -C "$publish" app
cp bench/gpu/run.sh bench/gpu/check.py .gpu/
ls -l .gpu
