/* The fuzz drivers' fixed signing key: derived once per process from a repeated seed
 * byte, so a driver can re-sign what it decoded and compare bodies. */
#ifndef PV_FUZZ_KEYS_H
#define PV_FUZZ_KEYS_H

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Fill pk/sk from 32 bytes of `tag` on the first call (sodium_init included); abort if
 * libsodium cannot start, since no input could be judged then. */
static inline void fuzz_keys_once(uint8_t tag, uint8_t pk[32], uint8_t sk[64])
{
    static int ready;
    if (ready)
        return;
    uint8_t seed[32];
    memset(seed, tag, sizeof seed);
    if (sodium_init() < 0 || crypto_sign_seed_keypair(pk, sk, seed) != 0)
        abort();
    ready = 1;
}

#endif
