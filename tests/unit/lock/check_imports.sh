#!/bin/sh
# The firmware cores know no OS: every symbol lib/lock and lib/key import must be their
# own, lib/proto's, libsodium's, or a plain memory function (no malloc, stdio, time, rand).
# usage: check_imports.sh libpv_lock.a libpv_key.a
set -eu
defined=$(nm -g --defined-only "$@" 2>/dev/null | awk 'NF == 3 {print $3}' | sort -u)
bad=$(nm -u "$@" | awk 'NF == 2 {print $2}' | sort -u | while read -r s; do
    case "$s" in
        pv_*|crypto_*|sodium_*|memcpy|memmove|memset|memcmp|__stack_chk_fail) ;;
        __asan_*|__ubsan_*|__sanitizer_*|__sancov_*|_GLOBAL_OFFSET_TABLE_) ;;
        *) echo "$defined" | grep -qx "$s" || echo "$s" ;;
    esac
done)
if [ -n "$bad" ]; then
    echo "lock/key cores import OS or libc symbols they must not use:" >&2
    echo "$bad" >&2
    exit 1
fi
echo "lock/key cores import only libsodium, pv_proto and memory functions"
