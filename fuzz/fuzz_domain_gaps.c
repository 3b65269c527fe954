/* Fuzzes the lock-log gap bookkeeping with batches arriving in any order. Invariants: gaps
 * stay sorted, disjoint and below the next expected seq; no stored range is ever a gap. */
#include <stdint.h>
#include <stdlib.h>

#include "../server/rules/gaps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pvs_seqrange g[PVS_GAPS_MAX];
    size_t n = 0;
    uint64_t next = 0;
    for (size_t i = 0; i + 3 <= size; i += 3) {
        uint32_t a = (uint32_t)data[i] | (uint32_t)data[i + 1] << 8;
        uint32_t b = a + data[i + 2] % 41;
        size_t before = n;
        uint64_t nx = next;
        int rc = pvs_gaps_apply(g, &n, PVS_GAPS_MAX, &next, a, b);
        if (rc != PV_OK) {
            if (n != before || next != nx)
                abort(); /* a refusal changes nothing */
            continue;
        }
        for (size_t k = 0; k < n; k++) {
            if (g[k].from_seq > g[k].to_seq || g[k].to_seq >= next)
                abort();
            if (k && g[k - 1].to_seq >= g[k].from_seq)
                abort();
            if (!(g[k].to_seq < a || g[k].from_seq > b))
                abort(); /* the range just stored is no longer missing */
        }
    }
    return 0;
}
