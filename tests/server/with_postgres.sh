#!/bin/sh
# Runs a command with PVS_TEST_PG_DSN naming a throwaway PostgreSQL server (initdb in a
# temporary directory, Unix socket only, no TCP), then stops and removes it. Without the
# PostgreSQL server programs the command runs alone and its PostgreSQL half is skipped.
set -u
pgbin=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V) ; do pgbin=$d; done
if [ -z "$pgbin" ] && command -v initdb >/dev/null 2>&1; then
    pgbin=$(dirname "$(command -v initdb)")
fi
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
    echo "with_postgres: no PostgreSQL server programs; PostgreSQL checks skipped"
    exec "$@"
fi
dir=$(mktemp -d /tmp/pvs-pg.XXXXXX)
as=""
if [ "$(id -u)" = 0 ]; then
    # the server refuses to run as root
    if ! id postgres >/dev/null 2>&1; then
        rmdir "$dir"
        echo "with_postgres: running as root without a postgres user; PostgreSQL checks skipped"
        exec "$@"
    fi
    chown postgres "$dir"
    as="runuser -u postgres --"
fi
cleanup() {
    $as "$pgbin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM
if ! $as "$pgbin/initdb" -D "$dir/data" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1 ||
   ! $as "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-k $dir -c listen_addresses='' -c fsync=off -c max_connections=40" start >/dev/null 2>&1; then
    echo "with_postgres: could not start a test server; PostgreSQL checks skipped"
    cat "$dir/initdb.log" "$dir/server.log" 2>/dev/null | tail -5
    "$@"
    exit $?
fi
PVS_TEST_PG_DSN="host=$dir user=postgres dbname=postgres"
export PVS_TEST_PG_DSN
"$@"
