#!/bin/sh
# Downloads a Debian source package (the release this machine's apt would install) into
# DESTDIR through a private deb-src list: the machine's apt configuration is not touched.
# PV_DEB_SRC overrides the list's lines. Used by m4-libsodium.sh and m4-qemu-plugin.sh.
#   deb-source.sh PACKAGE DESTDIR      -> DESTDIR/PACKAGE_*.dsc and its tarballs
set -eu
PKG=$1
DEST=$2
mkdir -p "$DEST/apt/lists/partial"
DEST=$(cd "$DEST" && pwd)
: "${PV_DEB_SRC:=deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian bookworm-updates main
deb-src http://deb.debian.org/debian-security bookworm-security main}"
printf '%s\n' "$PV_DEB_SRC" >"$DEST/apt/sources.list"
A="-o Dir::Etc::SourceList=$DEST/apt/sources.list -o Dir::Etc::SourceParts=/dev/null
   -o Dir::State::Lists=$DEST/apt/lists -o Dir::Cache=$DEST/apt -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get $A -qq update
# shellcheck disable=SC2086
(cd "$DEST" && apt-get $A -qq source --download-only "$PKG")
rm -rf "$DEST/apt"
