/* Updates a lock's missing-sequence ranges when a batch is stored (see gaps.h). */
#include "gaps.h"

#include <string.h>

int pvs_gaps_apply(pvs_seqrange *gaps, size_t *n, size_t cap, uint64_t *next_seq, uint32_t a,
                   uint32_t b)
{
    if (a > b)
        return PV_E_RANGE;
    pvs_seqrange tmp[PVS_GAPS_MAX + 2];
    size_t k = 0;
    if (*n > PVS_GAPS_MAX)
        return PV_E_FULL;
    for (size_t i = 0; i < *n; i++) {
        pvs_seqrange g = gaps[i];
        if (g.to_seq < a || g.from_seq > b) {
            tmp[k++] = g; /* untouched */
            continue;
        }
        if (g.from_seq < a)
            tmp[k++] = (pvs_seqrange){g.from_seq, a - 1};
        if (g.to_seq > b)
            tmp[k++] = (pvs_seqrange){b + 1, g.to_seq};
    }
    if ((uint64_t)a > *next_seq)
        tmp[k++] = (pvs_seqrange){(uint32_t)*next_seq, a - 1};
    if (k > cap || k > PVS_GAPS_MAX)
        return PV_E_FULL;
    memcpy(gaps, tmp, k * sizeof *tmp);
    *n = k;
    if ((uint64_t)b + 1 > *next_seq)
        *next_seq = (uint64_t)b + 1;
    return PV_OK;
}
