#!/bin/sh
# Cross-builds libsodium for the Cortex-M4 port (arm-none-eabi, -Os, Cortex-M4F hard float)
# from Debian's own source package, so the firmware runs the same libsodium release and
# Debian security patches as the host build. Minimal build (--enable-minimal, no asm, no
# threads); the firmware links with --gc-sections, so only what the cores call stays in.
#
# Usage: scripts/m4-libsodium.sh OUTDIR   -> OUTDIR/lib/libsodium.a, OUTDIR/include/
# The source comes from `apt-get source` through a private deb-src list (deb-source.sh).
set -eu
OUT=${1:?usage: m4-libsodium.sh OUTDIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
[ -f "$OUT/lib/libsodium.a" ] && [ -f "$OUT/.done" ] && exit 0
command -v arm-none-eabi-gcc >/dev/null || { echo "m4-libsodium: arm-none-eabi-gcc missing (scripts/install-deps.sh)" >&2; exit 1; }
for t in dpkg-source autoreconf libtoolize; do
    command -v $t >/dev/null || { echo "m4-libsodium: $t missing (scripts/install-deps.sh)" >&2; exit 1; }
done

W="$OUT/work"
rm -rf "$W"
mkdir -p "$W/src"
sh "$(dirname "$0")/deb-source.sh" libsodium "$W/src"
dsc=$(ls "$W"/src/libsodium_*.dsc | head -1)
(cd "$W/src" && dpkg-source --no-check -x "$dsc" sodium >/dev/null)
echo "m4-libsodium: building $(basename "$dsc" .dsc) for arm-none-eabi" >&2

CPU="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
cd "$W/src/sodium"
# Debian's orig tarball is the git tree: generate configure as dh_autoreconf would
[ -x configure ] || autoreconf -fi >"$W/autoreconf.log" 2>&1 || { tail -20 "$W/autoreconf.log" >&2; exit 1; }
./configure -q --host=arm-none-eabi --prefix="$OUT" --disable-shared --enable-static \
    --enable-minimal --disable-asm --disable-pie --disable-ssp --without-pthreads \
    --disable-dependency-tracking \
    CC=arm-none-eabi-gcc AR=arm-none-eabi-ar RANLIB=arm-none-eabi-ranlib \
    CFLAGS="-Os $CPU -ffunction-sections -fdata-sections" LDFLAGS="--specs=nosys.specs" \
    >"$W/configure.log" 2>&1 || { tail -30 "$W/configure.log" >&2; exit 1; }
make -s -j"${PV_JOBS:-2}" -C src/libsodium >"$W/make.log" 2>&1 || { tail -30 "$W/make.log" >&2; exit 1; }
make -s -C src/libsodium install >>"$W/make.log" 2>&1
basename "$dsc" .dsc >"$OUT/.done"
rm -rf "$W"
