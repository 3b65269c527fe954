#!/bin/sh
# A host key unlocking the emulated Cortex-M4 lock over its UART (a QEMU chardev on a Unix
# socket, frames prefixed by their u16 length like port/sim's socket radio), and the same
# cases against `portvakt lock-serve` on the simulator radio: every case must be decided
# the same way on both, and as expected (opened / no right here / key blocked).
#   test_uart_unlock.sh PORTVAKT pv_lock.elf
set -u
PV=$1
ELF=$2
HERE=$(cd "$(dirname "$0")" && pwd)
D=$(mktemp -d)
LOCK_PID=
trap '[ -n "$LOCK_PID" ] && kill "$LOCK_PID" 2>/dev/null; rm -rf "$D"' EXIT
fail=0
run() { "$@" >"$D/out" 2>&1 || { echo "FAIL: $*"; cat "$D/out"; exit 1; }; }

S="$D/state"
run "$PV" issuer-create --dir "$S"
run "$PV" lock-commission --dir "$S" --lock-id 7
for b in 1 2 3; do run "$PV" bearer-register --dir "$S" --bearer-id $b; done
run "$PV" credential-issue --dir "$S" --bearer-id 2 --locks 7
run "$PV" credential-issue --dir "$S" --bearer-id 3 --locks 9-12
run "$PV" revoke --dir "$S" --bearer-id 2
run "$PV" credential-issue --dir "$S" --bearer-id 1 --locks 7,9-12 # carries the new list
cp -r "$S" "$D/pristine"

start_lock() { # $1 = sim | m4; the lock listens on $D/lock.sock
    rm -f "$D/lock.sock"
    if [ "$1" = sim ]; then
        "$PV" lock-serve --dir "$S" --lock-id 7 --socket "$D/lock.sock" >"$D/lock.log" 2>&1 &
    else
        PV_M4_RADIO=chardev:radio sh "$HERE/run_qemu.sh" "$ELF" \
            -device loader,file="$S/locks/7.flash",addr=0x21000000,force-raw=on \
            -chardev socket,id=radio,path="$D/lock.sock",server=on,wait=off \
            >"$D/lock.log" 2>&1 &
    fi
    LOCK_PID=$!
    i=0
    while [ ! -S "$D/lock.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
    if [ "$1" = m4 ]; then # the socket exists before the firmware has booted
        while ! grep -q "lock ready" "$D/lock.log" && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
    fi
}

# one case: bearer, then what the key prints (first line) and its exit code
attempt() {
    "$PV" unlock --dir "$S" --bearer-id "$1" --socket "$D/lock.sock" >"$D/out" 2>&1
    echo "bearer $1: exit $? $(head -1 "$D/out")" >>"$D/result.$2"
}

for backend in sim m4; do
    rm -rf "$S"; cp -r "$D/pristine" "$S"
    start_lock $backend
    attempt 1 $backend   # opens, and carries the revocation list to the lock
    attempt 2 $backend   # revoked: the lock has the list now
    attempt 1 $backend   # still opens
    attempt 3 $backend   # has no right at lock 7 (last: the key leaves a challenge open)
    kill "$LOCK_PID" 2>/dev/null; wait "$LOCK_PID" 2>/dev/null; LOCK_PID=
    cp "$D/lock.log" "$D/lock.$backend"
done

echo "simulator radio:"; cat "$D/result.sim"
echo "Cortex-M4 UART:"; cat "$D/result.m4"
sed -n 's/.*stack_peak_bytes=/m4 lock stack peak bytes: /p' "$D/lock.m4" | tail -1
sed -n 's/.*ctx_bytes=/m4 lock ctx bytes: /p' "$D/lock.m4" | tail -1
cmp -s "$D/result.sim" "$D/result.m4" || { echo "FAIL: the M4 lock decided differently"; fail=1; }
expect() { # $1 = line number, $2 = exit code, $3 = text the key shows
    line=$(sed -n "${1}p" "$D/result.m4")
    case "$line" in
    *"exit $2 "*"$3"*) ;;
    *) echo "FAIL: case $1: expected exit $2 and '$3', got: $line"; fail=1 ;;
    esac
}
expect 1 0 "open"
expect 2 1 "blocked"
expect 3 0 "open"
expect 4 1 "no right"
[ "$(grep -c 'lock: opened' "$D/lock.m4")" -eq 2 ] || { echo "FAIL: the M4 lock's console does not show 2 opens"; cat "$D/lock.m4"; fail=1; }
grep -q 'lock: refused: .*blocked' "$D/lock.m4" || { echo "FAIL: the M4 lock's console does not show the blocked key"; cat "$D/lock.m4"; fail=1; }
exit $fail
