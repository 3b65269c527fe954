/* The append-only, hash-chained audit trail of every administrative change, as services
 * write it: an actor, a change, canonical details. No HTTP, no JSON (the request-side
 * wrappers: pvs/audit.h). */
#ifndef PVS_AUDIT_RECORD_H
#define PVS_AUDIT_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "pvs/store.h"

/*
 * Who makes a change, as the audit trail records it. Services receive one from their caller
 * (the HTTP side builds it from the signed-in user or token: pvs_audit_actor_of() in
 * pvs/audit.h; the CLI and system jobs fill it themselves). Strings are borrowed. Whose
 * change it is (the provider that sees the record) is an argument of each record: a central
 * actor often changes one provider's data.
 */
struct pvs_audit_actor {
    int64_t user_id;         /* 0: no user (CLI, system job) */
    const char *name;        /* user name or job name, never NULL */
    const char *role;        /* role name ("planner", "cli", "system"), never NULL */
    const char *client_addr; /* source address, or "local" */
    const char *request_id;  /* request id, or a short job tag */
};

/*
 * Record one change made by `who`: what (action, object type and id, details), when
 * (pvs_now()), visible to `provider_id` (0: central only). Must run inside the write
 * transaction that makes the change (PVS_DB_MISUSE otherwise), so the record and the
 * change commit or vanish together. `details` is the change as canonical JSON text (sorted
 * keys, compact, ASCII: pvs_audit_details() in pvs/audit.h makes it) or NULL for "{}".
 * Personal values never enter the chain: pvs_audit_seal() (pvs/audit_seal.h) seals every
 * string that is not a plain field under the object's own key and names a user actor by a
 * pseudonym; the chain hashes that stored form.
 *
 * Chain: hash = BLAKE2b-256("portvakt-audit-v1" || prev_hash || canonical JSON of the
 * record), where canonical JSON has sorted keys and no whitespace; prev_hash of the first
 * record is 32 zero bytes; seq counts from 1 without gaps. audit_head holds the newest
 * (seq, hash) so a truncated tail is detected too.
 */
int pvs_audit_record(pvs_db *db, const struct pvs_audit_actor *who, int64_t provider_id,
                     const char *action, const char *object_type, int64_t object_id,
                     const char *details) PV_MUST_CHECK;

/* Result of walking the whole chain. */
struct pvs_audit_verify {
    bool ok;
    int64_t records;
    int64_t first_bad_seq; /* 0 when ok */
    char reason[160];
    uint8_t head[32];
};
/* Walk the chain in its own read transaction. Returns PVS_DB_OK when the walk completed
 * (the verdict is in *out) or a store error. */
int pvs_audit_verify(pvs_db *db, struct pvs_audit_verify *out) PV_MUST_CHECK;

#endif
