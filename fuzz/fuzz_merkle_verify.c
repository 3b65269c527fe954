/* libFuzzer driver for pv_merkle_verify. Input: n u32 | index u32 | nsiblings u8 |
 * entry[10] | root[32] | siblings | entries. (1) The raw proof never crashes and is only
 * accepted with the recomputed sibling count; (2) a tree over the trailing entries gives
 * proofs that verify at their index and fail when a sibling or the index changes. */
#include <stdlib.h>
#include <string.h>

#include "portvakt/proto.h"
#include "portvakt/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR 51u
#define TREE_MAX 300u

static void raw_proof(const uint8_t *data, size_t size)
{
    uint32_t n = pv_load32_le(data);
    uint32_t index = pv_load32_le(data + 4);
    unsigned ns = data[8];
    if ((size - HDR) / PV_HASH_SIZE < ns)
        ns = (unsigned)((size - HDR) / PV_HASH_SIZE);
    int rc = pv_merkle_verify(data + 9, index, n, (const uint8_t(*)[PV_HASH_SIZE])(data + HDR),
                              ns, data + 19);
    if (rc == PV_OK && (index >= n || ns != pv_merkle_proof_len(index, n)))
        abort();
    if (rc != PV_OK && rc != PV_E_PROOF && rc != PV_E_RANGE)
        abort();
}

static int all_distinct(const uint8_t *entries, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = i + 1; j < n; j++)
            if (memcmp(entries + (size_t)i * PV_ENTRY_SIZE, entries + (size_t)j * PV_ENTRY_SIZE,
                       PV_ENTRY_SIZE) == 0)
                return 0;
    return 1;
}

static void tree_proofs(const uint8_t *entries, uint32_t n, uint32_t pick)
{
    uint8_t root[PV_HASH_SIZE], sib[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
    unsigned ns;
    if (pv_merkle_root(entries, n, root) != PV_OK)
        abort();
    uint32_t index = pick % n;
    if (pv_merkle_prove(entries, n, index, sib, &ns) != PV_OK ||
        ns != pv_merkle_proof_len(index, n))
        abort();
    const uint8_t *e = entries + (size_t)index * PV_ENTRY_SIZE;
    if (pv_merkle_verify(e, index, n, (const uint8_t(*)[PV_HASH_SIZE])sib, ns, root) != PV_OK)
        abort();
    /* another index must fail, unless duplicate entries make identical subtrees (a real
     * credential's entries are strictly sorted, so never) */
    if (n > 1 && all_distinct(entries, n) &&
        pv_merkle_verify(e, (index + 1) % n, n, (const uint8_t(*)[PV_HASH_SIZE])sib, ns,
                         root) == PV_OK)
        abort();
    if (ns > 0) {
        sib[pick % ns][pick % PV_HASH_SIZE] ^= 0x01;
        if (pv_merkle_verify(e, index, n, (const uint8_t(*)[PV_HASH_SIZE])sib, ns, root) == PV_OK)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HDR)
        return 0;
    raw_proof(data, size);
    size_t rest = size - HDR;
    uint32_t n = (uint32_t)(rest / PV_ENTRY_SIZE);
    if (n > TREE_MAX)
        n = TREE_MAX;
    if (n > 0)
        tree_proofs(data + size - (size_t)n * PV_ENTRY_SIZE, n, pv_load16_le(data + 4));
    return 0;
}
