#!/bin/sh
# A throwaway PostgreSQL cluster for tests: `pg-cluster.sh start DIR` makes and starts one
# in DIR (Unix socket in DIR, no TCP unless PVS_PG_PORT names a loopback port) and prints
# the conninfo to use; `pg-cluster.sh stop DIR` stops it and removes DIR; `halt DIR` and
# `resume DIR` stop and start it again in place; `standby DIR PRIMARY_DIR` makes and starts a
# streaming-replication standby of the cluster in PRIMARY_DIR, `promote DIR` makes it the
# primary, `kill DIR` kills the server's processes with SIGKILL (a crashed host). Extra
# server options for `start` come from PVS_PG_EXTRA (e.g. synchronous replication); a
# standby gets the plain options. Tuned for tests
# only (fsync, full-page writes and synchronous commit off: a crash loses the cluster,
# which is thrown away anyway). Exit 2: no PostgreSQL server programs (scripts/install-deps.sh
# installs them); exit 1: they are here but the cluster did not start (its log is printed).
set -u

pg_bin() {
    bin=""
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do bin=$d; done
    if [ -z "$bin" ] && command -v initdb >/dev/null 2>&1; then
        bin=$(dirname "$(command -v initdb)")
    fi
    [ -n "$bin" ] && [ -x "$bin/initdb" ] && echo "$bin"
}

# the server refuses to run as root: as root, run it as Debian's postgres user
pg_as() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start() {
    dir=$1
    bin=$(pg_bin) || { echo "pg-cluster: no PostgreSQL server programs" >&2; exit 2; }
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        echo "pg-cluster: running as root without a postgres user" >&2
        exit 2
    fi
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    listen="listen_addresses=''"
    port=${PVS_PG_PORT:-5432}
    [ -n "${PVS_PG_PORT:-}" ] && listen="listen_addresses='127.0.0.1'"
    # max_connections: every test database is used by a server's pool (8) plus the test's own
    # connections, with ctest -j tests at once
    echo "-k $dir -p $port -c $listen -c fsync=off -c full_page_writes=off \
          -c synchronous_commit=off -c max_connections=200 -c shared_buffers=128MB" >"$dir/options.base"
    echo "$(cat "$dir/options.base") ${PVS_PG_EXTRA:-}" >"$dir/options"
    if ! pg_as "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1 ||
       ! resume "$dir"; then
        echo "pg-cluster: could not start a test server in $dir" >&2
        tail -5 "$dir/initdb.log" "$dir/server.log" >&2 2>/dev/null
        exit 1
    fi
    echo "host=$dir port=$port user=postgres dbname=postgres"
}

# halt: stop the server but keep the cluster (tests of a database that went away);
# resume: start it again with the options it was made with
halt() {
    pg_as "$(pg_bin)/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null 2>&1
}

resume() {
    pg_as "$(pg_bin)/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 60 -o "$(cat "$1/options")" \
        start >/dev/null 2>&1
}

standby() {
    dir=$1 primary=$2
    bin=$(pg_bin) || { echo "pg-cluster: no PostgreSQL server programs" >&2; exit 2; }
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port=$(sed -n 's/.* -p \([0-9]*\) .*/\1/p' "$primary/options.base")
    # same port on its own socket directory; over TCP it would need a port of its own
    sed "s|-k $primary |-k $dir |" "$primary/options.base" >"$dir/options"
    if ! pg_as "$bin/pg_basebackup" -D "$dir/data" -R -X stream --no-sync -h "$primary" \
            -p "$port" -U postgres -c fast >"$dir/initdb.log" 2>&1 || ! resume "$dir"; then
        echo "pg-cluster: could not make a standby in $dir" >&2
        tail -5 "$dir/initdb.log" "$dir/server.log" >&2 2>/dev/null
        exit 1
    fi
    echo "host=$dir port=$port user=postgres dbname=postgres"
}

promote() {
    pg_as "$(pg_bin)/pg_ctl" -D "$1/data" -w -t 60 promote >/dev/null
}

# the postmaster and its children, by process id, as a power cut would
kill9() {
    pid=$(head -1 "$1/data/postmaster.pid" 2>/dev/null) || exit 1
    kids=$(for f in /proc/[0-9]*/stat; do
        set -- $(cat "$f" 2>/dev/null)
        [ "${4:-}" = "$pid" ] && echo "$1"
    done)
    kill -9 "$pid" $kids 2>/dev/null
    rm -f "$1/data/postmaster.pid"
}

stop() {
    dir=$1
    bin=$(pg_bin) || exit 0
    [ -d "$dir/data" ] && pg_as "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$dir"
}

case "${1:-}" in
start) start "$2" ;;
stop) stop "$2" ;;
halt) halt "$2" ;;
resume) resume "$2" ;;
standby) standby "$2" "$3" ;;
promote) promote "$2" ;;
kill) kill9 "$2" ;;
*) echo "usage: pg-cluster.sh start|stop|halt|resume|promote|kill DIR | standby DIR PRIMARY_DIR" >&2; exit 64 ;;
esac
