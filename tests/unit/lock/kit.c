/* Test kit for the door tests (see kit.h). */
#include <string.h>

#include <sodium.h>

#include "kit.h"

int kit_failures;

void kit_issuer_new(kit_issuer *is, uint32_t id)
{
    uint8_t seed[32] = {0};
    memcpy(seed, &id, sizeof id);
    seed[31] = 0x15;
    is->id = id;
    crypto_sign_seed_keypair(is->pk, is->sk, seed);
}

pv_sim_lock *kit_lock_new(uint32_t lock_id, const kit_issuer *is, uint32_t lo, uint32_t hi)
{
    const kit_issuer *one[1] = {is};
    uint32_t los[1] = {lo}, his[1] = {hi};
    return kit_lock_new_multi(lock_id, one, los, his, 1);
}

pv_sim_lock *kit_lock_new_multi(uint32_t lock_id, const kit_issuer *const *is,
                                const uint32_t *lo, const uint32_t *hi, unsigned n)
{
    pv_sim_lock *l = calloc(1, sizeof *l);
    if (!l)
        abort();
    pv_sim_lock_init(l, KIT_T0, 0);
    if (pv_sim_lock_boot(l) != PV_OK)
        abort();
    pv_lock_setup c;
    memset(&c, 0, sizeof c);
    c.lock_id = lock_id;
    uint8_t pk[32];
    crypto_sign_keypair(pk, c.lock_sk);
    c.time = KIT_T0;
    c.nissuers = (uint8_t)n;
    for (unsigned i = 0; i < n && i < PV_LOCK_MAX_ISSUERS; i++) {
        c.issuers[i].issuer_id = is[i]->id;
        memcpy(c.issuers[i].pk, is[i]->pk, 32);
        c.issuers[i].nscopes = 1;
        c.issuers[i].scopes[0].lo = lo[i];
        c.issuers[i].scopes[0].hi = hi[i];
    }
    if (pv_lock_commission(l->lock, &c) != PV_OK)
        abort();
    return l;
}

void kit_lock_free(pv_sim_lock *l)
{
    free(l);
}

uint32_t kit_lock_id(uint32_t i)
{
    return 1000u + 3u * i;
}

uint8_t *kit_entries(uint32_t n, uint16_t end_min)
{
    uint8_t *e = malloc((size_t)n * PV_ENTRY_SIZE);
    if (!e)
        abort();
    for (uint32_t i = 0; i < n; i++) {
        pv_entry x = {.lock_id = kit_lock_id(i), .start_min = 0, .end_min = end_min,
                      .flags = PV_ENTRY_F_APARTMENT};
        pv_entry_encode(&x, e + (size_t)i * PV_ENTRY_SIZE);
    }
    return e;
}

int kit_bearer_new(kit_bearer *b, uint32_t bearer_id, uint32_t max_rights, uint64_t seed)
{
    memset(b, 0, sizeof *b);
    b->bearer_id = bearer_id;
    crypto_sign_keypair(b->id_pk, b->id_sk);
    if (pv_bearer_x_keys(b->id_sk, b->x_sk, b->x_pk) != PV_OK)
        return PV_E_CRYPTO;
    size_t need = pv_key_mem_size(max_rights);
    b->mem = aligned_alloc(16, (need + 15) & ~(size_t)15);
    if (!b->mem)
        abort();
    return pv_sim_key_init(&b->sim, b->mem, need, max_rights, b->id_sk, KIT_T0, seed);
}

void kit_bearer_free(kit_bearer *b)
{
    free(b->mem);
    free(b->entries);
}

int kit_issue_window(kit_bearer *b, const kit_issuer *is, uint32_t n, uint64_t nb, uint64_t na,
                     uint64_t ia)
{
    free(b->entries);
    b->entries = kit_entries(n, 24 * 60);
    b->n = n;
    pv_cred c;
    memset(&c, 0, sizeof c);
    c.issuer_id = is->id;
    c.serial = 7;
    c.bearer_id = b->bearer_id;
    c.entry_count = n;
    c.issued_at = ia;
    c.not_before = nb;
    c.not_after = na;
    memcpy(c.bearer_pk, b->x_pk, 32);
    int rc = pv_merkle_root(b->entries, n, c.root);
    if (rc != PV_OK)
        return rc;
    rc = pv_cred_sign(&c, is->sk, b->cred);
    if (rc != PV_OK)
        return rc;
    return pv_key_install(b->sim.key, b->cred, PV_CRED_SIZE, b->entries,
                          (size_t)n * PV_ENTRY_SIZE, NULL, 0, NULL, 0);
}

