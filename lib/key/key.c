/* The bearer core's memory, identity, sync install, own log and collected lock batches. */
#include <stdalign.h>
#include <string.h>

#include <sodium.h>

#include "internal.h"

const char *pv_key_state_name(pv_key_state s)
{
    switch (s) {
    case PV_KEY_EMPTY:
        return "empty";
    case PV_KEY_READY:
        return "ready";
    case PV_KEY_HELLO_SENT:
        return "hello-sent";
    case PV_KEY_PRESENTED:
        return "presented";
    default:
        PV_ASSERT(!"unknown state");
        return "unknown";
    }
}

static size_t align8(size_t n)
{
    return (n + 7u) & ~(size_t)7u;
}

size_t pv_key_mem_size(uint32_t max_rights)
{
    if (max_rights == 0 || max_rights > PV_MERKLE_MAX_LEAVES)
        return 0;
    return align8(sizeof(pv_key)) + align8((size_t)max_rights * PV_ENTRY_SIZE) +
           pv_key_cache_nodes(max_rights) * PV_HASH_SIZE;
}

int pv_key_init(void *mem, size_t size, uint32_t max_rights, const pv_key_ops *ops,
                const uint8_t sign_sk[PV_SIGN_SK_SIZE], pv_key **out)
{
    if (!mem || !ops || !ops->tick_ms || !ops->now_s || !ops->random || !sign_sk || !out ||
        (uintptr_t)mem % alignof(pv_key) != 0)
        return PV_E_ARG;
    size_t need = pv_key_mem_size(max_rights);
    if (need == 0)
        return PV_E_RANGE;
    if (size < need)
        return PV_E_BUFSIZE;
    if (sodium_init() < 0)
        return PV_E_CRYPTO;
    pv_key *k = mem;
    memset(k, 0, sizeof *k);
    k->ops = ops;
    k->max_rights = max_rights;
    k->entries = (uint8_t *)mem + align8(sizeof(pv_key));
    k->cache = (uint8_t(*)[PV_HASH_SIZE])(k->entries + align8((size_t)max_rights * PV_ENTRY_SIZE));
    memcpy(k->sign_sk, sign_sk, PV_SIGN_SK_SIZE);
    memcpy(k->sign_pk, sign_sk + 32, PV_PK_SIZE); /* libsodium sk = seed || pk */
    int rc = pv_bearer_x_keys(k->sign_sk, k->x_sk, k->x_pk);
    if (rc != PV_OK) {
        pv_key_wipe(k);
        return rc;
    }
    k->state = PV_KEY_EMPTY;
    *out = k;
    return PV_OK;
}

void pv_key_wipe(pv_key *k)
{
    if (!k)
        return;
    sodium_memzero(k->sign_sk, sizeof k->sign_sk);
    sodium_memzero(k->x_sk, sizeof k->x_sk);
    pv_session_wipe(&k->s);
    sodium_memzero(k->scratch, sizeof k->scratch);
}

void pv_key_identity(const pv_key *k, uint8_t sign_pk[PV_PK_SIZE], uint8_t x_pk[PV_PK_SIZE])
{
    memcpy(sign_pk, k->sign_pk, PV_PK_SIZE);
    memcpy(x_pk, k->x_pk, PV_PK_SIZE);
}

int pv_key_set_issuer(pv_key *k, uint32_t issuer_id, const uint8_t pk[PV_PK_SIZE])
{
    if (!k || !pk)
        return PV_E_ARG;
    k->issuer_pinned = 1;
    k->issuer_id = issuer_id;
    memcpy(k->issuer_pk, pk, PV_PK_SIZE);
    return PV_OK;
}

int pv_key_sync_sign(const pv_key *k, const uint8_t nonce[32], uint32_t bearer_id,
                     uint8_t sig[PV_SIG_SIZE])
{
    static const char dom[] = "portvakt-sync-v1"; /* sent with its terminating 0x00 */
    uint8_t msg[sizeof dom + 32 + 4];
    memcpy(msg, dom, sizeof dom);
    memcpy(msg + sizeof dom, nonce, 32);
    for (int i = 0; i < 4; i++)
        msg[sizeof dom + 32 + i] = (uint8_t)(bearer_id >> (8 * i));
    return crypto_sign_detached(sig, NULL, msg, sizeof msg, k->sign_sk) == 0 ? PV_OK
                                                                              : PV_E_CRYPTO;
}

