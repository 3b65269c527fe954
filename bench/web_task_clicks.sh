#!/bin/sh
# `make bench` lines of the web interface: web.task_clicks.<task>, the clicks and key presses
# that move between pages or submit for each of the five daily tasks of issue 9 (register staff
# and a key, a one-day right, who can open, report a key lost, passages yesterday for a
# recipient), counted in the browser by tests/web/test/50-planner-tools.test.mjs, which does each
# task the shortest way the interface offers. Runs the browser tests (a few minutes); skipped
# when chromium or node is missing.
# Usage: bench/web_task_clicks.sh BUILD_DIR
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
[ -x "${PV_CHROMIUM:-/usr/bin/chromium}" ] && command -v node >/dev/null ||
    { echo "web_task_clicks: chromium or node missing; skipped" >&2; exit 0; }
"$ROOT/tests/web/run.sh" "$BUILD" 2>/dev/null | sed -n 's/^# \({"name":"web\.task_clicks\..*}\)$/\1/p'
