#!/usr/bin/env bash
# Self-contained gpuest archives for machines without .NET (a GPU box, say): one per runtime identifier, with
# invariant globalization (Directory.Build.props), ReadyToRun code (start-up without the JIT's first pass over the
# CLI), and a SHA-256 checksum file beside them. Usage: [AOT=1] build/publish.sh [OUT_DIR] [RID ...]
# (default: artifacts/, linux-x64; linux-arm64 builds too where its runtime pack is served). The archive unpacks to
# gpuest-VERSION-RID/ with the gpuest executable in it.
# With AOT=1, gpuest is the fast-start build, compiled ahead of time (native AOT: a small fit as a whole process in
# ~47 ms instead of ~260 ms: bench/startup/startup.py), and gpuest-jit beside it the ReadyToRun build, to which gpuest hands what needs code
# generated at run time (a GPU or the CPU accelerator, --logpdf and --mean expressions, MPI runs; JitHandoff.cs).
# Native AOT needs a C linker (gcc or clang) and takes several minutes on two cores, so it is asked for, not the
# default (CI's install test publishes without it).
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
  if [ "${AOT:-0}" = 1 ]; then
    # The two publishes share obj/: each starts from a clean one for the RID (stale images of the other break it).
    rm -rf src/*/obj/Release/net10.0/"$rid" kernels/*/obj/Release/net10.0/"$rid"
    # x64: compiled for x86-64-v3 (AVX2, FMA), as the JIT uses them on such a machine, so that the vector row blocks run
    # and the sums come out in the JIT build's order, bit for bit (the default baseline has no 256-bit vectors).
    isa=""
    case "$rid" in *-x64) isa="-p:IlcInstructionSet=x86-64-v3" ;; esac
    dotnet publish src/GpuEstimation.Cli -c Release -r "$rid" -p:PublishAot=true $isa -o "$stage/aot-$rid" -v quiet -nologo \
      > "$stage/aot-$rid.log" 2>&1 || { tail -20 "$stage/aot-$rid.log" >&2; exit 1; }
    rm -rf src/*/obj/Release/net10.0/"$rid" kernels/*/obj/Release/net10.0/"$rid"
    mv "$stage/$name/gpuest" "$stage/$name/gpuest-jit"
    cp "$stage/aot-$rid/gpuest" "$stage/$name/gpuest"
  fi
  tar czf "$out/$name.tar.gz" -C "$stage" "$name"
  echo "$out/$name.tar.gz"
done
(cd "$out" && sha256sum gpuest-"$version"-*.tar.gz > "gpuest-$version.sha256")
