#!/bin/sh
# Long fuzzing: every libFuzzer driver for PV_FUZZ_LONG_SECONDS (default 600) on its
# committed corpus in fuzz/corpus/<name>/, which grows in place (commit what it adds).
# Prints each driver's executions (libFuzzer's own "Done N runs" line) and the total;
# a crash stops with the driver's output and leaves the input in build-fuzz/artifacts/.
#   scripts/fuzz-long.sh [driver ...]      (default: all)
set -eu
cd "$(dirname "$0")/.."
SECONDS_PER=${PV_FUZZ_LONG_SECONDS:-600}
if [ ! -d build-fuzz ]; then
    CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DPV_FUZZ=ON -DPV_WERROR=ON \
        -DPV_AREAS="lib;port;server;station;tools;fuzz" >/dev/null
fi
cmake --build build-fuzz -j "$(nproc)"
mkdir -p build-fuzz/artifacts
if [ $# -gt 0 ]; then
    names="$*"
else
    names=$(ls fuzz/fuzz_*.c | sed -E 's|fuzz/fuzz_(.*)\.c|\1|')
fi
total=0
for n in $names; do
    bin=build-fuzz/fuzz/fuzz_$n
    [ -x "$bin" ] || { echo "$n: no driver built"; exit 1; }
    mkdir -p "fuzz/corpus/$n"
    before=$(ls "fuzz/corpus/$n" | wc -l)
    log=build-fuzz/artifacts/$n.log
    if ! nice "$bin" -max_total_time="$SECONDS_PER" -timeout=10 -rss_limit_mb=2048 \
            -artifact_prefix="build-fuzz/artifacts/$n-" "fuzz/corpus/$n" 2>"$log"; then
        tail -40 "$log"
        echo "$n: CRASH (input in build-fuzz/artifacts/)"
        exit 1
    fi
    runs=$(sed -nE 's/^Done ([0-9]+) runs in .*/\1/p' "$log" | tail -1)
    after=$(ls "fuzz/corpus/$n" | wc -l)
    printf '%-18s %12s execs in %ss, corpus %d -> %d\n' "$n" "${runs:-0}" "$SECONDS_PER" "$before" "$after"
    total=$((total + ${runs:-0}))
done
echo "{\"name\":\"fuzz.long_execs_total\",\"value\":$total,\"unit\":\"execs\",\"seconds_per_driver\":$SECONDS_PER}"
