#!/bin/sh
# The README's main command: installs what Portvakt needs, builds everything, and runs
# the main job — the Årsta district (server on its embedded SQLite store, a sync station,
# and the simulator running a day in accelerated time) when it is built, else the
# offline door scenario with the real lock and key cores.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"
if [ -x scripts/district.sh ] && [ -x build/server/portvakt-server ] && [ -x build/tools/sim/portvakt-sim ]; then
    # after the accelerated day the server stays up (Ctrl-C stops it): PV_KEEP_SERVER=0 ends it
    BUILD=build PV_KEEP_SERVER=${PV_KEEP_SERVER:-1} exec scripts/district.sh "$@"
fi
exec build/tools/portvakt/portvakt demo "$@"
