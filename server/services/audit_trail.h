/* Reading the audit trail: the records a caller may see, filtered by object. (Writing is
 * pvs_audit_record() in pvs/audit_record.h, inside each change's own transaction; verifying the
 * chain is pvs_audit_verify().) */
#ifndef PVS_SERVICES_AUDIT_TRAIL_H
#define PVS_SERVICES_AUDIT_TRAIL_H

#include "rows.h"

/* Rows handed out, in this column order:
 *   0 seq, 1 at, 2 actor_user_id (NULL), 3 actor_name, 4 actor_role, 5 provider_id (NULL),
 *   6 client_addr, 7 request_id, 8 action, 9 object_type, 10 object_id (NULL),
 *   11 details (canonical JSON text, personal values sealed), 12 hash (32 bytes),
 *   13, 14 the object's key (person_keys id and sealed key; NULL when none or erased),
 *   15, 16 the acting user's key (the same), 17 the acting user's current user name (NULL).
 * pvs_audit_reveal_*() in pvs/audit_seal.h open the sealed values for the reader. */
struct pvs_audit_query {
    int64_t provider_id;     /* 0: every provider's records */
    const char *object_type; /* NULL: any */
    int64_t object_id;       /* 0: any */
};
/* Records in seq order, seq in the range. */
int pvs_audit_list(pvs_db *db, const struct pvs_audit_query *q, const struct pvs_range *rg,
                   const struct pvs_rows_out *out) PV_MUST_CHECK;

#endif
