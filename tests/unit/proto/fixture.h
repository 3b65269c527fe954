/* Shared test fixture for the lib/proto tests: deterministic issuer, bearer and lock keys
 * from fixed seeds, a sorted entry set, and a signed credential over it. */
#ifndef PV_TEST_PROTO_FIXTURE_H
#define PV_TEST_PROTO_FIXTURE_H

#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "portvakt/proto.h"

#define FX_MAX_ENTRIES 64u

typedef struct fx_world {
    uint8_t issuer_pk[32], issuer_sk[64];
    uint8_t bearer_pk[32], bearer_sk[64];
    uint8_t bearer_x_pk[32], bearer_x_sk[32];
    uint8_t lock_pk[32], lock_sk[64];
    uint32_t n;
    uint8_t entries[FX_MAX_ENTRIES * PV_ENTRY_SIZE];
    pv_cred cred;
    uint8_t cred_bytes[PV_CRED_SIZE];
} fx_world;

static inline void fx_seed_keypair(uint8_t tag, uint8_t pk[32], uint8_t sk[64])
{
    uint8_t seed[32];
    memset(seed, tag, sizeof seed);
    crypto_sign_seed_keypair(pk, sk, seed);
}

/* Entries for locks 1000, 1010, ... each with one window [0, 600) minutes. */
static inline int fx_world_init(fx_world *w, uint32_t n)
{
    if (sodium_init() < 0 || n == 0 || n > FX_MAX_ENTRIES)
        return -1;
    memset(w, 0, sizeof *w);
    fx_seed_keypair(0x11, w->issuer_pk, w->issuer_sk);
    fx_seed_keypair(0x22, w->bearer_pk, w->bearer_sk);
    fx_seed_keypair(0x33, w->lock_pk, w->lock_sk);
    if (pv_bearer_x_keys(w->bearer_sk, w->bearer_x_sk, w->bearer_x_pk) != PV_OK)
        return -1;
    w->n = n;
    for (uint32_t i = 0; i < n; i++) {
        pv_entry e = {.lock_id = 1000 + 10 * i, .start_min = 0, .end_min = 600,
                      .flags = PV_ENTRY_F_APARTMENT};
        pv_entry_encode(&e, w->entries + i * PV_ENTRY_SIZE);
    }
    w->cred.issuer_id = 7;
    w->cred.serial = 42;
    w->cred.bearer_id = 17;
    w->cred.entry_count = n;
    w->cred.issued_at = 1700000000;
    w->cred.not_before = 1700000000;
    w->cred.not_after = 1700000000 + 12 * 3600;
    memcpy(w->cred.bearer_pk, w->bearer_x_pk, 32);
    if (pv_merkle_root(w->entries, n, w->cred.root) != PV_OK)
        return -1;
    return pv_cred_sign(&w->cred, w->issuer_sk, w->cred_bytes) == PV_OK ? 0 : -1;
}

#endif
