#!/bin/sh
# Installs every Debian 12 package Portvakt needs to build, test and run.
# Safe to run again: apt-get skips what is already there. Needs root or sudo.
set -eu

# gcc-arm-none-eabi, newlib and qemu-system-arm build and run the lock firmware (port/cortex-m4);
# autotools cross-build libsodium for it (scripts/m4-libsodium.sh).
# postgresql-15 runs the throwaway cluster of every server_*_pg test (scripts/pg-cluster.sh);
# haproxy balances two server instances in test_instances; debhelper and lintian build and
# check the Debian package (tests/package/test_package.sh).
# emscripten (with dpkg-dev for `apt-get source`, python3 for its drivers) builds the phone's
# key core in WebAssembly against libsodium from Debian's source (scripts/build-sodium-wasm.sh).
PKGS="build-essential cmake pkg-config clang libclang-rt-14-dev
      libsodium-dev libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev
      liboath-dev libfido2-dev libcbor-dev libcjose-dev libcurl4-openssl-dev libqrencode-dev libcmocka-dev nettle-dev
      sqlite3 openssl curl valgrind ca-certificates postgresql-15 oathtool
      chromium testssl.sh emscripten dpkg-dev python3 haproxy debhelper lintian fakeroot
      gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm autoconf automake libtool spin"
# npm fetches the pinned Node.js the browser tests run on (tools/node, scripts/node-env.sh;
# Debian 12's own nodejs 18 is too old for them, but its npm can install the pinned one).
# Debian's npm conflicts with some other Node.js builds, so only ask for it when no npm is here.
command -v npm >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"

if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done

if [ -n "$missing" ]; then
    echo "portvakt: installing Debian packages:$missing"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