int kit_issue(kit_bearer *b, const kit_issuer *is, uint32_t n, const uint8_t *rl, size_t rl_len,
              const uint8_t *beacon)
{
    int rc = kit_issue_window(b, is, n, KIT_T0 - 3600, KIT_T0 + 12 * 3600, KIT_T0 - 3600);
    if (rc != PV_OK || (!rl && !beacon))
        return rc;
    return pv_key_update(b->sim.key, rl, rl_len, beacon, beacon ? PV_BEACON_SIZE : 0);
}

void kit_beacon(const kit_issuer *is, uint64_t time, uint8_t out[PV_BEACON_SIZE])
{
    pv_beacon b = {.issuer_id = is->id, .time = time};
    if (pv_beacon_sign(&b, is->sk, out) != PV_OK)
        abort();
}

size_t kit_revlist(const kit_issuer *is, uint64_t version, const pv_revoked *r, uint16_t n,
                   uint8_t *out)
{
    return kit_revlist_at(is, version, KIT_T0, r, n, out);
}

size_t kit_revlist_at(const kit_issuer *is, uint64_t version, uint64_t issued_at,
                      const pv_revoked *r, uint16_t n, uint8_t *out)
{
    size_t len = 0;
    if (pv_revlist_sign(is->id, version, issued_at, r, n, is->sk, out, PV_REVLIST_MAX_SIZE,
                        &len) != PV_OK)
        abort();
    return len;
}

void kit_advance(pv_sim_lock *l, kit_bearer *b, uint64_t ms)
{
    pv_sim_clock_advance(&l->clock, ms);
    if (b)
        pv_sim_clock_advance(&b->sim.clock, ms);
}

void kit_present(kit_bearer *b, uint32_t index, pv_present *p, uint8_t sib[][PV_HASH_SIZE])
{
    unsigned ns = 0;
    if (pv_key_prove(b->sim.key, index, sib, &ns) != PV_OK)
        abort();
    memset(p, 0, sizeof *p);
    p->cred = b->cred;
    p->entry = b->entries + (size_t)index * PV_ENTRY_SIZE;
    p->leaf_index = index;
    p->nsiblings = (uint8_t)ns;
    p->siblings = &sib[0][0];
}

int kit_raw_attempt(pv_sim_lock *l, uint32_t issuer_id, kit_raw *r)
{
    pv_session s;
    uint8_t rnd[32], m2[PV_MSG_MAX], m4[PV_MSG_MAX];
    size_t n2 = 0;
    randombytes_buf(rnd, sizeof rnd);
    r->m3_len = r->m4_len = 0;
    r->result_ok = 0;
    if (pv_key_hs_start(&s, issuer_id, rnd, r->m1) != PV_OK)
        abort();
    int rc = pv_lock_handle(l->lock, r->m1, PV_HELLO_SIZE, m2, sizeof m2, &n2);
    if (n2 == 0)
        return rc;
    pv_challenge ch;
    if (pv_key_hs_challenge(&s, m2, n2, &ch, r->x_sk) != PV_OK)
        abort();
    if (pv_key_hs_present(&s, r->p, r->m3, sizeof r->m3, &r->m3_len) != PV_OK)
        abort();
    if (r->flip >= 0 && (size_t)r->flip < r->m3_len)
        r->m3[r->flip] ^= 0x01;
    pv_sim_clock_advance(&l->clock, r->delay_ms);
    rc = pv_lock_handle(l->lock, r->m3, r->m3_len, m4, sizeof m4, &r->m4_len);
    if (r->m4_len > 0 &&
        pv_key_hs_result(&s, m4, r->m4_len, r->scratch, sizeof r->scratch, &r->result) == PV_OK)
        r->result_ok = 1;
    pv_session_wipe(&s);
    return rc;
}
