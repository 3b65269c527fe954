#!/bin/sh
# The cores' include boundary, on the sources (check_imports.sh checks the archives):
# a file in lib/ includes only its own directory's headers, the cores' public headers
# (portvakt/error.h, wire.h, proto.h, lock.h, key.h — never sim.h, posix.h or conf.h, the
# host side's), libsodium and the C headers for sizes, types and memory functions. Fails
# naming each offending line.
# usage: check_includes.sh <source root>
set -eu
root=$(cd "${1:-.}" && pwd)
bad=$(find "$root/lib" \( -name '*.c' -o -name '*.h' \) | sort | while read -r f; do
    dir=$(dirname "$f")
    grep -nE '^[[:space:]]*#[[:space:]]*include' "$f" | while IFS= read -r line; do
        h=$(echo "$line" | sed -E 's/.*#[[:space:]]*include[[:space:]]*[<"]([^>"]*)[>"].*/\1/')
        case "$h" in
            portvakt/error.h|portvakt/wire.h|portvakt/proto.h|portvakt/lock.h|portvakt/key.h) ;;
            sodium.h|stddef.h|stdint.h|string.h|stdalign.h|stdbool.h|limits.h) ;;
            */*) echo "${f#"$root"/}:$line" ;;
            *) [ -f "$dir/$h" ] || echo "${f#"$root"/}:$line" ;;
        esac
    done
done)
if [ -n "$bad" ]; then
    echo "lib/ includes what the firmware cores must not depend on:" >&2
    echo "$bad" >&2
    exit 1
fi
echo "lib/ includes only its own headers, the cores' public headers, libsodium and C type/memory headers"
