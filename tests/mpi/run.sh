#!/usr/bin/env bash
# gpuest under MPI against one process (README, "Big data", "Many machines: running under MPI"): for a family fit (Student-t, sandwich standard
# errors, a profile interval), the linear model (cluster-robust, read whole for its groups; the Hessian pass GLMs share;
# and with a profile and NIST's errors, with HC1, and a sweep, each rank reading only its own rows) and a sweep (JSON and
# CSV), from CSV and (the family and a sweep) from a .npy file, whose rows each rank reads only its own of (but of a
# family clustered by its own column, read whole),
# `mpirun -np 2` and `-np 3` must write the same JSON as one process, byte for byte once the fields that
# legitimately differ are set aside: "device" (it names the threads and the ranks) and "elapsedMs". The data have
# 100,000 rows, four of the native backend's 32k-row chunks, so every rank has chunks of its own. The same on a kernel
# backend, ILGPU's CPU accelerator (--device cpu), one per rank: the data are one row block there, so one rank holds
# it and the others none (the splitting of several blocks is tested in-process, RankedDevicesTests). Then the failures:
# a bad column ends every rank with exit 2 and rank 0's message, a failure on rank 1 alone (rank 0 waiting for it in a
# collective) ends the job with rank 1's message, no hang, another file on one rank (a row fewer) is named, and a
# launcher's environment with no loadable MPI library is one clear error.
#
#   tests/mpi/run.sh        # needs mpirun (Debian: apt-get install openmpi-bin) and builds gpuest if it is not built
#
# Runs as root too (mpirun --allow-run-as-root); --oversubscribe lets 3 ranks share a 2-core machine. Exit 0 only if
# every comparison held.
set -euo pipefail

fail() {
    echo "tests/mpi/run.sh: $*" >&2
    exit 1
}

repo=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
command -v mpirun >/dev/null || fail "no mpirun on PATH (Debian: apt-get install openmpi-bin)"
gpuest_dll="$repo/src/GpuEstimation.Cli/bin/Release/net10.0/gpuest.dll"
[ -f "$gpuest_dll" ] || dotnet build "$repo/src/GpuEstimation.Cli/GpuEstimation.Cli.csproj" -c Release -v quiet -nologo >/dev/null
[ -f "$gpuest_dll" ] || fail "gpuest did not build"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# 100,000 rows: x1, x2 standard normals (Box-Muller), y = 1 + 2 x1 - 0.5 x2 + noise, t a heavy-tailed sample,
# g a cluster number.
awk 'BEGIN {
    srand(20261128); pi = atan2(0, -1); print "x1,x2,y,t,g"
    for (i = 0; i < 100000; i++) {
        for (k = 0; k < 4; k++) z[k] = sqrt(-2 * log(1 - rand())) * cos(2 * pi * rand())
        y = 1 + 2 * z[0] - 0.5 * z[1] + 0.7 * z[2]
        t = 0.5 + z[2] / sqrt(0.2 + z[3] * z[3])
        printf "%.9g,%.9g,%.9g,%.9g,%d\n", z[0], z[1], y, t, i % 37
    }
}' > data.csv

# t again as a 1-D .npy of doubles (written with perl: a clean machine has no numpy), which each rank maps and reads
# only its own rows of, as it parses only its own rows' bytes of data.csv.
awk -F, 'NR > 1 { print $4 }' data.csv | perl "$repo/tests/mpi/npy.pl" >t.npy

gpuest() {
    dotnet "$gpuest_dll" "$@"
}

ranks() {
    local n=$1
    shift
    timeout 300 mpirun --allow-run-as-root --oversubscribe -np "$n" dotnet "$gpuest_dll" "$@" </dev/null
}

# The JSON less the lines that may differ between runs: the device (threads, ranks) and the elapsed time.
comparable() {
    grep -vE '^\s*"(device|elapsedMs)":' "$1"
}