/* Strictly sorted, well-formed entries whose root is the credential's. */
static int entries_check(const pv_cred *c, const uint8_t *entries, uint32_t n)
{
    pv_entry prev, e;
    for (uint32_t i = 0; i < n; i++) {
        int rc = pv_entry_decode(entries + (size_t)i * PV_ENTRY_SIZE, &e);
        if (rc != PV_OK)
            return rc;
        if (i > 0 && pv_entry_cmp(&prev, &e) >= 0)
            return PV_E_ORDER;
        prev = e;
    }
    uint8_t root[PV_HASH_SIZE];
    int rc = pv_merkle_root(entries, n, root);
    if (rc != PV_OK)
        return rc;
    return sodium_memcmp(root, c->root, PV_HASH_SIZE) == 0 ? PV_OK : PV_E_PROOF;
}

/* Check (and with a pinned issuer, verify) optional list and beacon. */
static int updates_check(const pv_key *k, const uint8_t *rl, size_t rl_len, const uint8_t *b,
                         size_t b_len, pv_revlist *r, pv_beacon *bc)
{
    int rc;
    if (rl) {
        if ((rc = pv_revlist_decode(rl, rl_len, r)) != PV_OK)
            return rc;
        if (k->issuer_pinned && (r->issuer_id != k->issuer_id ||
                                 pv_revlist_verify(rl, rl_len, k->issuer_pk) != PV_OK))
            return PV_E_SIGNATURE;
    }
    if (b) {
        if ((rc = pv_beacon_decode(b, b_len, bc)) != PV_OK)
            return rc;
        if (k->issuer_pinned && (bc->issuer_id != k->issuer_id ||
                                 pv_beacon_verify(b, k->issuer_pk) != PV_OK))
            return PV_E_SIGNATURE;
    }
    return PV_OK;
}

static void updates_take(pv_key *k, const uint8_t *rl, size_t rl_len, const pv_revlist *r,
                         const uint8_t *b, const pv_beacon *bc)
{
    if (rl && r->version >= k->revlist_version) {
        memcpy(k->revlist, rl, rl_len);
        k->revlist_len = (uint16_t)rl_len;
        k->revlist_version = r->version;
        k->revlist_issuer = r->issuer_id;
    }
    if (b && bc->time >= k->beacon_time) {
        memcpy(k->beacon, b, PV_BEACON_SIZE);
        k->beacon_time = bc->time;
        k->beacon_issuer = bc->issuer_id;
    }
}

/* Lists and beacons are compared with the lock's state for the credential's issuer:
 * one from another issuer is refused (PV_E_UNKNOWN_ISSUER). */
static int updates_issuer(const uint8_t *rl, const pv_revlist *r, const uint8_t *b,
                          const pv_beacon *bc, uint32_t issuer_id)
{
    if ((rl && r->issuer_id != issuer_id) || (b && bc->issuer_id != issuer_id))
        return PV_E_UNKNOWN_ISSUER;
    return PV_OK;
}

/* A new credential from another issuer: what the key carried for the old one would be
 * compared with the wrong versions (and would keep the new issuer's lower-numbered
 * lists out), so it goes. */
static void updates_rebase(pv_key *k, uint32_t issuer_id)
{
    if (k->revlist_len > 0 && k->revlist_issuer != issuer_id) {
        sodium_memzero(k->revlist, sizeof k->revlist);
        k->revlist_len = 0;
        k->revlist_version = 0;
    }
    if (k->beacon_time > 0 && k->beacon_issuer != issuer_id) {
        k->beacon_time = 0;
        memset(k->beacon, 0, sizeof k->beacon);
    }
}

int pv_key_install(pv_key *k, const uint8_t *cred, size_t cred_len, const uint8_t *entries,
                   size_t entries_len, const uint8_t *revlist, size_t revlist_len,
                   const uint8_t *beacon, size_t beacon_len)
{
    if (!k || !cred || !entries || k->state == PV_KEY_HELLO_SENT ||
        k->state == PV_KEY_PRESENTED)
        return !k || !cred || !entries ? PV_E_ARG : PV_E_STATE;
    pv_cred c;
    int rc = pv_cred_decode(cred, cred_len, &c);
    if (rc != PV_OK)
        return rc;
    if (sodium_memcmp(c.bearer_pk, k->x_pk, PV_PK_SIZE) != 0)
        return PV_E_POSSESSION; /* a credential for another key is useless here */
    if (entries_len % PV_ENTRY_SIZE != 0 || entries_len / PV_ENTRY_SIZE != c.entry_count)
        return PV_E_RANGE;
    if (c.entry_count > k->max_rights)
        return PV_E_FULL;
    if (k->issuer_pinned &&
        (c.issuer_id != k->issuer_id || pv_cred_verify(cred, k->issuer_pk) != PV_OK))
        return PV_E_SIGNATURE;
    pv_revlist r;
    pv_beacon bc;
    rc = updates_check(k, revlist, revlist_len, beacon, beacon_len, &r, &bc);
    if (rc == PV_OK)
        rc = updates_issuer(revlist, &r, beacon, &bc, c.issuer_id);
    if (rc != PV_OK)
        return rc;
    rc = entries_check(&c, entries, c.entry_count);
    if (rc != PV_OK)
        return rc;
    updates_rebase(k, c.issuer_id);
    memcpy(k->cred, cred, PV_CRED_SIZE);
    k->c = c;
    k->n = c.entry_count;
    memmove(k->entries, entries, entries_len);
    pv_key_build_cache(k);
    updates_take(k, revlist, revlist_len, &r, beacon, &bc);
    k->state = PV_KEY_READY;
    return PV_OK;
}

