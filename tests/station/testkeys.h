/* Deterministic test identities shared by the station tests and their fake server. */
#ifndef PVT_TESTKEYS_H
#define PVT_TESTKEYS_H

#include <sodium.h>
#include <stdint.h>
#include <string.h>

#define PVT_BLOCKED_BEARER 666

static inline void pvt_seeded_keys(const char *dom, uint32_t id, uint8_t pk[32], uint8_t sk[64])
{
    uint8_t seed[32], in[64];
    size_t n = strlen(dom);
    memcpy(in, dom, n);
    for (int i = 0; i < 4; i++)
        in[n + (size_t)i] = (uint8_t)(id >> (8 * i));
    crypto_generichash(seed, 32, in, n + 4, NULL, 0);
    crypto_sign_seed_keypair(pk, sk, seed);
}

static inline void pvt_bearer_keys(uint32_t id, uint8_t pk[32], uint8_t sk[64])
{
    pvt_seeded_keys("pv-test-bearer", id, pk, sk);
}

#endif
