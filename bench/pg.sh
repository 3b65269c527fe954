#!/bin/sh
# `make bench` lines on PostgreSQL (bench/bench_sync.c, `bench_sync pg`), in a throwaway
# cluster started here (scripts/pg-cluster.sh, Unix socket only, removed after):
#   pg.ingest_events_per_s  lock events verified and stored (40-event batches, one multi-row
#                           INSERT each), reference: COPY of the same rows in the same run;
#                           followed by the SQLite ingest.events_per_s of the same run
# Usage: bench/pg.sh BUILD_DIR   (skipped without PostgreSQL's server programs)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
B=$BUILD/bench/bench_sync
[ -x "$B" ] || { echo "pg: $B not built; skipped" >&2; exit 0; }
DIR=$(mktemp -d /tmp/portvakt-bench-pg-XXXXXX)
chmod 0755 "$DIR" # as root the cluster runs as postgres, which must enter it
trap 'sh "$ROOT/scripts/pg-cluster.sh" stop "$DIR/pg"; rm -rf "$DIR"' EXIT
DSN=$(sh "$ROOT/scripts/pg-cluster.sh" start "$DIR/pg") || { echo "pg: no PostgreSQL; skipped" >&2; exit 0; }
PVS_TEST_PG_DSN=$DSN "$B" pg
