#!/usr/bin/env bash
# MPI overhead per evaluation (bench/RESULTS.md): a 10^6-row Normal log-likelihood and gradient (`gpuest eval
# --repeat`, the median of one evaluation) in one process with 1 thread, under `mpirun -np 2` with 1 thread per rank,
# and in one process with 2 threads, three rounds in turn; then the collective alone (allgatherv.c, built with mpicc:
# MPI_Allgatherv in place of the 31 chunks x 3 partials a rank pair exchanges per evaluation, and of a sweep's
# 31 x 1024). Needs mpirun and mpicc (Debian: apt-get install openmpi-bin libopenmpi-dev).
#
#   bench/mpi/run.sh [ROWS] [REPEAT]     # defaults 1000000 500
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
rows=${1:-1000000}
repeat=${2:-500}
gpuest_dll="$repo/src/GpuEstimation.Cli/bin/Release/net10.0/gpuest.dll"
[ -f "$gpuest_dll" ] || dotnet build "$repo/src/GpuEstimation.Cli/GpuEstimation.Cli.csproj" -c Release -v quiet -nologo >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk -v n="$rows" 'BEGIN { srand(7); pi = atan2(0, -1); print "x"
    for (i = 0; i < n; i++) printf "%.9g\n", sqrt(-2 * log(1 - rand())) * cos(2 * pi * rand()) }' >"$work/x.csv"
eval_args=(eval --model normal --data "$work/x.csv" --column x --at mu=0.1,sigma=1.1 --repeat "$repeat" --device native)
median() { grep -o 'evaluation time *[0-9.]* ms' | grep -o '[0-9.]*' | head -1; }
mpi=(mpirun --allow-run-as-root --oversubscribe -np 2)
echo "rows $rows, median of $repeat evaluations per run (ms); $(nproc) cores"
echo "round  1 process, 1 thread  2 ranks, 1 thread each  1 process, 2 threads"
for round in 1 2 3; do
    one=$(dotnet "$gpuest_dll" "${eval_args[@]}" --threads 1 | median)
    two=$("${mpi[@]}" dotnet "$gpuest_dll" "${eval_args[@]}" --threads 1 </dev/null | median)
    threads=$(dotnet "$gpuest_dll" "${eval_args[@]}" --threads 2 | median)
    printf "%5d  %20s  %23s  %21s\n" "$round" "$one" "$two" "$threads"
done
mpicc -O2 -o "$work/allgatherv" "$repo/bench/mpi/allgatherv.c"
"${mpi[@]}" "$work/allgatherv" 31 3 20000 </dev/null
"${mpi[@]}" "$work/allgatherv" 31 1024 2000 </dev/null
