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
cats=""
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
    if [ -n "$a" ]; then cats="$cats,cat=${c%%:*}:$a"; fi
done
# run the bench once per side: $1 = the scope functions, $2 = the marks file
count() {
    args="mark=$(sym pv_m4_mark),scope=$(sym pv_m4_ref_verify)$cats"
    for f in $1; do args="$args,scope=$(sym "$f")"; done
    qemu-system-arm -M mps2-an386 -nographic -monitor none -serial none \
        -semihosting-config enable=on,target=native -kernel "$E" \
        -device loader,addr=0x21100000,data=1,data-len=8 \
        -plugin "$PLUGIN,$args,out=$2" >"$tmp/console" 2>&1
    repeats=$(sed -n 's/^bench repeats=//p' "$tmp/console")
    [ -n "$repeats" ] || { echo "m4_cost: bench firmware failed" >&2; cat "$tmp/console" >&2; exit 1; }
}
count "pv_lock_handle" "$tmp/marks"
# the key (a fob's core on the same M4): its three steps of the exchange
count "pv_key_unlock_start pv_key_on_challenge pv_key_on_result" "$tmp/key_marks"

# flash: code + constants + initial data; RAM: .data + .bss + the stack's high water
arm-none-eabi-size -A "$L" >"$tmp/size"
sec() { awk -v s="$1" '$1 == s { print $2 }' "$tmp/size"; }
flash=$(( $(sec .text) + $(sec .ARM.exidx) + $(sec .init_array) + $(sec .data) ))
sh "$ROOT/tests/m4/test_uart_unlock.sh" "$PV" "$L" >"$tmp/uart" 2>&1 ||
    { echo "m4_cost: UART unlock failed" >&2; cat "$tmp/uart" >&2; exit 1; }
stack=$(sed -n 's/^m4 lock stack peak bytes: //p' "$tmp/uart")

# the Årsta day (portvakt-sim, in-process issuer): how many attempts, verifies and X25519
# the district's lock cores did, priced below with this run's measured costs
SIM="$BUILD/tools/sim/portvakt-sim"
arsta=""
if [ -x "$SIM" ] && "$SIM" --scenario arsta --json --quiet >"$tmp/arsta.json" 2>"$tmp/arsta.err"; then
    arsta=$(grep -o '"lock_energy":{[^}]*}' "$tmp/arsta.json" | sed 's/"lock_energy"://; s/[{}"]//g; s/,/ /g')
fi
awk -v repeats="$repeats" -v arsta="$arsta" -v flash="$flash" -v data="$(sec .data)" -v bss="$(sec .bss)" \
    -v stack="$stack" -v stack_reserved="$(sec .stack)" -f "$ROOT/bench/m4_cost.awk" "$tmp/marks"
awk -v repeats="$repeats" -v side=key -f "$ROOT/bench/m4_cost.awk" "$tmp/key_marks"
