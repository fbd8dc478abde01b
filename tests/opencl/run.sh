#!/usr/bin/env bash
# Runs the tests on a real OpenCL device: PoCL 6, an OpenCL 3.0 implementation for the CPU, inside a Debian trixie
# root. So the OpenCL tests (Category=OpenCL: every model's log-likelihood, gradient, fit and sweep against the native
# backend) run, and so does every test that runs on each backend present (edge sizes, huge shapes, sweeps, fits), on
# OpenCL too. The tests that do not touch the OpenCL device are left to the host run (the README's test command).
# Debian 12's PoCL 3.1 lacks the OpenCL generic address space that ILGPU 1.5.3's OpenCL code needs; trixie's PoCL 6
# has it (README, "OpenCL"). Run as root on Debian 12 (CI does, after the README's test command):
#
#   tests/opencl/run.sh                  # the tests, with OpenCL
#   tests/opencl/run.sh -- COMMAND ...   # COMMAND inside the root, in this checkout (e.g. a benchmark: bench/RESULTS.md)
#
# The root is made once with debootstrap (about 2 minutes) and reused while it is there; GPUEST_OPENCL_ROOT names
# another place for it (default /var/tmp/gpuest-opencl-root), DEBIAN_MIRROR another mirror (default: the host's).
# The tests are built here and run inside the root with this machine's .NET SDK and this checkout bind-mounted at
# the same paths, and GPUEST_REQUIRE_OPENCL=1, so that a missing device fails them instead of skipping them. The
# mounts live in a mount namespace of this run's own: they vanish when it ends, however it ends, and two runs at
# once do not disturb each other. Exit 0 only if the root was made, the device found and every test passed.
set -euo pipefail

fail() {
    echo "tests/opencl/run.sh: $*" >&2
    exit 1
}

self=$(readlink -f "$0")
repo=$(cd "$(dirname "$self")/../.." && pwd)
root=${GPUEST_OPENCL_ROOT:-/var/tmp/gpuest-opencl-root}
packages=pocl-opencl-icd,ocl-icd-libopencl1,clinfo,libicu76,ca-certificates
tests_dll="$repo/tests/GpuEstimation.Tests/bin/Release/net10.0/GpuEstimation.Tests.dll"
gpuest_dll="$repo/tests/GpuEstimation.Tests/bin/Release/net10.0/gpuest.dll"

[ "$(id -u)" = 0 ] || fail "must run as root (debootstrap, chroot and bind mounts need it)"
command -v dotnet >/dev/null || fail "no dotnet on PATH: the tests are built and run with this machine's .NET SDK"
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")

# Runs a command inside the root, in this checkout, with the .NET SDK on PATH.
inside() {
    chroot "$root" /usr/bin/env -i PATH="$dotnet_root:/usr/bin:/bin" HOME=/tmp DOTNET_ROOT="$dotnet_root" \
        DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 GPUEST_REQUIRE_OPENCL=1 \
        /bin/sh -c 'cd "$0" && exec "$@"' "$repo" "$@"
}

# The second half, in the private mount namespace (see the end of the script).
if [ "${GPUEST_OPENCL_NAMESPACE:-}" = 1 ]; then
    for path in /proc /sys /dev "$dotnet_root" "$repo"; do
        mkdir -p "$root$path"
        mount --bind "$path" "$root$path" || fail "could not bind-mount $path into the root"
    done
    if [ "${1:-}" = "--" ]; then
        shift
        echo "== inside the root: $*"
        inside "$@"
        exit
    fi

    echo "== the OpenCL device"
    inside clinfo | grep -E "^\s+(Platform Version|Device Name|Device Version|Max compute units)" ||
        fail "clinfo found no OpenCL platform in the root"
    inside dotnet "$gpuest_dll" devices

    echo "== the tests on OpenCL (PoCL), each named as it runs"
    # Only the tests that run on OpenCL: the OpenCL tests themselves (OpenClTests, BackendTests.OpenClAgrees...: every
    # model's log-likelihood, gradient, fit and sweep against the native backend; the CLI on OpenCL), every case of a
    # test that runs on each backend present whose backend is OpenCL (its display name says "OpenCL"), and the one
    # test that loops over the backends present itself. The other tests do the same work whatever device is present
    # and ran on the host already, in the README's test command (so do the kernel compile tests: OpenCL C is generated
    # without a device); running them again here was a minute of CI. LargeValueTests, HugeShapeTests and
    # GlmStatisticsTests are left to the host run too: they check the models' arithmetic at huge values and the host's
    # statistics (the same kernel code on the CPU accelerator), and PoCL compiles each of their kernels afresh, tens of
    # seconds apiece, which took CI past its 15 minutes when the NB and GLM kernels changed.
    inside dotnet test "$tests_dll" --logger "console;verbosity=normal" \
        --filter "(DisplayName~OpenCL|FullyQualifiedName~OpenCl|FullyQualifiedName~ScoreProductsTests.RepeatedRunsGiveTheSameBits)&FullyQualifiedName!~KernelCompileTests&FullyQualifiedName!~LargeValueTests&FullyQualifiedName!~HugeShapeTests&FullyQualifiedName!~GlmStatisticsTests" ||
        fail "tests failed with OpenCL present (above)"
    echo "== tests with OpenCL passed"
    exit 0
fi

# 1. The trixie root with PoCL 6, made once (one run at a time makes it). A half-made root, from an interrupted
#    run, has no ready mark and is made again from scratch.
mkdir -p "$(dirname "$root")"
exec 9>"$root.lock"
flock 9 || fail "could not lock $root.lock"
if [ ! -f "$root/.gpuest-opencl-ready" ]; then
    echo "== making a Debian trixie root with PoCL 6 in $root"
    if ! command -v debootstrap >/dev/null; then
        apt-get update -qq || fail "apt-get update failed, so debootstrap could not be installed"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null || fail "could not install debootstrap with apt-get"
    fi
    mirror=${DEBIAN_MIRROR:-$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}
    rm -rf "$root"
    # shellcheck disable=SC2086 # an empty mirror is left out: debootstrap's default
    debootstrap --variant=minbase --include="$packages" trixie "$root" $mirror > "$root.log" 2>&1 ||
        { tail -20 "$root.log" >&2; fail "debootstrap could not make the trixie root (the end of its log is above; all of it in $root.log)"; }
    # ILGPU loads libOpenCL.so; the package ships only libOpenCL.so.1 (in the root's multiarch library folder).
    library=$(find "$root/usr/lib" -name libOpenCL.so.1 -print -quit)
    [ -n "$library" ] || fail "the root has no libOpenCL.so.1 (package ocl-icd-libopencl1)"
    ln -sf libOpenCL.so.1 "$(dirname "$library")/libOpenCL.so"
    touch "$root/.gpuest-opencl-ready"
else
    echo "== reusing the trixie root in $root"
fi
flock -u 9

# 2. The tests, built here (the root has no SDK of its own: this machine's is mounted into it).
echo "== building the tests"
dotnet build "$repo/tests/GpuEstimation.Tests" -c Release -v quiet -nologo || fail "the tests did not build"

# 3. The rest in a private mount namespace: the bind mounts into the root end with it.
GPUEST_OPENCL_NAMESPACE=1 exec unshare --mount --propagation private "$self" "$@"
