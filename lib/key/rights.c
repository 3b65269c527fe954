/* The key's rights: sorted entries plus a cache of the Merkle levels from 64-leaf
 * subtrees up, so any proof costs one 64-leaf subtree (about 130 hashes) and the
 * storage stays near 10.5 bytes per right. */
#include <string.h>

#include "internal.h"

size_t pv_key_cache_nodes(uint32_t max_rights)
{
    size_t m = (max_rights + KEY_BLOCK - 1) / KEY_BLOCK, total = m;
    while (m > 1) {
        m = (m + 1) / 2;
        total += m;
    }
    return total ? total : 1;
}

void pv_key_build_cache(pv_key *k)
{
    uint32_t m = (k->n + KEY_BLOCK - 1) / KEY_BLOCK;
    k->level_off[0] = 0;
    k->level_n[0] = m;
    for (uint32_t j = 0; j < m; j++) {
        uint32_t first = j * KEY_BLOCK;
        uint32_t r = k->n - first < KEY_BLOCK ? k->n - first : KEY_BLOCK;
        /* cannot fail: 1 <= r <= 64 */
        if (pv_merkle_root(k->entries + (size_t)first * PV_ENTRY_SIZE, r, k->cache[j]) != PV_OK)
            memset(k->cache[j], 0, PV_HASH_SIZE);
    }
    unsigned lv = 0;
    while (k->level_n[lv] > 1) {
        uint32_t below = k->level_n[lv], off = k->level_off[lv];
        uint32_t up = (below + 1) / 2, uoff = off + below;
        for (uint32_t j = 0; j < up; j++) {
            if (2 * j + 1 < below)
                pv_merkle_node(k->cache[off + 2 * j], k->cache[off + 2 * j + 1], k->cache[uoff + j]);
            else
                memcpy(k->cache[uoff + j], k->cache[off + 2 * j], PV_HASH_SIZE);
        }
        lv++;
        k->level_off[lv] = uoff;
        k->level_n[lv] = up;
    }
    k->nlevels = lv + 1;
}

int pv_key_prove(const pv_key *k, uint32_t index, uint8_t siblings[][PV_HASH_SIZE],
                 unsigned *nsiblings)
{
    if (!k || !siblings || !nsiblings || index >= k->n)
        return PV_E_RANGE;
    uint32_t j = index / KEY_BLOCK, first = j * KEY_BLOCK;
    uint32_t r = k->n - first < KEY_BLOCK ? k->n - first : KEY_BLOCK;
    unsigned ns = 0;
    int rc = pv_merkle_prove(k->entries + (size_t)first * PV_ENTRY_SIZE, r, index - first,
                             siblings, &ns);
    if (rc != PV_OK)
        return rc;
    uint32_t pos = j;
    for (unsigned lv = 0; lv + 1 < k->nlevels; lv++) {
        uint32_t sib = pos ^ 1u;
        if (sib < k->level_n[lv]) {
            if (ns >= PV_MERKLE_MAX_DEPTH)
                return PV_E_RANGE;
            memcpy(siblings[ns++], k->cache[k->level_off[lv] + sib], PV_HASH_SIZE);
        }
        pos >>= 1;
    }
    if (ns != pv_merkle_proof_len(index, k->n))
        return PV_E_PROOF; /* cache and proto disagree: never send a wrong proof */
    *nsiblings = ns;
    return PV_OK;
}

static void entry_at(const pv_key *k, uint32_t i, pv_entry *e)
{
    if (pv_entry_decode(k->entries + (size_t)i * PV_ENTRY_SIZE, e) != PV_OK)
        memset(e, 0, sizeof *e); /* validated at install: cannot happen */
}

static int key_right_covers(const pv_key *k, uint32_t index, uint64_t t)
{
    pv_entry e;
    entry_at(k, index, &e);
    if (t < k->c.not_before || t >= k->c.not_after)
        return 0;
    uint64_t start = k->c.not_before + (uint64_t)e.start_min * 60u;
    uint64_t end = k->c.not_before + (uint64_t)e.end_min * 60u;
    return t >= start && t < end;
}

/* Index of the first entry whose lock id is >= lock_id (entries are sorted). */
static uint32_t first_entry(const pv_key *k, uint32_t lock_id)
{
    uint32_t lo = 0, hi = k->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        pv_entry e;
        entry_at(k, mid, &e);
        if (e.lock_id < lock_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int64_t pv_key_find_right(const pv_key *k, uint32_t lock_id, uint64_t t, int *any)
{
    *any = 0;
    for (uint32_t i = first_entry(k, lock_id); i < k->n; i++) {
        pv_entry e;
        entry_at(k, i, &e);
        if (e.lock_id != lock_id)
            break;
        *any = 1;
        if (key_right_covers(k, i, t))
            return i;
    }
    return -1;
}

int pv_key_right_later(const pv_key *k, uint32_t lock_id, uint64_t t)
{
    for (uint32_t i = first_entry(k, lock_id); i < k->n; i++) {
        pv_entry e;
        entry_at(k, i, &e);
        if (e.lock_id != lock_id)
            break;
        uint64_t start = k->c.not_before + (uint64_t)e.start_min * 60u;
        if (start > t && start < k->c.not_after)
            return 1;
    }
    return 0;
}
