#!/bin/sh
# `make bench` lines of a database failover (tests/server/test_failover.c, run as is):
#   failover.gap_ms        from the primary's SIGKILL to the first write acknowledged after
#                          it, with its synchronous standby promoted at once; reference: the
#                          promotion's own time (pg_ctl promote), measured in the same run
#   failover.unavailable_s first to last request refused (503) while the standby took over
#   failover.lost_events   acknowledged writes and syncs missing afterwards (must be 0)
# Usage: bench/failover.sh BUILD_DIR
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
T=$BUILD/tests/server/test_failover
[ -x "$T" ] || { echo "failover: $T not built; skipped" >&2; exit 0; }
DIR=$(mktemp -d /tmp/portvakt-bench-failover-XXXXXX)
trap 'rm -rf "$DIR"' EXIT
"$T" "$BUILD/server/portvakt-server" "$DIR/s" "$ROOT" >"$DIR/out" 2>"$DIR/err" || {
    cat "$DIR/err" >&2
    exit 1
}
grep '^{"name":"failover\.' "$DIR/out"
