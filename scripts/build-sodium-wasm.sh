#!/bin/sh
# Builds libsodium for WebAssembly (emscripten) from Debian 12's own source package, so the
# phone's key core links the same libsodium release and patches as the native build.
# The source comes through `apt-get source` with a private apt configuration (a deb-src
# entry of its own; the machine's apt setup is not touched) and is unpacked with Debian's
# patches. It is then compiled the way libsodium's src/libsodium/Makefile.am lists it for
# a portable target (no assembly, no x86 intrinsics, the full non-minimal API, 32-bit field
# arithmetic) with emcc -c and archived with emar: running libsodium's autoconf configure
# under emscripten costs several seconds per check (every test program is linked and run
# in Node), over half an hour on a busy 2-core machine, for answers that are fixed for
# this target. Safe to run again: a finished OUT is kept.
# Usage: scripts/build-sodium-wasm.sh OUT_DIR
set -eu
OUT=${1:?usage: scripts/build-sodium-wasm.sh OUT_DIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
[ -f "$OUT/done" ] && [ -f "$OUT/lib/libsodium.a" ] && exit 0
# Debian's emscripten finds its JavaScript helpers (acorn) in Debian's node module
# directory, which a Node.js from elsewhere does not search by itself.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
for t in emcc emar dpkg-source python3; do
    command -v $t >/dev/null || { echo "build-sodium-wasm: $t missing (scripts/install-deps.sh)" >&2; exit 1; }
done

# The source package from Debian 12 (bookworm) main, checked by apt against the archive
# keyring like any package.
APT="$OUT/apt"
rm -rf "$APT" "$OUT/src" "$OUT/obj" "$OUT/include" "$OUT/lib"
mkdir -p "$APT/sources" "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/dl"
cat >"$APT/sources/debian-src.sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
set -- -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$APT/sources" \
    -o Dir::State::Lists="$APT/lists" -o Dir::Cache="$APT/cache" -o APT::Sandbox::User=root
apt-get "$@" -qq update
(cd "$APT/dl" && apt-get "$@" -qq source --download-only libsodium)
DSC=$(ls "$APT"/dl/libsodium_*.dsc | head -1)
NAME=$(basename "$DSC" .dsc)
# apt checked the files' hashes against the signed Sources index; dpkg-source's own
# warning about the .dsc's inline signature (no Debian developer keyring here) is noise.
dpkg-source -x "$DSC" "$OUT/src" >"$OUT/unpack.log" 2>&1 || { cat "$OUT/unpack.log" >&2; exit 1; }

LS="$OUT/src/src/libsodium"
VERSION=$(sed -n 's/^AC_INIT(\[libsodium\],\[\([0-9.]*\)\].*/\1/p' "$OUT/src/configure.ac")
MAJOR=$(sed -n 's/^SODIUM_LIBRARY_VERSION_MAJOR=//p' "$OUT/src/configure.ac")
MINOR=$(sed -n 's/^SODIUM_LIBRARY_VERSION_MINOR=//p' "$OUT/src/configure.ac")
sed -e "s/@VERSION@/$VERSION/" -e "s/@SODIUM_LIBRARY_VERSION_MAJOR@/$MAJOR/" \
    -e "s/@SODIUM_LIBRARY_VERSION_MINOR@/$MINOR/" -e "s/@SODIUM_LIBRARY_MINIMAL_DEF@//" \
    "$LS/include/sodium/version.h.in" >"$LS/include/sodium/version.h"

# The C sources of libsodium_la_SOURCES: the unconditional list, the non-minimal API, and
# the branches a target without 128-bit integers and without amd64 assembly takes.
python3 - "$LS/Makefile.am" >"$OUT/sources.txt" <<'PY'
import sys
take = {'HAVE_TI_MODE': False, 'HAVE_AMD64_ASM': False, 'HAVE_AVX_ASM': False,
        '!MINIMAL': True, 'HAVE_LD_OUTPUT_DEF': False}
stack, in_sources = [], False
for line in open(sys.argv[1]):
    s = line.strip()
    if s.startswith('if '):
        stack.append(take.get(s[3:], False)); continue
    if s == 'else':
        stack[-1] = not stack[-1]; continue
    if s == 'endif':
        stack.pop(); continue
    if s.startswith('libsodium_la_SOURCES'):
        in_sources = True; s = s.split('=', 1)[1]
    elif in_sources and not line.startswith('\t'):
        in_sources = False
    if in_sources and all(stack):
        for w in s.replace('\\', ' ').split():
            if w.endswith('.c'):
                print(w)
PY
[ "$(wc -l <"$OUT/sources.txt")" -gt 80 ] || { echo "build-sodium-wasm: source list too short" >&2; exit 1; }

# The defines libsodium's configure settles for a little-endian 32-bit target with no
# x86 intrinsics; CONFIGURED=1 is what its headers demand of a configured build.
mkdir -p "$OUT/obj" "$OUT/lib" "$OUT/include"
CFLAGS="-O2 -fno-strict-aliasing -fno-strict-overflow -DCONFIGURED=1 -DNATIVE_LITTLE_ENDIAN=1 \
 -DHAVE_WEAK_SYMBOLS=1 -D_GNU_SOURCE=1 -I$LS/include/sodium -I$LS/include"
export LS OUT CFLAGS
xargs -P 2 -I{} sh -c 'o="$OUT/obj/$(echo "{}" | tr / _ | sed "s/\.c$/.o/")"; emcc $CFLAGS -c "$LS/{}" -o "$o" 2>>"$OUT/compile.log" || { echo "failed: {}" >>"$OUT/compile.log"; exit 255; }' \
    <"$OUT/sources.txt" || { tail -20 "$OUT/compile.log" >&2; exit 1; }
emar rcs "$OUT/lib/libsodium.a" "$OUT"/obj/*.o
cp "$LS/include/sodium.h" "$OUT/include/"
cp -r "$LS/include/sodium" "$OUT/include/"
rm -rf "$APT" "$OUT/obj"
touch "$OUT/done"
echo "build-sodium-wasm: $NAME ($(wc -l <"$OUT/sources.txt") sources) built into $OUT"
