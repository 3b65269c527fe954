/* Reading the audit trail (see audit_trail.h). */
#include "audit_trail.h"

int pvs_audit_list(pvs_db *db, const struct pvs_audit_query *q, const struct pvs_range *rg,
                   const struct pvs_rows_out *out)
{
    /* '' for "any": a NULL parameter has no type for PostgreSQL to infer */
    const char *otype = q->object_type ? q->object_type : "";
    return pvs_rows_range(
        db,
        "SELECT a.seq, a.at, a.actor_user_id, a.actor_name, a.actor_role, a.provider_id,"
        " a.client_addr, a.request_id, a.action, a.object_type, a.object_id, a.details, a.hash,"
        " ok.id, ok.sealed_key, ak.id, ak.sealed_key, u.username FROM audit_log a"
        " LEFT JOIN person_keys ok ON ok.subject_type = a.object_type"
        "  AND ok.subject_id = a.object_id"
        " LEFT JOIN person_keys ak ON ak.subject_type = 'user' AND ak.subject_id = a.actor_user_id"
        " LEFT JOIN users u ON u.id = a.actor_user_id"
        " WHERE (? = 0 OR a.provider_id = ?) AND (? = '' OR a.object_type = ?)"
        " AND (? = 0 OR a.object_id = ?) AND a.seq > ? ORDER BY a.seq LIMIT ?",
        PVS_ARGS(PVS_I64(q->provider_id), PVS_I64(q->provider_id), PVS_TEXT(otype),
                 PVS_TEXT(otype), PVS_I64(q->object_id), PVS_I64(q->object_id)),
        rg, out);
}
