/* A staff member's compiled grant set: every right intersected with the periods in which
 * the recipient's provider is the staff member's, plus the entrance and common locks of
 * the buildings involved, in one compact blob. Built from the store with two index scans
 * and a small lookup, cached per staff member, and invalidated by a generation counter that
 * every change to rights, provider periods, recipients' buildings or locks, and lock states
 * bumps (pvs_grants_changed), so a stale set is never used. */
#ifndef PVS_ISSUE_GRANTS_H
#define PVS_ISSUE_GRANTS_H

#include <stddef.h>
#include <stdint.h>

#include "../rules/rights.h"
#include "pvs/store.h"

typedef struct pvs_grantset {
    uint8_t *body;
    size_t len, cap;
} pvs_grantset;

/* The grant set valid from `from_day` on: from the cache when it is current, else built
 * from the store (and cached when `db` is in a write transaction). *cached tells which.
 * Returns PVS_DB_OK, a negative store code or PV_E_NOMEM. */
int pvs_grants_load(pvs_db *db, uint32_t staff_id, uint32_t provider_id, int32_t from_day,
                    pvs_grantset *gs, int *cached) PV_MUST_CHECK;
/* Builds without the cache (for tests and the cold path). */
int pvs_grants_build(pvs_db *db, uint32_t staff_id, uint32_t provider_id, int32_t from_day,
                     pvs_grantset *gs) PV_MUST_CHECK;
/* Feeds the set into a rights builder (grants, then derived locks).
 * Errors: PV_E_CORRUPT for a malformed body, or the builder's. */
int pvs_grants_apply(const pvs_grantset *gs, pvs_rights *r) PV_MUST_CHECK;
void pvs_grantset_free(pvs_grantset *gs);

/* Invalidates every cached grant set. Call it in the transaction of ANY change to rights,
 * provider periods, a recipient's building or apartment lock, or a lock's state, building or
 * kind: a change that skips it leaves keys with stale rights until the next such change. */
int pvs_grants_changed(pvs_db *db) PV_MUST_CHECK;

#endif
