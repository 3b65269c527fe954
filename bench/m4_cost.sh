#!/bin/sh
# The lock's cost on a Cortex-M4 (MPS2-AN386 under qemu-system-arm): instructions per
# unlock counted by a QEMU TCG plugin (bench/m4_insn_plugin.c, built by
# scripts/m4-qemu-plugin.sh) and split by what they run under, against one Ed25519 verify
# counted the same way; the lock firmware's flash and RAM (static + stack high water,
# measured by stack painting during a real UART unlock); the battery model of docs/lock.md.
# One JSON object a line. Needs the plain build's firmware ($BUILD/m4).
set -eu
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
E="$BUILD/m4/pv_bench.elf"
L="$BUILD/m4/pv_lock.elf"
PV="$BUILD/tools/portvakt/portvakt"
for f in "$E" "$L" "$PV"; do
    [ -f "$f" ] || { echo "m4_cost: $f not built (arm toolchain: scripts/install-deps.sh)" >&2; exit 1; }
done
PLUGIN="$BUILD/m4-plugin/libpvinsn.so"
[ -f "$PLUGIN" ] || sh "$ROOT/scripts/m4-qemu-plugin.sh" "$BUILD/m4-plugin" >&2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

sym() { arm-none-eabi-nm "$E" | awk -v s="$1" '$3 == s { print $1 }'; }
args="scope=$(sym pv_lock_handle),scope=$(sym pv_m4_ref_verify),mark=$(sym pv_m4_mark)"
# category roots: the outermost one an instruction runs under names it
for c in verify:crypto_sign_verify_detached verify:crypto_sign_ed25519_verify_detached \
         x25519:crypto_scalarmult x25519:crypto_scalarmult_base \
         x25519:crypto_scalarmult_curve25519 x25519:crypto_scalarmult_curve25519_base \
         merkle:pv_merkle_verify \
         aead:crypto_aead_xchacha20poly1305_ietf_encrypt_detached \
         aead:crypto_aead_xchacha20poly1305_ietf_decrypt_detached \
         aead:crypto_aead_xchacha20poly1305_ietf_encrypt \
         aead:crypto_aead_xchacha20poly1305_ietf_decrypt \
         flash:pv_sim_flash_read flash:pv_sim_flash_program flash:pv_sim_flash_erase \
         sign:crypto_sign_detached sign:crypto_sign_ed25519_detached; do
    a=$(sym "${c#*:}")
    [ -n "$a" ] && args="$args,cat=${c%%:*}:$a"
done
qemu-system-arm -M mps2-an386 -nographic -monitor none -serial none \
    -semihosting-config enable=on,target=native -kernel "$E" \
    -device loader,addr=0x21100000,data=1,data-len=8 \
    -plugin "$PLUGIN,$args,out=$tmp/marks" >"$tmp/console" 2>&1
repeats=$(sed -n 's/^bench repeats=//p' "$tmp/console")
[ -n "$repeats" ] || { echo "m4_cost: bench firmware failed" >&2; cat "$tmp/console" >&2; exit 1; }

# flash: code + constants + initial data; RAM: .data + .bss + the stack's high water
arm-none-eabi-size -A "$L" >"$tmp/size"
sec() { awk -v s="$1" '$1 == s { print $2 }' "$tmp/size"; }
flash=$(( $(sec .text) + $(sec .ARM.exidx) + $(sec .init_array) + $(sec .data) ))
sh "$ROOT/tests/m4/test_uart_unlock.sh" "$PV" "$L" >"$tmp/uart" 2>&1 ||
    { echo "m4_cost: UART unlock failed" >&2; cat "$tmp/uart" >&2; exit 1; }
stack=$(sed -n 's/^m4 lock stack peak bytes: //p' "$tmp/uart")

awk -v repeats="$repeats" -v flash="$flash" -v data="$(sec .data)" -v bss="$(sec .bss)" \
    -v stack="$stack" -v stack_reserved="$(sec .stack)" -f "$ROOT/bench/m4_cost.awk" "$tmp/marks"
