#!/bin/sh
# `make bench`: runs every benchmark; each prints one JSON object a line
# ({"name":..,"value":..,"unit":..[,"reference":..,"ratio":..]}).
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:-build}
found=0
for b in "$BUILD"/bench/bench_*; do
    [ -x "$b" ] || continue
    found=1
    "$b"
done
for s in bench/*.sh; do
    [ -x "$s" ] || continue
    found=1
    "$s" "$BUILD"
done
[ "$found" -eq 1 ] || { echo "no benchmarks built in $BUILD/bench" >&2; exit 1; }
