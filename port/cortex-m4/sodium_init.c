/* libsodium's initialisation as the lock firmware needs it: nothing. The cross-built
 * libsodium (scripts/m4-libsodium.sh: --disable-asm, no CPU features to probe) starts with
 * its portable implementations selected statically, which is all sodium_init() would pick
 * on a Cortex-M4; the firmware takes random bytes through its ops, never from randombytes.
 * Linking libsodium's own sodium_init() would pull in what it initialises for other
 * programs (Argon2, Salsa20, the /dev/urandom reader, abort and stdio): about 11 KB of
 * flash the lock never runs. A second definition (core.o pulled in by another symbol)
 * fails the link, so this file can never silently shadow a libsodium that needs more. */
#include <sodium.h>

#include "board.h"

int sodium_init(void)
{
    return 0;
}

/* What libsodium calls on an API misuse (e.g. an AEAD message over its limit): stop. */
void sodium_misuse(void)
{
    pv_m4_puts("libsodium misuse\n");
    pv_m4_exit(134);
}
