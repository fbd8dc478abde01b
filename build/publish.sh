#!/usr/bin/env bash
# Self-contained gpuest archives for machines without .NET (a GPU box, say): one per runtime identifier, with
# invariant globalization (Directory.Build.props), ReadyToRun code (start-up without the JIT's first pass over the
# CLI), and a SHA-256 checksum file beside them. Usage: build/publish.sh [OUT_DIR] [RID ...]
# (default: artifacts/, linux-x64; linux-arm64 builds too where its runtime pack is served). The archive unpacks to
# gpuest-VERSION-RID/ with the gpuest executable in it.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(realpath -m "${1:-artifacts}")"
shift || true
rids=("$@")
[ ${#rids[@]} -gt 0 ] || rids=(linux-x64)
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)"
mkdir -p "$out"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
for rid in "${rids[@]}"; do
  name="gpuest-$version-$rid"
  dotnet publish src/GpuEstimation.Cli -c Release -r "$rid" --self-contained -p:PublishReadyToRun=true \
    -o "$stage/$name" -v quiet -nologo
  tar czf "$out/$name.tar.gz" -C "$stage" "$name"
  echo "$out/$name.tar.gz"
done
(cd "$out" && sha256sum gpuest-"$version"-*.tar.gz > "gpuest-$version.sha256")