cases=(
    "family|fit --model studentt --data data.csv --column t --cov hc0 --profile mu"
    "linear|fit --model linear --data data.csv --y y --x x1,x2 --cov cluster:g"
    "linear-spread|fit --model linear --data data.csv --y y --x x1,x2 --profile x1 --se nist"
    "linear-hc1|fit --model linear --data data.csv --y y --x x1,x2 --cov hc1"
    "linear-sweep|sweep --model linear --data data.csv --y y --x x1,x2 --grid x1=1.9:2.1:9 --grid sigma=0.6:0.8:5"
    "sweep|sweep --model normal --data data.csv --column y --grid mu=0.9:1.1:9 --grid sigma=2:2.4:5"
    "family-cluster|fit --model poisson --data data.csv --column g --cov cluster:g"
    "npy-family|fit --model studentt --data t.npy --cov hc0 --profile mu"
    "npy-sweep|sweep --model laplace --data t.npy --grid location=0.4:0.6:9 --grid scale=0.8:1.2:5"
    "cpu-family|fit --model studentt --data data.csv --column t --cov hc0 --device cpu"
    "cpu-linear|fit --model linear --data data.csv --y y --x x1,x2 --cov cluster:g --device cpu"
    "cpu-sweep|sweep --model normal --data data.csv --column y --grid mu=0.9:1.1:9 --grid sigma=2:2.4:5 --device cpu"
)
failures=0
for case in "${cases[@]}"; do
    name=${case%%|*}
    read -r -a args <<<"${case#*|}"
    extra=()
    [[ "$name" = *sweep ]] && extra=(--out "$name.1.csv")
    gpuest "${args[@]}" --json "$name.1.json" "${extra[@]}" >/dev/null || fail "$name: one process failed"
    for n in 2 3; do
        extra=()
        [[ "$name" = *sweep ]] && extra=(--out "$name.$n.csv")
        ranks "$n" "${args[@]}" --json "$name.$n.json" "${extra[@]}" >"$name.$n.out" 2>&1 || {
            cat "$name.$n.out" >&2
            fail "$name: mpirun -np $n failed"
        }
        grep -q "\"device\": \"$([[ "$name" = cpu-* ]] && echo cpu || echo native): .*, $n MPI ranks\"" "$name.$n.json" \
            || fail "$name: -np $n: the device does not name its backend and $n ranks"
        if diff <(comparable "$name.1.json") <(comparable "$name.$n.json") >"$name.$n.diff"; then
            echo "$name: mpirun -np $n: the same JSON as one process"
        else
            echo "$name: mpirun -np $n: the JSON differs from one process:" >&2
            head -20 "$name.$n.diff" >&2
            failures=$((failures + 1))
        fi
        if [[ "$name" = *sweep ]] && ! cmp -s "$name.1.csv" "$name.$n.csv"; then
            echo "$name: mpirun -np $n: the CSV differs from one process" >&2
            failures=$((failures + 1))
        fi
    done
done

# MPICH too where its launcher is installed (not in CI, which has Open MPI only): one comparison.
if command -v mpiexec.hydra >/dev/null; then
    timeout 300 mpiexec.hydra -n 2 dotnet "$gpuest_dll" fit --model studentt --data data.csv --column t --cov hc0 --profile mu \
        --json mpich.json </dev/null >mpich.out 2>&1 || { cat mpich.out >&2; fail "MPICH: mpiexec.hydra -n 2 failed"; }
    if diff <(comparable family.1.json) <(comparable mpich.json) >/dev/null; then
        echo "family: MPICH mpiexec.hydra -n 2: the same JSON as one process"
    else
        echo "family: MPICH mpiexec.hydra -n 2: the JSON differs from one process" >&2
        failures=$((failures + 1))
    fi
fi

# A bad column: every rank fails the same way; exit 2, rank 0's message, and no hang.
status=0
ranks 2 fit --model normal --data data.csv --column nope >bad.out 2>&1 || status=$?
[ "$status" = 2 ] || { cat bad.out >&2; fail "a bad column under mpirun: exit $status, expected 2"; }
grep -q "gpuest: data.csv: no column 'nope'" bad.out || { cat bad.out >&2; fail "a bad column under mpirun: no message"; }
echo "a bad column under mpirun: exit 2 with the message"
# A failure on rank 1 alone (its working directory has a file without the column) while rank 0 goes on into the fit
# and waits in the collective: rank 1's message, named, exit 2, and no hang.
mkdir -p zero one
cp data.csv zero/data.csv
sed '1s/,t,/,u,/' data.csv >one/data.csv
status=0
timeout 120 mpirun --allow-run-as-root --oversubscribe -np 1 -wdir "$work/zero" dotnet "$gpuest_dll" fit --model studentt --data data.csv --column t \
    : -np 1 -wdir "$work/one" dotnet "$gpuest_dll" fit --model studentt --data data.csv --column t </dev/null >alone.out 2>&1 || status=$?
[ "$status" = 2 ] && grep -q "gpuest: rank 1: data.csv: no column 't'" alone.out \
    || { cat alone.out >&2; fail "a failure on rank 1 alone: exit $status"; }
echo "a failure on rank 1 alone: exit 2 with its message, no hang"

