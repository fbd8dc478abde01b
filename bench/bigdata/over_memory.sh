#!/usr/bin/env bash
# Issue 16, item 3: a .npy file larger than the memory the process may use is fitted without being loaded.
#
#   sudo bench/bigdata/over_memory.sh [rows] [limit]     # defaults: 250000000 rows (a 2 GB file), limit 512M
#
# Writes `rows` normal draws as a 1-D float64 .npy (numpy, in pieces, so the writer holds 80 MB at a time), makes a
# memory cgroup (v2, or v1's memory controller; needs root) with memory.max / memory.limit_in_bytes = `limit`, and runs
# `gpuest fit --model normal` on the file inside it: the process's memory, page cache of the mapped file included, is
# held under the limit (the kernel drops the mapped pages a pass has read; .NET sets its heap limit from the cgroup's).
# Prints each run's fit, wall time and the cgroup's peak; then the same fit outside the cgroup, and whether the two JSON
# files agree bit for bit (elapsedMs aside). The same values as big-endian float64 (which must be loaded into an array)
# are run in the cgroup too, to show that the limit bites: that run ends "out of memory". Needs python3 with numpy
# (PYTHON=… names another). PARQUET=file.parquet COLUMN=x also fits that Parquet file's column in the cgroup and
# outside it (its numeric columns are decoded row group by row group into a scratch file in TMPDIR when they exceed
# half the memory the process may use; e.g. the file `dotnet run --project bench/GpuEstimation.Bench -- read-rate`
# writes to the temporary folder).
set -euo pipefail
rows=${1:-250000000}
limit=${2:-512M}
repo=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
gpuest_dll="$repo/src/GpuEstimation.Cli/bin/Release/net10.0/gpuest.dll"
[ -f "$gpuest_dll" ] || dotnet build "$repo/src/GpuEstimation.Cli/GpuEstimation.Cli.csproj" -c Release -v quiet -nologo >/dev/null
work=$(mktemp -d)
group=""
cleanup() {
    [ -n "$group" ] && rmdir "$group" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

"${PYTHON:-python3}" - "$rows" "$work" <<'PY'
import sys, numpy as np
rows, work = int(sys.argv[1]), sys.argv[2]
for name, dtype in (("x.npy", "<f8"), ("x-be.npy", ">f8")):
    out = np.lib.format.open_memmap(f"{work}/{name}", mode="w+", dtype=dtype, shape=(rows,))
    rng = np.random.default_rng(16)
    for first in range(0, rows, 10_000_000):
        count = min(10_000_000, rows - first)
        out[first:first + count] = rng.normal(3.0, 2.0, count)
    out.flush()
    del out
PY
ls -l "$work"/*.npy

if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    group=/sys/fs/cgroup/gpuest-over-memory
    mkdir -p "$group"
    echo "$limit" > "$group/memory.max"
    echo 0 > "$group/memory.swap.max" 2>/dev/null || true
    peak() { cat "$group/memory.peak" 2>/dev/null || echo "?"; }
else
    group=/sys/fs/cgroup/memory/gpuest-over-memory
    mkdir -p "$group"
    echo "$limit" > "$group/memory.limit_in_bytes"
    peak() { cat "$group/memory.max_usage_in_bytes"; }
fi
# Page cache of the files written above is charged to no one in the group: drop it, so the runs read the disk.
sync; echo 1 > /proc/sys/vm/drop_caches || true

run_in_group() {
    # A subshell moves itself into the group, then becomes gpuest.
    bash -c 'echo $$ > "$0/cgroup.procs"; shift; exec "$@"' "$group" - "$@"
}

for file in x.npy x-be.npy; do
    echo "== in the cgroup (limit $limit): $file"
    [ -f "$group/memory.max_usage_in_bytes" ] && echo 0 > "$group/memory.max_usage_in_bytes"
    start=$(date +%s%N)
    set +e
    run_in_group dotnet "$gpuest_dll" fit --model normal --data "$work/$file" --column 0 --device native --json "$work/$file.limited.json"
    code=$?
    set -e
    end=$(date +%s%N)
    echo "exit $code; wall $(( (end - start) / 1000000 )) ms; cgroup peak $(peak) bytes"
done

if [ -n "${PARQUET:-}" ]; then
    echo "== in the cgroup (limit $limit): $PARQUET"
    [ -f "$group/memory.max_usage_in_bytes" ] && echo 0 > "$group/memory.max_usage_in_bytes"
    start=$(date +%s%N)
    run_in_group dotnet "$gpuest_dll" fit --model normal --data "$PARQUET" --column "${COLUMN:-x}" --device native --json "$work/parquet.limited.json" | grep -E "^(mu|sigma) |converged"
    end=$(date +%s%N)
    echo "wall $(( (end - start) / 1000000 )) ms; cgroup peak $(peak) bytes"
    dotnet "$gpuest_dll" fit --model normal --data "$PARQUET" --column "${COLUMN:-x}" --device native --json "$work/parquet.free.json" >/dev/null
    if diff <(grep -v elapsedMs "$work/parquet.free.json") <(grep -v elapsedMs "$work/parquet.limited.json") >/dev/null; then
        echo "Parquet JSON in and out of the cgroup: identical (elapsedMs aside)"
    else
        echo "Parquet JSON in and out of the cgroup: DIFFERENT"
        exit 1
    fi
fi

echo "== outside the cgroup: x.npy"
start=$(date +%s%N)
dotnet "$gpuest_dll" fit --model normal --data "$work/x.npy" --column 0 --device native --json "$work/free.json" | grep -E "^(mu|sigma) |converged"
end=$(date +%s%N)
echo "wall $(( (end - start) / 1000000 )) ms"
if diff <(grep -v elapsedMs "$work/free.json") <(grep -v elapsedMs "$work/x.npy.limited.json") >/dev/null; then
    echo "JSON in and out of the cgroup: identical (elapsedMs aside)"
else
    echo "JSON in and out of the cgroup: DIFFERENT"
    exit 1
fi
