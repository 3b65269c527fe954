#!/bin/sh
# The firmware cores know no OS: every symbol lib/proto, lib/lock and lib/key import must be
# their own, libsodium's, or a plain memory function (no malloc, stdio, time, rand, assert).
# And they keep one prefix: every symbol they make visible to the linker starts with pv_
# (internals shared between a core's files are pv_lock_…/pv_key_…, the rest is static).
# usage: check_imports.sh libpv_lock.a libpv_key.a [libpv_proto.a]
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
unprefixed=$(echo "$defined" | while read -r s; do
    case "$s" in
        ''|pv_*|__asan_*|__odr_asan*|__ubsan_*|__sancov_*|__sanitizer_*) ;;
        *) echo "$s" ;;
    esac
done)
if [ -n "$unprefixed" ]; then
    echo "core symbols visible to the linker without the pv_ prefix (make them static or" >&2
    echo "name them pv_lock_…/pv_key_…/pv_…):" >&2
    echo "$unprefixed" >&2
    exit 1
fi
echo "cores import only libsodium, pv_proto and memory functions; every export is pv_"
