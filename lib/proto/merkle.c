/* Merkle tree over encoded access entries: leaf and node hashes, a streaming root with
 * O(log n) stack, proofs, and proof verification with a recomputed sibling count. */
#include <sodium.h>

#include "portvakt/proto.h"

#include "codec.h"

void pv_merkle_leaf(const uint8_t entry[PV_ENTRY_SIZE], uint8_t out[PV_HASH_SIZE])
{
    crypto_generichash_state st;
    static const uint8_t tag = 0x00;
    crypto_generichash_init(&st, NULL, 0, PV_HASH_SIZE);
    crypto_generichash_update(&st, &tag, 1);
    crypto_generichash_update(&st, entry, PV_ENTRY_SIZE);
    crypto_generichash_final(&st, out, PV_HASH_SIZE);
}

void pv_merkle_node(const uint8_t left[PV_HASH_SIZE], const uint8_t right[PV_HASH_SIZE],
                    uint8_t out[PV_HASH_SIZE])
{
    uint8_t buf[1 + 2 * PV_HASH_SIZE];
    buf[0] = 0x01;
    memcpy(buf + 1, left, PV_HASH_SIZE);
    memcpy(buf + 1 + PV_HASH_SIZE, right, PV_HASH_SIZE);
    crypto_generichash(out, PV_HASH_SIZE, buf, sizeof buf, NULL, 0);
}

unsigned pv_merkle_proof_len(uint32_t index, uint32_t n)
{
    if (n == 0 || n > PV_MERKLE_MAX_LEAVES || index >= n)
        return 0;
    unsigned len = 0;
    while (n > 1) {
        if ((index ^ 1u) < n)
            len++;
        index >>= 1;
        n = (n + 1) >> 1;
    }
    return len;
}

/* Leaves are pushed onto per-level slots like a binary counter; at the end the slots are
 * folded bottom up, an occupied slot pairing with whatever is carried from below (the
 * unpaired last node of a level is carried up unchanged). */
int pv_merkle_root(const uint8_t *entries, uint32_t n, uint8_t root[PV_HASH_SIZE])
{
    if (n == 0 || n > PV_MERKLE_MAX_LEAVES || entries == NULL)
        return PV_E_RANGE;
    uint8_t slot[PV_MERKLE_MAX_DEPTH + 1][PV_HASH_SIZE];
    uint32_t used = 0; /* bit l: slot[l] holds a pending node */
    uint8_t h[PV_HASH_SIZE];
    for (uint32_t i = 0; i < n; i++) {
        pv_merkle_leaf(entries + (size_t)i * PV_ENTRY_SIZE, h);
        unsigned l = 0;
        while (used & (1u << l)) {
            pv_merkle_node(slot[l], h, h);
            used &= ~(1u << l);
            l++;
        }
        memcpy(slot[l], h, PV_HASH_SIZE);
        used |= 1u << l;
    }
    int have = 0;
    for (unsigned l = 0; l <= PV_MERKLE_MAX_DEPTH; l++) {
        if (!(used & (1u << l)))
            continue;
        if (have) {
            pv_merkle_node(slot[l], h, h);
        } else {
            memcpy(h, slot[l], PV_HASH_SIZE);
            have = 1;
        }
    }
    memcpy(root, h, PV_HASH_SIZE);
    return PV_OK;
}

/* The node at level l, position j covers leaves [j*2^l, min((j+1)*2^l, n)) and equals
 * the root of that range on its own, so each sibling is a root over a slice. */
int pv_merkle_prove(const uint8_t *entries, uint32_t n, uint32_t index,
                    uint8_t siblings[][PV_HASH_SIZE], unsigned *nsiblings)
{
    if (n == 0 || n > PV_MERKLE_MAX_LEAVES || index >= n || entries == NULL)
        return PV_E_RANGE;
    unsigned count = 0, level = 0;
    uint32_t i = index, m = n;
    while (m > 1) {
        uint32_t j = i ^ 1u;
        if (j < m) {
            uint32_t start = j << level;
            uint32_t span = 1u << level;
            uint32_t cnt = n - start < span ? n - start : span;
            int rc = pv_merkle_root(entries + (size_t)start * PV_ENTRY_SIZE, cnt, siblings[count]);
            if (rc != PV_OK)
                return rc;
            count++;
        }
        i >>= 1;
        m = (m + 1) >> 1;
        level++;
    }
    *nsiblings = count;
    return PV_OK;
}

int pv_merkle_verify(const uint8_t entry[PV_ENTRY_SIZE], uint32_t index, uint32_t n,
                     const uint8_t siblings[][PV_HASH_SIZE], unsigned nsiblings,
                     const uint8_t root[PV_HASH_SIZE])
{
    if (n == 0 || n > PV_MERKLE_MAX_LEAVES || index >= n)
        return PV_E_RANGE;
    if (nsiblings != pv_merkle_proof_len(index, n))
        return PV_E_PROOF;
    uint8_t h[PV_HASH_SIZE];
    pv_merkle_leaf(entry, h);
    unsigned k = 0;
    uint32_t i = index, m = n;
    while (m > 1) {
        if (i & 1u)
            pv_merkle_node(siblings[k++], h, h);
        else if (i + 1 < m)
            pv_merkle_node(h, siblings[k++], h);
        i >>= 1;
        m = (m + 1) >> 1;
    }
    return sodium_memcmp(h, root, PV_HASH_SIZE) == 0 ? PV_OK : PV_E_PROOF;
}
