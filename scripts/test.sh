#!/bin/sh
# The README's test command: installs what it needs, builds the normal and the
# ASan+UBSan trees, runs every test in both (fuzz corpora replay included), the
# libFuzzer smoke runs, and the browser tests; ends with one "N passed, N failed" line.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JOBS=$(nproc)
RESULTS=$(mktemp)
PGDIR=$(mktemp -d /tmp/pvs-test-pg.XXXXXX)
trap 'rm -f "$RESULTS"; scripts/pg-cluster.sh stop "$PGDIR"' EXIT

scripts/install-deps.sh
# One throwaway PostgreSQL 15 cluster for the whole run: every HTTP and domain test runs on
# SQLite and again on PostgreSQL (server_*_pg), each in a database of its own cloned from a
# migrated template. No cluster is a failure, not a skip: install-deps.sh installs PostgreSQL.
echo "== PostgreSQL test cluster"
if PVS_TEST_PG_DSN=$(scripts/pg-cluster.sh start "$PGDIR"); then
    export PVS_TEST_PG_DSN
    echo "portvakt: PostgreSQL test cluster at $PVS_TEST_PG_DSN"
else
    echo "postgresql 0 1" >>"$RESULTS"
    echo "portvakt: no PostgreSQL test cluster; the server_*_pg tests will fail"
fi
# every Node.js use below (browser tests, OpenAPI linter) runs on the pinned Node.js of tools/node
. scripts/node-env.sh
pv_node_env "$ROOT" || echo "portvakt: continuing without the pinned Node.js; the browser tests will say why they cannot start"
# the OpenAPI linter (docs_openapi_lint test); pinned in tools/openapi/package-lock.json
if [ -f tools/openapi/package-lock.json ]; then
    (cd tools/openapi && npm ci --no-audit --no-fund >/dev/null 2>&1) || echo "openapi linter not installed; docs_openapi_lint will be skipped"
fi

# record PASSED FAILED for a phase that ran ctest, from CTest's own summary line
ctest_phase() {
    name=$1 dir=$2
    shift 2
    log="$dir/ctest.log"
    set +e
    (cd "$dir" && ctest --output-on-failure -j "$JOBS" --timeout 900 "$@") >"$log" 2>&1
    set -e
    cat "$log"
    line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
    if [ -z "$line" ]; then
        echo "$name 0 1" >>"$RESULTS"
        return
    fi
    failed=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/')
    total=$(echo "$line" | sed -E 's/.* out of ([0-9]+).*/\1/')
    echo "$name $((total - failed)) $failed" >>"$RESULTS"
}

echo "== build (gcc, RelWithDebInfo)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$JOBS"
echo "== tests"
ctest_phase normal build

echo "== build (gcc, ASan+UBSan)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DPV_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$JOBS"
echo "== tests under ASan+UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest_phase sanitizers build-asan

if [ -f fuzz/CMakeLists.txt ]; then
    echo "== build (clang, libFuzzer drivers)"
    CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DPV_FUZZ=ON -DPV_WERROR=ON \
        -DPV_AREAS="lib;port;server;station;tools;fuzz" >/dev/null
    cmake --build build-fuzz -j "$JOBS"
    echo "== libFuzzer runs (each driver 10 s on a copy of its corpus)"
    rm -f build-fuzz/fuzz/execs_*.log
    ctest_phase fuzz build-fuzz -R '^fuzz_smoke_'
    # libFuzzer's own "Done N runs in T second(s)" line per driver, added up
    execs=$(cat build-fuzz/fuzz/execs_*.log 2>/dev/null |
        sed -nE 's/^Done ([0-9]+) runs in .*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
    drivers=$(ls build-fuzz/fuzz/execs_*.log 2>/dev/null | wc -l)
    echo "{\"name\":\"fuzz.execs_total\",\"value\":$execs,\"unit\":\"execs\",\"drivers\":$drivers}"
fi

if [ -x tests/web/run.sh ]; then
    echo "== browser tests (chromium + playwright-core)"
    set +e
    tests/web/run.sh "$ROOT/build" >build/web-tests.log 2>&1
    set -e
    cat build/web-tests.log
    line=$(grep -E '^# (pass|fail) [0-9]+' build/web-tests.log | tr '\n' ' ')
    p=$(echo "$line" | sed -nE 's/.*# pass ([0-9]+).*/\1/p')
    f=$(echo "$line" | sed -nE 's/.*# fail ([0-9]+).*/\1/p')
    [ -n "$p" ] || p=0
    [ -n "$f" ] || f=1
    echo "web $p $f" >>"$RESULTS"
fi

echo "== summary"
passed=0 failed=0
while read -r name p f; do
    printf '  %-12s %4d passed, %d failed\n' "$name" "$p" "$f"
    passed=$((passed + p))
    failed=$((failed + f))
done <"$RESULTS"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
