#!/bin/sh
# Checks one Promela model exhaustively with spin: generate the verifier (spin -a), compile
# it (gcc), run it over the whole state space. EXPECT "holds": no assertion violation, no
# invalid end state, search complete. EXPECT "violated": spin must find a counterexample
# (a model broken on purpose); its trail is printed so the note can show it.
#   run_spin.sh MODEL.pml holds|violated [-DKNOB ...]
set -eu
model=$1; expect=$2; shift 2
command -v spin >/dev/null || { echo "spin is not installed (scripts/install-deps.sh)"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/pv-spin-XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$model" "$work/"
name=$(basename "$model")
cd "$work"
spin -a "$@" "$name" >spin.out 2>&1 || { cat spin.out; exit 1; }
# -DSAFETY: assertions and end states only; -DCOLLAPSE: exhaustive, compressed states
gcc -w -O2 -DSAFETY -DCOLLAPSE -o pan pan.c
./pan -m200000 >pan.out 2>&1 || true
grep -E "errors:|states, stored|transitions|elapsed" pan.out || true
errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' pan.out)
[ -n "$errors" ] || { cat pan.out; echo "FAIL: spin did not finish"; exit 1; }
if grep -q "max search depth too small" pan.out; then
    echo "FAIL: search depth too small, the search was not exhaustive"; exit 1
fi
if [ "$expect" = holds ]; then
    if [ "$errors" -ne 0 ]; then
        grep -E "assertion violated|invalid end state" pan.out || true
        spin -t -p -g "$@" "$name" 2>&1 | tail -40
        echo "FAIL: $name $* has a counterexample"; exit 1
    fi
    echo "OK: $name $* holds in every reachable state"
else
    if [ "$errors" -eq 0 ]; then
        echo "FAIL: $name $* was broken on purpose but spin found no counterexample"; exit 1
    fi
    grep -E "assertion violated" pan.out
    echo "counterexample (last steps):"
    spin -t -p "$@" "$name" 2>&1 | grep -E "^ *[0-9]+:" | tail -15
    echo "OK: spin found the counterexample in $name $*"
fi
