#!/bin/sh
# Instructions the lock executes per unlock (pv_lock_handle and everything it calls, both
# messages), counted by callgrind — repeatable on a noisy machine — with one Ed25519
# verify counted the same way as the reference.
set -eu
BUILD=${1:-build}
B="$BUILD/bench/bench_unlock"
[ -x "$B" ] || { echo "door_instructions: $B not built" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "door_instructions: valgrind missing" >&2; exit 1; }
N=20
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
count() { # $1 = function to collect, $2 = mode
    valgrind --tool=callgrind --toggle-collect="$1" --callgrind-out-file="$tmp/out" \
        "$B" "$2" "$N" >/dev/null 2>&1
    sed -n 's/^totals: *\([0-9]*\).*/\1/p; s/^summary: *\([0-9]*\).*/\1/p' "$tmp/out" | head -1
}
# the lock's count includes one warm-up unlock of N+1 calls; subtract nothing: divide by N+1
lock=$(count pv_lock_handle --callgrind-lock)
verify=$(count crypto_sign_verify_detached --callgrind-verify)
awk -v l="$lock" -v v="$verify" -v n="$N" 'BEGIN {
    per = l / (n + 1); ref = v / n;
    printf "{\"name\":\"unlock.lock_instructions\",\"value\":%d,\"unit\":\"instructions\",\"reference\":%d,\"ratio\":%.4f}\n", per, ref, per / ref }'
