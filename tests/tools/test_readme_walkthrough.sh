#!/bin/sh
# The README's "door without a server" walk-through, run as written (only the binary's path and
# the socket's place changed): each unlock must answer what its comment says, and the lost key
# must be refused once the second key has carried the block to the lock.
set -u
PV=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") README=$2
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
awk '/^## The door without a server/{f=1} f&&/^```sh/{b=1;next} b&&/^```/{exit} b' "$README" |
    grep -v '^B=' | sed -e "s|/tmp/l.sock|$D/l.sock|g" >"$D/block"
[ -s "$D/block" ] || { echo "FAIL: no walk-through block in $README"; exit 1; }
fail=0 n=0
cd "$D" || exit 1
while IFS= read -r line; do
    n=$((n + 1))
    cmd=${line%%#*}
    want=$(printf '%s' "$line" | sed -n 's/.*# *//p')
    case "$cmd" in
    *'&'*)   # the lock in its own process, serving one session
        eval "B=$PV; ${cmd%&*} >\"$D/serve.$n\" 2>&1 &"
        i=0; while [ ! -S "$D/l.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
        continue ;;
    esac
    eval "B=$PV; $cmd" >"$D/out.$n" 2>&1
    rc=$?
    case "$want" in
    *refused*)
        if [ $rc -ne 1 ] || ! grep -q "key blocked" "$D/out.$n"; then
            echo "FAIL line $n (expected refused, key blocked; exit $rc): $cmd"; cat "$D/out.$n"; fail=1
        fi ;;
    *opened*|*opens*)
        if [ $rc -ne 0 ] || ! grep -q "opened" "$D/out.$n"; then
            echo "FAIL line $n (expected opened; exit $rc): $cmd"; cat "$D/out.$n"; fail=1
        fi ;;
    *)
        if [ $rc -ne 0 ]; then echo "FAIL line $n (exit $rc): $cmd"; cat "$D/out.$n"; fail=1; fi ;;
    esac
done <"$D/block"
wait
[ $n -ge 14 ] || { echo "FAIL: only $n lines in the walk-through"; fail=1; }
[ $fail -eq 0 ] && echo "README walk-through: $n lines, every answer as its comment says"
exit $fail