int pv_key_update(pv_key *k, const uint8_t *revlist, size_t revlist_len, const uint8_t *beacon,
                  size_t beacon_len)
{
    if (!k)
        return PV_E_ARG;
    pv_revlist r;
    pv_beacon bc;
    int rc = updates_check(k, revlist, revlist_len, beacon, beacon_len, &r, &bc);
    if (rc == PV_OK && k->state != PV_KEY_EMPTY)
        rc = updates_issuer(revlist, &r, beacon, &bc, k->c.issuer_id);
    if (rc != PV_OK)
        return rc;
    int newer = (revlist && r.version > k->revlist_version) || (beacon && bc.time > k->beacon_time);
    if (!newer)
        return PV_E_STALE;
    updates_take(k, revlist, revlist_len, &r, beacon, &bc);
    return PV_OK;
}

int pv_key_credential(const pv_key *k, pv_cred *c)
{
    if (!k || !c)
        return PV_E_ARG;
    if (k->state == PV_KEY_EMPTY)
        return PV_E_NO_CREDENTIAL;
    *c = k->c;
    return PV_OK;
}

uint32_t pv_key_rights(const pv_key *k)
{
    return k->n;
}

pv_key_state pv_key_get_state(const pv_key *k)
{
    return k->state;
}

/* ------------------------------------------------------------------ own log */

void pv_key_log(pv_key *k, uint32_t lock_id, int opened, int reason)
{
    uint32_t slot = (k->log_head + k->log_count) % PV_KEY_LOG_MAX;
    if (k->log_count == PV_KEY_LOG_MAX)
        k->log_head = (k->log_head + 1) % PV_KEY_LOG_MAX; /* oldest goes: bounded memory */
    else
        k->log_count++;
    pv_key_log_entry *e = &k->log[slot];
    e->seq = k->log_seq++;
    e->time = k->ops->now_s(k->ops->ctx);
    e->lock_id = lock_id;
    e->opened = (uint8_t)opened;
    e->reason = reason;
}

uint32_t pv_key_log_count(const pv_key *k)
{
    return k->log_count;
}

int pv_key_log_get(const pv_key *k, uint32_t i, pv_key_log_entry *e)
{
    if (!k || !e || i >= k->log_count)
        return PV_E_RANGE;
    *e = k->log[(k->log_head + i) % PV_KEY_LOG_MAX];
    return PV_OK;
}

void pv_key_log_ack(pv_key *k, uint32_t upto)
{
    while (k->log_count > 0 && k->log[k->log_head].seq < upto) {
        k->log_head = (k->log_head + 1) % PV_KEY_LOG_MAX;
        k->log_count--;
    }
}

/* ------------------------------------------------------------------ lock batches */

void pv_key_store_batch(pv_key *k, const uint8_t *b, size_t len)
{
    if (len > PV_LOGBATCH_MAX_SIZE)
        return;
    if (k->batch_count == PV_KEY_BATCH_MAX) {
        k->batch_head = (k->batch_head + 1) % PV_KEY_BATCH_MAX; /* server sees the gap */
        k->batch_count--;
        k->batch_dropped++;
    }
    uint32_t slot = (k->batch_head + k->batch_count) % PV_KEY_BATCH_MAX;
    memcpy(k->batches[slot], b, len);
    k->batch_len[slot] = (uint16_t)len;
    k->batch_count++;
}

uint32_t pv_key_batch_count(const pv_key *k)
{
    return k->batch_count;
}

int pv_key_batch_get(const pv_key *k, uint32_t i, const uint8_t **batch, size_t *len)
{
    if (!k || !batch || !len || i >= k->batch_count)
        return PV_E_RANGE;
    uint32_t slot = (k->batch_head + i) % PV_KEY_BATCH_MAX;
    *batch = k->batches[slot];
    *len = k->batch_len[slot];
    return PV_OK;
}

void pv_key_batch_ack(pv_key *k, uint32_t n)
{
    if (n > k->batch_count)
        n = k->batch_count;
    k->batch_head = (k->batch_head + n) % PV_KEY_BATCH_MAX;
    k->batch_count -= n;
    k->batch_dropped = 0;
}

uint32_t pv_key_batch_dropped(const pv_key *k)
{
    return k->batch_dropped;
}
