/* Sequence-gap bookkeeping for lock logs: each lock's events are numbered from 0; the
 * server keeps the next expected number and the missing ranges, and updates both as
 * batches arrive in any order (a late batch fills, or splits, a gap). */
#ifndef PVS_INGEST_GAPS_H
#define PVS_INGEST_GAPS_H

#include <stddef.h>
#include <stdint.h>

#include "portvakt/error.h"

typedef struct pvs_seqrange {
    uint32_t from_seq; /* inclusive */
    uint32_t to_seq;   /* inclusive */
} pvs_seqrange;

#define PVS_GAPS_MAX 64u /* per lock; more open gaps than this means a broken uplink */

/* Records that events [a, b] are now stored. gaps[*n] (sorted, disjoint) and *next_seq
 * (one past the highest stored seq, 0 if none) are updated in place.
 * Errors: PV_E_RANGE (a > b), PV_E_FULL (would exceed cap; nothing changed). */
int pvs_gaps_apply(pvs_seqrange *gaps, size_t *n, size_t cap, uint64_t *next_seq, uint32_t a,
                   uint32_t b) PV_MUST_CHECK;

#endif
