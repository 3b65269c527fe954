#!/bin/sh
# The server's layers point down only (docs/architecture.md): handlers -> services -> rules.
# Fails when a lower layer includes a higher one:
#   rules/     only rules/ and include/portvakt/ (no store, no HTTP, no JSON, no clock);
#   services/  nothing of handlers/ or of HTTP and JSON (pvs/http.h, authz.h, core.h,
#              jansson, libmicrohttpd);
#   any file outside handlers/ includes nothing from handlers/.
# Also: rules/ reads no clock; a handler holds no SQL and opens no transaction (its service
# does; the handlers listed in PENDING below are still to be split and shrink to none).
# usage: check_layers.sh <source root>
set -eu
root=$(cd "${1:-.}" && pwd)
srv="$root/server"
bad=$(mktemp)
trap 'rm -f "$bad"' EXIT

# layer of a path below server/ ("rules", "services", "handlers", or "other")
layer() {
    case "$1" in
        "$srv"/rules/*) echo rules ;;
        "$srv"/services/*) echo services ;;
        "$srv"/handlers/*) echo handlers ;;
        *) echo other ;;
    esac
}

find "$srv" -path "$srv/web" -prune -o \( -name '*.c' -o -name '*.h' \) -print | sort |
while read -r f; do
    from=$(layer "$f")
    rel=${f#"$root"/}
    grep -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' "$f" |
    sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*([<"])([^>"]*)[>"].*/\1 \2/' |
    while read -r kind inc; do
        target=""
        if [ "$kind" = '"' ]; then
            for cand in "$(dirname "$f")/$inc" "$srv/include/$inc" "$root/include/$inc"; do
                if [ -e "$cand" ]; then
                    target=$(realpath -m "$cand")
                    break
                fi
            done
            [ -n "$target" ] || target=$(realpath -m "$(dirname "$f")/$inc")
        fi
        to=$(layer "$target")
        why=""
        if [ "$to" = handlers ] && [ "$from" != handlers ]; then
            why="$from -> handlers"
        elif [ "$from" = rules ]; then
            case "$target" in
                "$srv"/rules/*|"$root"/include/portvakt/*) ;;
                "") case "$inc" in
                        jansson.h|microhttpd.h|sqlite3.h|libpq-fe.h|pthread.h) why="rules -> <$inc>" ;;
                    esac ;;
                *) why="rules -> ${target#"$root"/}" ;;
            esac
        elif [ "$from" = services ]; then
            case "$inc" in
                pvs/http.h|pvs/authz.h|pvs/core.h|pvs/audit.h) why="services -> HTTP ($inc)" ;;
                jansson.h|microhttpd.h) why="services -> <$inc>" ;;
            esac
        fi
        [ -z "$why" ] || echo "$rel: #include $inc ($why)" >>"$bad"
    done
done

# rules are pure functions of their inputs: no clock reads
grep -nE '\b(pvs_now|pvs_wall_now|clock_gettime|gettimeofday)\b|\btime\(' "$srv"/rules/*.c \
    "$srv"/rules/*.h 2>/dev/null | sed "s|^$root/|&|; s|^$root/||; s|$| (rules read the clock)|" >>"$bad" || true

# handlers hold no SQL: no statement text, no store calls that run SQL or transactions
PENDING="login pending"
for f in "$srv"/handlers/*.c; do
    name=$(basename "$f" .c)
    case " $PENDING " in *" $name "*) continue ;; esac
    grep -nE '"[^"]*\b(SELECT|INSERT INTO|UPDATE [a-z_]+ SET|DELETE FROM)\b|\bpvs_(query|query_i64|query_text|exec|tx_begin|tx_commit|rebind)[[:space:]]*\(' "$f" |
        sed "s|^|${f#"$root"/}:|; s|$| (SQL in a handler: move it into its service)|" >>"$bad" || true
done

if [ -s "$bad" ]; then
    echo "server layering violated (handlers -> services -> rules, arrows down only):" >&2
    cat "$bad" >&2
    exit 1
fi
echo "server layers point down only: rules <- services <- handlers"
