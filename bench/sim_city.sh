#!/bin/sh
# `make bench` lines of the district simulator:
#   sim.city_shift_start_s  wall time for all 7,000 city keys to sync at 07:00 through 80
#                           portvakt-station processes over HTTPS against portvakt-server
#                           (embedded SQLite, TLS, simulation clock), 16 keys at a time;
#                           the city is registered through the API first (not timed)
#   sim.revocation_p95_h    p95 time from a key's revocation to a lock knowing it, city
#                           scenario on the real lock and key cores (in-process issuer)
# Usage: bench/sim_city.sh BUILD_DIR
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
SERVER=${PV_SERVER_BIN:-$BUILD/server/portvakt-server}
STATION=${PV_STATION_BIN:-$BUILD/station/portvakt-station}
SIM=${PV_SIM_BIN:-$BUILD/tools/sim/portvakt-sim}
export TZ=${TZ:-Europe/Stockholm}
for b in "$SIM" "$STATION" "$SERVER"; do
    [ -x "$b" ] || { echo "sim_city: $b not built; skipped" >&2; exit 0; }
done

"$SIM" --scenario city --bench-lines

DIR=$(mktemp -d /tmp/portvakt-bench-city-XXXXXX)
cd "$DIR"
"$ROOT/scripts/test-ca.sh" .
"$SERVER" init --db city.db --issuer-key issuer.key --admin admin >init.txt
PW=$(sed -n 's/.*Initial password (shown once): *//p' init.txt)
"$SERVER" serve --db city.db --issuer-key issuer.key --listen 127.0.0.1:0 --tls-cert server.pem \
    --tls-key server.key --sim-clock --port-file port 2>server.log &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; cd /; rm -rf "$DIR"' EXIT
i=0
while [ ! -s port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
"$SIM" bench-city --server "https://127.0.0.1:$(cat port)" --ca-cert ca.pem --admin admin \
    --password "$PW" --station-bin "$STATION"
