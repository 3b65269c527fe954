#!/bin/sh
# The Debian package as an IT department gets it: builds it from a copy of the source tree
# with dpkg-buildpackage, runs lintian (no error allowed; warnings are printed), installs
# the .deb into an empty root with dpkg --root, checks what landed there (programs, man
# pages, conffiles, web root, systemd units), rates the units' sandbox with
# `systemd-analyze security --offline`, and runs the installed server the way its unit
# does — first-start preparation, then serve as an unprivileged user — until it answers.
# What it cannot do here (no systemd as PID 1): start the units themselves.
# Usage: test_package.sh SOURCE_DIR WORK_DIR
set -u
src=$1 work=$2
rm -rf "$work" && mkdir -p "$work/src" "$work/root" || exit 1
fails=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fails=$((fails + 1)); }

# a clean copy of the tracked files (dpkg-buildpackage writes next to the tree it builds)
(cd "$src" && git ls-files -z --cached --others --exclude-standard | grep -zv '^debian/portvakt/' |
    xargs -0 tar -cf - --no-recursion 2>/dev/null) | tar -xf - -C "$work/src" || exit 1
start=$(date +%s)
if (cd "$work/src" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
    ok "dpkg-buildpackage in $(( $(date +%s) - start )) s"
else
    tail -30 "$work/build.log"
    bad "dpkg-buildpackage"
    exit 1
fi
deb=$(ls "$work"/portvakt_*.deb | head -1)

lintian --no-tag-display-limit "$deb" >"$work/lintian.log" 2>&1
cat "$work/lintian.log"
errors=$(grep -c '^E: ' "$work/lintian.log")
warnings=$(grep -c '^W: ' "$work/lintian.log")
[ "$errors" -eq 0 ] && ok "lintian: 0 errors, $warnings warning(s)" || bad "lintian: $errors error(s)"

# dpkg into an empty root: its database, then the package (scripts run outside the root
# with DPKG_ROOT set, as Debian's own installers do; dependencies are this machine's)
# the installed root and the server's state live where the unprivileged user can reach them:
# the build tree may sit under a home directory it cannot enter (e.g. /root on a fresh machine)
run=$(mktemp -d "${TMPDIR:-/tmp}/pv-package.XXXXXX") || exit 1
chmod 0755 "$run"
trap 'rm -rf "$run"' EXIT
R=$run/root
mkdir -p "$R"
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" && touch "$R/var/lib/dpkg/status"
if dpkg --root="$R" --force-script-chrootless --force-depends -i "$deb" >"$work/dpkg.log" 2>&1 &&
   dpkg --root="$R" -s portvakt | grep -q '^Status: install ok installed'; then
    ok "dpkg --root installs and configures it"
else
    cat "$work/dpkg.log"
    bad "dpkg --root install"
fi
for f in usr/bin/portvakt-server usr/bin/portvakt-station usr/bin/portvakt \
         usr/libexec/portvakt/portvakt-server-prepare \
         usr/share/man/man8/portvakt-server.8.gz usr/share/man/man8/portvakt-station.8.gz \
         usr/share/man/man1/portvakt.1.gz usr/share/portvakt/web/index.html \
         lib/systemd/system/portvakt-server.service lib/systemd/system/portvakt-station.service \
         etc/portvakt/server.conf etc/portvakt/station.conf \
         usr/share/doc/portvakt/operations.md.gz usr/share/doc/portvakt/examples/haproxy.cfg; do
    [ -e "$R/$f" ] || bad "missing /$f"
done
grep -q '^/etc/portvakt/server.conf' "$R/var/lib/dpkg/info/portvakt.conffiles" &&
    ok "files in place; /etc/portvakt/*.conf are conffiles" || bad "conffiles"
for p in portvakt-server portvakt-station portvakt; do
    man -l "$R/usr/share/man/man"*/"$p".[18].gz >/dev/null 2>"$work/man.err" && [ ! -s "$work/man.err" ] ||
        bad "man page of $p renders without warnings"
done

# the sandbox: systemd's own rating of each unit (0 = most locked down, 10 = none)
for u in portvakt-server portvakt-station; do
    systemd-analyze security --offline=true --root="$R" "$u.service" >"$work/$u.security" 2>&1
    score=$(sed -nE 's/.*Overall exposure level for .*: ([0-9.]+).*/\1/p' "$work/$u.security")
    echo "{\"name\":\"package.${u}_exposure\",\"value\":${score:-null},\"unit\":\"systemd-analyze\"}"
    for want in 'DynamicUser=yes' 'ProtectSystem=strict' 'NoNewPrivileges=yes' 'PrivateDevices=yes'; do
        grep -q "^$want" "$R/lib/systemd/system/$u.service" || bad "$u.service lacks $want"
    done
    [ -n "$score" ] && awk "BEGIN { exit !($score <= 2.0) }" && ok "$u.service exposure $score (<= 2.0)" ||
        { cat "$work/$u.security"; bad "$u.service exposure ${score:-unknown} > 2.0"; }
done

# run the installed server as its unit does, as an unprivileged user, state in a directory
# of its own: prepare (first start: init), then serve, then the same again (second start)
state=$run/state
mkdir -p "$state" && chown nobody "$state" && chmod 0700 "$state"
sed -e "s#/var/lib/portvakt#$state#g" -e "s#/usr/share/portvakt/web#$R/usr/share/portvakt/web#" \
    -e 's#^listen = .*#listen = 127.0.0.1:0#' "$R/etc/portvakt/server.conf" >"$run/server.conf"
echo "port-file = $state/port" >>"$run/server.conf"
chmod 0644 "$run/server.conf"
as() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
sed -e "s#/usr/bin/portvakt-server#$R/usr/bin/portvakt-server#" \
    "$R/usr/libexec/portvakt/portvakt-server-prepare" >"$run/prepare" && chmod 0755 "$run/prepare"
serve_once() {
    rm -f "$state/port"
    as "$run/prepare" "$run/server.conf" >>"$run/serve.log" 2>&1 || return 1
    as "$R/usr/bin/portvakt-server" serve --config "$run/server.conf" >>"$run/serve.log" 2>&1 &
    pid=$!
    i=0
    while [ ! -s "$state/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    port=$(cat "$state/port" 2>/dev/null)
    health=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")
    page=$(curl -s "http://127.0.0.1:$port/" | grep -c '<html')
    kill "$pid"
    wait "$pid"
    [ "$health" = 200 ] && [ "$page" -ge 1 ]
}
if serve_once && [ -s "$state/initial-admin-password" ] && grep -q 'admin' "$state/initial-admin-password"; then
    ok "first start as nobody: initialised, /healthz 200, web interface served"
else
    cat "$run/serve.log"
    bad "first start of the installed server"
fi
serve_once && ok "second start: preparation leaves the store alone, serves again" ||
    { cat "$run/serve.log"; bad "second start"; }
as "$R/usr/bin/portvakt-server" audit-verify --config "$run/server.conf" >/dev/null &&
    ok "audit-verify on the installed server's store" || bad "audit-verify"
[ "$(stat -c %a "$state/issuer.key")" = 600 ] && ok "issuer key mode 0600" || bad "issuer key mode"

echo "package: $(basename "$deb") $(du -k "$deb" | cut -f1) KiB; $fails failure(s)"
[ "$fails" -eq 0 ]
