#!/bin/sh
# Runs a command with PVS_TEST_PG_DSN naming a PostgreSQL server for its throwaway databases.
# Under scripts/test.sh the variable is already set (one cluster shared by every test, each
# test in databases of its own) and the command just runs. Run alone (ctest by hand), a
# throwaway cluster is started for this command (scripts/pg-cluster.sh) and removed after.
# Without the PostgreSQL server programs the command runs alone and its PostgreSQL half is
# skipped; scripts/install-deps.sh installs them, and scripts/test.sh refuses to go without.
set -u
if [ -n "${PVS_TEST_PG_DSN:-}" ]; then
    exec "$@"
fi
cluster="$(dirname "$0")/../../scripts/pg-cluster.sh"
dir=$(mktemp -d /tmp/pvs-pg.XXXXXX)
dsn=$("$cluster" start "$dir")
case $? in
0) ;;
2) rm -rf "$dir"; echo "with_postgres: no PostgreSQL server; PostgreSQL checks skipped"; exec "$@" ;;
*) "$cluster" stop "$dir"; echo "with_postgres: could not start a test server"; exit 1 ;;
esac
trap '"$cluster" stop "$dir"' EXIT INT TERM
PVS_TEST_PG_DSN=$dsn
export PVS_TEST_PG_DSN
"$@"
