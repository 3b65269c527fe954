/* API tokens for integrations: list, read, create (stored only as a hash) and revoke, each
 * change recorded in the audit trail in the same transaction. */
#ifndef PVS_SERVICES_TOKENS_H
#define PVS_SERVICES_TOKENS_H

#include "pvs/audit_record.h"
#include "rows.h"

/* Rows handed out, in this column order:
 *   0 id, 1 name, 2 role, 3 provider_id (NULL: central), 4 created_by (NULL), 5 created_at,
 *   6 revoked_at (NULL), 7 last_used_at (NULL). */

/* Tokens of provider `scope` (0: all) in id order. */
int pvs_tokens_list(pvs_db *db, int64_t scope, const struct pvs_range *rg,
                    const struct pvs_rows_out *out) PV_MUST_CHECK;
/* Token `id` (PVS_DB_NOTFOUND if none). */
int pvs_token_get(pvs_db *db, int64_t id, const struct pvs_rows_out *out) PV_MUST_CHECK;
/* The provider of token `id` (0: central); PVS_DB_NOTFOUND if there is no such token. */
int pvs_token_provider(pvs_db *db, int64_t id, int64_t *provider) PV_MUST_CHECK;

struct pvs_token_new {
    const char *name;
    const char *role;    /* role name, already checked by the caller */
    int64_t provider_id; /* 0: central */
    const uint8_t *hash; /* 32 bytes: pvs_token_hash() of the secret shown once */
    const char *details; /* audit details (canonical JSON text) */
};
/* Creates the token and its audit entry ("token.create") in one transaction; *id is the new
 * token's. PVS_DB_OK or the store error (nothing written then). */
int pvs_token_create(pvs_db *db, const struct pvs_audit_actor *who,
                     const struct pvs_token_new *req, int64_t *id) PV_MUST_CHECK;
/* Revokes token `id` of `provider` (a revoked token stays revoked) with its audit entry. */
int pvs_token_revoke(pvs_db *db, const struct pvs_audit_actor *who, int64_t id,
                     int64_t provider) PV_MUST_CHECK;

#endif
