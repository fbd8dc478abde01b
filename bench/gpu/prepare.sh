#!/usr/bin/env bash
# Builds what bench/gpu/run.sh needs on the GPU machine (which has no .NET): the self-contained gpuest of
# build/publish.sh, repacked as app/ under .gpu/ (ignored by git) to be carried there (xz: a call carries 64 MiB).
# Usage: bench/gpu/prepare.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p .gpu "$stage/unpacked"
build/publish.sh "$stage/artifacts" linux-x64 > /dev/null
tar xzf "$stage"/artifacts/gpuest-*-linux-x64.tar.gz -C "$stage/unpacked"
mv "$stage"/unpacked/gpuest-*-linux-x64 "$stage/app"
tar cJf .gpu/app.tar.xz -C "$stage" app
cp bench/gpu/run.sh bench/gpu/check.py .gpu/
ls -l .gpu
