/* Assembling the issuer's revocation list from the lost bearers: drop entries whose
 * every credential has expired, keep the newest when more than a list can hold, sort. */
#ifndef PVS_DOMAIN_REVLIST_H
#define PVS_DOMAIN_REVLIST_H

#include <stddef.h>
#include <stdint.h>

#include "portvakt/proto.h"

/* True once revoked_at + PV_CRED_MAX_LIFETIME_S has passed: every credential issued to the
 * bearer at or before revoked_at has expired, so locks no longer need the entry. */
int pvs_revoked_droppable(const pv_revoked *r, uint64_t now);

/* From `in` (any order, may repeat a bearer: the latest revoked_at wins) writes the list
 * entries to out[PV_REVLIST_MAX], sorted by bearer id. If more than PV_REVLIST_MAX entries
 * are live, the most recently revoked are kept (older ones expire first) and *truncated
 * is set. `in` is reordered. */
void pvs_revlist_assemble(pv_revoked *in, size_t n, uint64_t now, pv_revoked *out,
                          uint16_t *nout, int *truncated);

#endif
