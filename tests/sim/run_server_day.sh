#!/bin/sh
# The Årsta day against the real portvakt-server and portvakt-station, report checked.
# Usage: run_server_day.sh SERVER STATION SIM CHECK_REPORT   (exit 77 = skipped)
set -eu
SERVER=$1 STATION=$2 SIM=$3 CHECK=$4
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DIR=$(mktemp -d /tmp/pvsim-server-XXXXXX)
"$SERVER" --help >/dev/null 2>&1 || { echo "portvakt-server not usable: skipped"; exit 77; }
PV_SERVER_BIN=$SERVER PV_STATION_BIN=$STATION PV_SIM_BIN=$SIM PV_PORT=0 PV_SPEED=0 \
    PV_DISTRICT_DIR=$DIR "$CHECK" "$ROOT/scripts/district.sh" --json --quiet
RC=$?
# passwords, tokens and keys in the state dir are for this user alone (mode 0600, dirs 0700)
OPEN=$(find "$DIR" -perm /077 -print)
if [ -n "$OPEN" ]; then
    echo "FAIL: readable by others in the district's state dir:"; ls -l $OPEN
    RC=1
fi
[ $RC -eq 0 ] && rm -rf "$DIR"
exit $RC
