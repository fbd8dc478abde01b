#!/usr/bin/env bash
# Installs GpuEstimation the ways a user does (issue 18), from this checkout: packs the library, the kernels and the
# gpuest tool into a folder feed; installs the tool from it into a temporary tool path and runs `gpuest demo`;
# builds and runs tests/install/consumer (a console project that references the packed library, no project
# references) against it; publishes the self-contained archive (build/publish.sh) and runs it with no .NET in reach
# (empty environment: DOTNET_ROOT unset, PATH without the SDK). Usage: tests/install/run.sh (CI runs it).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$(pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "== pack $version"
dotnet pack GpuEstimation.sln -c Release -o "$work/feed" -v quiet -nologo
# A package of this version cached by an earlier run would shadow the one just packed.
cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
rm -rf "$cache/gpuest/$version" "$cache/gpuestimation/$version" "$cache/gpuestimation.kernels/$version"

echo "== dotnet tool install gpuest (from the folder feed)"
dotnet tool install gpuest --version "$version" --tool-path "$work/tools" --add-source "$work/feed"
(cd "$work" && "$work/tools/gpuest" demo > "$work/demo.txt")
grep -q "least squares" "$work/demo.txt" || { cat "$work/demo.txt"; echo "install: the installed tool's demo did not print its fit"; exit 1; }
"$work/tools/gpuest" --version | grep -q "^$version" || { echo "install: gpuest --version does not say $version"; exit 1; }

echo "== a consumer project against the packed library"
cp -r tests/install/consumer "$work/consumer"
cat > "$work/consumer/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="packed" value="$work/feed" />
  </packageSources>
</configuration>
CONFIG
dotnet run --project "$work/consumer" -c Release -p:GpuEstimationVersion="$version"

echo "== the self-contained archive, with no .NET in reach"
build/publish.sh "$work/artifacts" linux-x64 > /dev/null
(cd "$work/artifacts" && sha256sum -c "gpuest-$version.sha256")
mkdir -p "$work/unpacked" "$work/empty-path"
tar xzf "$work/artifacts/gpuest-$version-linux-x64.tar.gz" -C "$work/unpacked"
app="$work/unpacked/gpuest-$version-linux-x64/gpuest"
printf 'x\n1.2\n0.7\n2.9\n1.8\n2.2\n0.4\n1.1\n' > "$work/small.csv"
env -i HOME="$work" PATH="$work/empty-path" "$app" devices
env -i HOME="$work" PATH="$work/empty-path" "$app" fit --model normal --data "$work/small.csv" --column x > "$work/fit.txt"
grep -q "^mu " "$work/fit.txt" || { cat "$work/fit.txt"; echo "install: the self-contained fit printed no estimate"; exit 1; }
echo "install: OK (tool, consumer project, self-contained archive)"
