#!/bin/sh
# `make bench` lines web.<page>_p95_ms: the planner pages' time to content in Debian's Chromium
# (p95 of 20 fresh loads each, tests/web/bench/page-timings.mjs) against a server holding the
# Årsta district after its simulated day (scripts/district.sh at full speed, SQLite, TLS, port 0),
# signed in as the district's demo user (central administration: every provider's data on each
# page). Issue 9's bound is 300 ms. Skipped when chromium or node is missing.
# Usage: bench/web_page_p95.sh BUILD_DIR
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
[ -x "${PV_CHROMIUM:-/usr/bin/chromium}" ] || { echo "web_page_p95: chromium missing; skipped" >&2; exit 0; }
. "$ROOT/scripts/node-env.sh"
pv_node_env "$ROOT" >/dev/null 2>&1 || { echo "web_page_p95: node missing; skipped" >&2; exit 0; }
[ -d "$ROOT/tests/web/node_modules/playwright-core" ] ||
    (cd "$ROOT/tests/web" && npm ci --no-audit --no-fund >/dev/null 2>&1) ||
    { echo "web_page_p95: npm ci failed in tests/web; skipped" >&2; exit 0; }

STATE=$(mktemp -d "${TMPDIR:-/tmp}/pv-pagebench.XXXXXX")
DISTRICT=""
cleanup() {
    # the district script and its server run in their own process group (setsid below)
    [ -n "$DISTRICT" ] && kill -- "-$DISTRICT" 2>/dev/null || true
    [ -n "$DISTRICT" ] && wait "$DISTRICT" 2>/dev/null || true
    rm -rf "$STATE"
}
trap cleanup EXIT INT TERM
BUILD=$BUILD PV_DISTRICT_DIR=$STATE/district PV_PORT=0 PV_SPEED=0 PV_KEEP_SERVER=1 \
    setsid "$ROOT/scripts/district.sh" --quiet >"$STATE/district.out" 2>"$STATE/district.err" &
DISTRICT=$!
i=0
until grep -q "the day is over" "$STATE/district.err" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 1800 ] || ! kill -0 "$DISTRICT" 2>/dev/null; then
        echo "web_page_p95: the Årsta day did not finish; see below" >&2
        tail -20 "$STATE/district.err" >&2
        exit 1
    fi
    sleep 1
done
URL="https://127.0.0.1:$(cat "$STATE/district/port")"
(cd "$ROOT/tests/web" && node bench/page-timings.mjs "$URL" "$STATE/district/demo-login.txt" \
    "$STATE/totp-ledger.json" "${PV_PAGE_ROUNDS:-20}")
