#!/bin/sh
# `portvakt-sim visit` against a fresh portvakt-server: one key syncs through a real
# station and opens one door; its passage reaches the server.
# Usage: run_visit.sh SERVER STATION SIM
set -eu
SERVER=$1 STATION=$2 SIM=$3
DIR=$(mktemp -d /tmp/pvsim-visit-XXXXXX)
cd "$DIR"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
    -out ca.pem -days 1 -subj /CN=visit-ca 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout srv.key -out srv.csr \
    -subj /CN=127.0.0.1 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >ext
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 1 \
    -extfile ext 2>/dev/null
"$SERVER" init --db db --issuer-key issuer.key --admin admin >init.txt
PW=$(sed -n 's/.*Initial password (shown once): *//p' init.txt)
"$SERVER" serve --db db --issuer-key issuer.key --listen 127.0.0.1:0 --tls-cert srv.pem \
    --tls-key srv.key --port-file port 2>server.log &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null' EXIT
i=0
while [ ! -s port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
OUT=$("$SIM" visit --server "https://127.0.0.1:$(cat port)" --ca-cert ca.pem --admin admin \
    --password "$PW" --station-bin "$STATION")
echo "$OUT"
echo "$OUT" | grep -q "^door: lock [0-9]* opened$"
echo "$OUT" | grep -q "^log: [1-9][0-9]* lock event(s) stored"
cd /
rm -rf "$DIR"
