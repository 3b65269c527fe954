#!/bin/sh
# The Stockholm-scale day against the real portvakt-server (embedded SQLite, TLS, simulation
# clock) through 80 real portvakt-station processes; opt-in (about 10 minutes, several GB),
# not part of ctest. Prints the JSON report on stdout, wall time and peak memory on stderr.
# Usage: tests/sim/run_city_server.sh [BUILD_DIR]     (PVSIM_KEEP=1 keeps the state dir)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
SERVER=${PV_SERVER_BIN:-$BUILD/server/portvakt-server}
STATION=${PV_STATION_BIN:-$BUILD/station/portvakt-station}
SIM=${PV_SIM_BIN:-$BUILD/tools/sim/portvakt-sim}
export TZ=${TZ:-Europe/Stockholm}
for b in "$SIM" "$STATION" "$SERVER"; do
    [ -x "$b" ] || { echo "run_city_server: $b not built" >&2; exit 77; }
done
DIR=$(mktemp -d /tmp/portvakt-city-server-XXXXXX)
cd "$DIR"
"$ROOT/scripts/test-ca.sh" .
"$SERVER" init --db city.db --issuer-key issuer.key --admin admin >init.txt
PW=$(sed -n 's/.*Initial password (shown once): *//p' init.txt)
"$SERVER" serve --db city.db --issuer-key issuer.key --listen 127.0.0.1:0 --tls-cert server.pem \
    --tls-key server.key --sim-clock --port-file port 2>server.log &
PID=$!
cleanup() {
    kill "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    cd /
    [ "${PVSIM_KEEP:-0}" = 1 ] && echo "run_city_server: state kept in $DIR" >&2 || rm -rf "$DIR"
}
trap cleanup EXIT
i=0
while [ ! -s port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s port ] || { cat server.log >&2; exit 1; }
# the server's peak memory, sampled while the day runs
( peak=0; while kill -0 "$PID" 2>/dev/null; do
      r=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$PID/status" 2>/dev/null || echo 0)
      [ -n "$r" ] && [ "$r" -gt "$peak" ] && peak=$r && echo "$peak" >server.peak
      sleep 5
  done ) &
RC=0
/usr/bin/time -f 'run_city_server: portvakt-sim wall %e s, peak RSS %M kB' \
    "$SIM" --scenario city --json --server "https://127.0.0.1:$(cat port)" --ca-cert ca.pem \
    --admin admin --password "$PW" --station-bin "$STATION" --work-dir "$DIR/sim" \
    >report.json 2>sim.log || RC=$?
tail -n 3 sim.log >&2
echo "run_city_server: portvakt-server peak RSS $(cat server.peak 2>/dev/null || echo ?) kB," \
     "database $(du -k city.db | cut -f1) kB" >&2
cat report.json
exit $RC
