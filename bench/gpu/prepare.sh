#!/usr/bin/env bash
# Builds what bench/gpu/run.sh needs on the GPU machine (which has no .NET): the self-contained gpuest of
# build/publish.sh, repacked as app/ under .gpu/ (ignored by git) to be carried there (xz: a call carries 64 MiB).
# BASE=REV also builds that commit and keeps its three assemblies (library, kernels, CLI; .gpu/base/, a few MB), which run.sh lays over
# a copy of the app, so that check.py times the value+gradient, the sweep and a fit with both builds in one run and
# checks that they give the same bits (for kernel changes that should not change them).
# Usage: [BASE=REV] bench/gpu/prepare.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p .gpu "$stage/unpacked"
# The ReadyToRun build alone (publish.sh's default): the GPU checks need the JIT (ILGPU), and a call carries 64 MiB.
build/publish.sh "$stage/artifacts" linux-x64 > /dev/null
tar xzf "$stage"/artifacts/gpuest-*-linux-x64.tar.gz -C "$stage/unpacked"
mv "$stage"/unpacked/gpuest-*-linux-x64 "$stage/app"
tar cJf .gpu/app.tar.xz -C "$stage" app
rm -rf .gpu/base
if [ -n "${BASE:-}" ]; then
  git worktree add -q --detach "$stage/base-src" "$BASE"
  dotnet publish "$stage/base-src/src/GpuEstimation.Cli" -c Release -r linux-x64 --self-contained -p:PublishReadyToRun=true \
    -o "$stage/base-app" -v quiet -nologo > /dev/null
  git worktree remove --force "$stage/base-src"
  mkdir -p .gpu/base
  cp "$stage"/base-app/GpuEstimation.dll "$stage"/base-app/GpuEstimation.Kernels.dll "$stage"/base-app/gpuest.dll .gpu/base/
  git rev-parse "$BASE" > .gpu/base/commit
fi
cp bench/gpu/run.sh bench/gpu/check.py .gpu/
ls -l .gpu
