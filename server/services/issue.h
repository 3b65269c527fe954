/* Issuing at sync: loads a staff member's grants from the store with a few indexed
 * queries, computes the shift's entries (derived entrances included), and signs one
 * credential over their Merkle root; also the newest revocation list and a time beacon. */
#ifndef PVS_ISSUE_H
#define PVS_ISSUE_H

#include <stddef.h>
#include <stdint.h>

#include "portvakt/proto.h"
#include "pvs/server.h"
#include "pvs/store.h"

/* Who the credential is for, as loaded from the bearers table. */
typedef struct pvs_bearer_row {
    uint32_t bearer_id;
    uint32_t staff_id;
    uint32_t provider_id;
    uint8_t public_key[PV_PK_SIZE]; /* Ed25519 identity key */
    char state[16];                 /* active | lost | retired */
    char label[64];
    int staff_active;
} pvs_bearer_row;

/* PVS_DB_OK, PVS_DB_NOTFOUND or a store error. */
int pvs_bearer_load(pvs_db *db, uint32_t bearer_id, pvs_bearer_row *out) PV_MUST_CHECK;

/* The computed rights of one shift (before signing). */
typedef struct pvs_shift {
    int64_t not_before; /* now, rounded down to the minute */
    int64_t not_after;
    pv_entry *entries;  /* malloc'ed, sorted; NULL when n == 0 */
    size_t n;
    uint8_t *encoded;   /* n * PV_ENTRY_SIZE bytes, malloc'ed */
    uint8_t root[PV_HASH_SIZE];
    size_t doors;
    int cached;         /* the grant set came from the cache */
} pvs_shift;

/* Computes the shift's entries for the bearer's staff member from the store (read only;
 * run it inside a read or write transaction for a consistent view). shift_s is capped
 * at PV_CRED_MAX_LIFETIME_S. Errors: a pvs_db_rc, or PV_E_* from the rights builder
 * (PV_E_FULL when the entries exceed the Merkle limit). */
int pvs_shift_compute(pvs_db *db, const pvs_bearer_row *b, int64_t now, unsigned shift_s,
                      pvs_shift *out) PV_MUST_CHECK;
void pvs_shift_free(pvs_shift *s);

/* Copies the recipient's building and installed apartment lock into its rights rows
 * (issuing reads them from there). Call after any change to the recipient's building or
 * lock, or to that lock's state. */
int pvs_rights_refresh_recipient(pvs_db *db, int64_t recipient_id) PV_MUST_CHECK;

/* Next credential serial for the issuer (needs a write transaction). */
int pvs_issue_next_serial(pvs_db *db, uint32_t issuer_id, uint64_t *serial) PV_MUST_CHECK;

/* Signs the credential for a computed, non-empty shift. PV_OK or PV_E_*. */
int pvs_issue_sign(const struct pvs_issuer *iss, const pvs_bearer_row *b, const pvs_shift *s,
                   uint64_t serial, int64_t now, uint8_t out[PV_CRED_SIZE]) PV_MUST_CHECK;

/* ------------------------------------------------------------ revocation lists */

/* Newest stored list of the issuer into buf (cap >= PV_REVLIST_MAX_SIZE); creates and
 * stores an empty version 1 if none exists (needs a write transaction then). */
int pvs_revlist_current(pvs_db *db, const struct pvs_issuer *iss, int64_t now, uint8_t *buf,
                        size_t cap, size_t *len, uint64_t *version) PV_MUST_CHECK;
/* Rebuilds from the lost bearers (drop rule applied), signs and stores a new version.
 * Needs a write transaction. */
int pvs_revlist_rebuild(pvs_db *db, const struct pvs_issuer *iss, int64_t now,
                        uint64_t *version) PV_MUST_CHECK;

#endif
