/* Letting the audit trail expire without breaking it (docs/privacy.md, "Retention"): records
 * older than the audit retention are cut from the front of the chain, and the cut leaves a
 * tombstone — the last removed record's seq and hash — attested by an `audit.truncate` record
 * written into the chain before the cut. The verifier starts from the newest tombstone and
 * checks that its attestation, protected by the chain, names the same seq and hash. */
#ifndef PVS_AUDIT_TOMBSTONE_H
#define PVS_AUDIT_TOMBSTONE_H

#include <stdbool.h>
#include <stdint.h>

#include "pvs/audit_record.h"

/* Where the chain starts: seq 0 and a zero hash, or the newest tombstone. */
struct pvs_audit_start {
    int64_t through_seq;   /* records up to this one were removed (0: none) */
    uint8_t through_hash[32];
    int64_t attest_seq;    /* the audit.truncate record that attests the cut */
};

/* Read the newest tombstone into *out (zeros when there is none). Returns a pvs_db_rc. */
int pvs_audit_start_read(pvs_db *db, struct pvs_audit_start *out) PV_MUST_CHECK;

/* True when a record (action, stored details) is the attestation of `start`. */
bool pvs_audit_attests(const struct pvs_audit_start *start, const char *action,
                       const char *details);

/*
 * Inside the caller's write transaction: remove the records written before `cutoff` (unix
 * seconds) from the front of the chain — the newest record always stays — after appending
 * their attestation as `who`, and leave a tombstone. *removed receives how many went (0 and
 * nothing written when none is due). Returns a pvs_db_rc.
 */
int pvs_audit_truncate(pvs_db *db, const struct pvs_audit_actor *who, int64_t cutoff,
                       int64_t *removed) PV_MUST_CHECK;

#endif