# Rank 1's copy of the file has a row fewer: each rank reads only its own rows, so the ranks compare the files' rows,
# lengths and bytes at their ends and between first; exit 2, naming rank 1, no hang.
mkdir -p short
head -n -1 data.csv >short/data.csv
status=0
timeout 120 mpirun --allow-run-as-root --oversubscribe -np 1 -wdir "$work/zero" dotnet "$gpuest_dll" fit --model normal --data data.csv --column t \
    : -np 1 -wdir "$work/short" dotnet "$gpuest_dll" fit --model normal --data data.csv --column t </dev/null >short.out 2>&1 || status=$?
[ "$status" = 2 ] && grep -q "gpuest: data.csv: MPI rank 1 read another file than rank 0" short.out \
    || { cat short.out >&2; fail "another file on rank 1: exit $status"; }
echo "another file on rank 1: exit 2 with the message, no hang"
# The same where every rank reads the whole file (a cluster column): the file is named too, not only the columns' hash.
status=0
timeout 120 mpirun --allow-run-as-root --oversubscribe -np 1 -wdir "$work/zero" dotnet "$gpuest_dll" fit --model normal --data data.csv --column t --cov cluster:g \
    : -np 1 -wdir "$work/short" dotnet "$gpuest_dll" fit --model normal --data data.csv --column t --cov cluster:g </dev/null >whole.out 2>&1 || status=$?
[ "$status" = 2 ] && grep -q "gpuest: data.csv: MPI rank 1 read another file than rank 0" whole.out \
    || { cat whole.out >&2; fail "another file on rank 1, read whole: exit $status"; }
echo "another file on rank 1, read whole: exit 2 naming the file, no hang"

# Ranks started with other arguments (a trial: --start on rank 1 alone printed a wrong fit on rank 0, then hung):
# exit 2 before any sum, rank 0's message naming the rank, no hang.
status=0
timeout 120 mpirun --allow-run-as-root --oversubscribe -np 1 dotnet "$gpuest_dll" fit --model normal --data data.csv --column y \
    : -np 1 dotnet "$gpuest_dll" fit --model normal --data data.csv --column y --start mu=0 </dev/null >args.out 2>&1 || status=$?
[ "$status" = 2 ] && grep -q "gpuest: MPI rank 1 was started with other arguments than rank 0" args.out \
    || { cat args.out >&2; fail "ranks with other arguments: exit $status"; }
echo "ranks with other arguments: exit 2 with the message, no hang"
# Ranks on different backends (a trial: native on rank 0, the CPU accelerator on rank 1 printed rank 0's own sums,
# then aborted in a collective): exit 2 when the devices are opened, before any sum, rank 0's message naming the rank.
status=0
timeout 120 mpirun --allow-run-as-root --oversubscribe -np 1 dotnet "$gpuest_dll" eval --model normal --data data.csv --column y --at mu=1,sigma=2 --device native \
    : -np 1 dotnet "$gpuest_dll" eval --model normal --data data.csv --column y --at mu=1,sigma=2 --device cpu </dev/null >kinds.out 2>&1 || status=$?
[ "$status" = 2 ] && grep -q "MPI rank 1 opened another kind of device (cpu) than rank 0 (native)" kinds.out && ! grep -q "log-likelihood" kinds.out \
    || { cat kinds.out >&2; fail "ranks on different backends: exit $status"; }
echo "ranks on different backends: exit 2 with the message, nothing printed as a result"
# A rank's own threads and output path are its own (the same bits for any thread count; only rank 0 writes).
timeout 120 mpirun --allow-run-as-root --oversubscribe -np 1 dotnet "$gpuest_dll" fit --model normal --data data.csv --column y --threads 1 --json own.json \
    : -np 1 dotnet "$gpuest_dll" fit --model normal --data data.csv --column y --threads 2 --json other.json </dev/null >own.out 2>&1 \
    || { cat own.out >&2; fail "ranks with their own --threads and --json were refused"; }
echo "ranks with their own --threads and --json: run"

# A launcher's environment without a loadable MPI library: one clear line naming the library, exit 1.
status=0
OMPI_COMM_WORLD_SIZE=2 GPUEST_MPI_LIBRARY=/nonexistent/libmpi.so.40 gpuest fit --model normal --data data.csv --column y \
    >nolib.out 2>&1 || status=$?
[ "$status" = 1 ] && grep -q "gpuest: MPI: cannot load the MPI library (/nonexistent/libmpi.so.40: " nolib.out \
    || { cat nolib.out >&2; fail "no MPI library: exit $status"; }
echo "no MPI library: exit 1, naming it"

[ "$failures" = 0 ] || fail "$failures comparison(s) failed"
echo "tests/mpi/run.sh: all MPI comparisons passed"
