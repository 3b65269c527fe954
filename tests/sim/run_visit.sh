#!/bin/sh
# `portvakt-sim visit` against a fresh portvakt-server: one key syncs through a real
# station and opens one door; its passage reaches the server. Then the same command acting
# as an existing key at existing locks, registered here through the API (as the web UI
# does) from Ed25519 seeds only this script and the simulator hold: the key opens the door
# it has a right to, is refused at another provider's door, and the passage is stored.
# Usage: run_visit.sh SERVER STATION SIM
set -eu
SERVER=$1 STATION=$2 SIM=$3
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DIR=$(mktemp -d /tmp/pvsim-visit-XXXXXX)
cd "$DIR"
"$ROOT/scripts/test-ca.sh" .
"$SERVER" init --db db --issuer-key issuer.key --admin admin >init.txt
PW=$(sed -n 's/.*Initial password (shown once): *//p' init.txt)
"$SERVER" serve --db db --issuer-key issuer.key --listen 127.0.0.1:0 --tls-cert server.pem \
    --tls-key server.key --port-file port 2>server.log &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null' EXIT
i=0
while [ ! -s port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
URL="https://127.0.0.1:$(cat port)"
OUT=$("$SIM" visit --server "$URL" --ca-cert ca.pem --admin admin --password "$PW" \
    --station-bin "$STATION" --token-out token)
echo "$OUT"
echo "$OUT" | grep -q "^door: lock [0-9]* opened$"
echo "$OUT" | grep -q "^log: [1-9][0-9]* lock event(s) stored"

# --- an existing key and existing locks -------------------------------------------------
TOKEN=$(cat token)
# POST $1 with body $2 as the token in $TOKEN; prints the new object's id.
post() {
    curl -sS --fail-with-body --cacert ca.pem -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: application/json' -d "$2" "$URL/api/v1$1" >resp.json ||
        { echo "POST $1 failed: $(cat resp.json)" >&2; exit 1; }
    grep -o '"id":[0-9]*' resp.json | head -1 | cut -d: -f2
}
hex32() { tail -c 32 | od -An -tx1 | tr -d ' \n'; }
# An Ed25519 identity: NAME.seed (32-byte seed, hex) and NAME.pub (public key, hex).
identity() {
    openssl genpkey -algorithm ed25519 -outform DER -out "$1.der" 2>/dev/null
    hex32 <"$1.der" >"$1.seed"
    openssl pkey -inform DER -in "$1.der" -pubout -outform DER 2>/dev/null | hex32 >"$1.pub"
}
identity key && identity door && identity other
SINCE=$(date -d '7 days ago' +%F)
PROV=$(post /providers '{"name":"Hemtjänst Befintlig"}')
PROV2=$(post /providers '{"name":"Annan utförare"}')
STAFF=$(post /staff "{\"display_name\":\"Karin Befintlig\",\"provider_id\":$PROV}")
KEY=$(post /bearers "{\"staff_id\":$STAFF,\"kind\":\"fob\",\"label\":\"K-BEF\",\"public_key\":\"$(cat key.pub)\"}")
OWNER=$(post /owners '{"name":"Befintliga hus AB"}')
post /consents "{\"kind\":\"portfolio\",\"owner_id\":$OWNER,\"given_on\":\"$SINCE\"}" >/dev/null
BLD=$(post /buildings "{\"owner_id\":$OWNER,\"address\":\"Befintliga vägen 1\"}")
DOOR=$(post /locks "{\"kind\":\"apartment\",\"building_id\":$BLD,\"lock_public_key\":\"$(cat door.pub)\"}")
OTHER=$(post /locks "{\"kind\":\"apartment\",\"building_id\":$BLD,\"lock_public_key\":\"$(cat other.pub)\"}")
for pair in "$DOOR:$PROV:B-1" "$OTHER:$PROV2:B-2"; do
    L=${pair%%:*} rest=${pair#*:}
    P=${rest%%:*} CODE=${rest#*:}
    R=$(post /recipients "{\"alarm_code\":\"$CODE\",\"building_id\":$BLD,\"lock_id\":$L,\"provider_id\":$P,\"valid_from\":\"$SINCE\"}")
    post /consents "{\"kind\":\"recipient\",\"recipient_id\":$R,\"given_on\":\"$SINCE\"}" >/dev/null
    post "/locks/$L/commission" '{}' >/dev/null
    [ "$L" = "$DOOR" ] && REC=$R
done
post /rights "{\"staff_id\":$STAFF,\"recipient_id\":$REC,\"kind\":\"standing\",\"valid_from\":\"$SINCE\",\"windows\":[{\"days\":[1,2,3,4,5,6,7],\"from\":\"00:00\",\"to\":\"24:00\"}]}" >/dev/null
# The simulator acts for the key's provider only: a provider administrator's token.
TOKEN=$(curl -sS --fail-with-body --cacert ca.pem -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' \
    -d "{\"name\":\"station of $PROV\",\"role\":\"provider_admin\",\"provider_id\":$PROV}" \
    "$URL/api/v1/tokens" | sed -n 's/.*"secret":"\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ]

# A seed that is not the key's is refused before anything is synced.
if "$SIM" visit --server "$URL" --ca-cert ca.pem --token "$TOKEN" --station-bin "$STATION" \
    --bearer-id "$KEY" --bearer-seed "$(cat other.seed)" --lock-id "$DOOR" \
    --lock-seed "$(cat door.seed)" >wrong.txt 2>&1; then
    echo "a visit with another key's seed succeeded"; cat wrong.txt; exit 1
fi
grep -q "is not the seed of key $KEY" wrong.txt || { cat wrong.txt; exit 1; }

OUT=$("$SIM" visit --server "$URL" --ca-cert ca.pem --token "$TOKEN" --station-bin "$STATION" \
    --bearer-id "$KEY" --bearer-seed "$(cat key.seed)" \
    --lock-id "$DOOR" --lock-seed "$(cat door.seed)" \
    --lock-id "$OTHER" --lock-seed "$(cat other.seed)" --expect refused)
echo "$OUT"
echo "$OUT" | grep -q "^sync: K-[0-9]* synced: 1 door "
echo "$OUT" | grep -q "^door: lock $DOOR opened$"
echo "$OUT" | grep -q "^door: lock $OTHER refused: .* (as expected)$"
echo "$OUT" | grep -q "^log: [1-9][0-9]* lock event(s) stored"
# The passage is in the access log, under the key the script registered.
curl -sS --fail-with-body --cacert ca.pem -H "Authorization: Bearer $TOKEN" \
    "$URL/api/v1/access-log?lock_id=$DOOR" >log.json
grep -q "\"bearer_id\":$KEY" log.json || { cat log.json; exit 1; }
grep -q '"kind":"open"' log.json || { cat log.json; exit 1; }
cd /
rm -rf "$DIR"
