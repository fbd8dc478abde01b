#!/usr/bin/env bash
# What each MPI rank reads (bench/RESULTS.md; README, "Many machines: running under MPI"): a Normal fit of one column
# of ROWS rows from a CSV file and from a 1-D .npy file, and a linear model of y on x1, x2 from a CSV file, in one process and under `mpirun -np 2`, each rank's wall
# time and peak resident memory (GNU time's %M, which counts a mapped file's pages the rank touched). With BASE set to
# another build's gpuest.dll (one whose ranks read the whole file), the same under it, for the ratio. Needs mpirun and
# /usr/bin/time (Debian: apt-get install openmpi-bin time).
#
#   bench/mpi/read.sh [ROWS]     # default 10000000
#   BASE=/path/to/old/gpuest.dll bench/mpi/read.sh
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
rows=${1:-10000000}
gpuest_dll="$repo/src/GpuEstimation.Cli/bin/Release/net10.0/gpuest.dll"
[ -f "$gpuest_dll" ] || dotnet build "$repo/src/GpuEstimation.Cli/GpuEstimation.Cli.csproj" -c Release -v quiet -nologo >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk -v n="$rows" 'BEGIN { srand(7); pi = atan2(0, -1); print "x"
    for (i = 0; i < n; i++) printf "%.9g\n", 0.5 + sqrt(-2 * log(1 - rand())) * cos(2 * pi * rand()) }' >"$work/x.csv"
# The same values as a 1-D .npy of doubles (perl: no numpy needed).
awk 'NR > 1' "$work/x.csv" | perl "$repo/tests/mpi/npy.pl" >"$work/x.npy"
# y = 1 + 2 x1 - 0.5 x2 + noise, for the linear model.
awk -v n="$rows" 'BEGIN { srand(8); pi = atan2(0, -1); print "y,x1,x2"
    for (i = 0; i < n; i++) { for (k = 0; k < 3; k++) z[k] = sqrt(-2 * log(1 - rand())) * cos(2 * pi * rand())
        printf "%.9g,%.9g,%.9g\n", 1 + 2 * z[0] - 0.5 * z[1] + 0.7 * z[2], z[0], z[1] } }' >"$work/l.csv"
echo "rows $rows: x.csv $(stat -c %s "$work/x.csv") bytes, x.npy $(stat -c %s "$work/x.npy") bytes; $(nproc) cores"
mpi=(mpirun --allow-run-as-root --oversubscribe -np 2)
run() {
    local dll=$1 file=$2 label=$3
    local model=(--model normal)
    [[ "$file" = */l.csv ]] && model=(--model linear --y y --x x1,x2)
    /usr/bin/time -f "$label one process: %e s, %M KB" dotnet "$dll" fit "${model[@]}" --data "$file" --json "$work/one.json" >/dev/null 2>"$work/one.err"
    tail -1 "$work/one.err"
    "${mpi[@]}" /usr/bin/time -f "$label rank: %e s, %M KB" dotnet "$dll" fit "${model[@]}" --data "$file" --json "$work/two.json" </dev/null >/dev/null 2>"$work/two.err"
    grep "rank:" "$work/two.err" | sort
    diff <(grep -vE '"(device|elapsedMs)"' "$work/one.json") <(grep -vE '"(device|elapsedMs)"' "$work/two.json") >/dev/null \
        && echo "$label: 2 ranks give the JSON of one process" || echo "$label: 2 ranks DIFFER from one process"
}
for round in 1 2; do
    echo "round $round"
    for file in x.csv x.npy l.csv; do
        run "$gpuest_dll" "$work/$file" "  $file this build"
        [ -n "${BASE:-}" ] && run "$BASE" "$work/$file" "  $file base build"
    done
done
