#!/bin/sh
# The portvakt CLI: a lock served over the Unix-socket radio in its own process, a key
# opening it, a revoked key refused, and every kind of bad argument refused with exit 2
# and a message — never a crash, never a half-written state directory.
set -u
PV=$1
D=$(mktemp -d)
trap 'kill $SERVE 2>/dev/null; rm -rf "$D"' EXIT
fail=0
ok()   { if "$@" >"$D/out" 2>&1; then :; else echo "FAIL (expected success): $*"; cat "$D/out"; fail=1; fi; }
bad()  { # $1 = expected exit code, rest = command; stderr must say something
    want=$1; shift
    "$@" >"$D/out" 2>"$D/err"; got=$?
    cat "$D/err" >>"$D/out"
    if [ "$got" -ne "$want" ] || [ ! -s "$D/out" ]; then
        echo "FAIL (expected exit $want with a message, got $got): $*"; cat "$D/err"; fail=1
    fi
}
S="$D/state"
ok "$PV" issuer-create --dir "$S"
ok "$PV" lock-commission --dir "$S" --lock-id 7
ok "$PV" bearer-register --dir "$S" --bearer-id 1
ok "$PV" bearer-register --dir "$S" --bearer-id 2
# a phone's own key pair: only its public key is registered (tests/vectors/keys.hex)
ok "$PV" bearer-register --dir "$S" --bearer-id 40 --public-key a09aa5f47a6759802ff955f8dc2d2a14a5c99d23be97f864127ff9383455a4f0
[ -e "$S/bearers/40.pk" ] && [ ! -e "$S/bearers/40.sk" ] || { echo "FAIL: phone registration stored a secret key"; fail=1; }
ok "$PV" credential-issue --dir "$S" --bearer-id 1 --locks 7,9-12
ok "$PV" credential-issue --dir "$S" --bearer-id 2 --locks 7

# the lock in its own process, reached over the socket radio
"$PV" lock-serve --dir "$S" --lock-id 7 --socket "$D/lock.sock" --sessions 2 >"$D/serve" 2>&1 &
SERVE=$!
i=0; while [ ! -S "$D/lock.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
ok "$PV" unlock --dir "$S" --bearer-id 1 --socket "$D/lock.sock"
grep -q "opened" "$D/out" || { echo "FAIL: socket unlock did not open"; cat "$D/out"; fail=1; }
ok "$PV" revoke --dir "$S" --bearer-id 2
ok "$PV" credential-issue --dir "$S" --bearer-id 1 --locks 7
# bearer 2 still holds its old credential and the lock has not seen the new list yet:
# it opens until another key carries the list there (offline locks learn by visits)
ok "$PV" unlock --dir "$S" --bearer-id 2 --socket "$D/lock.sock"
wait $SERVE
ok "$PV" unlock --dir "$S" --bearer-id 1 --lock-id 7
bad 1 "$PV" unlock --dir "$S" --bearer-id 2 --lock-id 7
grep -q "key blocked" "$D/out" || { echo "FAIL: revoked key not told 'key blocked'"; cat "$D/out"; fail=1; }
ok "$PV" lock-log --dir "$S" --lock-id 7 --json
grep -q '"kind":"deny","reason":"PV_E_REVOKED"' "$D/out" || { echo "FAIL: denial not in the lock log"; cat "$D/out"; fail=1; }
grep -q '"chain_ok":false' "$D/out" && { echo "FAIL: lock log chain broken"; fail=1; }

# hostile arguments: clear message, exit 2, nothing written
bad 2 "$PV" bearer-register --dir "$S" --bearer-id 12abc
bad 2 "$PV" bearer-register --dir "$S" --bearer-id 0
bad 2 "$PV" bearer-register --dir "$S" --bearer-id 99999999999999999999999
bad 2 "$PV" bearer-register --dir "$S" --bearer-id -5
bad 2 "$PV" bearer-register --dir "$S" --bearer-id
bad 2 "$PV" bearer-register --dir "$S" --bearer-id 3 --bearer-id 4
bad 2 "$PV" bearer-register --dir "$S" --nonsense 1
bad 2 "$PV" bearer-register --dir "$S" --bearer-id 3 --public-key abcd
bad 1 "$PV" bearer-register --dir "$S" --bearer-id 3 --public-key 0000000000000000000000000000000000000000000000000000000000000080
bad 2 "$PV" credential-issue --dir "$S" --bearer-id 1 --locks "7,,x"
bad 2 "$PV" credential-issue --dir "$S" --bearer-id 1 --locks "9-3"
bad 2 "$PV" credential-issue --dir "$S" --bearer-id 1 --locks "1-4000000000"
bad 2 "$PV" credential-issue --dir "$S" --bearer-id 1 --locks 7 --hours 49
bad 2 "$PV" lock-commission --dir "$S" --lock-id 8 --scope 10
bad 2 "$PV" no-such-command
[ ! -e "$S/bearers/3.sk" ] && [ ! -e "$S/bearers/4.sk" ] || { echo "FAIL: refused command wrote state"; fail=1; }
# refusals for things that do not exist: exit 1 with advice
bad 1 "$PV" unlock --dir "$S" --bearer-id 55 --lock-id 7
bad 1 "$PV" unlock --dir "$S" --bearer-id 1 --lock-id 55
bad 1 "$PV" issuer-create --dir "$S"
# a damaged credential file is refused by the key, not trusted
printf 'garbage' >"$S/bearers/1.cred"
bad 1 "$PV" unlock --dir "$S" --bearer-id 1 --lock-id 7
[ "$fail" -eq 0 ] && echo "cli: all checks passed"
exit $fail
