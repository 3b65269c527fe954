#!/bin/sh
# Backup and restore as docs/operations.md tells an IT department to do them, on both
# backends: SQLite's online .backup and PostgreSQL's pg_dump/pg_restore of a store with an
# audit trail, then `audit-verify` on the restored copy (must pass) and on a copy with one
# audit row altered (must fail, so the check is real). Usage: test_backup.sh SERVER_EXE DIR
# (PostgreSQL half with PVS_TEST_PG_DSN, as scripts/test.sh sets it).
set -u
exe=$1 dir=$2
rm -rf "$dir" && mkdir -p "$dir" || exit 1
fails=0
check() { # what, then the command
    what=$1; shift
    if "$@" >"$dir/out" 2>&1; then echo "ok: $what"; else echo "FAIL: $what"; cat "$dir/out"; fails=$((fails + 1)); fi
}
refuse() {
    what=$1; shift
    if "$@" >"$dir/out" 2>&1; then echo "FAIL: $what (accepted)"; fails=$((fails + 1)); else echo "ok: $what"; fi
}
# a store with an audit trail: init, then two issuer key rotations
populate() { # DB
    "$exe" init --db "$1" --issuer-key "$dir/issuer-$2.key" --admin anna >/dev/null &&
        "$exe" rotate-issuer-key --db "$1" --issuer-key "$dir/issuer-$2.key" >/dev/null &&
        "$exe" rotate-issuer-key --db "$1" --issuer-key "$dir/issuer-$2.key" >/dev/null
}

# --- SQLite: online backup with sqlite3's .backup, restore by copying the file back
db="$dir/live.db"
check "sqlite: a store with an audit trail" populate "$db" sqlite
check "sqlite: .backup of the live file" sqlite3 "$db" ".backup '$dir/backup.db'"
cp "$dir/backup.db" "$dir/restored.db"
check "sqlite: audit-verify on the restored copy" "$exe" audit-verify --db "$dir/restored.db"
records=$(sed -n 's/.*\([0-9][0-9]*\) record.*/\1/p' "$dir/out" | head -1)
cp "$dir/backup.db" "$dir/tampered.db"
sqlite3 "$dir/tampered.db" "UPDATE audit_log SET details = details || ' ' WHERE seq = (SELECT MAX(seq) FROM audit_log)"
refuse "sqlite: audit-verify refuses a copy with one audit row altered" \
    "$exe" audit-verify --db "$dir/tampered.db"

# --- PostgreSQL: pg_dump -Fc, pg_restore into a new database
if [ -z "${PVS_TEST_PG_DSN:-}" ]; then
    echo "FAIL: PostgreSQL half needs PVS_TEST_PG_DSN (scripts/test.sh sets it)"
    fails=$((fails + 1))
else
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    base=$PVS_TEST_PG_DSN
    name=pvs_backup_$(echo "$dir" | cksum | cut -d' ' -f1)
    for d in "$name" "${name}_restored"; do
        psql "$base" -q -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $d" \
            -c "CREATE DATABASE $d" >/dev/null
    done
    check "postgresql: a store with an audit trail" populate "$base dbname=$name" pg
    check "postgresql: pg_dump -Fc" "$bin/pg_dump" -Fc -f "$dir/portvakt.dump" "$base dbname=$name"
    check "postgresql: pg_restore into an empty database" \
        "$bin/pg_restore" --no-owner -d "$base dbname=${name}_restored" "$dir/portvakt.dump"
    check "postgresql: audit-verify on the restored database" \
        "$exe" audit-verify --db "$base dbname=${name}_restored"
    psql "$base dbname=${name}_restored" -qc \
        "UPDATE audit_log SET details = details || ' ' WHERE seq = (SELECT MAX(seq) FROM audit_log)" >/dev/null
    refuse "postgresql: audit-verify refuses the database with one audit row altered" \
        "$exe" audit-verify --db "$base dbname=${name}_restored"
    psql "$base" -qc "DROP DATABASE $name" -c "DROP DATABASE ${name}_restored" >/dev/null
fi
echo "backup: $records audit records restored; $fails failure(s)"
[ "$fails" -eq 0 ]
