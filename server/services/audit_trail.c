/* Reading the audit trail (see audit_trail.h). */
#include "audit_trail.h"

#include <stdint.h>

int pvs_audit_list(pvs_db *db, const struct pvs_audit_query *q, const struct pvs_range *rg,
                   const struct pvs_rows_out *out)
{
    /* '' for "any": a NULL parameter has no type for PostgreSQL to infer */
    const char *otype = q->object_type ? q->object_type : "";
#define AUDIT_SELECT                                                                          \
    "SELECT seq, at, actor_user_id, actor_name, actor_role, provider_id, client_addr,"      \
    " request_id, action, object_type, object_id, details, hash FROM audit_log"             \
    " WHERE (? = 0 OR provider_id = ?) AND (? = '' OR object_type = ?)"                     \
    " AND (? = 0 OR object_id = ?) AND at >= ? AND (? = 0 OR at <= ?)"
    /* newest first pages down from the top: "seq below the cursor", the top when it is 0 */
    struct pvs_range down = {rg->after ? rg->after : INT64_MAX, rg->limit};
    return pvs_rows_range(
        db,
        q->desc ? AUDIT_SELECT " AND seq < ? ORDER BY seq DESC LIMIT ?"
                : AUDIT_SELECT " AND seq > ? ORDER BY seq LIMIT ?",
        PVS_ARGS(PVS_I64(q->provider_id), PVS_I64(q->provider_id), PVS_TEXT(otype),
                 PVS_TEXT(otype), PVS_I64(q->object_id), PVS_I64(q->object_id), PVS_I64(q->from),
                 PVS_I64(q->to), PVS_I64(q->to)),
        q->desc ? &down : rg, out);
#undef AUDIT_SELECT
}
