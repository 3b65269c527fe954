/* The append-only, hash-chained audit trail of every administrative change. */
#ifndef PVS_AUDIT_H
#define PVS_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "pvs/http.h"
#include "pvs/store.h"

/*
 * Record one change made by the caller of `r`: who (user or token, role), what (action,
 * object type and id, details), when (pvs_now()), from where (client address, request
 * id). Must run inside the write transaction that makes the change (PVS_DB_MISUSE
 * otherwise), so the record and the change commit or vanish together. `details` may be
 * NULL; it is borrowed, never stolen. The record is visible to the caller's provider; use
 * pvs_audit_append_tenant() when a central caller changes a provider's data.
 *
 * Chain: hash = BLAKE2b-256("portvakt-audit-v1" || prev_hash || canonical JSON of the
 * record), where canonical JSON has sorted keys and no whitespace; prev_hash of the first
 * record is 32 zero bytes; seq counts from 1 without gaps. audit_head holds the newest
 * (seq, hash) so a truncated tail is detected too.
 */
int pvs_audit_append(struct pvs_req *r, const char *action, const char *object_type,
                     int64_t object_id, const json_t *details) PV_MUST_CHECK;
int pvs_audit_append_tenant(struct pvs_req *r, int64_t provider_id, const char *action,
                            const char *object_type, int64_t object_id,
                            const json_t *details) PV_MUST_CHECK;

/* Actor for changes made outside HTTP (CLI init, key rotation). */
struct pvs_audit_actor {
    int64_t user_id;
    const char *name;
    const char *role;
    const char *client_addr;
    const char *request_id;
};
int pvs_audit_append_raw(pvs_db *db, const struct pvs_audit_actor *who, int64_t provider_id,
                         const char *action, const char *object_type, int64_t object_id,
                         const json_t *details) PV_MUST_CHECK;

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
