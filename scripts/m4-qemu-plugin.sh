#!/bin/sh
# Builds the instruction-counting QEMU TCG plugin (bench/m4_insn_plugin.c) against the
# plugin API header of the installed qemu-system-arm. Debian 12 ships the plugin-capable
# binary but not the header (include/qemu/qemu-plugin.h, QEMU's public plugin API), so it
# is taken from Debian's own qemu source package (deb-source.sh), only that one file.
#   m4-qemu-plugin.sh OUTDIR   -> OUTDIR/libpvinsn.so
set -eu
OUT=${1:?usage: m4-qemu-plugin.sh OUTDIR}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
HDR="$OUT/include/qemu-plugin.h"
if [ ! -f "$HDR" ]; then
    if [ -f /usr/include/qemu/qemu-plugin.h ]; then
        mkdir -p "$OUT/include" && cp /usr/include/qemu/qemu-plugin.h "$HDR"
    else
        rm -rf "$OUT/src"
        sh "$ROOT/scripts/deb-source.sh" qemu "$OUT/src"
        tarball=$(ls "$OUT"/src/qemu_*.orig.tar.* | head -1)
        mkdir -p "$OUT/include"
        tar -xf "$tarball" -C "$OUT/src" --wildcards '*/include/qemu/qemu-plugin.h'
        cp "$OUT"/src/*/include/qemu/qemu-plugin.h "$HDR"
        rm -rf "$OUT/src"
    fi
fi
${CC:-cc} -O2 -shared -fPIC -Wall -Wextra -Werror -I"$OUT/include" \
    "$ROOT/bench/m4_insn_plugin.c" -o "$OUT/libpvinsn.so.tmp"
mv "$OUT/libpvinsn.so.tmp" "$OUT/libpvinsn.so"
