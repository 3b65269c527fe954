# Sourced by the scripts that run Node.js (scripts/test.sh, tests/web/run.sh): puts the pinned
# Node.js of tools/node/ first on PATH, installing it from the npm registry with `npm ci` when it
# is missing or not the pinned release. Every machine then runs the browser tests on the same
# Node.js, whatever the system has (Debian 12's nodejs is 18; playwright-core needs 20 or newer).
# Needs npm (scripts/install-deps.sh installs Debian's). Usage: `. scripts/node-env.sh` then
# `pv_node_env REPO_ROOT`. Sets PV_NODE to the node binary; returns non-zero, with a sentence on
# stderr, when no suitable Node.js can be had.
pv_node_env() {
    _dir="$1/tools/node"
    _want=$(sed -n 's/.*"node-linux-[a-z0-9]*": "\([0-9.]*\)".*/\1/p' "$_dir/package.json" | head -1)
    _bin="$_dir/node_modules/.bin"
    if [ ! -x "$_bin/node" ] || [ "$("$_bin/node" --version 2>/dev/null)" != "v$_want" ]; then
        if ! command -v npm >/dev/null 2>&1; then
            echo "portvakt: npm is missing, so Node.js $_want cannot be installed (run scripts/install-deps.sh)" >&2
            return 1
        fi
        echo "portvakt: installing Node.js $_want from the npm registry into tools/node" >&2
        (cd "$_dir" && npm ci --no-audit --no-fund >/dev/null) || {
            echo "portvakt: npm ci in tools/node failed; Node.js $_want is not available" >&2
            return 1
        }
    fi
    if [ ! -x "$_bin/node" ]; then
        echo "portvakt: no Node.js $_want package for $(uname -m) Linux in the npm registry" >&2
        return 1
    fi
    PATH="$_bin:$PATH"
    PV_NODE="$_bin/node"
    export PATH PV_NODE
}
