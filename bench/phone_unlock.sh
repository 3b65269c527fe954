#!/bin/sh
# phone.unlock_wasm_ms and phone.push_latency_ms (run by `make bench`): the key core's time
# for one unlock in the phone app in Chromium (WebAssembly), against the native key core's
# time for the same steps measured now (bench_unlock --key-side); and the time from an alarm
# grant to the open phone holding it (tests/web/bench/phone-unlock.mjs). Starts its own
# portvakt-server on loopback to serve the app, seeded through the API (tests/web/seed.mjs):
# the phone signs in, enrols and syncs with it. Prints two JSON lines, or says on stderr
# why it could not run.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-build}" && pwd)
skip() { echo "phone_unlock: skipped: $*" >&2; exit 0; }
[ -f "$ROOT/server/web/phone/wasm/pv-phone.wasm" ] || skip "no WebAssembly key core (build with emscripten: PV_WASM)"
[ -x "${PV_CHROMIUM:-/usr/bin/chromium}" ] || skip "no chromium"
. "$ROOT/scripts/node-env.sh"
pv_node_env "$ROOT" || skip "no Node.js for playwright-core"
if [ ! -d "$ROOT/tests/web/node_modules/playwright-core" ]; then
    (cd "$ROOT/tests/web" && npm ci --no-audit --no-fund >/dev/null 2>&1) || skip "npm ci failed in tests/web"
fi
REF=$("$BUILD/bench/bench_unlock" --key-side 201)
STATE=$(mktemp -d "${TMPDIR:-/tmp}/pv-phone-bench.XXXXXX")
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$STATE"; }
trap cleanup EXIT INT TERM
S="$BUILD/server/portvakt-server"
"$S" init --db "$STATE/pv.db" --issuer-key "$STATE/issuer.key" --admin bench >"$STATE/init.log" 2>&1
PW=$(sed -n 's/.*shown once): *\([^ ]*\).*/\1/p' "$STATE/init.log" | head -1)
[ -n "$PW" ] || skip "no initial password from portvakt-server init"
"$S" serve --db "$STATE/pv.db" --issuer-key "$STATE/issuer.key" --web-root "$ROOT/server/web" \
    --listen 127.0.0.1:0 --port-file "$STATE/port" >"$STATE/server.log" 2>&1 &
PID=$!
i=0
while [ ! -s "$STATE/port" ]; do
    i=$((i + 1)); [ $i -le 100 ] || skip "portvakt-server did not start"; sleep 0.1
done
cd "$ROOT/tests/web"
BASE="http://127.0.0.1:$(cat "$STATE/port")"
node seed.mjs "$BASE" "$STATE" bench "$PW" >"$STATE/seed.log" 2>&1 || skip "seeding the server failed: $(tail -3 "$STATE/seed.log")"
PV_BUILD_DIR="$BUILD" node bench/phone-unlock.mjs "$BASE" "$STATE" "$REF" 21
