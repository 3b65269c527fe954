#!/bin/sh
# Runs one firmware image on qemu-system-arm -M mps2-an386 and exits with its exit code.
# The TRNG stand-in gets a fresh seed each run (printed, so a failure can be replayed with
# PV_M4_SEED); console output (semihosting) goes to stdout; UART0 (the lock's radio) is
# PV_M4_RADIO (a QEMU -serial argument, e.g. chardev:radio), unconnected by default.
#   run_qemu.sh IMAGE.elf [extra qemu arguments]
set -eu
IMG=$1; shift
SEED=${PV_M4_SEED:-$(od -An -N6 -tu8 /dev/urandom | tr -d ' ')}
echo "m4: $(basename "$IMG") seed=$SEED"
exec qemu-system-arm -M mps2-an386 -nographic -monitor none -serial "${PV_M4_RADIO:-none}" \
    -semihosting-config enable=on,target=native -kernel "$IMG" \
    -device loader,addr=0x21100000,data="$SEED",data-len=8 "$@"
