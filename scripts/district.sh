#!/bin/sh
# The Årsta district, live: starts portvakt-server (embedded SQLite, TLS with a throwaway
# CA, simulation clock), then portvakt-sim, which registers the district through the API,
# starts a portvakt-station and runs the day in accelerated time through it.
#
#   scripts/district.sh [--json] [extra portvakt-sim flags]
# Environment: BUILD (default build), PV_PORT (8443), PV_SPEED (simulated seconds per real
# second, default 240: the 25-hour day in about 6 minutes), PV_LIVE=1 (catch up with the
# wall clock, then run the rest of the day live, so you can sign in to the web UI while the
# passages arrive), PV_DISTRICT_DIR (state dir),
# PV_KEEP_SERVER=1 (leave the server running after the day, following the wall clock).
set -eu
# the state dir holds the central administrator's password and API token, the demo login and the
# issuer's signing key: readable by this user only
umask 077
export TZ=${TZ:-Europe/Stockholm} # the district, its shifts and its locks keep Swedish time
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
SERVER=${PV_SERVER_BIN:-$BUILD/server/portvakt-server}
STATION=${PV_STATION_BIN:-$BUILD/station/portvakt-station}
SIM=${PV_SIM_BIN:-$BUILD/tools/sim/portvakt-sim}
PORT=${PV_PORT:-8443}
SPEED=${PV_SPEED:-240}
STATE=${PV_DISTRICT_DIR:-$(mktemp -d /tmp/portvakt-district-XXXXXX)}
mkdir -p "$STATE"

for b in "$SERVER" "$STATION" "$SIM"; do
    [ -x "$b" ] || { echo "district: $b is missing; build first (make)" >&2; exit 1; }
done

# A throwaway CA and a certificate for 127.0.0.1, made fresh for this state dir.
[ -f "$STATE/server.pem" ] || "$ROOT/scripts/test-ca.sh" "$STATE"

rm -f "$STATE/portvakt.db" "$STATE/portvakt.db-wal" "$STATE/portvakt.db-shm" "$STATE/issuer.key"
"$SERVER" init --db "$STATE/portvakt.db" --issuer-key "$STATE/issuer.key" --admin admin \
    >"$STATE/init.txt"
PASSWORD=$(sed -n 's/.*Initial password (shown once): *//p' "$STATE/init.txt")
[ -n "$PASSWORD" ] || { echo "district: could not read the initial password" >&2; exit 1; }

rm -f "$STATE/port"
WEB=""
[ -d "$ROOT/server/web" ] && WEB="--web-root $ROOT/server/web"
# shellcheck disable=SC2086
"$SERVER" serve --db "$STATE/portvakt.db" --issuer-key "$STATE/issuer.key" \
    --listen "127.0.0.1:$PORT" --tls-cert "$STATE/server.pem" --tls-key "$STATE/server.key" \
    --sim-clock --port-file "$STATE/port" $WEB 2>"$STATE/server.log" &
SERVER_PID=$!
FOLLOW_PID=""
cleanup() {
    [ -n "$FOLLOW_PID" ] && kill "$FOLLOW_PID" 2>/dev/null || true
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
}
trap cleanup INT TERM
i=0
while [ ! -s "$STATE/port" ]; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "district: portvakt-server did not start; see $STATE/server.log" >&2
        cat "$STATE/server.log" >&2
        exit 1
    fi
    sleep 0.1
done
PORT=$(cat "$STATE/port")
URL="https://127.0.0.1:$PORT"

cat >&2 <<INFO

  Portvakt — the Årsta district is starting
  API:        $URL/api/v1   (CA certificate: $STATE/ca.pem)
  Web UI:     $URL/
  Phone key:  $URL/phone/   (the phone app; a planner makes a staff member's app login under
              Personal -> Telefonnyckel, docs/phone.md)
  Demo login: written to $STATE/demo-login.txt once the district is registered
              (first login enrols your authenticator app — or use
              oathtool --totp -b SECRET; sign-in keeps the wall clock while the day runs)
  Logs:       $STATE/server.log, $STATE/sim/station.log (queue: $STATE/sim/queue)
  Watch:      curl --cacert $STATE/ca.pem -H "Authorization: Bearer \$(cat $STATE/token)" \\
                  "$URL/api/v1/access-log?limit=20"

INFO

PACE="--speed $SPEED"
[ "${PV_LIVE:-0}" = 1 ] && PACE="--live"
set +e
# shellcheck disable=SC2086
"$SIM" --scenario arsta --server "$URL" --ca-cert "$STATE/ca.pem" --admin admin \
    --password "$PASSWORD" --token-out "$STATE/token" --demo-user-out "$STATE/demo-login.txt" \
    --station-bin "$STATION" --work-dir "$STATE/sim" $PACE "$@"
RC=$?
set -e

if [ "${PV_KEEP_SERVER:-0}" = 1 ]; then
    # after the day the district's clock follows the wall clock again
    (while kill -0 "$SERVER_PID" 2>/dev/null; do
         curl -s --cacert "$STATE/ca.pem" -X PUT -H 'Content-Type: application/json' \
             -d "{\"now\":$(date +%s)}" "$URL/api/v1/dev/clock" >/dev/null
         sleep 5
     done) &
    FOLLOW_PID=$!
    echo "district: the day is over; server still running at $URL (Ctrl-C to stop)." >&2
    [ -f "$STATE/demo-login.txt" ] && echo "district: demo login: $(cat "$STATE/demo-login.txt")" >&2
    wait "$SERVER_PID"
fi
cleanup
exit $RC
