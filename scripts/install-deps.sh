#!/bin/sh
# Installs every Debian 12 package Portvakt needs to build, test and run.
# Safe to run again: apt-get skips what is already there. Needs root or sudo.
set -eu

PKGS="build-essential cmake pkg-config clang libclang-rt-14-dev
      libsodium-dev libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev
      liboath-dev libcurl4-openssl-dev libqrencode-dev libcmocka-dev
      sqlite3 openssl curl valgrind ca-certificates postgresql oathtool
      chromium spin"
# Node.js and npm drive the browser tests; Debian's npm conflicts with some other
# Node.js builds, so only ask for them when no npm is on the machine.
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
