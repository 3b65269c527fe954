/* The door the unlock benchmarks measure (see door_kit.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "door_kit.h"

void door_die(const char *what, int rc)
{
    fprintf(stderr, "bench: %s: %s\n", what, pv_strerror(rc));
    exit(1);
}

/* Issuer, a commissioned lock, and a key holding `rights` rights of which one opens it. */
void door_setup(door *d, uint32_t rights)
{
    memset(d, 0, sizeof *d);
    d->rights = rights;
    uint8_t seed[32] = {1};
    crypto_sign_seed_keypair(d->issuer_pk, d->issuer_sk, seed);

    pv_sim_lock_init(&d->lock, BENCH_NOW, 7);
    int rc = pv_sim_lock_boot(&d->lock);
    if (rc != PV_OK)
        door_die("lock boot", rc);
    pv_lock_setup setup = {.lock_id = BENCH_LOCK, .time = BENCH_NOW, .nissuers = 1};
    uint8_t lock_pk[PV_PK_SIZE], lseed[32] = {2};
    crypto_sign_seed_keypair(lock_pk, setup.lock_sk, lseed);
    setup.issuers[0] = (pv_lock_issuer){.issuer_id = 1, .nscopes = 1,
                                        .scopes = {{1, UINT32_MAX}}};
    memcpy(setup.issuers[0].pk, d->issuer_pk, PV_PK_SIZE);
    if ((rc = pv_lock_commission(d->lock.lock, &setup)) != PV_OK)
        door_die("commission", rc);

    size_t size = pv_key_mem_size(rights);
    d->key_mem = aligned_alloc(16, (size + 15) & ~(size_t)15);
    d->entries = malloc((size_t)rights * PV_ENTRY_SIZE);
    if (!d->key_mem || !d->entries)
        door_die("memory", PV_E_NOMEM);
    door_rekey(d, 42);

    /* every other lock id, with BENCH_LOCK in the middle of the bearer's rights */
    for (uint32_t i = 0; i < rights; i++) {
        pv_entry e = {.lock_id = BENCH_LOCK - 2 * (rights / 2) + 2 * i, .start_min = 0,
                      .end_min = 600, .flags = PV_ENTRY_F_APARTMENT};
        pv_entry_encode(&e, d->entries + (size_t)i * PV_ENTRY_SIZE);
    }
    door_issue(d, 1);
}

void door_rekey(door *d, uint32_t bearer_id)
{
    uint8_t bsk[PV_SIGN_SK_SIZE], bseed[32] = {3, (uint8_t)bearer_id};
    crypto_sign_seed_keypair(d->bearer_pk, bsk, bseed);
    d->bearer_id = bearer_id;
    int rc = pv_sim_key_init(&d->key, d->key_mem, pv_key_mem_size(d->rights), d->rights, bsk,
                             BENCH_NOW, 9);
    sodium_memzero(bsk, sizeof bsk);
    if (rc != PV_OK)
        door_die("key init", rc);
}


void door_unlock(door *d, pv_sim_unlock_stats *st)
{
    /* a visit every few minutes: the door is outside any backoff and its log has events */
    pv_sim_clock_advance(&d->key.clock, 1000);
    pv_sim_clock_advance(&d->lock.clock, 1000);
    int rc = pv_sim_unlock(&d->key, &d->lock, 5, st);
    if (rc != PV_OK)
        door_die("unlock", rc);
}

void door_issue(door *d, uint64_t serial)
{
    uint32_t rights = d->rights;
    pv_cred c = {.issuer_id = 1, .serial = serial, .bearer_id = d->bearer_id, .entry_count = rights,
                 .issued_at = BENCH_NOW, .not_before = BENCH_NOW,
                 .not_after = BENCH_NOW + 10 * 3600};
    uint8_t cred[PV_CRED_SIZE], beacon[PV_BEACON_SIZE], rl[PV_REVLIST_MAX_SIZE];
    size_t rllen;
    pv_beacon b = {.issuer_id = 1, .time = BENCH_NOW + 60};
    if (pv_bearer_x_pk(d->bearer_pk, c.bearer_pk) != PV_OK ||
        pv_merkle_root(d->entries, rights, c.root) != PV_OK ||
        pv_cred_sign(&c, d->issuer_sk, cred) != PV_OK ||
        pv_beacon_sign(&b, d->issuer_sk, beacon) != PV_OK ||
        pv_revlist_sign(1, 1, BENCH_NOW, NULL, 0, d->issuer_sk, rl, sizeof rl, &rllen) != PV_OK)
        door_die("issue", PV_E_CRYPTO);
    int rc = pv_key_install(d->key.key, cred, sizeof cred, d->entries,
                            (size_t)rights * PV_ENTRY_SIZE, rl, rllen, beacon, sizeof beacon);
    if (rc != PV_OK)
        door_die("install", rc);
}
