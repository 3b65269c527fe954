/* The audit trail from the HTTP side: the actor of a request, and details given as JSON
 * turned into the canonical text pvs_audit_record() stores. */
#include <stdlib.h>
#include <string.h>

#include "pvs/audit.h"

struct pvs_audit_actor pvs_audit_actor_of(const struct pvs_req *r)
{
    const char *role = pvs_role_name(r->who.role);
    return (struct pvs_audit_actor){
        .user_id = r->who.user_id,
        .name = r->who.username[0] ? r->who.username : "anonymous",
        .role = role ? role : "none",
        .client_addr = r->client_addr,
        .request_id = r->request_id,
    };
}

char *pvs_audit_details(const json_t *details)
{
    return details ? json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII)
                   : strdup("{}");
}

int pvs_audit_append_raw(pvs_db *db, const struct pvs_audit_actor *who, int64_t provider_id,
                         const char *action, const char *object_type, int64_t object_id,
                         const json_t *details)
{
    char *text = pvs_audit_details(details);
    if (!text)
        return PVS_DB_ERROR;
    int rc = pvs_audit_record(db, who, provider_id, action, object_type, object_id, text);
    free(text);
    return rc;
}

int pvs_audit_append(struct pvs_req *r, const char *action, const char *object_type,
                     int64_t object_id, const json_t *details)
{
    struct pvs_audit_actor who = pvs_audit_actor_of(r);
    return pvs_audit_append_raw(r->db, &who, r->who.provider_id, action, object_type,
                                object_id, details);
}

int pvs_audit_append_tenant(struct pvs_req *r, int64_t provider_id, const char *action,
                            const char *object_type, int64_t object_id, const json_t *details)
{
    struct pvs_audit_actor who = pvs_audit_actor_of(r);
    return pvs_audit_append_raw(r->db, &who, provider_id, action, object_type, object_id,
                                details);
}
