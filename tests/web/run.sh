#!/bin/sh
# Browser tests of the web interface: a fresh portvakt-server from BUILD_DIR on a free loopback
# port with a temporary database, seeded through the API, then `node --test` driving Debian's
# chromium with playwright-core. Prints node's TAP output, whose "# pass N" / "# fail N" lines
# scripts/test.sh reads. Usage: tests/web/run.sh BUILD_DIR
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=$(cd "${1:?usage: tests/web/run.sh BUILD_DIR}" && pwd)

fail_whole() { # one honest failing line that scripts/test.sh counts
    echo "not ok 1 - browser tests could not start: $*"
    echo "# pass 0"
    echo "# fail 1"
    exit 1
}

SERVER=""
for c in "$BUILD/server/portvakt-server" "$BUILD/portvakt-server" "$BUILD/bin/portvakt-server"; do
    [ -x "$c" ] && SERVER=$c && break
done
[ -n "$SERVER" ] || fail_whole "no portvakt-server in $BUILD (build it first)"
[ -x "${PV_CHROMIUM:-/usr/bin/chromium}" ] || fail_whole "no chromium at ${PV_CHROMIUM:-/usr/bin/chromium} (apt-get install chromium)"
# the pinned Node.js of tools/node (scripts/node-env.sh), whatever the system's node is
. "$ROOT/scripts/node-env.sh"
pv_node_env "$ROOT" 2>"$ROOT/tools/node/.install.log" || fail_whole "$(cat "$ROOT/tools/node/.install.log")"

if [ ! -d "$HERE/node_modules/playwright-core" ] || [ ! -d "$HERE/node_modules/axe-core" ] || [ ! -d "$HERE/node_modules/jsqr" ]; then
    (cd "$HERE" && npm ci --no-audit --no-fund >/dev/null 2>&1) || fail_whole "npm ci failed in tests/web"
fi

# the OpenID provider of the single sign-on test (npm oidc-provider, pinned in tests/oidc)
if [ ! -d "$ROOT/tests/oidc/node_modules/oidc-provider" ]; then
    (cd "$ROOT/tests/oidc" && npm ci --no-audit --no-fund >/dev/null 2>&1) || fail_whole "npm ci failed in tests/oidc"
fi

STATE=$(mktemp -d "${TMPDIR:-/tmp}/pv-web.XXXXXX")
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    [ -n "${PV_WEB_KEEP:-}" ] || rm -rf "$STATE"
}
trap cleanup EXIT INT TERM

ADMIN_USER=admin
"$SERVER" init --db "$STATE/pv.db" --issuer-key "$STATE/issuer.key" --admin "$ADMIN_USER" \
    >"$STATE/init.log" 2>&1 || { cat "$STATE/init.log"; fail_whole "portvakt-server init failed"; }
# init prints the first administrator's one-time password: `... (shown once): <password>`
ADMIN_PASSWORD=$(sed -n 's/.*shown once): *\([^ ]*\).*/\1/p' "$STATE/init.log" | head -1)
[ -n "$ADMIN_PASSWORD" ] || { cat "$STATE/init.log"; fail_whole "no initial password in the output of init"; }

"$SERVER" serve --db "$STATE/pv.db" --issuer-key "$STATE/issuer.key" --web-root "$ROOT/server/web" \
    --listen 127.0.0.1:0 --port-file "$STATE/port" --sim-clock >"$STATE/server.log" 2>&1 &
SERVER_PID=$!
i=0
while [ ! -s "$STATE/port" ]; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 "$SERVER_PID" 2>/dev/null; then
        cat "$STATE/server.log"
        fail_whole "portvakt-server did not start"
    fi
    sleep 0.1
done
BASE="http://127.0.0.1:$(cat "$STATE/port")"
echo "# portvakt-server at $BASE (state in $STATE)"

(cd "$HERE" && node seed.mjs "$BASE" "$STATE" "$ADMIN_USER" "$ADMIN_PASSWORD") >"$STATE/seed.log" 2>&1 ||
    { cat "$STATE/seed.log"; fail_whole "seeding the server through the API failed"; }
cat "$STATE/seed.log" | sed 's/^/# /'

set +e
(cd "$HERE" && PV_WEB_STATE="$STATE" PV_BUILD_DIR="$BUILD" \
    node --test --test-concurrency=1 --test-reporter=tap ${PV_WEB_TESTS:-test/*.test.mjs})
rc=$?
set -e
if [ $rc -ne 0 ]; then
    echo "# server log (last 40 lines):"
    tail -40 "$STATE/server.log" | sed 's/^/#   /'
fi
exit $rc
